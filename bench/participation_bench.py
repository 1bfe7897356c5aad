"""Participation chart benchmark (issue 17): `deelname 104` for 7 proeftuinen, timed as the
command does it: the counts per proeftuin and week through the ring rule
(`storage.participation.table`, four grouped queries) and the PNG (`chart_png`, matplotlib's
Agg canvas), with 50,000 learnings over the two years, 10% ring `proeftuin`, a quarter answering
a prompt, and 10,000 recognitions and 10,000 enrichments. Target: under 1 s in all.

    .venv/bin/python bench/participation_bench.py                     # SQLite, in a temp folder
    .venv/bin/python bench/participation_bench.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/x

With `--pg` a fresh database is created on that PostgreSQL server and dropped afterwards: the
benchmark never writes into a database it did not create.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.i18n import Translator  # noqa: E402
from handlers.participation import last_weeks  # noqa: E402
from handlers.participation_chart import chart_png  # noqa: E402
from storage import participation  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Enrichment, Learning, Proeftuin, Prompt, Recognition, Ring  # noqa: E402
from storage.visibility import Viewer  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
WEEKS, PROEFTUINEN, LEARNINGS, ACTS = 104, 7, 50_000, 10_000


async def fill(database: Database, rng: random.Random) -> None:
    start = NOW - timedelta(weeks=WEEKS)
    span = (NOW - start).total_seconds()

    def moment() -> datetime:
        return start + timedelta(seconds=rng.random() * span)

    async with database.unit_of_work() as session:
        tuinen = [Proeftuin(name=f"Proeftuin {p}") for p in range(PROEFTUINEN)]
        prompt = Prompt(question="Wat werkte?", created_at=start)
        session.add_all([*tuinen, prompt])
        await session.flush()
        ids = [t.id for t in tuinen]
        rows = [
            {
                "text": f"inzicht {n}",
                "proeftuin_id": rng.choice(ids),
                "ring": Ring.PROEFTUIN.value if rng.random() < 0.1 else Ring.KENNISKRING.value,
                "created_at": moment(),
                "prompt_id": prompt.id if rng.random() < 0.25 else None,
                "platform": "console",
                "author_public": False,
            }
            for n in range(LEARNINGS)
        ]
        await session.execute(insert(Learning), rows)
        pairs = {(rng.randint(1, LEARNINGS), rng.choice(ids)) for _ in range(ACTS)}
        await session.execute(
            insert(Recognition),
            [{"learning_id": n, "proeftuin_id": p, "created_at": moment()} for n, p in pairs],
        )
        await session.execute(
            insert(Enrichment),
            [
                {
                    "learning_id": rng.randint(1, LEARNINGS),
                    "proeftuin_id": rng.choice(ids),
                    "text": "ook bij ons",
                    "created_at": moment(),
                }
                for _ in range(ACTS)
            ],
        )


async def run(url: str, rounds: int) -> None:
    upgrade(url)
    database = Database(url)
    try:
        await fill(database, random.Random(17))
        weeks = last_weeks(NOW, WEEKS, TZ)
        t = Translator("nl", TZ)
        counts, drawing = [], []
        for _ in range(rounds):
            began = time.perf_counter()
            async with database.reading() as session:
                rows = await participation.table(session, weeks, Viewer())
            middle = time.perf_counter()
            png = await asyncio.to_thread(chart_png, t, rows, weeks, "Deelname")
            counts.append((middle - began) * 1000)
            drawing.append((time.perf_counter() - middle) * 1000)
        total = [a + b for a, b in zip(counts, drawing, strict=True)]
        print(f"| backend | counts ms | chart ms | total ms (median of {rounds}) | PNG |")
        print("|---|---|---|---|---|")
        backend = url.split(":", 1)[0]
        print(
            f"| {backend} | {statistics.median(counts):.0f} | {statistics.median(drawing):.0f}"
            f" | {statistics.median(total):.0f} (max {max(total):.0f}) | {len(png) // 1024} kB |"
        )
    finally:
        await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server to create a fresh database on")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.pg:
        name = f"samen_participation_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(
            make_url(args.pg).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            asyncio.run(
                run(make_url(args.pg).set(database=name).render_as_string(False), args.rounds)
            )
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(f"sqlite:///{Path(folder) / 'bench.db'}", args.rounds))


if __name__ == "__main__":
    main()
