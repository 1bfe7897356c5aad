"""Two real `samen-bot serve` processes on one PostgreSQL database with the fake Discord: one
Discord gateway connection at any moment, each process's `/readyz` says whether it holds it,
and after `kill -9` of the holder the other identifies within 30 s and commands work again.
(PostgreSQL only: on SQLite one process holds the gateway by itself.)"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.discord_fake import FakeDiscord
from tests.faults.test_kill9 import free_port
from tests.faults.test_kill9_discord import LEADER_ID, environment

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


async def test_one_gateway_among_processes_and_a_takeover_after_kill9(
    migrated_url: str, fake: FakeDiscord, tmp_path: Path
) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    env = environment(migrated_url, fake, fake.channel_id("kenniskring"))
    env["SAMEN_DIGEST_SCHEDULE"] = "0 16 * * fri"
    ports = [free_port(), free_port()]
    processes: list[asyncio.subprocess.Process] = []
    log = tmp_path / "serve.log"
    loop = asyncio.get_running_loop()
    try:
        for port in ports:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "serve",
                    cwd=str(tmp_path),
                    env={**env, "SAMEN_HTTP_PORT": str(port)},
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=log.open("ab"),
                )
            )
        states: list[dict[str, object] | None] = [None, None]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
            deadline = loop.time() + 60
            while loop.time() < deadline and not all(states):
                states = [await readyz(session, port) for port in ports]
                await asyncio.sleep(0.2)
            assert all(states), (states, log.read_text())
            holders = [str(s["discord_gateway"]) for s in states if s]
            assert sorted(holders) == ["held", "standby"], states
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
            survivor = ports[1 - holder]
            state = None
            while loop.time() < killed_at + TAKEOVER + 10 and (
                state is None or state.get("discord_gateway") != "held"
            ):
                state = await readyz(session, survivor)
                await asyncio.sleep(0.2)
            assert state and state["discord_gateway"] == "held", state
            assert live_sessions(fake) == 1
            assert await answered()
            async with session.get(f"http://127.0.0.1:{survivor}/metrics") as answer:
                assert "samen_gateway_holder 1.0" in await answer.text()
            print(f"takeover after kill -9 in {took:.1f} s")
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
