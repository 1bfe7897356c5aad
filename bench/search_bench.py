"""Search benchmark: `zoek` through the router at 1,000,000 learnings, every query class, on
SQLite and PostgreSQL, beside a raw full-text query of the same words in the same run.

    .venv/bin/python bench/search_bench.py --learnings 1000000 --runs 3 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The database is seeded once per backend with `bot.tools.seed.seed_learnings` (the demo's seven
proeftuinen and twelve themes, "bewoners" and "gemeente" each in ~40% of the rows), plus a tail
of rare made-up words appended to ~7,000 random learnings (the seed's own sentences have no rare
word), and kept for the next run: SQLite in `--cache-dir` (default /tmp/samen-search-bench),
PostgreSQL as the database `samen_search_bench_<n>` on the server of `--database-url`. A cached
database is brought to the newest schema first (`storage.migrate.upgrade`).

Every query is a `/samen zoek …` line made with `Router.make_command`, as the console sends it,
dispatched by the real `Router` (member and channel lookup, parsing, search, loading, rendering),
typed by a participant (not a leader) in a proeftuin's channel and in the kenniskring. The
classes: selective words (a rare word; a rare word after a common one), whole common words,
prefixes of common words, common words one and two letters short, and those with `#thema`, with
`proeftuin:`, and with both. Beside the selective queries, in the same run and alternating with
them, `search_learnings` alone and a raw query of the same words: FTS5 `MATCH` of the stemmed
words (the last also as a prefix) `ORDER BY rank LIMIT 10`, or PostgreSQL's `@@` with
`ORDER BY ts_rank(…) DESC LIMIT 10`.

Each run times every query once (in a shuffled order, so the classes share the machine's noise);
the tables give, over `--runs` runs, the median of each figure with the lowest and highest.
Beside the wall clock, the CPU time of the benchmark's own process per `zoek` (on SQLite all of
the work, on PostgreSQL without the server's): on a machine others share, the wall clock's tail
is mostly waiting for a core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_bench_data import (  # noqa: E402
    postgresql_database,
    rare_words,
    sqlite_database,
)
from bot.tools.demo_data import DIGEST_CHANNEL, PLATFORM, PROEFTUINEN, THEMES  # noqa: E402
from handlers.context import Policy  # noqa: E402
from handlers.router import Router  # noqa: E402
from handlers.types import Actor, Place  # noqa: E402
from storage.db import SQLITE_MMAP_MB, Database, make_engine  # noqa: E402
from storage.search import search_learnings  # noqa: E402
from storage.search_terms import query_terms, stem  # noqa: E402
from storage.visibility import Viewer  # noqa: E402

COMMON = ["bewoners", "gemeente", "bewoners gemeente", "gemeente bewoners", "vrijwilligers"]
PREFIXES = ["bewo", "gemee", "bewon", "vrijw", "kennisk", "woningc"]
ONE_SHORT = ["bewoner", "gemeent", "vrijwilliger", "kenniskrin", "woningcorporati"]
TWO_SHORT = ["bewone", "gemeen", "vrijwillige", "kenniskri", "woningcorporat"]
FILTERED_BASE = COMMON + ["bewo", "gemeent", "bewone", "vrijwil"]

PLACES = {"proeftuin": PROEFTUINEN[0].channel, "kenniskring": DIGEST_CHANNEL}
CLASSES = [
    "selective",
    "common words",
    "prefixes",
    "one letter short",
    "two letters short",
    "#thema",
    "proeftuin:",
    "#thema proeftuin:",
]


# --- the queries -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    kind: str  # the query class
    place: str  # "proeftuin" or "kenniskring"
    words: str  # what follows `/samen zoek`


def queries(per_class: int, seed: int, proeftuin_names: list[str]) -> list[Query]:
    rng = random.Random(seed + 2)
    rare = rare_words(seed)[:400]  # the ones in 2 to ~300 learnings
    slugs = [t.slug for t in THEMES]

    def cycle(items: list[str]) -> list[str]:
        return [items[i % len(items)] for i in range(per_class)]

    classes: dict[str, list[str]] = {
        "selective": [
            rng.choice(rare) if i % 2 else f"{rng.choice(COMMON[:2])} {rng.choice(rare)}"
            for i in range(per_class)
        ],
        "common words": cycle(COMMON),
        "prefixes": cycle(PREFIXES),
        "one letter short": cycle(ONE_SHORT),
        "two letters short": cycle(TWO_SHORT),
        "#thema": [f"{w} #{rng.choice(slugs)}" for w in cycle(FILTERED_BASE)],
        "proeftuin:": [
            f"{w} proeftuin:{rng.choice(proeftuin_names)}" for w in cycle(FILTERED_BASE)
        ],
        "#thema proeftuin:": [
            f"{w} #{rng.choice(slugs)} proeftuin:{rng.choice(proeftuin_names)}"
            for w in cycle(FILTERED_BASE)
        ],
    }
    return [
        Query(kind, place, words)
        for place in PLACES
        for kind, lines in classes.items()
        for words in lines
    ]


def raw_statement(dialect: str, words: str) -> tuple[str, dict[str, str]]:
    """A plain full-text query of the same words: stemmed, ANDed, the last also a prefix."""
    terms = query_terms(words)
    if dialect == "sqlite":
        parts = [f'"{stem(t.text)}"' for t in terms]
        if terms[-1].prefix:
            parts[-1] = f'({parts[-1]} OR "{terms[-1].text}"*)'
        sql = "SELECT rowid FROM learnings_fts WHERE learnings_fts MATCH :q ORDER BY rank LIMIT 10"
        return sql, {"q": " AND ".join(parts)}
    rest = " & ".join(f"'{t.text}'" for t in terms)
    last = terms[-1].text
    sql = (
        "SELECT id FROM learnings, "
        "(SELECT to_tsquery('dutch', :rest) && (to_tsquery('dutch', :last)"
        " || to_tsquery('simple', :prefix)) AS q) AS query "
        "WHERE search_vector @@ q ORDER BY ts_rank(search_vector, q) DESC LIMIT 10"
    )
    return sql, {"rest": rest, "last": f"'{last}'", "prefix": f"'{last}':*"}


# --- timing ------------------------------------------------------------------------------

Timings = dict[tuple[str, str, str], list[float]]  # (what, class, place) -> milliseconds


async def one_run(
    url: str, qs: list[Query], seed: int, warm: bool, mmap_mb: int = SQLITE_MMAP_MB
) -> Timings:
    db = Database(url, sqlite_mmap_mb=mmap_mb)
    policy = Policy(leaders=frozenset({f"{PLATFORM}:floor"}))
    router = Router(db, policy)
    actor = Actor(PLATFORM, "bench-deelnemer", "Bench Deelnemer")
    places = {name: Place(PLATFORM, channel) for name, channel in PLACES.items()}
    async with db.reading() as session:
        rows = (await session.execute(text("SELECT name, id FROM proeftuinen"))).all()
        ids: dict[str, int] = {str(name): int(pid) for name, pid in rows}
    viewers = {"proeftuin": Viewer(proeftuin_id=ids[PROEFTUINEN[0].name]), "kenniskring": Viewer()}
    dialect = db.dialect
    timings: Timings = defaultdict(list)

    async def zoek(q: Query) -> None:
        command = router.make_command(
            f"/samen zoek {q.words}", actor, places[q.place], received_at=datetime.now(UTC)
        )
        assert await router.dispatch(command)

    async def ours(q: Query) -> None:
        async with db.reading() as session:
            await search_learnings(session, viewers[q.place], q.words)

    async def raw(q: Query) -> None:
        sql, params = raw_statement(dialect, q.words)
        async with db.reading() as session:
            (await session.execute(text(sql), params)).all()

    async def timed(key: tuple[str, str, str], call: Callable[[], Awaitable[None]]) -> None:
        began, cpu = time.perf_counter(), time.process_time()
        await call()
        timings[key].append((time.perf_counter() - began) * 1000)
        if key[0] == "zoek":
            timings[("cpu", key[1], key[2])].append((time.process_time() - cpu) * 1000)

    if warm:
        for q in qs:
            await zoek(q)
            if q.kind == "selective":
                await ours(q)
                await raw(q)
    order = list(qs)
    random.Random(seed + 3).shuffle(order)
    for i, q in enumerate(order):
        await timed(("zoek", q.kind, q.place), lambda q=q: zoek(q))  # type: ignore[misc]
        if q.kind == "selective":
            pair = [
                (("search_learnings", q.kind, q.place), lambda q=q: ours(q)),
                (("raw", q.kind, q.place), lambda q=q: raw(q)),
            ]
            for key, call in pair if i % 2 else reversed(pair):
                await timed(key, call)  # type: ignore[arg-type]
    await db.close()
    return timings


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def spread(values: list[float], digits: int = 1) -> str:
    middle = statistics.median(values)
    return f"{middle:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def report(backend: str, runs: list[Timings], n: int, per_class: int) -> None:
    print(f"\n{backend}, {n:,} learnings, {per_class} queries a class and place, {len(runs)} runs")
    print("median of the runs (lowest–highest)\n")
    print(
        "| query class | typed in | zoek p50 ms | zoek p95 ms | max ms |"
        " CPU of this process p95 ms |"
    )
    print("|---|---|---:|---:|---:|---:|")
    worst = 0.0
    kinds = list(dict.fromkeys(k for what, k, _ in runs[0] if what == "zoek"))
    order = sorted(
        (key for key in runs[0] if key[0] == "zoek"),
        key=lambda key: (CLASSES.index(key[1]) if key[1] in CLASSES else len(kinds), key[2]),
    )
    for key in order:
        _, kind, place = key
        p50 = [percentile(r[key], 50) for r in runs]
        p95 = [percentile(r[key], 95) for r in runs]
        top = [max(r[key]) for r in runs]
        worst = max(worst, statistics.median(p95))
        cpu = [percentile(r[("cpu", kind, place)], 95) for r in runs]
        print(
            f"| {kind} | {place} | {spread(p50)} | {spread(p95)} | {spread(top)} | {spread(cpu)} |"
        )
    print(f"\nhighest median p95 of any class: {worst:.1f} ms")
    print("\nselective queries beside a raw full-text query of the same words (same run):\n")
    print(
        "| typed in | search_learnings p50 / p95 ms | raw p50 / p95 ms | zoek p95 ms |"
        " search_learnings/raw p50 | p95 | per query, median |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for place in PLACES:
        ours = [r[("search_learnings", "selective", place)] for r in runs]
        raw = [r[("raw", "selective", place)] for r in runs]
        zoek = [r[("zoek", "selective", place)] for r in runs]
        r50 = [percentile(o, 50) / percentile(w, 50) for o, w in zip(ours, raw, strict=True)]
        r95 = [percentile(o, 95) / percentile(w, 95) for o, w in zip(ours, raw, strict=True)]
        per_query = [
            statistics.median(a / b for a, b in zip(o, w, strict=True))
            for o, w in zip(ours, raw, strict=True)
        ]
        print(
            f"| {place} | {spread([percentile(o, 50) for o in ours], 2)} / "
            f"{spread([percentile(o, 95) for o in ours], 2)} | "
            f"{spread([percentile(w, 50) for w in raw], 2)} / "
            f"{spread([percentile(w, 95) for w in raw], 2)} | "
            f"{spread([percentile(z, 95) for z in zoek])} | {spread(r50, 2)}x | "
            f"{spread(r95, 2)}x | {spread(per_query, 2)}x |"
        )


def machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import sqlite3

    load = os.getloadavg()[0]
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"load average {load:.2f} at the start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--learnings", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=40, help="queries a class and place")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/samen-search-bench"))
    parser.add_argument("--database-url", help="PostgreSQL server (needed for postgresql)")
    parser.add_argument(
        "--sqlite-mmap-mb", type=int, default=SQLITE_MMAP_MB, help="as SAMEN_SQLITE_MMAP_MB"
    )
    args = parser.parse_args()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}; SQLite mmap {args.sqlite_mmap_mb} MB"
    )
    for backend in args.backend.split(","):
        if backend == "sqlite":
            url = sqlite_database(args.cache_dir, args.learnings, args.seed)
        elif args.database_url:
            url = postgresql_database(args.database_url, args.learnings, args.seed)
        else:
            print("postgresql: no --database-url given, skipped", file=sys.stderr)
            continue
        names = [p.name for p in PROEFTUINEN]
        qs = queries(args.queries, args.seed, names)
        runs = []
        for run in range(args.runs):
            began = time.perf_counter()
            runs.append(
                asyncio.run(
                    one_run(url, qs, args.seed + run, warm=True, mmap_mb=args.sqlite_mmap_mb)
                )
            )
            print(
                f"  {backend} run {run + 1}: {time.perf_counter() - began:.0f} s", file=sys.stderr
            )
        if backend == "postgresql":
            engine = make_engine(url)
            with engine.connect() as conn:
                version = conn.exec_driver_sql("SHOW server_version").scalar()
            engine.dispose()
            print(f"\nPostgreSQL {version}")
        report(backend, runs, args.learnings, args.queries)


if __name__ == "__main__":
    main()
