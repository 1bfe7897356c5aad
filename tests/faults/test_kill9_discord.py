"""Fault injection on Discord: `samen-bot serve` with the real discord.py client against the
fake Discord (REST and gateway), killed with SIGKILL at random moments and at the moment
Discord has taken one of its scheduled messages (the digest's parts, a burst of reminders),
then restarted. Afterwards every scheduled message is in its channel exactly once: counted by
the nonce each one carries (derived from its effect key) and by what it says.

A new start needs the gateway and discord.py's wait for the guild (two seconds), so this suite
runs fewer kill points than the Slack one (`SAMEN_FAULTS_DISCORD_KILLS`; many more with
`SAMEN_FAULTS_FULL=1`), and in CI on SQLite only (PostgreSQL with SAMEN_FAULTS_FULL=1).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from handlers.router import Router
from storage import effects
from storage import meetings as meeting_store
from storage.db import Database
from storage.models import Effect
from tests.conftest import Chat, make_policy
from tests.fakes.discord_fake import FakeDiscord
from tests.faults.test_kill9 import FULL, ROOT, SEED, age_dead_claims, open_effects

KILLS = int(os.environ.get("SAMEN_FAULTS_DISCORD_KILLS") or (60 if FULL else 12))
REMINDERS = 6
LEADER_ID = "4242"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    server.person("floor", LEADER_ID)
    yield server
    await server.stop()


async def prepare(url: str, channel: str, now: datetime) -> None:
    database = Database(url)
    chat = Chat(Router(database, make_policy()))
    try:
        await chat.say("koppel Proeftuin A", user="floor", channel="a")
        for slug in ("wonen", "energie", "zorg"):
            await chat.say(f"thema nieuw {slug} {slug.capitalize()}", user="floor")
            for n in range(2):
                await chat.say(f"inzicht Eerder {slug} {n} #{slug}", channel="a", at=now)
        async with database.unit_of_work() as session:
            for k in range(REMINDERS):
                await meeting_store.create(
                    session,
                    title=f"Overleg {k}",
                    starts_at=now + timedelta(hours=1, seconds=6 + 6 * k),
                    platform="discord",
                    channel_id=channel,
                    created_at=now,
                )
    finally:
        await database.close()


def environment(url: str, fake: FakeDiscord, digest: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PYTHONPATH=str(ROOT),
        SAMEN_DATABASE_URL=url,
        SAMEN_LEADERS=f"discord:{LEADER_ID}",
        SAMEN_DIGEST_CHANNEL=f"discord:{digest}",
        SAMEN_DIGEST_SCHEDULE="* * * * *",
        DISCORD_BOT_TOKEN=fake.token,
        DISCORD_API_URL=fake.api_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        DISCORD_GUILD_ID=fake.guild_id,
        SLACK_BOT_TOKEN="",
    )
    return env


async def retries_due_now(url: str) -> None:
    """Failed sends (Discord not connected yet) retried at once, not after their backoff."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            clock = await effects.database_now(session)
            await session.execute(
                update(Effect)
                .where(Effect.status == effects.FAILED)
                .values(next_attempt_at=clock - timedelta(seconds=1))
            )
    finally:
        await database.close()


def text_of(message: dict[str, Any]) -> str:
    return json.dumps({k: message.get(k) for k in ("content", "embeds")}, ensure_ascii=False)


@pytest.mark.parametrize(
    "backend",
    ["sqlite"] + (["postgresql"] if FULL else []),
)
async def test_kill9_during_discord_digest_and_reminders(
    backend: str, migrated_url: str, fake: FakeDiscord, tmp_path: Path
) -> None:
    if not migrated_url.startswith(backend):
        pytest.skip(f"this run covers {backend}")
    rng = random.Random(SEED + 1)
    digest = fake.channel_id("kenniskring")
    meetings = fake.channel_id("proeftuin-a")
    now = datetime.now(UTC)
    await prepare(migrated_url, meetings, now)
    log = tmp_path / "serve.log"
    env = environment(migrated_url, fake, digest)
    current: list[asyncio.subprocess.Process] = []
    armed: list[bool] = []
    hits: list[str] = []

    def kill_at_post(channel: str, message: dict[str, Any]) -> None:
        if armed and message.get("nonce") and current and current[0].returncode is None:
            armed.clear()
            current[0].send_signal(signal.SIGKILL)
            hits.append(channel)

    fake.on_post = kill_at_post

    async def start() -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            cwd=str(tmp_path),
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log.open("ab"),
        )
        current[:] = [process]
        return process

    moments: list[str] = []
    for _ in range(KILLS):
        process = await start()
        if rng.random() < 0.6:
            armed[:] = [True]  # at the next scheduled message Discord takes
            wait = 6.0
            moments.append("post")
        else:
            wait = rng.uniform(0.3, 5.0)
            moments.append(f"{wait:.3f}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), wait)
        armed.clear()
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()
        await age_dead_claims(migrated_url)
        await retries_due_now(migrated_url)
    process = await start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while loop.time() < deadline:
            await retries_due_now(migrated_url)
            done = len(fake.posted(meetings)) >= REMINDERS and fake.posted(digest)
            if done and not await open_effects(migrated_url):
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()
    context = f"seed {SEED + 1}, {KILLS} kills at {moments}, at a post: {len(hits)}"
    # the window between a send and its record was reached, and Discord closed it
    assert hits, context
    assert "had arrived before" in log.read_text(errors="replace"), context

    # every scheduled message once: no nonce twice, each reminder once, one digest header
    everything = [m for channel in (digest, meetings) for m in fake.posted(channel)]
    nonces = Counter(m.get("nonce") for m in everything)
    assert None not in nonces and set(nonces.values()) == {1}, (context, nonces.most_common(2))
    burst = Counter(
        k for k in range(REMINDERS) for m in fake.posted(meetings) if f"Overleg {k}" in text_of(m)
    )
    assert len(burst) == REMINDERS and set(burst.values()) == {1}, (context, burst)
    headers = [m for m in fake.posted(digest) if "Weekdigest" in text_of(m)]
    assert len(headers) == 1, (context, [text_of(m)[:100] for m in fake.posted(digest)])
    assert len(fake.posted(digest)) >= 4, context
