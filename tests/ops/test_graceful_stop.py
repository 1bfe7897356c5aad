"""A real `samen-bot serve --slack-http` process with the operator's endpoints, against the fake
Slack: `/healthz`, `/readyz` and `/metrics` answer while it runs, its log lines are JSON, and
SIGTERM during a burst of captures stops it within its bound with status 0, after every
capture that was acknowledged got its reply and every capture that got a reply is stored."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections import Counter
from pathlib import Path

import aiohttp
from sqlalchemy import select

from storage.db import Database
from storage.models import Learning
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import signed_headers
from tests.faults.test_kill9 import (
    ANNA,
    CAPTURE,
    CHAN,
    environment,
    fake_slack,  # noqa: F401 - the fixture
    free_port,
    healthy,
    prepare,
    replies,
)
from tests.slack import payloads

STOP_TIMEOUT = 8


async def burst(port: int, fake: FakeSlack, acked: list[str], stop: asyncio.Event) -> None:
    """Captures as fast as they are acknowledged, four at a time, until told to stop."""
    url = f"http://127.0.0.1:{port}/slack/events"
    counter = iter(range(1, 100_000))

    async def one(session: aiohttp.ClientSession) -> None:
        while not stop.is_set():
            label = f"0-{next(counter)}"
            body = payloads.slash_body(
                f"inzicht Fout {label} in de wijk #wonen",
                user=ANNA,
                channel=CHAN,
                response_url=fake.response_url(),
            )
            try:
                async with session.post(url, data=body, headers=signed_headers(body)) as answer:
                    if answer.status == 200:
                        acked.append(label)
            except (TimeoutError, aiohttp.ClientError):
                await asyncio.sleep(0.05)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
        await asyncio.gather(*(one(session) for _ in range(4)))


async def stored(url: str) -> Counter[str]:
    database = Database(url)
    try:
        async with database.reading() as session:
            texts = (await session.scalars(select(Learning.text))).all()
    finally:
        await database.close()
    return Counter(m.group(1) for text in texts if (m := CAPTURE.search(text + " ")))


async def test_sigterm_during_captures_finishes_them_and_stops_cleanly(
    migrated_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    await prepare(migrated_url, datetime.now(UTC))
    port, ops_port = free_port(), free_port()
    env = environment(migrated_url, fake_slack)
    env.update(
        SAMEN_HTTP_PORT=str(ops_port),
        SAMEN_LOG_FORMAT="json",
        SAMEN_STOP_TIMEOUT=str(STOP_TIMEOUT),
        SAMEN_DIGEST_SCHEDULE="0 16 * * fri",
    )
    log = tmp_path / "serve.log"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--slack-http",
        "--port",
        str(port),
        cwd=str(tmp_path),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    acked: list[str] = []
    stop = asyncio.Event()
    try:
        assert await healthy(port, process, 60), log.read_text()
        base = f"http://127.0.0.1:{ops_port}"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            async with session.get(f"{base}/healthz") as answer:
                assert answer.status == 200
            async with session.get(f"{base}/readyz") as answer:
                ready = await answer.json()
                assert answer.status == 200, ready
                assert ready["database"] == "ok" and ready["platforms"] == {"slack": "connected"}
            # the same two on Slack's own HTTP server, beside its /slack/events and /healthz
            async with session.get(f"http://127.0.0.1:{port}/readyz") as answer:
                assert answer.status == 200 and (await answer.json())["database"] == "ok"
            async with session.get(f"http://127.0.0.1:{port}/metrics") as answer:
                assert "samen_effects" in await answer.text()
            async with session.get(f"http://127.0.0.1:{port}/nergens") as answer:
                assert answer.status == 404
            sender = asyncio.create_task(burst(port, fake_slack, acked, stop))
            for _ in range(200):  # bounded: at most 10 s
                if len(acked) >= 12:
                    break
                await asyncio.sleep(0.05)
            counted = re.compile(r'samen_commands_total\{command="inzicht",outcome="ok"\} \d')
            for _ in range(100):  # bounded: the work after the ack may still run
                async with session.get(f"{base}/metrics") as answer:
                    metrics = await answer.text()
                if counted.search(metrics):
                    break
                await asyncio.sleep(0.1)
            assert re.search(r'samen_commands_total\{command="inzicht",outcome="ok"\} \d', metrics)
            assert "samen_reply_seconds_bucket" in metrics
            acks = re.search(r'samen_ack_seconds_count\{platform="slack"\} (\S+)', metrics)
            assert acks and float(acks.group(1)) >= 12
            assert 'samen_effects{status="done"}' in metrics
            assert "samen_database_errors_total 0.0" in metrics
            process.send_signal(signal.SIGTERM)
            began = asyncio.get_running_loop().time()
            status = await asyncio.wait_for(process.wait(), STOP_TIMEOUT + 15)
            took = asyncio.get_running_loop().time() - began
            stop.set()
            await sender
    finally:
        stop.set()
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = log.read_text()
    assert status == 0, text
    assert took < STOP_TIMEOUT + 5, took
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert any(entry["message"].startswith("stopping: no new events") for entry in lines)
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
    got_reply = replies(fake_slack)
    saved = await stored(migrated_url)
    assert acked, "no capture was acknowledged"
    assert set(acked) <= set(got_reply), sorted(set(acked) - set(got_reply))
    assert set(got_reply) <= set(saved), sorted(set(got_reply) - set(saved))
    assert all(n == 1 for n in saved.values())
    print(f"{len(acked)} acknowledged, {len(got_reply)} replied, {len(saved)} stored, {took:.1f} s")
