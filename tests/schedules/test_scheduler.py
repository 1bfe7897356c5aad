"""SchedulerService: APScheduler in the loop, jobs rebuilt from our tables at start, the start-up
catch-up, the console outbound, and a restart that does not post again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.console.outbound import OUTBOUND_FILE_ENV, ConsoleOutbound
from bot.delivery import Delivery
from handlers.context import Policy
from schedules.scheduler import SchedulerService
from storage.db import Database
from tests.conftest import LEADER, Chat


@dataclass
class FakeSettings:
    SAMEN_DIGEST_SCHEDULE: str = "0 16 * * fri"


@dataclass
class FakeApp:
    database: Database
    policy: Policy
    delivery: Delivery
    settings: FakeSettings


async def started(app: FakeApp) -> SchedulerService:
    service = SchedulerService(app, console_outbound=ConsoleOutbound.from_env)
    await service.start()
    await asyncio.wait_for(service.caught_up.wait(), timeout=20)
    return service


async def test_jobs_are_rebuilt_from_the_tables(
    seven: Chat, database: Database, policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OUTBOUND_FILE_ENV, str(tmp_path / "out.txt"))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    starts = (now + timedelta(days=2)).astimezone(policy.timezone)
    when = starts.strftime("%Y-%m-%d %H:%M")
    await seven.say(f"bijeenkomst Overleg | {when}", user=LEADER, channel="buurtkamer", at=now)
    await seven.say("vraag Hoe gaat het?", user=LEADER, at=now)
    app = FakeApp(database, policy, Delivery(), FakeSettings())
    service = await started(app)
    try:
        scheduler = service.scheduler
        assert scheduler is not None and scheduler.running
        ids = {job.id for job in scheduler.get_jobs()}
        assert {"digest", "sync", "outbox", "reminder:1:24h", "reminder:1:1h", "followup:1"} <= ids
        reminder = scheduler.get_job("reminder:1:1h")
        assert reminder is not None
        assert reminder.next_run_time == starts - timedelta(hours=1)
        digest = scheduler.get_job("digest")
        assert digest is not None and digest.next_run_time is not None
        local = digest.next_run_time.astimezone(policy.timezone)
        assert (local.weekday(), local.hour, local.minute) == (4, 16, 0)
        assert digest.misfire_grace_time == 6 * 3600 and digest.coalesce
        assert "console" in app.delivery.platforms()
    finally:
        await service.stop()
    assert service.scheduler is None


async def test_catch_up_posts_the_due_digest_once_across_restarts(
    seven: Chat, database: Database, policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "console.txt"
    monkeypatch.setenv(OUTBOUND_FILE_ENV, str(out))
    await seven.say("inzicht Vandaag geleerd #wonen", channel="buurtkamer")

    class Slack:
        platform = "slack"
        sent: list[str] = []

        async def send(self, target: object, reply: object) -> str:
            self.sent.append(getattr(reply, "title", ""))
            return "ts"

    slack = Slack()
    for _ in range(2):  # start, stop, start again: the week is posted once
        delivery = Delivery()
        delivery.register(slack)  # type: ignore[arg-type]
        app = FakeApp(database, policy, delivery, FakeSettings("* * * * *"))
        service = await started(app)
        await service.stop()
    assert out.read_text().count("*Weekdigest week") == 1
    assert "[#kenniskring] samen-bot:" in out.read_text()
    assert sum(1 for title in slack.sent if title and title.startswith("Weekdigest")) == 1
