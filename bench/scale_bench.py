"""Scale-out benchmark (issue 16): one `samen-bot serve` beside three, on one PostgreSQL.

    .venv/bin/python bench/scale_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/x
        [--learnings 20000] [--seconds 30] [--clients 12] [--processes 1,3]

For each process count, in the same run: a fresh database named `samen_scale_bench` on the
server of --database-url, migrated and seeded with --learnings synthetic learnings; the fake
Slack Web API in this process; N real `samen-bot serve --slack-http` processes, each with its
own port (a load balancer's view: the clients take the processes in turn). Closed-loop clients
send a mixed load for --seconds: half captures (`inzicht`), two fifths searches (`zoek`), a tenth
`themas`; each waits for its reply to reach the fake (a chat message or the response_url) before
its next command. Reported: commands per second, reply time p50/p99 (from sending the request to
the reply reaching Slack), and each process's resident memory (RSS, and its peak) at the end.

All processes share the machine's cores with PostgreSQL and the clients: on a small machine
three processes measure the cost of coordination more than a gain in throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.tools.seed import seed_learnings  # noqa: E402
from handlers.router import Router  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.conftest import Chat, make_policy  # noqa: E402
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack  # noqa: E402
from tests.fakes.slack_signing import SIGNING_SECRET, signed_headers  # noqa: E402
from tests.slack.payloads import slash_body  # noqa: E402

CHANNEL, LEADER = "C0SCALE", "ULEAD"  # each client types in its own channel: C0SCALE00, …
DATABASE = "samen_scale_bench"
REPLY_TIMEOUT = 30.0
WORDS = ("gemeente", "huur", "vrijwilligers", "subsidie", "energie", "buurt", "zorg", "fonds")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_database(admin_url: str) -> str:
    admin = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return make_url(admin_url).set(database=DATABASE).render_as_string(hide_password=False)


def channel_of(worker: int) -> str:
    return f"{CHANNEL}{worker:02d}"


async def link_channels(url: str, clients: int) -> None:
    database = Database(url)
    try:
        chat = Chat(Router(database, make_policy(leaders=frozenset({f"slack:{LEADER}"}))), "slack")
        for worker in range(clients):
            await chat.say("koppel Proeftuin Schaal", user=LEADER, channel=channel_of(worker))
    finally:
        await database.close()


class Replies:
    """Resolves a client's future when a reply reaches the fake in its channel (or its
    response_url): each client has a channel of its own and one command under way."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.seen = 0

    def expect(self, marker: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[marker] = future
        return future

    async def watch(self) -> None:
        while True:
            calls = self.fake.calls[self.seen :]
            self.seen += len(calls)
            now = time.perf_counter()
            for call in calls:
                if call.method not in ("chat.postMessage", "chat.postEphemeral", "response_url"):
                    continue
                for key in (str(call.args.get("_key", "")), str(call.args.get("channel", ""))):
                    future = self.waiting.pop(key, None)
                    if future is not None and not future.done():
                        future.set_result(now)
            await asyncio.sleep(0.002)


async def start_processes(
    url: str, fake: FakeSlack, count: int, workdir: Path, extra_env: dict[str, str] | None = None
) -> list[tuple[asyncio.subprocess.Process, int]]:
    """`count` serve processes with Slack over HTTP against `fake` (and whatever `extra_env`
    adds, e.g. Discord's keys), each on a free port of 127.0.0.1, once /healthz answers."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    env.update(
        PYTHONPATH=str(ROOT),
        SAMEN_DATABASE_URL=url,
        SAMEN_LEADERS=f"slack:{LEADER}",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
    )
    env.update(extra_env or {})
    started = []
    for n in range(count):
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--slack-http",
            "--port",
            str(port),
            cwd=str(workdir),
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=(workdir / f"serve-{count}-{n}.log").open("ab"),
        )
        started.append((process, port))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        for process, port in started:
            deadline = time.monotonic() + 60
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline or process.returncode is not None:
                    raise RuntimeError("a serve process did not start")
                await asyncio.sleep(0.1)
    return started


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) in MB from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def load(
    fake: FakeSlack, ports: list[int], clients: int, seconds: float, seed: int
) -> tuple[int, list[float], int]:
    replies = Replies(fake)
    watcher = asyncio.create_task(replies.watch())
    counter = itertools.count()
    latencies: list[float] = []
    failures = 0
    end = time.monotonic() + seconds
    rng = random.Random(seed)

    async def client(session: aiohttp.ClientSession, worker: int) -> None:
        nonlocal failures
        while time.monotonic() < end:
            n = next(counter)
            marker = f"schaal-{seed}-{n}"
            roll = rng.random()
            if roll < 0.5:
                line = f"inzicht {marker} de {rng.choice(WORDS)} wil eerst zien wat het oplevert"
            elif roll < 0.9:
                line = f"zoek {rng.choice(WORDS)}"
            else:
                line = "themas"
            channel = channel_of(worker)
            body = slash_body(
                line,
                user=f"U0SCALE{worker:02d}",
                channel=channel,
                response_url=fake.response_url(channel),
            )
            reply = replies.expect(channel)
            began = time.perf_counter()
            url = f"http://127.0.0.1:{ports[n % len(ports)]}/slack/events"
            try:
                async with session.post(url, data=body, headers=signed_headers(body)) as answer:
                    await answer.read()
                arrived = await asyncio.wait_for(reply, REPLY_TIMEOUT)
                latencies.append((arrived - began) * 1000)
            except (TimeoutError, aiohttp.ClientError):
                failures += 1

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT)) as s:
        await asyncio.gather(*(client(s, w) for w in range(clients)))
    watcher.cancel()
    return len(latencies), latencies, failures


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


async def one(
    admin_url: str, processes: int, args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    url = fresh_database(admin_url)
    upgrade(url)
    seed_learnings(url, args.learnings, random_seed=7)
    await link_channels(url, args.clients)
    fake = await FakeSlack().start()
    fake.add_user(LEADER, "Leider")
    for worker in range(args.clients):
        fake.add_user(f"U0SCALE{worker:02d}", f"Deelnemer {worker}")
    running = await start_processes(url, fake, processes, workdir)
    try:
        done, latencies, failures = await load(
            fake, [port for _, port in running], args.clients, args.seconds, processes
        )
        memory = [memory_mb(process.pid) for process, _ in running]
    finally:
        for process, _ in running:
            process.send_signal(signal.SIGTERM)
        for process, _ in running:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
        await fake.stop()
    return {
        "processes": processes,
        "per_second": done / args.seconds,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": percentile(latencies, 99) if latencies else float("nan"),
        "failures": failures,
        "rss": max(m[0] for m in memory),
        "peak": max(m[1] for m in memory),
    }


async def bench(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="samen-scale-") as folder:
        rows = [
            await one(args.database_url, int(n), args, Path(folder))
            for n in args.processes.split(",")
        ]
    print(
        f"\n{args.learnings} learnings, {args.clients} clients, {args.seconds:.0f} s of mixed "
        f"load (captures, searches, themes), {os.cpu_count()} cores\n"
    )
    print("| processes | commands/s | reply p50 | reply p99 | failed | RSS (max) | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['processes']} | {row['per_second']:.1f} | {row['p50']:.0f} ms "
            f"| {row['p99']:.0f} ms | {row['failures']} | {row['rss']:.0f} MB "
            f"| {row['peak']:.0f} MB |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server's URL")
    parser.add_argument("--learnings", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--processes", default="1,3")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
