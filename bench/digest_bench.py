"""Digest benchmark: build one week's digest (700 learnings in the week) with 10,000 and
1,000,000 learnings in all, on SQLite and PostgreSQL.

    .venv/bin/python bench/digest_bench.py                       # SQLite, files in data/
    .venv/bin/python bench/digest_bench.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/x

Each size gets its own database (reused when it already holds that many learnings): the history
comes from `bot.tools.seed.seed_learnings` (spread over the 26 weeks before the benchmark
week), then
700 learnings are added inside the benchmark week (ISO 2026-W48, Europe/Amsterdam) with themes,
rings (about 12% ring `proeftuin`, which the digest must leave out), answers to a prompt asked
that week, a few meetings the week after, and the week's reactions: 300 recognitions (of the
week's learnings and of older ones, by one to three other proeftuinen) and 150 enrichments. The
timed step is what the scheduler does:
`handlers.digest.digest_replies` (all queries through the kenniskring's ring rule, plus
rendering into replies). Statistics are gathered (ANALYZE) after filling, as autovacuum would
do in production. Each of `--repeats` rounds opens a new engine and times its first build
(cold: no pooled connection, no compiled statements, as the scheduler's weekly run finds it),
then `--runs` warm builds; the table gives the median of the rounds with the spread. Prints a
Markdown table; targets: the cold build under 200 ms at 1,000,000 on SQLite, and the warm build
at most 1.5x the 10,000 figure.
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
    Enrichment,
    Learning,
    LearningTheme,
    Meeting,
    Proeftuin,
    Prompt,
    PromptPost,
    Recognition,
    Theme,
)
from storage.weeks import parse_week  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
WEEK = "2026-W48"
IN_WEEK = 700
SIZES = (10_000, 1_000_000)
RUNS = 30
REPEATS = 3
RECOGNITIONS = 300  # recognitions made in the benchmark week
ENRICHMENTS = 150


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


def _add_reactions(url: str, seed: int) -> None:
    """The week's recognitions and enrichments: mostly of the week's own learnings, a quarter of
    older ones (the digest's 'recognised by several' part), each by other proeftuinen."""
    week = parse_week(WEEK, TZ)
    rng = random.Random(seed)
    span = (week.end - week.start).total_seconds()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(Recognition)).scalar_one():
                return
            proeftuinen = list(conn.scalars(select(Proeftuin.id).order_by(Proeftuin.id)))
            in_week = list(
                conn.execute(
                    select(Learning.id, Learning.proeftuin_id).where(
                        Learning.created_at >= week.start, Learning.created_at < week.end
                    )
                )
            )
            older = list(
                conn.execute(
                    select(Learning.id, Learning.proeftuin_id)
                    .where(Learning.created_at < week.start)
                    .order_by(Learning.id.desc())
                    .limit(5_000)
                )
            )
            recognitions: dict[tuple[int, int], dict[str, object]] = {}
            while len(recognitions) < RECOGNITIONS:
                learning_id, own = rng.choice(in_week if rng.random() < 0.75 else older)
                others = [p for p in proeftuinen if p != own]
                for proeftuin_id in rng.sample(others, rng.choice([1, 1, 2, 3])):
                    recognitions[(learning_id, proeftuin_id)] = dict(
                        learning_id=learning_id,
                        proeftuin_id=proeftuin_id,
                        created_at=week.start + timedelta(seconds=rng.random() * span),
                    )
            conn.execute(insert(Recognition), list(recognitions.values()))
            enrichments = []
            for i in range(ENRICHMENTS):
                learning_id, own = rng.choice(in_week)
                enrichments.append(
                    dict(
                        learning_id=learning_id,
                        proeftuin_id=rng.choice([p for p in proeftuinen if p != own]),
                        text=f"Bij ons werkte het anders: aanvulling {i} met een voorbeeld",
                        created_at=week.start + timedelta(seconds=rng.random() * span),
                    )
                )
            conn.execute(insert(Enrichment), enrichments)
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
        _add_reactions(url, total)  # a database cached before the reactions were part of it
        _analyze(url)
        return
    if have:
        raise SystemExit(f"{url} holds {have} learnings, not {total}: remove it first")
    began = time.perf_counter()
    week_start = parse_week(WEEK, TZ).start
    seed_learnings(url, total - IN_WEEK, now=week_start - timedelta(seconds=1), random_seed=total)
    _add_week(url, total)
    _add_reactions(url, total)
    _analyze(url)
    print(f"  filled {total:,} learnings in {time.perf_counter() - began:.0f} s", file=sys.stderr)


async def measure(url: str, runs: int = RUNS) -> tuple[float, float, float, int]:
    """In ms: the first (cold) build on a new engine, then p50 and p95 of `runs` warm builds;
    and how many replies the digest has."""
    database = Database(url)
    t = Translator("nl", TZ)
    week = parse_week(WEEK, TZ)
    now = week.end - timedelta(days=2)
    timings = []
    replies = []
    cold = 0.0
    try:
        for run in range(runs + 3):
            began = time.perf_counter()
            async with database.unit_of_work() as session:
                replies = await digest_replies(session, t, TZ, week, now)
            elapsed = (time.perf_counter() - began) * 1000
            if run == 0:  # cold: the connection opened, every statement compiled
                cold = elapsed
            elif run >= 3:  # warm: pooled connection, cached statements
                timings.append(elapsed)
    finally:
        await database.close()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return cold, statistics.median(timings), p95, len(replies)


def _spread(values: list[float]) -> str:
    """The median of the rounds with the lowest and highest: `24.7 (22.1–25.3)`."""
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


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
    parser.add_argument("--runs", type=int, default=RUNS, help="warm builds per round")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="rounds, each cold first")
    args = parser.parse_args()
    results = []
    for backend, size, url in _urls(args):
        print(f"{backend}, {size:,} learnings…", file=sys.stderr)
        prepare(url, size)
        rounds = [asyncio.run(measure(url, args.runs)) for _ in range(args.repeats)]
        colds, p50s, p95s = ([r[i] for r in rounds] for i in range(3))
        results.append((backend, size, colds, p50s, p95s, rounds[-1][3]))
    base = {
        b: statistics.median(p50s) for b, size, _, p50s, _, _ in results if size == min(args.sizes)
    }
    smallest = f"{min(args.sizes):,}"
    print(
        f"Median of {args.repeats} rounds (lowest–highest); each round a new engine: its first "
        f"build is the cold one, then {args.runs} warm builds. The first build of the process "
        f"also pays Python's first use of the code (run one size alone for its own figure)."
    )
    print(
        f"| backend | learnings in all | in the week | first build of the process ms "
        f"| cold first build ms | warm p50 ms "
        f"| warm p95 ms | replies | warm p50 vs {smallest} |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend, size, colds, p50s, p95s, parts in results:
        ratio = statistics.median(p50s) / base[backend] if base.get(backend) else float("nan")
        print(
            f"| {backend} | {size:,} | {IN_WEEK} | {colds[0]:.1f} | {_spread(colds)} "
            f"| {_spread(p50s)} "
            f"| {_spread(p95s)} | {parts} | {ratio:.2f}x |"
        )


if __name__ == "__main__":
    main()
