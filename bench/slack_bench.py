"""Slack benchmark: signed `/samen inzicht` requests against samen-bot and a bare bolt app.

    .venv/bin/python bench/slack_bench.py [--requests 400] [--clients 1,20] [--database-url URL]

One run starts, each in its own process and on 127.0.0.1: samen-bot's real Slack adapter
(`SlackService(http=True)` over a fresh SQLite file, or --database-url), and two bare
slack-bolt AsyncApps on the same aiohttp adapter whose `/samen` listener only acks (bolt's
default, and with process_before_response=True like samen-bot). The benchmark process hosts the
fake Slack Web API and the clients: each client sends a signed slash command, waits for the ack
and sends the next. samen-bot runs twice at each level: once with clients that wait for their
reply to reach the fake's chat.postMessage before the next command (people waiting for an
answer), and once "acks only", with exactly the load the bare apps get (its replies are
collected afterwards, so their latency includes the backlog). Prints p50/p95/p99 in
milliseconds for the ack and for "reply posted" (from sending the request), at each number of
concurrent clients, side by side, and the ratios of samen-bot's ack p99 to the bare apps'.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import re
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import BOT_TOKEN, FakeSlack  # noqa: E402
from tests.fakes.slack_signing import SIGNING_SECRET, signed_headers  # noqa: E402
from tests.slack.payloads import slash_body  # noqa: E402

CHANNEL = "C0BENCH"
LEADER = "ULEAD"
START_TIMEOUT = 30.0
REPLY_TIMEOUT = 10.0
BACKLOG_TIMEOUT = 120.0
SAMEN = "samen-bot"
SAMEN_ACKS = "samen-bot, acks only"
MARKER = re.compile(r"bench-(\d+)-(\d+)\b")


# -- the servers (child processes) -------------------------------------------------------------


async def serve_samen(port_file: str, api_url: str, database_url: str) -> None:
    from bot.app import build_app, ensure_database
    from bot.config import load_settings
    from bot.slack.adapter import SlackService

    settings = load_settings(
        SAMEN_DATABASE_URL=database_url,
        SAMEN_LEADERS=f"slack:{LEADER}",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=api_url,
    )
    ensure_database(settings, auto_upgrade=True)
    app = build_app(settings)
    service = SlackService(app, http=True, host="127.0.0.1", port=0)
    await service.start()
    await _until_stopped(port_file, service.port)
    await service.stop()
    await app.close()


async def serve_bare(port_file: str, api_url: str, before_response: bool) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=before_response,
    )

    @bolt.command("/samen")
    async def only_ack(ack: Any) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await _until_stopped(port_file, runner.addresses[0][1])
    await runner.cleanup()


async def _until_stopped(port_file: str, port: int) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    Path(port_file).write_text(str(port))
    await stop.wait()


class Server:
    """One server child process: started, its port read, stopped by its own pid."""

    def __init__(self, name: str, *args: str) -> None:
        self.name = name
        self.args = args
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0

    async def start(self, workdir: Path) -> Server:
        port_file = workdir / f"{self.name}.port"
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", *self.args, "--port-file", str(port_file)
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or self.process.returncode is not None:
                raise RuntimeError(f"{self.name} did not start")
            await asyncio.sleep(0.05)
        self.port = int(port_file.read_text())
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc; 0 elsewhere)."""
        if self.process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, AttributeError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


# -- the clients -----------------------------------------------------------------------------


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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def row(app: str, clients: int, acks: list[float], posted: list[float]) -> str:
    ack = " | ".join(f"{percentile(acks, p):.1f}" for p in (50, 95, 99))
    reply = (
        " | ".join(f"{percentile(posted, p):.1f}" for p in (50, 95, 99)) if posted else "– | – | –"
    )
    return f"| {app} | {clients} | {ack} | {reply} |"


