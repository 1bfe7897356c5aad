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
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if os.environ.get("SAMEN_BENCH_ROOT"):  # samen-bot from another work tree (`--before`)
    sys.path.insert(0, os.environ["SAMEN_BENCH_ROOT"])

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
BEFORE = "samen-bot before"
BEFORE_ACKS = "samen-bot before, acks only"
BARE_PBR = "bare bolt, process_before_response"
BARE = "bare bolt, default"
STALL_MS = 2.0
MARKER = re.compile(r"bench-(\d+)-(\d+)\b")


# -- the servers (child processes) -------------------------------------------------------------


class LoopMonitor:
    """Times every step of the event loop (asyncio's Handle._run) and every garbage collection
    in this process; `SIGUSR1` writes what it saw since the last report to a file."""

    def __init__(self, report_file: str) -> None:
        self.report_file = report_file
        self.steps: list[float] = []  # ms of the steps over STALL_MS
        self.where: dict[str, float] = {}  # what ran in those steps: ms in all
        self.by_generation: dict[str, float] = {}  # the longest collection of each generation
        self.collections: dict[str, int] = {}
        self.gcs: list[float] = []  # ms of every collection
        self._gc_started = 0.0
        original = asyncio.events.Handle._run
        monitor = self

        def timed_run(handle: asyncio.events.Handle) -> None:
            started = time.perf_counter()
            original(handle)
            took = (time.perf_counter() - started) * 1000
            if took > STALL_MS:
                monitor.steps.append(took)
                name = _step_name(handle)
                monitor.where[name] = monitor.where.get(name, 0.0) + took

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign,assignment]
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            took = (time.perf_counter() - self._gc_started) * 1000
            self.gcs.append(took)
            generation = str(info.get("generation"))
            self.by_generation[generation] = max(self.by_generation.get(generation, 0.0), took)
            self.collections[generation] = self.collections.get(generation, 0) + 1

    def report(self) -> None:
        seen = {"steps": self.steps, "gcs": self.gcs, "where": self.where}
        seen |= {"by_generation": self.by_generation, "collections": self.collections}
        Path(self.report_file + ".tmp").write_text(json.dumps(seen))
        os.replace(self.report_file + ".tmp", self.report_file)
        self.steps, self.gcs, self.where = [], [], {}
        self.by_generation, self.collections = {}, {}


def _step_name(handle: asyncio.events.Handle) -> str:
    """The coroutine (or function) a loop step ran, for the stall report."""
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        return str(getattr(coro, "__qualname__", coro))
    return str(getattr(callback, "__qualname__", callback))


async def serve_samen(port_file: str, api_url: str, database_url: str) -> None:
    monitor = LoopMonitor(port_file + ".stalls")
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, monitor.report)
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
    try:  # as `samen-bot serve` does once started (absent from older work trees)
        from bot.serve import settle_memory
    except ImportError:
        pass
    else:
        settle_memory()
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

    def __init__(self, name: str, *args: str, root: str = "") -> None:
        self.name = name
        self.args = args
        self.root = root  # samen-bot's work tree, when not this one
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0
        self.port_file = Path()

    async def start(self, workdir: Path) -> Server:
        port_file = self.port_file = workdir / f"{self.name}.port".replace(" ", "_")
        port_file.unlink(missing_ok=True)
        env = dict(os.environ, SAMEN_BENCH_ROOT=self.root) if self.root else None
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", *self.args, "--port-file", str(port_file), env=env
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

    async def stalls(self) -> dict[str, Any]:
        """The loop's long steps and the collections since the last call (samen-bot only)."""
        if self.process is None or self.args[0] != "samen":
            return {"steps": [], "gcs": []}
        report = Path(f"{self.port_file}.stalls")
        report.unlink(missing_ok=True)
        self.process.send_signal(signal.SIGUSR1)
        for _ in range(200):
            await asyncio.sleep(0.01)
            if report.exists() and report.read_text():
                return json.loads(report.read_text())
        return {"steps": [], "gcs": []}

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


Result = dict[str, float]


def measure(
    acks: list[float], posted: list[float], cpu_ms: float, stalls: dict[str, Any]
) -> Result:
    result = {f"ack p{p}": percentile(acks, p) for p in (50, 95, 99)}
    if posted:
        result |= {f"reply p{p}": percentile(posted, p) for p in (50, 95, 99)}
    result["CPU/req"] = cpu_ms
    if "steps" in stalls and (stalls["steps"] or stalls["gcs"]):
        result["steps > 2 ms"] = len(stalls["steps"])
        result["longest step"] = max(stalls["steps"], default=0.0)
        result["longest gc"] = max(stalls["gcs"], default=0.0)
    return result


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


def spread(values: list[float], digits: int = 1) -> str:
    """The median, with the lowest and highest when there are several."""
    middle = f"{statistics.median(values):.{digits}f}"
    if len(values) == 1:
        return middle
    return f"{middle} ({min(values):.{digits}f}–{max(values):.{digits}f})"


COLUMNS = (
    "ack p50", "ack p95", "ack p99", "reply p50", "reply p95", "reply p99", "CPU/req",
    "steps > 2 ms", "longest step", "longest gc",
)  # fmt: skip


def report(runs: list[dict[tuple[str, int], Result]], levels: list[int], requests: int) -> None:
    labels = list(dict.fromkeys(label for label, _ in runs[0]))
    print(f"\n`/samen inzicht`, signed, {requests} requests a row, {len(runs)} run(s); ms;")
    print("median of the runs (lowest–highest)\n")
    print(f"| app | clients | {' | '.join(COLUMNS)} |")
    print("|---|---:|" + "---:|" * len(COLUMNS))
    for clients in levels:
        for label in labels:
            cells = []
            for column in COLUMNS:
                values = [run[(label, clients)].get(column) for run in runs]
                numbers = [v for v in values if v is not None]
                digits = 0 if column == "steps > 2 ms" else 1
                cells.append(spread(numbers, digits) if numbers else "–")
            print(f"| {label} | {clients} | {' | '.join(cells)} |")
    print()
    for clients in levels:
        for ours in (SAMEN_ACKS, SAMEN, BEFORE_ACKS, BEFORE):
            if (ours, clients) not in runs[0]:
                continue
            for theirs in (BARE_PBR, BARE):
                ratios = [
                    run[(ours, clients)]["ack p99"] / run[(theirs, clients)]["ack p99"]
                    for run in runs
                ]
                print(
                    f"- ack p99, {clients} client(s): {ours} / {theirs} = {spread(ratios, 2)}"
                    f" (each run: {', '.join(f'{r:.2f}' for r in ratios)})"
                )


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
