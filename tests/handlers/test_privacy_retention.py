"""Retention: handled events after 30 days, settled effects and sent follow notices after 90;
what is still to be sent, and what the privacy code keeps on purpose, stays. A daily job of the
scheduler does it."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from bot.console.outbound import OUTBOUND_FILE_ENV, ConsoleOutbound
from bot.delivery import Delivery
from handlers.context import Policy
from schedules.scheduler import SchedulerService
from storage import erasure, events, files, retention
from storage.db import Database
from storage.models import Effect, FollowNotice, HandledEvent, Learning, Member, Proeftuin
from tests.conftest import make_policy

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def test_prune_keeps_what_is_young_pending_or_reserved(database: Database) -> None:
    async with database.unit_of_work() as session:
        secret = await erasure.install_secret(session)
        await erasure.mark_forgotten(session, "slack", "UGONE")
        # The reserved rows are old too: they must survive anyway.
        await session.execute(
            HandledEvent.__table__.update().values(handled_at=days_ago(400))  # type: ignore[attr-defined]
        )
        session.add_all(
            [
                HandledEvent(key="slack:act:U1:1.1", handled_at=days_ago(31)),
                HandledEvent(key="discord:reaction:9:U1", handled_at=days_ago(29)),
                Effect(key="digest:old", kind="digest", status="done", done_at=days_ago(91)),
                Effect(key="digest:young", kind="digest", status="done", done_at=days_ago(89)),
                Effect(
                    key="reminder:missed", kind="reminder", status="missed", due_at=days_ago(95)
                ),
                Effect(key="notice:gave-up", kind="notice", status="gave_up", due_at=days_ago(100)),
                Effect(key="digest:queued", kind="digest", status="queued", due_at=days_ago(200)),
                Effect(key="digest:failed", kind="digest", status="failed", due_at=days_ago(200)),
            ]
        )
        member = Member(platform="slack", user_id="U1", display_name="Een", created_at=NOW)
        place = Proeftuin(name="A", created_at=NOW)
        session.add_all([member, place])
        await session.flush()
        learning = Learning(text="t", proeftuin_id=place.id, created_at=NOW)
        other = Learning(text="u", proeftuin_id=place.id, created_at=NOW)
        waiting = Learning(text="v", proeftuin_id=place.id, created_at=NOW)
        session.add_all([learning, other, waiting])
        await session.flush()
        session.add_all(
            [
                FollowNotice(member_id=member.id, learning_id=learning.id, sent_at=days_ago(91)),
                FollowNotice(member_id=member.id, learning_id=other.id, sent_at=days_ago(10)),
                FollowNotice(member_id=member.id, learning_id=waiting.id, created_at=days_ago(200)),
            ]
        )

    pruned = await retention.prune(database, NOW)

    assert pruned == retention.Pruned(handled_events=1, effects=3, notices=1)
    async with database.unit_of_work() as session:
        keys = set((await session.scalars(select(HandledEvent.key))).all())
        assert "slack:act:U1:1.1" not in keys and "discord:reaction:9:U1" in keys
        assert any(k.startswith(erasure.FORGOTTEN_PREFIX) for k in keys)
        assert await erasure.install_secret(session) == secret
        left = set((await session.scalars(select(Effect.key))).all())
        assert left == {"digest:young", "digest:queued", "digest:failed"}
        notices = (await session.scalars(select(FollowNotice.sent_at))).all()
        assert len(notices) == 2
    # Nothing left to prune: a second run removes nothing.
    assert await retention.prune(database, NOW) == retention.Pruned(0, 0, 0)


async def test_events_prune_without_kept_prefixes(database: Database) -> None:
    async with database.unit_of_work() as session:
        session.add(HandledEvent(key="install-secret:x", handled_at=days_ago(40)))
    async with database.unit_of_work() as session:
        assert await events.prune(session, days_ago(30)) == 1


@dataclass
class FakeSettings:
    SAMEN_DIGEST_SCHEDULE: str = "0 16 * * fri"


@dataclass
class FakeApp:
    database: Database
    policy: Policy
    delivery: Delivery
    settings: FakeSettings


async def test_the_scheduler_prunes_daily(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OUTBOUND_FILE_ENV, str(tmp_path / "out.txt"))
    policy = make_policy(data_dir=str(tmp_path / "files"))
    folder = files.export_folder(database.url, policy.data_dir)
    old = files.write_export({"a": 1}, folder, "mijn-gegevens-1.json", datetime.now(UTC))
    young = files.write_export({"b": 2}, folder, "mijn-gegevens-2.json", datetime.now(UTC))
    stale = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    os.utime(old, (stale, stale))
    async with database.unit_of_work() as session:
        session.add(
            HandledEvent(key="slack:act:U1:1.1", handled_at=datetime.now(UTC) - timedelta(days=31))
        )
    service = SchedulerService(
        FakeApp(database, policy, Delivery(), FakeSettings()),
        console_outbound=ConsoleOutbound.from_env,
    )
    await service.start()
    try:
        await asyncio.wait_for(service.caught_up.wait(), timeout=20)
        assert service.scheduler is not None
        job = service.scheduler.get_job("retention")
        assert job is not None and isinstance(job.trigger, CronTrigger)
        await job.func()
        async with database.unit_of_work() as session:
            assert await session.get(HandledEvent, "slack:act:U1:1.1") is None
        assert not old.exists() and young.exists()
    finally:
        await service.stop()
