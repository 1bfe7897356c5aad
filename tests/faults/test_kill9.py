"""Fault injection: `samen-bot serve --slack-http` in a real process against the fake Slack,
on a real SQLite file and on PostgreSQL, killed with SIGKILL at random moments while a stream
of captures comes in, the weekly digest (several parts) is posted and a burst of meeting
reminders falls due; restarted after every kill.

Afterwards: every capture whose reply was sent is stored exactly once (and none twice), no
message the scheduler sends was posted twice (the fake counts each message by the effect key
in its metadata, and each reminder and digest header by its text), and the digest reached its
channel exactly once.

Reproducible by seed (`SAMEN_FAULTS_SEED`, printed on failure). By default a fixed share of
kill points runs (`KILLS`, at least 50 per run, well within CI's time on two cores);
`SAMEN_FAULTS_FULL=1` runs many more, `SAMEN_FAULTS_KILLS=N` any number.

The lease after which a dead process's claim is taken over is ten minutes; the test plays the
clock forward instead of waiting: after each kill, the dead process's claims are made older
than the lease (nothing else runs at that moment, so no live claim is touched).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select, update

from handlers.router import Router
from storage import effect_queries, effects
from storage import meetings as meeting_store
from storage.db import Database
from storage.models import Effect, Learning
from tests.conftest import Chat, make_policy
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fakes.slack_signing import SIGNING_SECRET, signed_headers
from tests.slack import payloads

ROOT = Path(__file__).resolve().parents[2]
FULL = os.environ.get("SAMEN_FAULTS_FULL") == "1"
KILLS = int(os.environ.get("SAMEN_FAULTS_KILLS") or (300 if FULL else 50))
SEED = int(os.environ.get("SAMEN_FAULTS_SEED") or 20261202)
CHAN, DIGEST, LEAD, ANNA = "C0PTA", "C0KENNIS", "ULEAD", "UANNA"
REMINDERS = 8
CAPTURE = re.compile(r"Fout (\d+-\d+) ")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    server.add_user(ANNA, "Anna")
    server.add_user(LEAD, "Leider")
    yield server
    await server.stop()


async def prepare(url: str, now: datetime) -> None:
    """A linked channel, three themes with learnings (a digest of several parts), and a
    burst of meetings whose 1 h reminders fall due during the run."""
    database = Database(url)
    policy = make_policy(leaders=frozenset({f"slack:{LEAD}"}))
    chat = Chat(Router(database, policy), platform="slack")
    try:
        await chat.say("koppel Proeftuin A", user=LEAD, channel=CHAN)
        for slug in ("wonen", "energie", "zorg"):
            await chat.say(f"thema nieuw {slug} {slug.capitalize()}", user=LEAD, channel=CHAN)
            for n in range(3):
                await chat.say(
                    f"inzicht Eerder {slug} {n} #{slug}",
                    user=ANNA,
                    channel=CHAN,
                    at=now - timedelta(days=1),
                )
        async with database.unit_of_work() as session:
            for k in range(REMINDERS):
                await meeting_store.create(
                    session,
                    title=f"Overleg {k}",
                    starts_at=now + timedelta(hours=1, seconds=4 + 5 * k),
                    platform="slack",
                    channel_id=CHAN,
                    created_at=now,
                )
    finally:
        await database.close()


def environment(url: str, fake: FakeSlack) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PYTHONPATH=str(ROOT),
        SAMEN_DATABASE_URL=url,
        SAMEN_LEADERS=f"slack:{LEAD}",
        SAMEN_DIGEST_CHANNEL=f"slack:{DIGEST}",
        SAMEN_DIGEST_SCHEDULE="* * * * *",  # due at once: the first catch-up posts it
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=fake.base_url,
    )
    return env


class Captures:
    """A stream of `/samen inzicht` commands, one after the other, whatever state the bot is
    in (refused connections while it is down are simply the next capture)."""

    def __init__(self, port: int, fake: FakeSlack) -> None:
        self.port = port
        self.fake = fake
        self.sent: list[str] = []
        self.stop = asyncio.Event()
        self.round = 0

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=3)
        url = f"http://127.0.0.1:{self.port}/slack/events"
        n = 0
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self.stop.is_set():
                n += 1
                label = f"{self.round}-{n}"
                body = payloads.slash_body(
                    f"inzicht Fout {label} in de wijk #wonen",
                    user=ANNA,
                    channel=CHAN,
                    response_url=self.fake.response_url(),
                )
                try:
                    async with session.post(url, data=body, headers=signed_headers(body)):
                        self.sent.append(label)
                except (TimeoutError, aiohttp.ClientError):
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.03)


async def healthy(port: int, process: asyncio.subprocess.Process, timeout: float) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while asyncio.get_running_loop().time() < deadline and process.returncode is None:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return True
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    return False


async def start(url: str, fake: FakeSlack, port: int, log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--slack-http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        cwd=str(log.parent),
        env=environment(url, fake),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


async def age_dead_claims(url: str) -> None:
    """The dead process's claims, older than the lease (as if ten minutes passed)."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            clock = await effects.database_now(session)
            await session.execute(
                update(Effect)
                .where(Effect.status == effects.CLAIMED)
                .values(claimed_at=clock - effects.LEASE - timedelta(minutes=1))
            )
    finally:
        await database.close()


async def open_effects(url: str) -> list[tuple[str, str]]:
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            rows = await session.execute(
                select(Effect.key, Effect.status).where(
                    Effect.status.in_([effects.QUEUED, effects.CLAIMED, effects.FAILED])
                )
            )
            return [(str(k), str(s)) for k, s in rows.all()]
    finally:
        await database.close()


