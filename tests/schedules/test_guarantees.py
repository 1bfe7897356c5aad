"""Delivery guarantees of the scheduler: a transient error at the digest moment only delays it
(every tick re-checks what is due), a digest later than its grace is reported to the leaders
instead of posted late, and an expired claim is never taken over."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.outbound import ConsoleOutbound
from bot.delivery import Delivery
from handlers.context import Policy
from schedules.jobs import run_due
from schedules.rhythm import Rhythm
from schedules.scheduler import SchedulerService
from schedules.weekly_digest import digest_due
from storage import effect_queries, effects
from storage.db import Database
from storage.models import Effect as EffectRow
from tests.conftest import Chat
from tests.schedules.conftest import Recorder, digest_policy, step
from tests.schedules.test_jobs import FRIDAY_W48, headers, ledger, week_of_learnings


class _Settings:
    SAMEN_DIGEST_SCHEDULE = "0 16 * * fri"


class _App:
    def __init__(self, database: Database, policy: Policy, delivery: object) -> None:
        self.database = database
        self.policy = policy
        self.delivery = delivery
        self.settings = _Settings()


class _RecordingDelivery(Delivery):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    def platforms(self) -> tuple[str, ...]:
        return self.recorder.platforms()

    async def send(self, target, reply):  # type: ignore[no-untyped-def]
        return await self.recorder.send(target, reply)

    async def send_once(self, target, reply, key, *, check=False):  # type: ignore[no-untyped-def]
        return await self.recorder.send(target, reply), False


async def test_a_database_error_at_the_digest_moment_only_delays_it(
    seven: Chat,
    database: Database,
    policy: Policy,
    recorder: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await week_of_learnings(seven)
    # the last digest went out last week: this is a running install
    rhythm = Rhythm(database=database, sender=recorder, policy=policy, owner="t")
    await digest_due(rhythm, FRIDAY_W48 - timedelta(days=7) + timedelta(minutes=1))
    recorder.sent.clear()
    clock = [FRIDAY_W48 + timedelta(seconds=1)]
    service = SchedulerService(
        _App(database, policy, _RecordingDelivery(recorder)),
        clock=lambda: clock[0],
        console_outbound=ConsoleOutbound.from_env,
    )
    real = effect_queries.settled
    broken = [1]

    async def settled_once_broken(session: AsyncSession, keys: list[str]) -> set[str]:
        if broken and any(k.startswith("digest:") for k in keys):
            broken.pop()
            raise ConnectionError("database restarting (test)")
        return await real(session, keys)

    monkeypatch.setattr(effect_queries, "settled", settled_once_broken)
    # the cron job fires at Fri 16:00:01 and meets the error
    await service._guard("digest", lambda now: digest_due(service.rhythm, now))()
    assert headers(recorder) == []
    # a minute later the periodic tick checks again, and the digest goes out
    clock[0] += timedelta(minutes=1)
    await service._tick()
    assert sorted(c for c, _ in headers(recorder)) == ["CKENNIS", "kenniskring"]
    clock[0] += timedelta(minutes=1)
    await service._tick()
    assert len(headers(recorder)) == 2


def _reports(recorder: Recorder) -> list[tuple[str, str]]:
    return [
        (target.platform, target.user_id or "")
        for target, reply in recorder.sent
        if target.user_id and "2026-W48" in reply.text
    ]


async def test_a_digest_later_than_its_grace_is_reported_to_the_leaders_not_posted(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await digest_due(rhythm, FRIDAY_W48 - timedelta(days=7) + timedelta(minutes=1))
    recorder.sent.clear()
    await week_of_learnings(seven)
    recorder.failures = 1000  # the platforms refuse everything for hours
    for minutes in range(0, 6 * 60, 45):
        await run_due(rhythm, FRIDAY_W48 + timedelta(minutes=minutes))
    assert headers(recorder) == []
    recorder.failures = 0
    late = FRIDAY_W48 + rhythm.grace + timedelta(minutes=2)
    for minute in range(3):
        await run_due(rhythm, late + timedelta(minutes=minute))
    assert headers(recorder) == []  # not posted late
    assert set((await ledger(rhythm.database, "digest:2026-W48")).values()) == {"missed"}
    reports = _reports(recorder)
    assert sorted(reports) == [("console", "floor"), ("discord", "4242"), ("slack", "ULEAD")]
    (_, report), *_ = [(t, r) for t, r in recorder.sent if t.user_id == "ULEAD"]
    assert "digest plaats 2026-W48" in report.text
    # days later, nothing more: no late digest, no second report
    await run_due(rhythm, late + timedelta(days=2))
    assert headers(recorder) == [] and len(_reports(recorder)) == 3


async def _backdate(database: Database, key: str, at: datetime) -> None:
    async with database.unit_of_work() as session:
        await session.execute(update(EffectRow).where(EffectRow.key == key).values(claimed_at=at))


async def test_an_expired_claim_is_not_taken_over(database: Database) -> None:
    key = "digest:2026-W48:slack:C1"
    now = FRIDAY_W48
    held = await step(
        database, effects.claim, key, "digest", "p1", now, expires_at=now + timedelta(hours=6)
    )
    assert held is not None
    async with database.unit_of_work() as session:
        clock = await effects.database_now(session)
    await _backdate(database, key, clock - timedelta(days=3))
    later = now + timedelta(days=3)
    assert await step(database, effects.claim, key, "digest", "p2", later) is None
    assert await step(database, effect_queries.due_for_retry, later) == []
    assert await step(database, effects.expire, key, later, "too late")
    async with database.unit_of_work() as session:
        row = await effect_queries.get(session, key)
        assert row is not None and row.status == effects.MISSED


# -- issue 12: what a message shows is checked when it is delivered, not only when queued ---


def _learning_number(replies: list) -> int:  # type: ignore[type-arg]
    import re

    found = re.search(r"#(\d+)", replies[0].text)
    assert found is not None
    return int(found.group(1))


async def test_a_learning_narrowed_while_the_digest_is_being_posted_is_not_in_its_later_parts(
    seven: Chat, rhythm: Rhythm
) -> None:
    await week_of_learnings(seven)  # #wonen from buurtkamer, #energie from energiecoöperatie
    energie = _learning_number(
        await seven.say(
            "inzicht Warmtenet in de wijk #energie",
            channel="energiecoöperatie",
            at=FRIDAY_W48 - timedelta(hours=3),
        )
    )

    class NarrowsAfterTheHeader(Recorder):
        async def send(self, target, reply):  # type: ignore[no-untyped-def]
            sent = await super().send(target, reply)
            if len(self.sent) == 1:  # the header is out; the author narrows a learning
                await seven.say(
                    f"deel {energie} proeftuin", channel="energiecoöperatie", at=FRIDAY_W48
                )
            return sent

    sender = NarrowsAfterTheHeader()
    rhythm.sender = sender
    rhythm.policy = digest_policy(digest_channels=(("slack", "CKENNIS"),))
    await digest_due(rhythm, FRIDAY_W48 + timedelta(minutes=1))
    text = "\n".join(sender.texts())
    assert "Zon op het dak" in text  # the other #energie learning is there
    assert "Warmtenet" not in text


async def test_a_queued_notice_narrowed_before_the_hourly_batch_is_not_delivered(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    start = FRIDAY_W48 - timedelta(days=1)
    await seven.say("volg #wonen", user="bram", channel="energiecoöperatie")
    await seven.say("inzicht Huur een #wonen", channel="buurtkamer", at=start)  # told at once
    second = _learning_number(
        await seven.say(
            "inzicht Huur twee #wonen", channel="buurtkamer", at=start + timedelta(minutes=5)
        )
    )
    third = await seven.say(
        "inzicht Huur drie #wonen", channel="buurtkamer", at=start + timedelta(minutes=6)
    )
    assert third  # queued for the hourly batch
    await seven.say(
        f"deel {second} proeftuin", channel="buurtkamer", at=start + timedelta(minutes=7)
    )
    await seven.say(
        f"intrekken {second + 1}", channel="buurtkamer", at=start + timedelta(minutes=8)
    )
    await run_due(rhythm, start + timedelta(hours=1, minutes=1))
    assert not [reply for _, reply in recorder.sent if "Huur twee" in reply.text]
    assert not [reply for _, reply in recorder.sent if "Huur drie" in reply.text]
