"""Digest benchmark: build one week's digest (700 learnings in the week) with 10,000 and
1,000,000 learnings in all, on SQLite and PostgreSQL.

    .venv/bin/python bench/digest_bench.py                       # SQLite, files in data/
    .venv/bin/python bench/digest_bench.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/x

Each size gets its own database (reused when it already holds that many learnings): the history
comes from `bot.tools.seed.seed_learnings` (spread over the 26 weeks before the benchmark
week), then
700 learnings are added inside the benchmark week (ISO 2026-W48, Europe/Amsterdam) with themes,
rings (about 12% ring `proeftuin`, which the digest must leave out), answers to a prompt asked
that week, and a few meetings the week after. The timed step is what the scheduler does:
`handlers.digest.digest_replies` (all queries through the kenniskring's ring rule, plus
rendering into replies). Statistics are gathered (ANALYZE) after filling, as autovacuum would
do in production. Prints a Markdown table; targets: under 200 ms at 1,000,000 on SQLite, and at
most 1.5x the 10,000 figure.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tools.seed import seed_learnings  # noqa: E402
from handlers.digest import digest_replies  # noqa: E402
from handlers.i18n import Translator  # noqa: E402
from storage.db import Database, make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Learning,
    LearningTheme,
    Meeting,
    Proeftuin,
    Prompt,
    PromptPost,
    Theme,
)
from storage.weeks import parse_week  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
WEEK = "2026-W48"
IN_WEEK = 700
SIZES = (10_000, 1_000_000)
RUNS = 30


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Learning)).scalar_one())
    finally:
        engine.dispose()


def _add_week(url: str, seed: int) -> None:
    """700 learnings inside the benchmark week, a prompt with answers, meetings next week."""
    week = parse_week(WEEK, TZ)
    rng = random.Random(seed)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            proeftuinen = list(conn.scalars(select(Proeftuin.id).order_by(Proeftuin.id)))
            themes = list(conn.scalars(select(Theme.id).order_by(Theme.id)))
            first = int(conn.execute(select(func.coalesce(func.max(Learning.id), 0))).scalar_one())
            prompt_id = conn.execute(
                insert(Prompt)
                .values(question="Wat leerden jullie deze week?", created_at=week.start)
                .returning(Prompt.id)
            ).scalar_one()
            conn.execute(
                insert(PromptPost),
                [
                    dict(
                        prompt_id=prompt_id,
                        proeftuin_id=p,
                        platform="console",
                        channel_id=f"p{p}",
                        posted_at=week.start,
                    )
                    for p in proeftuinen
                ],
            )
            span = (week.end - week.start).total_seconds()
            rows, tags = [], []
            for i in range(IN_WEEK):
                learning_id = first + 1 + i
                rows.append(
                    dict(
                        id=learning_id,
                        text=f"Inzicht {i} uit de benchmarkweek: bewoners en gemeente " * 3,
                        proeftuin_id=rng.choice(proeftuinen[:6]),  # the seventh stays quiet
                        ring="proeftuin" if rng.random() < 0.12 else "kenniskring",
                        platform=rng.choice(["slack", "discord", "console"]),
                        source_url=f"https://example.slack.com/archives/C1/p{i}",
                        created_at=week.start + timedelta(seconds=rng.random() * span),
                        prompt_id=prompt_id if i % 25 == 0 else None,
                    )
                )
                for theme_id in rng.sample(themes, rng.choice([0, 1, 1, 2, 3])):
                    tags.append(dict(learning_id=learning_id, theme_id=theme_id))
            conn.execute(insert(Learning), rows)
            if tags:
                conn.execute(insert(LearningTheme), tags)
            conn.execute(
                insert(Meeting),
                [
                    dict(
                        title=f"Bijeenkomst {d}",
                        starts_at=week.end + timedelta(days=d, hours=18),
                        platform="console",
                        channel_id="kenniskring",
                        created_at=week.start,
                    )
                    for d in range(3)
                ],
            )
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT setval('learnings_id_seq', (SELECT max(id) FROM learnings))")
                )
    finally:
        engine.dispose()


def _analyze(url: str) -> None:
    """Planner statistics, as autovacuum (PostgreSQL) would gather after a bulk load; SQLite's
    ANALYZE fills sqlite_stat1 the same way."""
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()


def prepare(url: str, total: int) -> None:
    """Bring the database at `url` to `total` learnings (history + the benchmark week)."""
    upgrade(url)
    have = _count(url)
    if have == total:
        _analyze(url)
        return
    if have:
        raise SystemExit(f"{url} holds {have} learnings, not {total}: remove it first")
    began = time.perf_counter()
    week_start = parse_week(WEEK, TZ).start
    seed_learnings(url, total - IN_WEEK, now=week_start - timedelta(seconds=1), random_seed=total)
    _add_week(url, total)
    _analyze(url)
    print(f"  filled {total:,} learnings in {time.perf_counter() - began:.0f} s", file=sys.stderr)


async def measure(url: str, runs: int = RUNS) -> tuple[float, float, int]:
    """p50 and p95 in ms of building the week's digest, and how many replies it has."""
    database = Database(url)
    t = Translator("nl", TZ)
    week = parse_week(WEEK, TZ)
    now = week.end - timedelta(days=2)
    timings = []
    replies = []
    try:
        for run in range(runs + 3):
            async with database.unit_of_work() as session:
                began = time.perf_counter()
                replies = await digest_replies(session, t, TZ, week, now)
                elapsed = (time.perf_counter() - began) * 1000
            if run >= 3:  # warm-up: connection pool, statement caches
                timings.append(elapsed)
    finally:
        await database.close()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(replies)


def _urls(args: argparse.Namespace) -> list[tuple[str, int, str]]:
    found = []
    for size in args.sizes:
        if args.pg:
            base = make_url(args.pg)
            name = f"samen_digest_bench_{size}"
            admin = make_engine(args.pg).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).scalar()
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = base.set(database=name).render_as_string(hide_password=False)
            found.append(("PostgreSQL", size, url))
        else:
            path = Path(args.dir) / f"digest-bench-{size}.db"
            found.append(("SQLite", size, f"sqlite:///{path}"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--dir", default="data", help="folder for the SQLite files")
    parser.add_argument("--pg", default="", help="a PostgreSQL URL: benchmark there instead")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    results = []
    for backend, size, url in _urls(args):
        print(f"{backend}, {size:,} learnings…", file=sys.stderr)
        prepare(url, size)
        p50, p95, parts = asyncio.run(measure(url, args.runs))
        results.append((backend, size, p50, p95, parts))
    base = {b: p50 for b, size, p50, _, _ in results if size == min(args.sizes)}
    smallest = f"{min(args.sizes):,}"
    print(
        f"| backend | learnings in all | in the week | p50 ms | p95 ms | replies | vs {smallest} |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for backend, size, p50, p95, parts in results:
        ratio = p50 / base[backend] if base.get(backend) else float("nan")
        print(
            f"| {backend} | {size:,} | {IN_WEEK} | {p50:.1f} | {p95:.1f} | {parts} | {ratio:.2f}x |"
        )


if __name__ == "__main__":
    main()
