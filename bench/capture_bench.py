"""Capture throughput: `/samen inzicht …` through the real router, against raw inserts.

    .venv/bin/python bench/capture_bench.py [-n 5000] [--tasks 8,32] [--repeats 3]
        [--synchronous FULL[,NORMAL]] [--database-url URL] [--profile]

Builds the app (bot.app.build_app) on a fresh SQLite file, links a channel, adds two themes, then
dispatches N capture commands made with `router.make_command` (each with its own event id, as
the adapters send them), once one after the other (a single sender waiting for each reply) and
from `--tasks` concurrent tasks (captures that arrive together are stored in one unit of work:
handlers/capture_batch.py). In the same run it inserts the same rows into the raw database: one
SQLAlchemy Core insert per row, each in its own transaction, through the same async engine, so
with the same pragmas, durable commits included (on SQLite also through aiosqlite, the driver
the writer used before it ran inline: see storage/sqlite_inline.py). The difference is the
router's cost (unit of work, event claim, member upsert, channel lookup, theme lookup, reply).

Every mode runs `--repeats` times, each time on a fresh database, the backends and settings
taking turns; the table gives the median rate with the lowest and highest. On SQLite the bot
commits with synchronous=FULL (a confirmed capture survives a power cut, storage/db.py);
`--synchronous FULL,NORMAL` runs the whole set again with NORMAL, the setting before, to show
what durability costs. The setting each run's
connections report (PRAGMA synchronous) is printed in the table.

With `--database-url postgresql+psycopg://…` the same runs go to a fresh database created on that
server (and dropped afterwards); its `synchronous_commit` is printed in the same column.
`--profile` adds a cProfile of the sequential router run (PROFILE_SORT=tottime and
PROFILE_TOP=60 change its order and length).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import platform
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import storage.db  # noqa: E402
from bench.cpu_probe import calibrate  # noqa: E402
from bot.app import App, build_app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.tools.seed import sentence_pool  # noqa: E402
from handlers.types import Actor, Place  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Learning  # noqa: E402

CHANNEL = "proeftuin-bench"
LEADER = "bench-leider"
USERS = [f"deelnemer-{i}" for i in range(20)]
TAGS = ["", "", " #wonen", " #financiering", " #wonen #financiering"]


def texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    pool = sentence_pool(rng, 4096)
    return [rng.choice(pool) + rng.choice(TAGS) for _ in range(n)]


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a new database on the given server."""
    if server_url is None:
        with tempfile.TemporaryDirectory(prefix="samen-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            yield url
        return
    name = f"samen_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.engine.dispose()


async def setup(app: App) -> int:
    """Link the bench channel and add two themes; returns the proeftuin id."""
    router = app.router
    place = Place("console", CHANNEL)
    leader = Actor("console", LEADER, "Bench Leider")
    for line in (
        "/samen koppel Proeftuin Bench",
        "/samen thema nieuw wonen Wonen | huur, woning",
        "/samen thema nieuw financiering Financiering | geld, fonds, subsidie",
    ):
        await router.dispatch(router.make_command(line, leader, place))
    async with app.database.unit_of_work() as session:
        proeftuin_id = await session.scalar(text("SELECT min(id) FROM proeftuinen"))
    assert proeftuin_id is not None
    return int(proeftuin_id)


async def run_tasks(
    n: int, tasks: int, one: Callable[[int], Awaitable[bool]]
) -> tuple[float, float, int]:
    """Run `one(i)` for i in range(n) from `tasks` concurrent workers.

    Returns wall seconds, CPU seconds of this process (all its threads: a figure that other load
    on the machine disturbs less) and the number of failures."""
    failures = 0

    async def worker(start: int) -> None:
        nonlocal failures
        for i in range(start, n, tasks):
            if not await one(i):
                failures += 1

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(k) for k in range(tasks)))
    return time.perf_counter() - began, time.process_time() - cpu, failures


async def count(app: App) -> int:
    async with app.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(Learning)) or 0)


Result = tuple[str, int, float, float, int]  # mode, learnings stored, wall s, CPU s, failures

SYNCHRONOUS_NAMES = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


async def durability(engine: AsyncEngine) -> str:
    """What a connection of `engine` says about durable commits."""
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            level = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar()
            return f"synchronous={SYNCHRONOUS_NAMES.get(int(level or 0), level)}"
        setting = (await conn.exec_driver_sql("SHOW synchronous_commit")).scalar()
        return f"synchronous_commit={setting}"


