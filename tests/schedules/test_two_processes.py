"""Two real `samen-bot serve` processes on one PostgreSQL database (console only, no Slack or
Discord tokens): the start-up catch-up posts the due digest once and a meeting reminder goes out
once. While they run, two more processes drive the jobs over four simulated weeks (across the
spring DST change) at the same moments: every digest and reminder goes out exactly once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handlers.router import Router
from schedules.rhythm import digest_trigger
from storage import meetings as meeting_store
from storage.db import Database
from storage.models import Meeting
from tests.conftest import LEADER, PG_URL, Chat, fresh_pg_database, make_policy

ROOT = Path(__file__).resolve().parents[2]
AMS = ZoneInfo("Europe/Amsterdam")
SIM_START = datetime(2031, 3, 17, 7, 0, tzinfo=UTC)  # Monday; clocks go forward on 30 March

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="needs PostgreSQL: set SAMEN_TEST_DATABASE_URL to run two processes"
)


@pytest.fixture
def pg_url(pg_template: str | None) -> Iterator[str]:
    url, drop = fresh_pg_database(pg_template)
    yield url
    drop()


def environment(url: str, out: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PYTHONPATH=str(ROOT),
        SAMEN_DATABASE_URL=url,
        SAMEN_DIGEST_CHANNEL="console:kenniskring",
        SAMEN_DIGEST_SCHEDULE="* * * * *",  # due every minute: the catch-up always has work
        SAMEN_LEADERS="console:floor",
        SAMEN_CONSOLE_OUTBOUND_FILE=str(out),
    )
    return env


def wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def prepare(url: str) -> list[datetime]:
    """Proeftuinen and this week's learning; a meeting whose 1 h reminder is due in 25 s;
    four simulated weeks of learnings and meetings in 2031. Returns the simulated ticks."""
    database = Database(url)
    policy = make_policy(digest_channels=(("console", "kenniskring"),))
    chat = Chat(Router(database, policy))
    try:
        for name in ("Alfa", "Bravo"):
            await chat.say(f"koppel {name}", user=LEADER, channel=name.lower())
        await chat.say("thema nieuw wonen Wonen", user=LEADER)
        await chat.say("inzicht Deze week geleerd #wonen", channel="alfa")
        now = datetime.now(UTC)
        async with database.unit_of_work() as session:
            await meeting_store.create(
                session,
                title="Echt overleg",
                starts_at=now + timedelta(hours=1, seconds=25),
                platform="console",
                channel_id="alfa",
                created_at=now,
            )
        for week in range(4):
            monday = SIM_START + timedelta(weeks=week)
            for channel in ("alfa", "bravo"):
                await chat.say(f"inzicht Sim {week} {channel} #wonen", channel=channel, at=monday)
            thursday = (monday + timedelta(days=3)).astimezone(AMS).date()
            await chat.say(
                f"bijeenkomst Sim overleg {week} | {thursday} 19:30", user=LEADER, at=monday
            )
        ticks = {SIM_START + timedelta(hours=h) for h in range(0, 4 * 7 * 24, 3)}
        trigger = digest_trigger("0 16 * * fri", AMS)
        fire = trigger.get_next_fire_time(None, SIM_START)
        while fire is not None and fire < SIM_START + timedelta(weeks=4):
            ticks |= {fire, fire + timedelta(seconds=1)}
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        async with database.unit_of_work() as session:
            for meeting in await meeting_store.between(session, SIM_START, fire or SIM_START):
                for offset in (timedelta(hours=24), timedelta(hours=1)):
                    ticks |= {
                        meeting.starts_at - offset,
                        meeting.starts_at - offset + timedelta(seconds=30),
                    }
        return sorted(ticks)
    finally:
        await database.close()


def serve(url: str, out: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--scheduler-only"],
        cwd=out.parent,
        env=environment(url, out),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


async def test_two_serve_processes_and_simulated_weeks_send_each_effect_once(
    pg_url: str, tmp_path: Path
) -> None:
    ticks = await prepare(pg_url)
    outs = [tmp_path / f"serve{i}.txt" for i in range(2)]
    logs = [tmp_path / f"serve{i}.log" for i in range(2)]
    processes = [serve(pg_url, out, log) for out, log in zip(outs, logs, strict=True)]
    try:
        wait_for(
            lambda: all("catch-up done" in log.read_text(errors="replace") for log in logs),
            60,
            "both serve processes to finish their catch-up",
        )
        for process, log in zip(processes, logs, strict=True):
            assert process.poll() is None, log.read_text()
            assert "scheduler started" in log.read_text()

        (tmp_path / "ticks.json").write_text(json.dumps([t.isoformat() for t in ticks]))
        sims = [tmp_path / f"sim{i}.txt" for i in range(2)]
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "tests/schedules/sim_worker.py"),
                    pg_url,
                    str(sim),
                    str(tmp_path / "ticks.json"),
                    f"worker{i}",
                    str(len(sims)),
                ],
                cwd=tmp_path,
                env=environment(pg_url, sim),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for i, sim in enumerate(sims)
        ]
        wait_for(
            lambda: all((tmp_path / f"ready-worker{i}").exists() for i in range(2)),
            60,
            "both simulating workers to be ready",
        )
        (tmp_path / "go").touch()  # start them together, so both win some of the races
        reports = [w.communicate(timeout=300) for w in workers]
        for worker, (_stdout, stderr) in zip(workers, reports, strict=True):
            assert worker.returncode == 0, stderr.decode()

        def text(paths: list[Path]) -> str:
            return "".join(p.read_text() for p in paths if p.exists())

        wait_for(lambda: "Herinnering: Echt overleg" in text(outs), 90, "the real reminder")
        time.sleep(3)  # both processes had their chance to send it again
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    live = text(outs)
    assert live.count("*Weekdigest week") == 1, live  # this week's, by one of the two
    assert live.count("*Herinnering: Echt overleg*") == 1, live
    assert "Sim" not in live  # simulated weeks were not touched by the live processes
    simulated = text(sims)
    weeks = Counter(re.findall(r"\*Weekdigest week (\d+) ", simulated))
    assert weeks == Counter({"12": 1, "13": 1, "14": 1, "15": 1}), weeks
    reminders = Counter(
        re.findall(r"⏰ Bijeenkomst #\d+ 'Sim overleg (\d)' .*\(over (\S+ \S+)\)", simulated)
    )
    assert len(reminders) == 8 and set(reminders.values()) == {1}, reminders
    assert all(p.read_text() for p in sims)  # both workers won some of the races
    async_db = Database(pg_url)
    try:
        async with async_db.unit_of_work() as session:
            from sqlalchemy import func, select

            assert await session.scalar(select(func.count()).select_from(Meeting)) == 5
    finally:
        await async_db.close()
    for process in processes:
        assert process.returncode == 0 or process.returncode == -signal.SIGTERM
