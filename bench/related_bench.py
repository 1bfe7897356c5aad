"""Related learnings benchmark (issue 17, item 1): `related_learnings` as `lijkt` and a capture
run it, at the learnings of a seeded database, beside a raw FTS5 query of the same words.

    .venv/bin/python bench/related_bench.py --database /tmp/rel-bench/sqlite-1000000.db

The database is one `bench/search_bench.py` seeded (`samen-bot seed`'s sentences: "bewoners"
and "gemeente" each in ~40% of the rows), upgraded to the newest schema first; use a copy.
`--asks` learnings are drawn at random; each asks, from its own proeftuin's channel (a
participant's view), for the learnings of other proeftuinen alike: the one query of
`storage.related` (every pair of its significant words, the newest `WALK` matches) plus
the scoring. Beside it, alternating, the raw query: FTS5 `MATCH` of the OR of the same stems,
`ORDER BY rank LIMIT 3`. Prints p50 and p95 of both, in milliseconds, and the load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Learning  # noqa: E402
from storage.related import related_learnings, significant_words  # noqa: E402
from storage.search_terms import term_stems  # noqa: E402
from storage.visibility import Viewer  # noqa: E402


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(path: str, asks: int, seed: int) -> None:
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    rng = random.Random(seed)
    ours: list[float] = []
    raw: list[float] = []
    found = 0
    async with db.reading() as session:
        top = int((await session.execute(text("SELECT max(id) FROM learnings"))).scalar() or 0)
        ids = rng.sample(range(1, top + 1), asks)
        for learning_id in ids:
            learning = await session.get(Learning, learning_id)
            if learning is None:
                continue
            words = significant_words(learning.text)
            stems = sorted({s for w in words for s in term_stems(w)})
            start = time.perf_counter()
            related = await related_learnings(
                session,
                Viewer(proeftuin_id=learning.proeftuin_id),
                learning.text,
                exclude_proeftuin_id=learning.proeftuin_id,
                exclude_learning_id=learning.id,
            )
            ours.append((time.perf_counter() - start) * 1000)
            found += bool(related)
            if stems:
                match = " OR ".join(f'"{s}"' for s in stems)
                start = time.perf_counter()
                await session.execute(
                    text(
                        "SELECT rowid FROM learnings_fts WHERE learnings_fts MATCH :m "
                        "ORDER BY rank LIMIT 3"
                    ),
                    {"m": f"text : ({match})"},
                )
                raw.append((time.perf_counter() - start) * 1000)
        count = (await session.execute(select(Learning.id).order_by(Learning.id.desc()))).first()
    await db.close()
    print(f"related learnings at {count[0] if count else 0:,} learnings (SQLite), {len(ours)} asks")
    print(f"  related_learnings: p50 {statistics.median(ours):.1f} ms, p95 {_p(ours, 0.95):.1f} ms")
    print(f"  raw FTS5 OR, rank: p50 {statistics.median(raw):.1f} ms, p95 {_p(raw, 0.95):.1f} ms")
    print(f"  asks with a suggestion: {found}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--asks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    asyncio.run(main(args.database, args.asks, args.seed))
