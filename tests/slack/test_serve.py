"""`samen-bot serve --slack-http` wires the Slack adapter: events in, replies and digests out."""

from __future__ import annotations

import asyncio
import socket

import aiohttp

from bot.app import build_app
from bot.serve import serve
from handlers.types import Reply, Target
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import signed_headers
from tests.slack import payloads
from tests.slack.conftest import CHAN_A, LEADER, slack_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_serve_runs_slack_over_http_and_registers_delivery(
    migrated_url: str, fake_slack: FakeSlack
) -> None:
    app = build_app(slack_settings(migrated_url, fake_slack))
    port, stop = free_port(), asyncio.Event()
    running = asyncio.create_task(
        serve(app, slack_http=True, host="127.0.0.1", port=port, stop=stop)
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            for _ in range(200):  # bounded: until the server listens
                try:
                    async with session.get(f"{base}/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            body = payloads.slash_body(
                "koppel Proeftuin A",
                user=LEADER,
                channel=CHAN_A,
                response_url=fake_slack.response_url(),
            )
            headers = signed_headers(body)
            async with session.post(f"{base}/slack/events", data=body, headers=headers) as sent:
                assert sent.status == 200
            await fake_slack.wait_for("chat.postMessage")
        assert "slack" in app.delivery.platforms()
        await app.delivery.send(Target("slack", channel_id="C0KENNIS"), Reply(text="Digest"))
        await fake_slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "C0KENNIS")
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=20)
        await app.close()
