"""Search benchmark: `search_learnings` against a raw FTS5 bm25 query on a large SQLite database.

    .venv/bin/python bench/search_bench.py --learnings 1000000 --db data/bench-1m.db

Fills the database at the head revision (once; an existing file with N learnings is reused),
then times selective queries (a rare word, a rare word with a common one, a prefix) and common
ones (words in ~40% of all learnings) through `Database.reading()` (the session `zoek` searches
in), with a viewer in one proeftuin.
Prints a Markdown table of p50/p95/p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.db import Database, make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.search import COMMON_WORD, search_learnings  # noqa: E402
from storage.search_terms import fts5_query, query_terms  # noqa: E402
from storage.visibility import Viewer  # noqa: E402

PROEFTUINEN = ["Almere", "Deventer", "Groningen", "Heerlen", "Leeuwarden", "Rotterdam", "Zwolle"]
THEMES = ["wonen", "zorg", "werk", "energie", "armoede", "jeugd", "veiligheid", "mobiliteit"]
COMMON = {"bewoners": 0.40, "gemeente": 0.38}  # content words in ~40% of all learnings


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _words("de het een en van in op met voor dat is niet we ze bij om ook als")
DOMAIN_WORDS = _words(
    "buurt wijk samenwerking vertrouwen coöperatie zeggenschap participatie netwerk huurders "
    "woningcorporatie mantelzorg vrijwilligers ondernemers jongeren ouderen school wijkteam "
    "schuldhulp armoede energiearmoede isolatie warmtepomp zonnepanelen buurthuis ontmoeting "
    "eenzaamheid gezondheid huisarts welzijn bibliotheek taalles inburgering werkgever stage "
    "leerwerkplek bestuurder ambtenaar wethouder raad begroting subsidie experiment evaluatie "
    "monitor dashboard proces regie eigenaarschap verbinding draagvlak communicatie"
)
SYLLABLES = _words(
    "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu "
    "pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu wa we wi wo zo "
    "aan ver ont her ge be in uit over door mee tus sen ing heid lijk schap baar erd ster"
)
BATCH = 20_000


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


def texts(rng: random.Random, n: int) -> Iterator[str]:
    """Dutch-ish sentences: function words, domain words, a Zipf tail, common words at ~40%."""
    tail = vocabulary(rng, 30_000)
    words = FUNCTION_WORDS + DOMAIN_WORDS + tail
    weights = (
        [40.0] * len(FUNCTION_WORDS)
        + [3.0] * len(DOMAIN_WORDS)
        + [8.0 / (rank + 10) for rank in range(len(tail))]
    )
    cum: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    for _ in range(n):
        sentence = rng.choices(words, cum_weights=cum, k=rng.randint(12, 40))
        for word, share in COMMON.items():
            if rng.random() < share:
                sentence.insert(rng.randrange(len(sentence) + 1), word)
        yield sentence[0].capitalize() + " " + " ".join(sentence[1:]) + "."


def count_learnings(path: Path) -> int:
    if not path.exists():
        return -1
    try:
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT count(*) FROM learnings").fetchone()[0])
    except sqlite3.Error:
        return -1


def fill(path: Path, n: int, seed: int) -> None:
    """A fresh database at head with `n` learnings (FTS kept in sync by the triggers)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = timedelta(days=730) / max(n, 1)
    ring_choices = ["kenniskring"] * 7 + ["proeftuin"] * 2 + ["buitenwereld"]
    engine = make_engine(url)
    began = time.perf_counter()
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        now = start.strftime("%Y-%m-%d %H:%M:%S.%f")
        raw.executemany(
            "INSERT INTO proeftuinen (id, name, created_at) VALUES (?, ?, ?)",
            [(i + 1, name, now) for i, name in enumerate(PROEFTUINEN)],
        )
        raw.executemany(
            "INSERT INTO themes (id, slug, name, keywords, created_at) VALUES (?, ?, ?, '', ?)",
            [(i + 1, slug, slug.capitalize(), now) for i, slug in enumerate(THEMES)],
        )
        raw.executemany(
            "INSERT INTO members (id, platform, user_id, display_name, role, created_at)"
            " VALUES (?, 'console', ?, ?, 'deelnemer', ?)",
            [(i + 1, f"u{i}", f"Deelnemer {i}", now) for i in range(200)],
        )
        learnings: list[tuple[object, ...]] = []
        tags: list[tuple[int, int]] = []
        for i, body in enumerate(texts(rng, n), start=1):
            created = (start + step * i).strftime("%Y-%m-%d %H:%M:%S.%f")
            learnings.append(
                (i, body, rng.randint(1, 200), rng.randint(1, 7), rng.choice(ring_choices), created)
            )
            for theme in rng.sample(range(1, len(THEMES) + 1), k=rng.choice((0, 1, 1, 2))):
                tags.append((i, theme))
            if len(learnings) == BATCH or i == n:
                raw.executemany(
                    "INSERT INTO learnings (id, text, author_id, proeftuin_id, ring, platform,"
                    " created_at) VALUES (?, ?, ?, ?, ?, 'console', ?)",
                    learnings,
                )
                raw.executemany(
                    "INSERT INTO learning_themes (learning_id, theme_id) VALUES (?, ?)", tags
                )
                learnings.clear()
                tags.clear()
                print(f"\r  {i:,} / {n:,} learnings", end="", file=sys.stderr, flush=True)
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO learnings_fts(learnings_fts) VALUES ('optimize')")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    engine.dispose()
    print(f"\n  filled in {time.perf_counter() - began:.0f} s", file=sys.stderr)


