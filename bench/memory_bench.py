"""Memory of `samen-bot serve` (issue 16): RSS with Slack, Discord and the scheduler at 1,000,000
learnings after --minutes of mixed load; target ≤ 200 MB.

    .venv/bin/python bench/memory_bench.py [--learnings 1000000] [--minutes 10]
        [--cache-dir /tmp/samen-search-bench] [--mmap-mb N] [--every 5]

The SQLite database is the search benchmark's (bench/search_bench_data.py: `samen-bot seed`
learnings plus rare words), seeded once into --cache-dir and reused; each run works on a copy, so
the cache stays as it was. This process hosts the fake Slack Web API and the fake Discord (REST
and gateway) on 127.0.0.1 and starts one real `samen-bot serve --slack-http` with Discord's keys
too (bench/scale_bench.py's `start_processes`), so Slack, Discord and the scheduler (its digest
every three minutes, a meeting's reminders) run in one process. Clients, each in a channel of
its own and each waiting for its reply (at most 30 s) and a short pause before the next, send a
mix: captures, `zoek` (a common word, a prefix, a word with #thema), `agenda`, `themas`, `lijkt`
of a random learning and 💡 reactions, on Slack (slash commands and events) and on Discord
(interactions and gateway reactions).

Every --every seconds it reads /proc/<pid>/status: VmRSS (resident), RssAnon (the process's own
memory), RssFile (mapped files: libraries and, with SQLite's mmap, pages of the database file,
which are the OS page cache, shared, not the process's private memory) and VmHWM (peak VmRSS).
Then, the same way, the baselines: a bare slack-bolt app plus a bare discord.py bot against the
same fakes (bench/slack_bench_servers.py's `serve_bare`, bench/discord_bench.py's `BareBot`),
after 100 commands each, and an idle `python -c 'import slack_bolt, discord, sqlalchemy'`.
Prints the table; exits 1 when RSS after the load or the largest sample exceeds 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Only the fakes at the top: this script is also the baseline process (`--bare`), which must load
# nothing of samen-bot; bench.scale_bench and bench.search_bench_data are imported where used.
from tests.fakes.discord_fake import FakeDiscord  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.fakes.slack_signing import signed_headers  # noqa: E402
from tests.slack.payloads import event_envelope, reaction_added, slash_body  # noqa: E402

if TYPE_CHECKING:
    from bench.scale_bench import Replies

TARGET_MB = 200
SAMEN_PACKAGES = ("bot", "handlers", "storage", "schedules")
SLACK_LEADER, DISCORD_LEADER = "ULEAD", "4242"
REPLY_TIMEOUT = 30.0
START_TIMEOUT = 120.0
WORDS = ("gemeente", "bewoners", "vrijwilligers", "fonds", "buurt", "spreekuur", "energie")
PREFIXES = ("gemeen", "bewon", "vrijwil", "spreek", "buurtk")
THEMES = ("wonen", "energie", "zorg", "vrijwilligers", "netwerk", "regels")
# (kind, weight) of the mixed load, the same on both platforms
MIX = (
    ("inzicht", 25),
    ("zoek", 10),
    ("zoek-prefix", 8),
    ("zoek-thema", 8),
    ("agenda", 10),
    ("themas", 10),
    ("lijkt", 15),
    ("reactie", 14),
)
FIELDS = ("VmRSS", "RssAnon", "RssFile", "VmHWM")


def status(pid: int) -> dict[str, float]:
    """VmRSS, RssAnon, RssFile and VmHWM of a process, in MB (Linux /proc)."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in FIELDS:
            found[name] = int(value.split()[0]) / 1024
    return found


