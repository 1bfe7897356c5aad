"""Three real `samen-bot serve` processes on one PostgreSQL database, each with Slack over HTTP
and Discord, against the fake Slack and the fake Discord: Slack commands spread over all three
are all answered, the weekly digest reaches its channel exactly once, there is one Discord
gateway connection at any moment and each process's `/readyz` says whether it holds it, and
after `kill -9` of the holder another identifies within 30 s and commands work again.
(PostgreSQL only: on SQLite one process holds the gateway by itself.)"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import signed_headers
from tests.faults import test_kill9 as slack_faults
from tests.faults.test_kill9 import ANNA, CHAN, DIGEST, fake_slack, free_port  # noqa: F401
from tests.faults.test_kill9_discord import LEADER_ID
from tests.faults.test_kill9_discord import environment as discord_environment
from tests.slack import payloads

TAKEOVER = 30.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    server.person("floor", LEADER_ID)
    yield server
    await server.stop()


def live_sessions(fake: FakeDiscord) -> int:
    return sum(
        1
        for session in fake.gateway.sessions.values()
        if session.conn is not None and not session.conn.ws.closed
    )


async def readyz(session: aiohttp.ClientSession, port: int) -> dict[str, object] | None:
    try:
        async with session.get(f"http://127.0.0.1:{port}/readyz") as answer:
            body: dict[str, object] = await answer.json()
            return body if answer.status == 200 else None
    except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError):
        return None


async def slack_captures(
    session: aiohttp.ClientSession, fake: FakeSlack, ports: list[int], count: int
) -> list[str]:
    """`count` captures, round-robin over the processes' Slack endpoints; their labels."""
    labels = []
    for n in range(count):
        label = f"7-{n}"
        body = payloads.slash_body(
            f"inzicht Fout {label} in de wijk #wonen",
            user=ANNA,
            channel=CHAN,
            response_url=fake.response_url(),
        )
        url = f"http://127.0.0.1:{ports[n % len(ports)]}/slack/events"
        async with session.post(url, data=body, headers=signed_headers(body)) as answer:
            assert answer.status == 200
        labels.append(label)
    return labels


async def test_three_processes_share_slack_the_digest_and_one_gateway(
    migrated_url: str,
    fake: FakeDiscord,
    fake_slack: FakeSlack,  # noqa: F811
    tmp_path: Path,
) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("several serve processes share one PostgreSQL; on SQLite one process runs")
    await slack_faults.prepare(migrated_url, datetime.now(UTC))
    env = discord_environment(migrated_url, fake, fake.channel_id("kenniskring"))
    env.update(slack_faults.environment(migrated_url, fake_slack))  # digest to slack, now
    processes: list[asyncio.subprocess.Process] = []
    ports = [free_port() for _ in range(3)]
    slack_ports = [free_port() for _ in range(3)]
    log = tmp_path / "serve.log"
    loop = asyncio.get_running_loop()
    try:
        for port, slack_port in zip(ports, slack_ports, strict=True):
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "serve",
                    "--slack-http",
                    "--port",
                    str(slack_port),
                    cwd=str(tmp_path),
                    env={**env, "SAMEN_HTTP_PORT": str(port)},
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=log.open("ab"),
                )
            )
        states: list[dict[str, object] | None] = [None, None, None]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
            deadline = loop.time() + 60
            while loop.time() < deadline and not all(states):
                states = [await readyz(session, port) for port in ports]
                await asyncio.sleep(0.2)
            assert all(states), (states, log.read_text())
            holders = [str(s["discord_gateway"]) for s in states if s]
            assert sorted(holders) == ["held", "standby", "standby"], states
            labels = await slack_captures(session, fake_slack, slack_ports, 9)
            await asyncio.sleep(1.0)
            assert live_sessions(fake) == 1
            assert fake.gateway.identifies == 1

            async def answered() -> bool:
                record = await fake.slash("floor", "kenniskring", "themas")
                done = await fake.wait_done(record, timeout=10)
                return bool(done.text())

            assert await answered()

            holder = holders.index("held")
            processes[holder].send_signal(signal.SIGKILL)
            await processes[holder].wait()
            killed_at = loop.time()
            while loop.time() < killed_at + TAKEOVER + 5 and fake.gateway.identifies < 2:
                await asyncio.sleep(0.1)
            took = loop.time() - killed_at
            assert fake.gateway.identifies == 2, log.read_text()
            assert took < TAKEOVER, took
            survivors = [port for n, port in enumerate(ports) if n != holder]
            held: list[int] = []
            while loop.time() < killed_at + TAKEOVER + 10 and not held:
                for port in survivors:
                    state = await readyz(session, port)
                    if state and state.get("discord_gateway") == "held":
                        held.append(port)
                await asyncio.sleep(0.2)
            assert len(held) == 1, held
            assert live_sessions(fake) == 1
            assert await answered()
            async with session.get(f"http://127.0.0.1:{held[0]}/metrics") as answer:
                assert "samen_gateway_holder 1.0" in await answer.text()
            # every Slack capture answered, whichever process took it
            deadline = loop.time() + 20

            def all_answered() -> bool:
                return set(labels) <= set(slack_faults.replies(fake_slack))

            while loop.time() < deadline and not all_answered():
                await asyncio.sleep(0.1)
            assert all_answered(), log.read_text()
            while loop.time() < deadline and not fake_slack.posted(DIGEST):
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # time for a second digest, if one would come
            print(f"takeover after kill -9 in {took:.1f} s")
        posts = fake_slack.posted(DIGEST)
        headers = [m for m in posts if "Weekdigest" in m.get("text", "").split("\n")[0]]
        assert len(headers) == 1, [m.get("text", "")[:80] for m in posts]
        parts = Counter(m["metadata"]["event_payload"]["key"] for m in posts if m.get("metadata"))
        assert parts and set(parts.values()) == {1}, parts
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
