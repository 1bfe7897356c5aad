"""Slack benchmark: signed `/samen inzicht` requests against samen-bot and bare bolt apps.

    .venv/bin/python bench/slack_bench.py [--requests 1000] [--clients 1,20] [--runs 3]
        [--database-url URL] [--before /tmp/slack-before]

Each run starts, each in its own process and on 127.0.0.1: samen-bot's real Slack adapter
(`SlackService(http=True)` over a fresh SQLite file, or --database-url), and two bare
slack-bolt AsyncApps on the aiohttp adapter whose `/samen` listener only acks: bolt's default
(`process_before_response=False`, which polls for the ack every 10 ms) and bolt in samen-bot's
own mode (`process_before_response=True`). With `--before` a second samen-bot runs from another
work tree (e.g. `git worktree add /tmp/slack-before 2819667`), in the same run.

The benchmark process hosts the fake Slack Web API and the clients: each sends a signed slash
command, waits for the ack and sends the next. Every app gets "acks only" load, the same for
all: clients that wait only for the ack. samen-bot also runs once with clients that wait for
their reply to reach the fake's chat.postMessage before the next command (people waiting for an
answer). Reply figures run from sending the request to the reply reaching the fake.

In samen-bot's process a monitor times every callback of the event loop (the loop's "steps")
and every garbage collection: the stall columns give the steps over 2 ms, the longest step and
the longest collection, per row. Each row is run `--runs` times; the table gives the median of
the runs with the lowest and highest, and the ack p99 ratios are taken within each run.

This script runs the rounds; the servers are in bench/slack_bench_servers.py, the clients in
bench/slack_bench_clients.py and the table in bench/slack_bench_report.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import sys
import tempfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if os.environ.get("SAMEN_BENCH_ROOT"):  # samen-bot from another work tree (`--before`)
    sys.path.insert(0, os.environ["SAMEN_BENCH_ROOT"])

from bench.slack_bench_clients import CHANNEL, REPLY_TIMEOUT, Replies, run_level  # noqa: E402
from bench.slack_bench_report import (  # noqa: E402
    BARE,
    BARE_PBR,
    BEFORE,
    BEFORE_ACKS,
    SAMEN,
    SAMEN_ACKS,
    Result,
    measure,
    report,
)
from bench.slack_bench_servers import LEADER, Server, serve_bare, serve_samen  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.fakes.slack_signing import signed_headers  # noqa: E402
from tests.slack.payloads import slash_body  # noqa: E402


async def one_run(
    run_number: int, requests: int, levels: list[int], database_url: str, warmup: int, before: str
) -> dict[tuple[str, int], Result]:
    """Fresh servers and database; every scenario at every level once."""
    fake = await FakeSlack().start()
    replies = Replies(fake)
    workdir = Path(tempfile.mkdtemp(prefix="slack-bench-"))
    url = database_url or f"sqlite:///{workdir}/bench.db"
    samen = Server(SAMEN, "samen", fake.base_url, url)
    servers = [samen]
    # (row label, server, clients wait for the reply)
    scenarios = [(SAMEN, samen, True), (SAMEN_ACKS, samen, False)]
    if before:
        old_url = database_url or f"sqlite:///{workdir}/before.db"
        old = Server(BEFORE, "samen", fake.base_url, old_url, root=before)
        servers.append(old)
        scenarios += [(BEFORE, old, True), (BEFORE_ACKS, old, False)]
    bare_pbr = Server(BARE_PBR, "bare-pbr", fake.base_url)
    bare = Server(BARE, "bare", fake.base_url)
    servers += [bare_pbr, bare]
    scenarios += [(BARE_PBR, bare_pbr, False), (BARE, bare, False)]
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    results: dict[tuple[str, int], Result] = {}
    try:
        for server in servers:
            await server.start(workdir)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            for server in servers:
                if server.args[0] != "samen":
                    continue
                body = slash_body(
                    "koppel Proeftuin Bench", user=LEADER, channel=CHANNEL, response_url="http://x/"
                )
                async with session.post(server.url, data=body, headers=signed_headers(body)) as r:
                    assert r.status == 200
                await fake.wait_for("chat.postMessage", timeout=REPLY_TIMEOUT)
            run = itertools.count(run_number * 1000)
            for server in servers:  # warm up: connections, auth.test, caches
                mine = replies if server.args[0] == "samen" else None
                await run_level(session, server, fake, mine, 4, warmup, next(run))
                await server.stalls()
            for clients in levels:
                for label, server, wait_reply in scenarios:
                    mine = replies if server.args[0] == "samen" else None
                    before_cpu = server.cpu_seconds()
                    acks, posted = await run_level(
                        session,
                        server,
                        fake,
                        mine,
                        clients,
                        requests,
                        next(run),
                        wait_reply=wait_reply,
                    )
                    cpu_ms = (server.cpu_seconds() - before_cpu) / requests * 1000
                    stalls = await server.stalls()
                    results[(label, clients)] = measure(acks, posted, cpu_ms, stalls)
                    where = sorted(stalls.get("where", {}).items(), key=lambda kv: -kv[1])[:4]
                    if where:
                        shown = ", ".join(f"{name} {ms:.0f} ms" for name, ms in where)
                        print(f"  {label}, {clients}: long steps in {shown}", file=sys.stderr)
                        gcs = stalls.get("collections", {})
                        longest = stalls.get("by_generation", {})
                        shown = ", ".join(
                            f"gen{g} {gcs[g]}x, longest {longest[g]:.1f} ms" for g in sorted(gcs)
                        )
                        print(f"  {label}, {clients}: collections {shown}", file=sys.stderr)
    finally:
        for server in servers:
            await server.stop()
        await fake.stop()
    return results


async def bench(
    requests: int, levels: list[int], database_url: str, warmup: int, runs: int, before: str
) -> None:
    results = []
    for number in range(runs):
        results.append(await one_run(number, requests, levels, database_url, warmup, before))
        print(f"run {number + 1} of {runs} done", file=sys.stderr)
    report(results, levels, requests)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per row")
    parser.add_argument("--runs", type=int, default=3, help="runs; the table gives medians")
    parser.add_argument("--before", default="", help="another work tree's samen-bot beside")
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
    before = str(Path(args.before).resolve()) if args.before else ""
    asyncio.run(bench(args.requests, levels, args.database_url, args.warmup, args.runs, before))


if __name__ == "__main__":
    main()