@dataclass
class Sampler:
    """Samples a process's memory every `every` seconds until stopped."""

    pid: int
    every: float
    began: float = field(default_factory=time.monotonic)
    samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)

    def take(self) -> dict[str, float]:
        sample = status(self.pid)
        self.samples.append((time.monotonic() - self.began, sample))
        return sample

    async def run(self) -> None:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            while True:
                self.take()
                await asyncio.sleep(self.every)

    def largest(self) -> tuple[float, dict[str, float]]:
        return max(self.samples, key=lambda s: s[1]["VmRSS"])

    def by_minute(self, since: float) -> list[tuple[int, dict[str, float]]]:
        """The first sample at or after each whole minute from `since` (seconds of sampling)."""
        found: dict[int, dict[str, float]] = {}
        for at, sample in self.samples:
            if at >= since:
                found.setdefault(int((at - since) // 60), sample)
        return sorted(found.items())

    def peak_rises(self, over: float = 20.0) -> list[tuple[float, float]]:
        """(seconds, VmHWM) wherever the peak rose by more than `over` MB since the last sample."""
        rises, last = [], self.samples[0][1]["VmHWM"] if self.samples else 0.0
        for at, sample in self.samples[1:]:
            if sample["VmHWM"] - last > over:
                rises.append((at, sample["VmHWM"]))
            last = sample["VmHWM"]
        return rises


@dataclass
class Tally:
    sent: dict[str, int] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    late: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, ok: bool) -> None:
        self.sent[kind] = self.sent.get(kind, 0) + 1
        target = self.answered if ok else self.late
        target[kind] = target.get(kind, 0) + 1


def pick(rng: random.Random) -> str:
    return rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]


def line_for(kind: str, rng: random.Random, marker: str, learnings: int) -> str:
    """The `/samen` line of one command of the mix (reactions are not commands)."""
    if kind == "inzicht":
        tag = f" #{rng.choice(THEMES)}" if rng.random() < 0.5 else ""
        return f"inzicht {marker} de {rng.choice(WORDS)} wil eerst zien wat het oplevert{tag}"
    if kind == "zoek":
        return f"zoek {rng.choice(WORDS)}"
    if kind == "zoek-prefix":
        return f"zoek {rng.choice(PREFIXES)}"
    if kind == "zoek-thema":
        return f"zoek {rng.choice(WORDS)} #{rng.choice(THEMES)}"
    if kind == "lijkt":
        return f"lijkt {rng.randint(1, learnings)}"
    return kind  # agenda, themas


# --- preparing the run ---------------------------------------------------------------------


def working_copy(cached_url: str, workdir: Path) -> str:
    """A copy of the cached database for this run (captures must not change the cache)."""
    source = Path(cached_url.removeprefix("sqlite:///"))
    with sqlite3.connect(source) as conn:  # fold the WAL in, so one file is the whole database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = workdir / "memory-bench.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def proeftuin_names(url: str) -> list[str]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM proeftuinen ORDER BY name")]


async def link(url: str, slack: list[str], discord: list[str], names: list[str]) -> None:
    """Link every client's channel to a proeftuin and plan a meeting, as a leader would."""
    from bot.app import build_app
    from bot.config import load_settings
    from handlers.types import Actor, Place

    app = build_app(
        load_settings(
            SAMEN_DATABASE_URL=url, SAMEN_LEADERS=f"slack:{SLACK_LEADER},discord:{DISCORD_LEADER}"
        )
    )
    try:
        said = [("slack", SLACK_LEADER, c) for c in slack]
        said += [("discord", DISCORD_LEADER, c) for c in discord]
        for n, (platform, leader, channel) in enumerate(said):
            command = app.router.make_command(
                f"koppel {names[n % len(names)]}",
                Actor(platform, leader, "Leider"),
                Place(platform, channel),
            )
            await app.router.dispatch(command)
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 2 * 86400))
        meeting = app.router.make_command(
            f"bijeenkomst Kennisdag | {day} 19:30 | #wonen",
            Actor("slack", SLACK_LEADER, "Leider"),
            Place("slack", slack[0]),
        )
        await app.router.dispatch(meeting)
    finally:
        await app.close()


# --- the load ------------------------------------------------------------------------------