async def stored(url: str) -> Counter[str]:
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            texts = (await session.scalars(select(Learning.text))).all()
            total = await session.scalar(select(func.count()).select_from(Learning))
            assert total == len(texts)
    finally:
        await database.close()
    return Counter(m.group(1) for text in texts if (m := CAPTURE.search(text + " ")))


def replies(fake: FakeSlack) -> Counter[str]:
    """Captures whose saved-reply reached Slack (a channel post or the response_url)."""
    found: Counter[str] = Counter()
    for call in fake.calls:
        if call.method in ("chat.postMessage", "response_url") and call.ok:
            text = call.all_text()
            if "bewaard voor proeftuin" in text and call.args.get("channel") != DIGEST:
                found.update({m.group(1) for m in CAPTURE.finditer(text + " ")})
    return found


async def test_kill9_during_captures_digest_and_reminders(
    migrated_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    await prepare(migrated_url, now)
    port = free_port()
    log = tmp_path / "serve.log"
    captures = Captures(port, fake_slack)
    stream = asyncio.create_task(captures.run())
    moments: list[str] = []
    current: list[asyncio.subprocess.Process] = []
    armed: list[str] = []
    hits: list[str] = []

    def kill_at_post(channel: str, message: dict[str, Any]) -> None:
        """Kill the bot the moment Slack has taken the message, before it hears back: the
        window between sending and recording that only the platform can close."""
        scheduled = bool(message.get("metadata"))
        alive = bool(current) and current[0].returncode is None
        if armed and alive and (armed[0] == "scheduled") == scheduled:
            armed.clear()
            current[0].send_signal(signal.SIGKILL)
            hits.append("scheduled" if scheduled else "reply")

    fake_slack.on_post = kill_at_post
    try:
        for kill in range(KILLS):
            captures.round = kill
            process = await start(migrated_url, fake_slack, port, log)
            current[:] = [process]
            mode = rng.choice(("start", "serving", "scheduled", "scheduled", "reply"))
            if mode == "start":  # anywhere from the start: imports, migrations, catch-up
                delay = rng.uniform(0.2, 2.5)
            elif mode == "serving":
                await healthy(port, process, 20)
                delay = rng.uniform(0.0, 1.0)
            else:  # at the next scheduled message or capture reply (else after a while)
                armed[:] = [mode]  # armed from the start: a post while starting counts too
                # then 1.5 s once it serves: a slow machine's start-up alone can take that long
                await healthy(port, process, 20)
                delay = 1.5
            moments.append(f"{mode}:{delay:.3f}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), delay)
            armed.clear()
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
            await process.wait()
            await age_dead_claims(migrated_url)
        captures.stop.set()
        await stream
        # the last start runs to the end: everything due is finished
        process = await start(migrated_url, fake_slack, port, log)
        current[:] = [process]
        try:
            assert await healthy(port, process, 30), log.read_text(errors="replace")[-3000:]
            deadline = asyncio.get_running_loop().time() + 90
            while asyncio.get_running_loop().time() < deadline:
                reminders = [c for c in fake_slack.posted(CHAN) if "Overleg" in c.get("text", "")]
                digest = any(m.get("metadata") for m in fake_slack.posted(DIGEST))
                if digest and len(reminders) >= REMINDERS and not await open_effects(migrated_url):
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(1.0)  # a second chance to repeat anything, if it would
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
    finally:
        captures.stop.set()
        if not stream.done():
            stream.cancel()
    context = f"seed {SEED}, {KILLS} kills at {moments}, at a post: {Counter(hits)}"
    if KILLS >= 20:  # (a short run by hand may not get there)
        # the suite reached the window only the platform can close, and the platform closed it
        assert "scheduled" in hits and "reply" in hits, context
        assert "had arrived before" in log.read_text(errors="replace"), context

    # every capture whose reply was sent is stored exactly once, and nothing twice
    kept, answered = await stored(migrated_url), replies(fake_slack)
    assert answered, context
    lost = {label: (n, kept[label]) for label, n in answered.items() if kept[label] != 1}
    assert not lost, (context, "answered, stored:", lost)
    assert all(count == 1 for count in kept.values()), (context, kept.most_common(3))
    assert all(count == 1 for count in answered.values()), (context, answered.most_common(3))

    # no scheduled message twice: counted by the effect key each one carries
    keyed: Counter[tuple[str, int]] = Counter()
    for channel in fake_slack.messages:
        for message in fake_slack.posted(channel):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload:
                keyed[(payload["key"], int(payload.get("part", 0)))] += 1
    assert keyed and max(keyed.values()) == 1, (context, keyed.most_common(3))

    # each reminder exactly once, whatever its text says about the time left
    burst = Counter(
        m.group(1)
        for message in fake_slack.posted(CHAN)
        if (m := re.search(r"Bijeenkomst #(\d+) 'Overleg", message.get("text", "")))
    )
    assert len(burst) == REMINDERS and set(burst.values()) == {1}, (context, burst)

    # the digest reached its channel exactly once: one header, every part once
    posts = fake_slack.posted(DIGEST)
    headers = [m for m in posts if "Weekdigest" in m.get("text", "").split("\n")[0]]
    assert len(headers) == 1, (context, [m["text"][:80] for m in posts])
    parts = Counter(m["metadata"]["event_payload"]["key"] for m in posts if m.get("metadata"))
    assert len(parts) >= 4 and set(parts.values()) == {1}, (context, parts)
    assert len(posts) == len(parts), context
    statuses: dict[str, Any] = {}
    database = Database(migrated_url)
    try:
        async with database.unit_of_work() as session:
            for row in await effect_queries.by_prefix(session, "digest:"):
                statuses[row.key] = row.status
    finally:
        await database.close()
    assert set(statuses.values()) == {effects.DONE}, (context, statuses)
