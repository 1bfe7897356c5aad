"""The effect ledger: one winner per key, leases, fencing, retries with backoff, missed effects,
and run_effect resuming a multi-part send without repeating a part (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from handlers.types import Reply, Target
from schedules.ledger import Effect, Outcome, run_effect
from storage import effect_keys, effect_queries, effects
from storage.db import Database
from storage.models import Effect as EffectRow
from tests.schedules.conftest import Recorder, step, utc

NOW = utc(2026, 11, 27, 15, 0)
KEY = "digest:2026-W48:slack:C1"


async def status(database: Database, key: str = KEY) -> str | None:
    async with database.unit_of_work() as session:
        row = await effect_queries.get(session, key)
        return row.status if row else None


async def test_first_claim_wins_and_done_is_final(database: Database) -> None:
    held = await step(database, effects.claim, KEY, "digest", "p1", NOW)
    assert held is not None and held.attempts == 1
    assert await step(database, effects.claim, KEY, "digest", "p2", NOW) is None
    assert await step(database, effects.complete, held, NOW)
    later = NOW + timedelta(days=30)
    assert await step(database, effects.claim, KEY, "digest", "p2", later) is None
    assert await status(database) == effects.DONE


async def test_concurrent_claims_from_two_engines_have_one_winner(migrated_url: str) -> None:
    first, second = Database(migrated_url), Database(migrated_url)
    try:
        for round_ in range(10):
            key = f"reminder:1h:meeting:{round_}:console:x"
            results = await asyncio.gather(
                *[
                    step(db, effects.claim, key, "reminder", f"p{i}", NOW)
                    for i, db in enumerate([first, second] * 3)
                ]
            )
            assert sum(r is not None for r in results) == 1, round_
    finally:
        await first.close()
        await second.close()


async def backdate_claim(database: Database, minutes: int, key: str = KEY) -> None:
    """Make the claim on `key` look `minutes` old by the database's own clock."""
    async with database.unit_of_work() as session:
        clock = await effects.database_now(session)
        await session.execute(
            update(EffectRow)
            .where(EffectRow.key == key)
            .values(claimed_at=clock - timedelta(minutes=minutes))
        )


async def test_stale_claim_is_taken_over_and_the_old_holder_is_fenced(database: Database) -> None:
    old = await step(database, effects.claim, KEY, "digest", "crashed", NOW)
    assert old is not None
    await backdate_claim(database, 5)
    assert await step(database, effects.claim, KEY, "digest", "p2", NOW) is None
    assert await step(database, effect_queries.due_for_retry, NOW) == []
    await backdate_claim(database, 11)
    assert [row.key for row in await step(database, effect_queries.due_for_retry, NOW)] == [KEY]
    new = await step(database, effects.claim, KEY, "digest", "p2", NOW)
    assert new is not None and new.attempts == 2
    assert not await step(database, effects.advance, old, 1)  # fenced: no longer the holder
    assert not await step(database, effects.complete, old, NOW)
    assert await step(database, effects.complete, new, NOW + timedelta(minutes=12))


async def test_simulated_or_skewed_clocks_never_break_a_live_lease(database: Database) -> None:
    """A process whose clock runs a day ahead still cannot take over a fresh claim."""
    held = await step(database, effects.claim, KEY, "digest", "p1", NOW)
    assert held is not None
    assert await step(database, effects.claim, KEY, "digest", "p2", NOW + timedelta(days=1)) is None
    clock_now = await _database_clock(database)
    assert abs(clock_now - datetime.now(UTC)) < timedelta(minutes=1)


async def _database_clock(database: Database) -> datetime:
    async with database.unit_of_work() as session:
        return await effects.database_now(session)


async def test_failure_is_retried_after_backoff_then_given_up(database: Database) -> None:
    moment = NOW
    for attempt in range(1, effects.MAX_ATTEMPTS + 1):
        held = await step(database, effects.claim, KEY, "digest", "p", moment)
        assert held is not None and held.attempts == attempt
        result = await step(database, effects.fail, held, moment, "boom")
        assert result == (effects.GAVE_UP if attempt == effects.MAX_ATTEMPTS else effects.FAILED)
        assert await step(database, effects.claim, KEY, "digest", "p", moment) is None  # not yet
        moment += effects.backoff(attempt)
    assert (
        await step(database, effects.claim, KEY, "digest", "p", moment + timedelta(days=1)) is None
    )
    assert effects.backoff(1) == timedelta(minutes=1)
    assert effects.backoff(20) == effects.BACKOFF_CAP


async def test_expired_effect_is_not_retried(database: Database) -> None:
    held = await step(
        database, effects.claim, KEY, "digest", "p", NOW, expires_at=NOW + timedelta(hours=1)
    )
    assert held is not None
    await step(database, effects.fail, held, NOW, "boom")
    assert await step(database, effects.claim, KEY, "digest", "p", NOW + timedelta(hours=2)) is None
    assert await step(database, effect_queries.due_for_retry, NOW + timedelta(hours=2)) == []