async def slack_client(
    worker: int,
    fake: FakeSlack,
    replies: Replies,
    url: str,
    end: float,
    args: argparse.Namespace,
    tally: Tally,
) -> None:
    rng = random.Random(100 + worker)
    channel, user = f"C0MEM{worker:02d}", f"U0MEM{worker:02d}"
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        n = 0
        while time.monotonic() < end:
            n += 1
            kind = pick(rng)
            reply = replies.expect(channel)
            if kind == "reactie":  # 💡 on a message a participant wrote: the bot fetches it
                ts = fake.add_message(channel, user, f"slack-{worker}-{n} de buurt doet mee")
                event = reaction_added(f"U0MEMX{worker:02d}", channel, ts, item_user=user)
                body = json.dumps(event_envelope(event))
                headers = signed_headers(body, content_type="application/json")
            else:
                marker = f"slack-{worker}-{n}"
                line = line_for(kind, rng, marker, args.learnings)
                body = slash_body(
                    line, user=user, channel=channel, response_url=fake.response_url(channel)
                )
                headers = signed_headers(body)
            try:
                async with session.post(url, data=body, headers=headers) as answer:
                    await answer.read()
                await asyncio.wait_for(reply, REPLY_TIMEOUT)
                tally.add(f"slack {kind}", True)
            except (TimeoutError, aiohttp.ClientError):
                replies.waiting.pop(channel, None)
                tally.add(f"slack {kind}", False)
            await asyncio.sleep(args.pause)


async def discord_client(
    worker: int, fake: FakeDiscord, channel: str, end: float, args: argparse.Namespace, tally: Tally
) -> None:
    rng = random.Random(200 + worker)
    who = f"deelnemer{worker}"
    n = 0
    while time.monotonic() < end:
        n += 1
        kind = pick(rng)
        try:
            if kind == "reactie":
                before = len(fake.calls)
                said = fake.post_as(who, channel, f"discord-{worker}-{n} de buurt doet mee")
                await fake.react(f"ander{worker}", said)

                def answered(since: int = before) -> bool:  # the bot fetches the message and
                    return len(fake.calls) > since  # answers (a DM, a post): any REST call

                await fake.wait_for(answered, timeout=REPLY_TIMEOUT)
            else:
                line = line_for(kind, rng, f"discord-{worker}-{n}", args.learnings)
                sub, _, rest = line.partition(" ")
                options: dict[str, Any] = {}
                if sub == "inzicht":
                    options["tekst"] = rest
                elif sub == "zoek":
                    words = rest.split(" #")
                    options["woorden"] = words[0]
                    if len(words) > 1:
                        options["thema"] = words[1]
                elif sub == "lijkt":
                    options["nummer"] = int(rest)
                record = await fake.slash(who, channel, sub, **options)
                await fake.wait_done(record, timeout=REPLY_TIMEOUT)
            tally.add(f"discord {kind}", True)
        except AssertionError:  # the fake's bounded waits
            tally.add(f"discord {kind}", False)
        await asyncio.sleep(args.pause)


# --- the baselines -------------------------------------------------------------------------


async def bare_process(api_url: str, fake_json: str, port_file: str) -> None:
    """The baseline in its own process: a bare bolt app and a bare discord.py bot, both up."""
    import sqlalchemy  # noqa: F401  (as samen-bot has it loaded)
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    from bench.discord_bench import BareBot
    from bench.slack_bench_servers import serve_bare

    fake = json.loads(fake_json)
    # what bot.discord.adapter.configure_endpoints does, without importing samen-bot
    Route.BASE = fake["api_url"]
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake["gateway_url"])
    client = BareBot(fake["guild_id"])
    await client.login(fake["token"])
    connected = asyncio.create_task(client.connect())
    await asyncio.wait_for(client.up.wait(), 60)
    loaded = sorted(m for m in sys.modules if m.partition(".")[0] in SAMEN_PACKAGES)
    if loaded:
        raise SystemExit(f"the baseline process loaded samen-bot's modules: {loaded[:5]}")
    await serve_bare(port_file, api_url, True)
    await client.close()
    connected.cancel()


