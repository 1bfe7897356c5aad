"""The Slack benchmark's load: closed-loop clients that send signed `/samen inzicht` slash
commands and time the ack, and the reply that reaches the fake Slack Web API."""

from __future__ import annotations

import asyncio
import itertools
import re
import time

import aiohttp

from bench.slack_bench_servers import Server
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import signed_headers
from tests.slack.payloads import slash_body

CHANNEL = "C0BENCH"
REPLY_TIMEOUT = 10.0
BACKLOG_TIMEOUT = 120.0
MARKER = re.compile(r"bench-(\d+)-(\d+)\b")


class Replies:
    """Futures resolved when the fake receives the chat.postMessage carrying a marker."""

    def __init__(self, fake: FakeSlack) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}
        original = fake._m_chat_postMessage

        def post_message(args: dict) -> dict:
            answer = original(args)
            match = MARKER.search(str(args.get("text", "")))
            future = self.waiting.pop(match.group(0), None) if match else None
            if future is not None and not future.done():
                future.set_result(time.perf_counter())
            return answer

        fake._m_chat_postMessage = post_message  # type: ignore[method-assign]

    def expect(self, marker: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[marker] = future
        return future


async def run_level(
    session: aiohttp.ClientSession,
    server: Server,
    fake: FakeSlack,
    replies: Replies | None,
    clients: int,
    requests: int,
    run: int,
    *,
    wait_reply: bool = True,
) -> tuple[list[float], list[float]]:
    """`clients` closed-loop clients sending `requests` commands in all; (acks, replies) in ms.

    With `wait_reply` a client waits for its reply before the next command (people waiting
    for an answer); without, only for the ack (the load a bare app gets), and the replies
    are collected afterwards."""
    counter = itertools.count()
    acks: list[float] = []
    posted: list[float] = []
    pending: list[tuple[float, asyncio.Future[float]]] = []

    async def client(worker: int) -> None:
        while (n := next(counter)) < requests:
            marker = f"bench-{run}-{n}"
            body = slash_body(
                f"inzicht {marker} huurders willen eerst zien wat het oplevert",
                user=f"U0CLIENT{worker:02d}",
                channel=CHANNEL,
                response_url=fake.response_url(marker),
                trigger_id=f"trigger.{marker}",
            )
            reply = replies.expect(marker) if replies else None
            started = time.perf_counter()
            async with session.post(server.url, data=body, headers=signed_headers(body)) as resp:
                await resp.read()
                assert resp.status == 200, resp.status
            acks.append((time.perf_counter() - started) * 1000)
            if reply is not None and wait_reply:
                arrived = await asyncio.wait_for(reply, REPLY_TIMEOUT)
                posted.append((arrived - started) * 1000)
            elif reply is not None:
                pending.append((started, reply))

    await asyncio.gather(*(client(w) for w in range(clients)))
    for started, reply in pending:
        arrived = await asyncio.wait_for(reply, BACKLOG_TIMEOUT)
        posted.append((arrived - started) * 1000)
    return acks, posted