async def test_missed_is_recorded_once_and_only_taken_on_request(database: Database) -> None:
    assert await step(database, effects.record_missed, KEY, "digest", NOW, NOW, "down")
    assert not await step(database, effects.record_missed, KEY, "digest", NOW, NOW, "down")
    assert await step(database, effects.claim, KEY, "digest", "p", NOW) is None
    assert (
        await step(database, effects.claim, KEY, "digest", "p", NOW, take_missed=True) is not None
    )


async def test_queue_and_outbox_listing(database: Database) -> None:
    async with database.unit_of_work() as session:
        assert await effects.queue(session, KEY, "digest", NOW)
        assert not await effects.queue(session, KEY, "digest", NOW)
    due = await step(database, effect_queries.due_for_retry, NOW)
    assert [row.key for row in due] == [KEY]
    assert await step(database, effects.claim, KEY, "digest", "p", NOW) is not None
    assert await step(database, effect_queries.due_for_retry, NOW) == []


def test_keys_round_trip() -> None:
    digest = effect_keys.parse_key(effect_keys.digest_key("2026-W48", "console", "kennis:kring"))
    assert digest is not None and (digest.week, digest.channel_id) == ("2026-W48", "kennis:kring")
    reminder = effect_keys.parse_key(effect_keys.reminder_key("24h", 7, "slack", "C9"))
    assert reminder is not None and (reminder.reminder, reminder.meeting_id) == ("24h", 7)
    followup = effect_keys.parse_key(effect_keys.followup_key(3, 2, "discord", "42"))
    assert followup is not None and (followup.prompt_id, followup.proeftuin_id) == (3, 2)
    assert effect_keys.parse_key("nonsense") is None
    assert effect_keys.parse_key("reminder:1h:meeting:x:slack:C") is None


def _three_parts(built: list[int]) -> Effect:
    async def build(session: object) -> list[Reply]:
        built.append(1)
        return [Reply(text=f"part {i}") for i in range(3)]

    return Effect(KEY, "digest", Target("slack", channel_id="C1"), build)  # type: ignore[arg-type]


async def test_send_that_fails_then_succeeds_resumes_without_repeating(database: Database) -> None:
    class FailOnSecond(Recorder):
        broken: bool = True

        async def send(self, target: Target, reply: Reply) -> str | None:
            if reply.text == "part 1" and self.broken:
                self.broken = False
                raise RuntimeError("timeout")
            return await super().send(target, reply)

    sender = FailOnSecond()
    built: list[int] = []
    assert await run_effect(database, sender, _three_parts(built), NOW) is Outcome.FAILED
    assert sender.texts() == ["part 0"]
    assert await status(database) == effects.FAILED
    # the outbox (or any process) tries again after the backoff: only the rest goes out
    soon = NOW + timedelta(seconds=30)
    assert await run_effect(database, sender, _three_parts(built), soon) is Outcome.SKIPPED
    later = NOW + timedelta(minutes=2)
    assert await run_effect(database, sender, _three_parts(built), later) is Outcome.SENT
    assert sender.texts() == ["part 0", "part 1", "part 2"]
    assert all(target.channel_id == "C1" for target, _ in sender.sent)
    assert await run_effect(database, sender, _three_parts(built), later) is Outcome.SKIPPED
    assert await status(database) == effects.DONE


async def test_nothing_to_send_closes_the_effect(database: Database) -> None:
    async def build(session: object) -> None:
        return None

    effect = Effect(KEY, "digest", Target("slack", channel_id="C1"), build)  # type: ignore[arg-type]
    assert await run_effect(database, Recorder(), effect, NOW) is Outcome.NOTHING
    assert await status(database) == effects.DONE


async def test_a_process_that_cannot_reach_the_platform_leaves_the_effect_unclaimed(
    database: Database,
) -> None:
    """A process standing by for the Discord gateway (or reconnecting) does not claim what it
    cannot send: no retry is spent, and a connected process sends it at once."""

    class StandingBy(Recorder):
        connected: bool = False

        def can_send(self, platform: str) -> bool:
            return self.connected

    sender = StandingBy()
    built: list[int] = []
    assert await run_effect(database, sender, _three_parts(built), NOW) is Outcome.SKIPPED
    assert built == [] and sender.attempts == 0 and await status(database) is None
    sender.connected = True
    assert await run_effect(database, sender, _three_parts(built), NOW) is Outcome.SENT
    async with database.unit_of_work() as session:
        row = await effect_queries.get(session, KEY)
        assert row is not None and row.attempts == 1


async def test_delivery_can_send_asks_a_connected_adapter_only() -> None:
    from bot.delivery import Delivery

    class Gateway:
        platform = "discord"
        up = False

        def reachable(self) -> bool:
            return self.up

        async def send(self, target: Target, reply: Reply) -> str | None:
            return "1"

    class Web:
        platform = "slack"

        async def send(self, target: Target, reply: Reply) -> str | None:
            return "2"

    delivery, gateway = Delivery(), Gateway()
    delivery.register(gateway)
    delivery.register(Web())
    assert not delivery.can_send("discord") and delivery.can_send("slack")
    assert delivery.can_send("console")  # absent: tried, and fails loudly at send
    gateway.up = True
    assert delivery.can_send("discord")