async def bench(url: str, n: int, tasks: list[int], profile: bool) -> tuple[str, list[Result]]:
    """One run of every mode on the database at `url`; returns the writer's and the raw
    inserts' durability setting (checked to be the same) and the results."""
    settings = load_settings(SAMEN_DATABASE_URL=url, SAMEN_LEADERS=f"console:{LEADER}")
    app = build_app(settings)
    results: list[Result] = []
    try:
        proeftuin_id = await setup(app)
        router = app.router
        lines = texts(n)
        place = Place("console", CHANNEL)

        def capture(prefix: str) -> Callable[[int], Awaitable[bool]]:
            async def one(i: int) -> bool:
                user = USERS[i % len(USERS)]
                command = router.make_command(
                    f"/samen inzicht {lines[i]}",
                    Actor("console", user, user.capitalize()),
                    place,
                    event_id=f"{prefix}-{i}",
                )
                replies = await router.dispatch(command)
                return bool(replies) and "bewaard" in replies[0].text

            return one

        def raw(prefix: str, engine: AsyncEngine) -> Callable[[int], Awaitable[bool]]:
            async def one(i: int) -> bool:
                async with engine.begin() as conn:
                    await conn.execute(
                        insert(Learning).values(
                            text=lines[i],
                            proeftuin_id=proeftuin_id,
                            ring="kenniskring",
                            platform="console",
                            channel_id=CHANNEL,
                            source_event_id=f"console:{prefix}-{i}",
                            created_at=datetime.now(UTC),
                        )
                    )
                return True

            return one

        await run_tasks(min(50, n), 1, capture("warm"))  # imports, caches, pool
        writer, reader = app.database.engine, app.database.reader
        durable = await durability(writer)
        if reader is not writer and await durability(reader) != durable:
            raise RuntimeError("the raw inserts through aiosqlite would not be like for like")
        runs: list[tuple[str, Callable[[str], Callable[[int], Awaitable[bool]]], int]] = [
            ("router, sequential", capture, 1),
            *((f"router, {k} tasks", capture, k) for k in tasks),
            ("raw insert, sequential", lambda p: raw(p, writer), 1),
            (f"raw insert, {tasks[0]} tasks", lambda p: raw(p, writer), tasks[0]),
        ]
        if reader is not writer:  # SQLite: the same inserts through aiosqlite's worker thread
            runs.append(("raw insert via aiosqlite, sequential", lambda p: raw(p, reader), 1))
        for label, make, workers in runs:
            before = await count(app)
            profiler = cProfile.Profile() if profile and label.startswith("router") else None
            if profiler is not None:
                profiler.enable()
            seconds, cpu, failures = await run_tasks(n, workers, make(label.replace(" ", "")))
            if profiler is not None:
                profiler.disable()
                print_profile(profiler)
            stored = await count(app) - before
            results.append((label, stored, seconds, cpu, failures))
    finally:
        await app.close()
    return durable, results


def print_profile(profiler: cProfile.Profile) -> None:
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
    stats.print_stats(int(os.environ.get("PROFILE_TOP", "30")))
    print(buffer.getvalue())


@dataclass
class Summary:
    """The repeats of one mode: learnings per run, rates, CPU per learning, failures."""

    stored: list[int]
    rates: list[float]
    cpu_ms: list[float]
    failures: int = 0


def summarise(runs: list[list[Result]]) -> dict[str, Summary]:
    table: dict[str, Summary] = {}
    for results in runs:
        for label, stored, seconds, cpu, failures in results:
            row = table.setdefault(label, Summary([], [], []))
            row.stored.append(stored)
            row.rates.append(stored / seconds if seconds else 0.0)
            row.cpu_ms.append(cpu / stored * 1000 if stored else 0.0)
            row.failures += failures
    return table


def machine() -> str:
    """One line about where the figures come from."""
    model = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({model}); "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}"
    )


def set_sqlite_synchronous(level: str) -> None:
    """Make the bot's SQLite connections (and the start-up check) use `level`."""
    storage.db.SQLITE_SYNCHRONOUS = level
    storage.db.SQLITE_SYNCHRONOUS_LEVEL = {v: k for k, v in SYNCHRONOUS_NAMES.items()}[level]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--learnings", type=int, default=5_000)
    parser.add_argument(
        "--tasks",
        type=lambda value: [int(k) for k in value.split(",")],
        default=[8, 32],
        help="numbers of concurrent tasks, comma-separated (default 8,32)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of every mode, each on a fresh database"
    )
    parser.add_argument(
        "--synchronous",
        type=lambda value: [v.strip().upper() for v in value.split(",")],
        default=["FULL"],
        help="SQLite synchronous levels to run, comma-separated (default FULL, the bot's)",
    )
    parser.add_argument("--database-url", help="also run on this PostgreSQL server")
    parser.add_argument("--profile", action="store_true", help="cProfile the sequential run")
    args = parser.parse_args()
    if any(level not in SYNCHRONOUS_NAMES.values() for level in args.synchronous):
        parser.error(f"--synchronous takes {', '.join(SYNCHRONOUS_NAMES.values())}")

    backends: list[tuple[str, str | None, str]] = [
        ("sqlite", None, level) for level in args.synchronous
    ]
    if args.database_url:
        backends.append(("postgresql", args.database_url, "FULL"))
    bot_level = storage.db.SQLITE_SYNCHRONOUS
    print(f"machine: {machine()}")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"this CPU: {calibrate():.2f} s for a pure-Python loop of 10,000,000 additions")
    print(
        f"{args.repeats} runs of each mode, each on a fresh database; learnings/s: median "
        "(lowest–highest); CPU ms/learning: median"
    )
    print(
        "| backend | durability | mode | learnings a run | learnings/s | CPU ms/learning | failed |"
    )
    print("|---|---|---|---:|---:|---:|---:|")
    # Round-robin: every repeat runs each backend and setting once, so a machine that gets
    # busier or quieter during the run weighs on all of them alike.
    runs: dict[int, list[list[Result]]] = {k: [] for k in range(len(backends))}
    settings: dict[int, set[str]] = {k: set() for k in range(len(backends))}
    try:
        for _ in range(args.repeats):
            for k, (_backend, server, level) in enumerate(backends):
                set_sqlite_synchronous(level)
                with fresh_database(server) as url:
                    durable, results = asyncio.run(
                        bench(url, args.learnings, args.tasks, args.profile)
                    )
                settings[k].add(durable)
                runs[k].append(results)
    finally:
        set_sqlite_synchronous(bot_level)
    for k, (backend, _server, _level) in enumerate(backends):
        durable = ", ".join(sorted(settings[k]))
        for label, row in summarise(runs[k]).items():
            rate = statistics.median(row.rates)
            print(
                f"| {backend} | {durable} | {label} | {statistics.median(row.stored):,.0f} | "
                f"{rate:,.0f} ({min(row.rates):,.0f}–{max(row.rates):,.0f}) | "
                f"{statistics.median(row.cpu_ms):.2f} | {row.failures} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