async def bench(requests: int, levels: list[int], database_url: str, warmup: int) -> None:
    fake = await FakeSlack().start()
    replies = Replies(fake)
    workdir = Path(tempfile.mkdtemp(prefix="slack-bench-"))
    database_url = database_url or f"sqlite:///{workdir}/bench.db"
    samen = Server(SAMEN, "samen", fake.base_url, database_url)
    bare_pbr = Server("bare bolt, process_before_response", "bare-pbr", fake.base_url)
    bare = Server("bare bolt, default", "bare", fake.base_url)
    # (row label, server, clients wait for the reply)
    scenarios = [(SAMEN, samen, True), (SAMEN_ACKS, samen, False)]
    scenarios += [(bare_pbr.name, bare_pbr, False), (bare.name, bare, False)]
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    results: dict[tuple[str, int], tuple[list[float], list[float]]] = {}
    cpu: dict[tuple[str, int], float] = {}
    try:
        for server in (samen, bare_pbr, bare):
            await server.start(workdir)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            body = slash_body(
                "koppel Proeftuin Bench", user=LEADER, channel=CHANNEL, response_url="http://x/"
            )
            async with session.post(samen.url, data=body, headers=signed_headers(body)) as r:
                assert r.status == 200
            await fake.wait_for("chat.postMessage", timeout=REPLY_TIMEOUT)
            run = itertools.count()
            for server in (samen, bare_pbr, bare):  # warm up: connections, auth.test, caches
                mine = replies if server is samen else None
                await run_level(session, server, fake, mine, 4, warmup, next(run))
            for clients in levels:
                for label, server, wait_reply in scenarios:
                    mine = replies if server is samen else None
                    before = server.cpu_seconds()
                    results[(label, clients)] = await run_level(
                        session,
                        server,
                        fake,
                        mine,
                        clients,
                        requests,
                        next(run),
                        wait_reply=wait_reply,
                    )
                    cpu[(label, clients)] = (server.cpu_seconds() - before) / requests * 1000
    finally:
        for server in (samen, bare_pbr, bare):
            await server.stop()
        await fake.stop()
    report(results, cpu, levels, requests, database_url)


def report(
    results: dict[tuple[str, int], tuple[list[float], list[float]]],
    cpu: dict[tuple[str, int], float],
    levels: list[int],
    requests: int,
    database_url: str,
) -> None:
    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    labels = list(dict.fromkeys(label for label, _ in results))
    print(f"\n`/samen inzicht`, signed, {requests} requests a row, samen-bot on {backend}; ms\n")
    columns = "ack p50 | ack p95 | ack p99 | reply p50 | reply p95 | reply p99 | CPU/req"
    print(f"| app | clients | {columns} |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for clients in levels:
        for label in labels:
            print(
                row(label, clients, *results[(label, clients)]) + f" {cpu[(label, clients)]:.1f} |"
            )
    print()
    for clients in levels:
        for ours in (SAMEN, SAMEN_ACKS):
            mine = percentile(results[(ours, clients)][0], 99)
            for label in labels[2:]:
                theirs = percentile(results[(label, clients)][0], 99)
                print(f"- ack p99, {clients} client(s): {ours} / {label} = {mine / theirs:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per row")
    parser.add_argument("--clients", default="1,20", help="concurrent clients, comma-separated")
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--database-url", default="", help="samen-bot's database (default: SQLite)")
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--port-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        kind, api_url, *rest = args.serve
        with contextlib.suppress(KeyboardInterrupt):
            if kind == "samen":
                asyncio.run(serve_samen(args.port_file, api_url, rest[0]))
            else:
                asyncio.run(serve_bare(args.port_file, api_url, kind == "bare-pbr"))
        return
    os.environ.setdefault("PYTHONHASHSEED", "0")
    levels = [int(n) for n in args.clients.split(",")]
    asyncio.run(bench(args.requests, levels, args.database_url, args.warmup))


if __name__ == "__main__":
    main()