async def measure_bare(
    fake_slack: FakeSlack, fake_discord: FakeDiscord, workdir: Path, settle: float
) -> dict[str, float]:
    """Start the bare baseline, send it 100 slash commands on each platform, sample it."""
    port_file = workdir / "bare.port"
    fake_json = json.dumps(
        {
            "api_url": fake_discord.api_url,
            "gateway_url": fake_discord.gateway_url,
            "token": fake_discord.token,
            "guild_id": fake_discord.guild_id,
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__)), "--bare", fake_slack.base_url, fake_json,
        str(port_file),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=(workdir / "bare.log").open("ab"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or process.returncode is not None:
                raise RuntimeError(f"the bare baseline did not start: {workdir / 'bare.log'}")
            await asyncio.sleep(0.1)
        url = f"http://127.0.0.1:{int(port_file.read_text())}/slack/events"
        async with aiohttp.ClientSession() as session:
            for n in range(100):
                body = slash_body(
                    f"inzicht bare {n}", user="U0BARE", channel="C0BARE",
                    response_url=fake_slack.response_url("bare"),
                )  # fmt: skip
                async with session.post(url, data=body, headers=signed_headers(body)) as answer:
                    await answer.read()
        await fake_discord.measure(
            sub="inzicht", options={"tekst": "bare"}, user="bare", channel="proeftuin-a",
            count=100, concurrency=1,
        )  # fmt: skip
        await asyncio.sleep(settle)
        return status(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def measure_imports(settle: float) -> dict[str, float]:
    """An idle interpreter that imported the frameworks and nothing of samen-bot."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c",
        "import slack_bolt, discord, sqlalchemy, time, sys; print(flush=True); time.sleep(120)",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), 60)
        await asyncio.sleep(settle)
        return status(process.pid)
    finally:
        process.kill()
        await process.wait()


# --- the run -------------------------------------------------------------------------------


async def bench(args: argparse.Namespace) -> int:
    from bench.scale_bench import Replies, start_processes
    from bench.search_bench_data import sqlite_database

    load_start = os.getloadavg()
    began_utc = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    cached = sqlite_database(args.cache_dir, args.learnings, args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="samen-memory-"))
    serve = None
    try:
        url = working_copy(cached, workdir)
        names = proeftuin_names(url)
        fake_slack = await FakeSlack().start()
        discord_channels = [f"proeftuin-mem{w}" for w in range(args.discord_clients)]
        fake_discord = await FakeDiscord(channels=(*discord_channels, "proeftuin-a")).start()
        slack_channels = [f"C0MEM{w:02d}" for w in range(args.slack_clients)]
        await link(url, slack_channels, [fake_discord.names[c] for c in discord_channels], names)
        fake_slack.add_user(SLACK_LEADER, "Leider")
        for w in range(args.slack_clients):
            fake_slack.add_user(f"U0MEM{w:02d}", f"Deelnemer {w}")
            fake_slack.add_user(f"U0MEMX{w:02d}", f"Ander {w}")
        env = {
            "SAMEN_LEADERS": f"slack:{SLACK_LEADER},discord:{DISCORD_LEADER}",
            "SAMEN_DIGEST_CHANNEL": f"slack:{slack_channels[0]}",
            "SAMEN_DIGEST_SCHEDULE": "*/3 * * * *",
            "DISCORD_BOT_TOKEN": fake_discord.token,
            "DISCORD_API_URL": fake_discord.api_url,
            "DISCORD_GATEWAY_URL": fake_discord.gateway_url,
            "DISCORD_GUILD_ID": fake_discord.guild_id,
        }
        if args.mmap_mb is not None:
            env["SAMEN_SQLITE_MMAP_MB"] = str(args.mmap_mb)
        [(serve, port)] = await start_processes(url, fake_slack, 1, workdir, env)
        sampler = Sampler(serve.pid, args.every)
        sampler.take()  # Slack answers /healthz
        deadline = time.monotonic() + START_TIMEOUT
        while not (fake_discord.gateway.ready.is_set() and fake_discord.commands):
            if time.monotonic() > deadline or serve.returncode is not None:
                raise RuntimeError(f"Discord did not connect: see {workdir}/serve-1-0.log")
            await asyncio.sleep(0.1)
        sampling = asyncio.create_task(sampler.run())
        await asyncio.sleep(args.settle)
        start = sampler.take()
        load_began = time.monotonic() - sampler.began
        end = time.monotonic() + args.minutes * 60
        tally, replies = Tally(), Replies(fake_slack)
        watcher = asyncio.create_task(replies.watch())
        slack_url = f"http://127.0.0.1:{port}/slack/events"
        await asyncio.gather(
            *(
                slack_client(w, fake_slack, replies, slack_url, end, args, tally)
                for w in range(args.slack_clients)
            ),
            *(
                discord_client(w, fake_discord, channel, end, args, tally)
                for w, channel in enumerate(discord_channels)
            ),
        )
        watcher.cancel()
        await asyncio.sleep(args.settle)
        after = sampler.take()
        sampling.cancel()
        serve.send_signal(signal.SIGTERM)
        await asyncio.wait_for(serve.wait(), 60)
        serve = None
        bare = await measure_bare(fake_slack, fake_discord, workdir, args.settle)
        imports = await measure_imports(args.settle)
        await fake_slack.stop()
        await fake_discord.stop()
        load_end = os.getloadavg()
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            total = conn.execute("SELECT count(*) FROM learnings").fetchone()[0]
    finally:
        if serve is not None and serve.returncode is None:
            serve.kill()
            await serve.wait()
        log = workdir / "serve-1-0.log"
        if log.exists() and args.keep_log:
            shutil.copyfile(log, args.keep_log)
        shutil.rmtree(workdir, ignore_errors=True)
    at, largest = sampler.largest()
    report(args, began_utc, load_start, load_end, start, after, (at, largest), bare, imports)
    print(f"\nlearnings at the end: {total:,}; samples: {len(sampler.samples)}")
    series = ", ".join(
        f"{m}: {s['VmRSS']:.0f}/{s['RssAnon']:.0f}" for m, s in sampler.by_minute(load_began)
    )
    print(f"VmRSS/RssAnon MB at each minute of the load: {series}")
    rises = ", ".join(f"{t:.0f} s: {mb:.0f} MB" for t, mb in sampler.peak_rises())
    print(f"VmHWM rose by > 20 MB between samples at: {rises or 'never'}")
    print("\n| commands (kind) | sent | answered | no answer within 30 s |")
    print("|---|---:|---:|---:|")
    for kind in sorted(tally.sent):
        print(
            f"| {kind} | {tally.sent[kind]} | {tally.answered.get(kind, 0)} "
            f"| {tally.late.get(kind, 0)} |"
        )
    met = after["VmRSS"] <= TARGET_MB and largest["VmRSS"] <= TARGET_MB
    print(f"\nTarget: RSS ≤ {TARGET_MB} MB after the load and in every sample: "
          f"{'met' if met else 'MISSED'}")  # fmt: skip
    return 0 if met else 1


def report(
    args: argparse.Namespace,
    began: str,
    load_start: tuple[float, float, float],
    load_end: tuple[float, float, float],
    start: dict[str, float],
    after: dict[str, float],
    largest: tuple[float, dict[str, float]],
    bare: dict[str, float],
    imports: dict[str, float],
) -> None:
    mmap = "the default" if args.mmap_mb is None else f"{args.mmap_mb} MB"
    print(
        f"\n`samen-bot serve` (Slack over HTTP, Discord, scheduler), SQLite, {args.learnings:,} "
        f"learnings, SQLite mmap {mmap}; {args.minutes:g} minutes of mixed load from "
        f"{args.slack_clients} Slack and {args.discord_clients} Discord clients; started {began}; "
        f"load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end; "
        f"{os.cpu_count()} cores. MB from /proc/<pid>/status.\n"
    )
    print("| process | when | VmRSS | RssAnon | RssFile | VmHWM (peak) |")
    print("|---|---|---:|---:|---:|---:|")
    at, big = largest
    rows = [
        ("samen-bot serve", "start (connected, idle)", start),
        ("samen-bot serve", f"after {args.minutes:g} min of load", after),
        ("samen-bot serve", f"largest sample ({at:.0f} s)", big),
        ("bare slack-bolt + discord.py", "after 100 commands each", bare),
        ("`import slack_bolt, discord, sqlalchemy`", "idle", imports),
    ]
    for name, when, s in rows:
        print(
            f"| {name} | {when} | {s['VmRSS']:.0f} | {s['RssAnon']:.0f} | {s['RssFile']:.0f} "
            f"| {s['VmHWM']:.0f} |"
        )


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--bare":
        asyncio.run(bare_process(*sys.argv[2:]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learnings", type=int, default=1_000_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/samen-search-bench"))
    parser.add_argument("--seed", type=int, default=1, help="of the cached database")
    parser.add_argument("--mmap-mb", type=int, help="SAMEN_SQLITE_MMAP_MB for serve")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before a sample")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between commands")
    parser.add_argument("--slack-clients", type=int, default=4)
    parser.add_argument("--discord-clients", type=int, default=2)
    parser.add_argument("--keep-log", type=Path, help="copy serve's log here")
    sys.exit(asyncio.run(bench(parser.parse_args())))


if __name__ == "__main__":
    main()