def pick_queries(path: Path, count: int, seed: int) -> tuple[list[str], list[str]]:
    """Selective queries (rare words, rare + common, prefixes) and common-word queries."""
    rng = random.Random(seed)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab"
            " USING fts5vocab(main, learnings_fts, row)"
        )
        total = conn.execute("SELECT count(*) FROM learnings").fetchone()[0]
        rare = [
            term
            for (term,) in conn.execute(
                "SELECT term FROM temp.vocab WHERE doc BETWEEN ? AND ? AND length(term) > 5",
                (max(2, total // 20_000), max(20, total // 500)),
            )
        ]
    if not rare:
        raise SystemExit("no selective words found; use more learnings")
    common = list(COMMON)
    selective: list[str] = []
    for i in range(count):
        word = rng.choice(rare)
        kind = i % 4
        if kind == 0:
            selective.append(word)
        elif kind == 1:
            selective.append(f"{rng.choice(common)} {word}")
        elif kind == 2:
            selective.append(f"{word} {rng.choice(rare)[:5]}")  # two words, the last a prefix
        else:
            selective.append(word[:-1])  # a prefix: what someone still typing sends
    common_queries = [
        "bewoners",
        "gemeente",
        "bewoners gemeente",
        "gemeente bewoners",
        "Bewoners!",
        "bewoners en gemeente",
    ]
    return selective, [common_queries[i % len(common_queries)] for i in range(count)]


def match_expressions(path: Path, queries: list[str]) -> dict[str, str]:
    """The FTS5 expression search_learnings uses for each query (a common last word: exact)."""
    expressions: dict[str, str] = {}
    with sqlite3.connect(path) as conn:
        for words in queries:
            terms = query_terms(words)
            occurrences = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM learnings_fts_vocab WHERE term = ? LIMIT ?)",
                (terms[-1].text, COMMON_WORD),
            ).fetchone()[0]
            common = terms[-1].prefix and occurrences >= COMMON_WORD
            expressions[words] = fts5_query(terms, prefix=not common)
    return expressions


Timed = Callable[[AsyncSession, str], Awaitable[object]]


async def measure(
    db: Database, queries: list[str], runs: list[Timed], clock: Callable[[], float]
) -> list[list[float]]:
    """Milliseconds of each run on each query; the runs take turns, so both see the same noise."""
    for query in dict.fromkeys(queries):  # warm the caches: every query once, every way
        for run in runs:
            async with db.reading() as session:
                await run(session, query)
    timings: list[list[float]] = [[] for _ in runs]
    for i, query in enumerate(queries):
        order = list(enumerate(runs))
        if i % 2:
            order.reverse()
        for which, run in order:
            async with db.reading() as session:
                began = clock()
                await run(session, query)
                timings[which].append((clock() - began) * 1000)
    return timings


def percentiles(timings: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


async def bench(path: Path, count: int, seed: int, clock_name: str) -> None:
    selective, common = pick_queries(path, count, seed)
    db = Database(f"sqlite:///{path}")
    viewer = Viewer(proeftuin_id=3)

    async def ours(session: AsyncSession, words: str) -> object:
        return await search_learnings(session, viewer, words)

    raw_sql = text(
        "SELECT rowid FROM learnings_fts WHERE learnings_fts MATCH :q ORDER BY rank LIMIT 10"
    )
    match = match_expressions(path, selective + common)

    async def raw(session: AsyncSession, words: str) -> object:
        return (await session.execute(raw_sql, {"q": match[words]})).all()

    clock = time.perf_counter if clock_name == "wall" else time.process_time
    ours_ms, raw_ms = await measure(db, selective + common, [ours, raw], clock)
    await db.close()
    n = len(selective)
    rows: list[tuple[str, str, list[float]]] = []
    for name, part in (("selective", slice(0, n)), ("common (~40%)", slice(n, None))):
        rows.append(("search_learnings", name, ours_ms[part]))
        rows.append(("raw FTS5 bm25", name, raw_ms[part]))
    rows.append(("search_learnings", "mixed (both sets)", ours_ms))
    rows.append(("raw FTS5 bm25", "mixed (both sets)", raw_ms))

    learnings = count_learnings(path)
    print(
        f"\n{learnings:,} learnings, {count} queries a set, viewer in one proeftuin,"
        f" {clock_name} clock\n"
    )
    print("| query | set | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---:|---:|---:|")
    for query, name, timings in rows:
        p50, p95, p99 = percentiles(timings)
        print(f"| {query} | {name} | {p50:.2f} | {p95:.2f} | {p99:.2f} |")
    ours_sel = percentiles(rows[0][2])
    raw_sel = percentiles(rows[1][2])
    ratios = [o / r for o, r in zip(rows[0][2], rows[1][2], strict=True)]
    per_query = percentiles(ratios)
    print(
        f"\nselective, search_learnings / raw: p50 {ours_sel[0] / raw_sel[0]:.2f}x,"
        f" p95 {ours_sel[1] / raw_sel[1]:.2f}x; per query (same words, back to back):"
        f" median {per_query[0]:.2f}x, p95 {per_query[1]:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--learnings", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (reused if it fits)")
    parser.add_argument("--queries", type=int, default=200, help="queries in each set")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="wall: elapsed time; cpu: process CPU time (steadier on a busy machine)",
    )
    args = parser.parse_args()
    path: Path = args.db or Path(f"data/bench-search-{args.learnings}.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    if count_learnings(path) != args.learnings:
        print(f"filling {path} with {args.learnings:,} learnings", file=sys.stderr)
        fill(path, args.learnings, args.seed)
    else:
        print(f"reusing {path}", file=sys.stderr)
    asyncio.run(bench(path, args.queries, args.seed, args.clock))


if __name__ == "__main__":
    main()
