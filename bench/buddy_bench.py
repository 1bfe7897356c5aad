"""Maatjes round benchmark (issue 17, item 2): a pairing round for 2,000 opted-in participants
(7 proeftuinen, 12 themes, 1–3 follows each, ~6,000 tagged learnings of the last six months,
and the pairs of 5 earlier monthly rounds), timed as the round does it: loading who takes part,
their proeftuin and theme weights and the past pairs (`handlers.buddies.plan_round`, four
grouped queries and one for the pairs), and the pure pairing (`pair_round`) beside it. Sending
is not timed. Target: under 1 s for loading and pairing together.

    .venv/bin/python bench/buddy_bench.py                       # SQLite, in a temp folder
    .venv/bin/python bench/buddy_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x

With `--database-url` (PostgreSQL) a fresh database is created on that server and dropped
afterwards: the benchmark never writes into a database it did not create.
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

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.buddies import plan_round  # noqa: E402
from handlers.buddy_pairing import REPEAT_WINDOW, Participant, PastPair, pair_round  # noqa: E402
from storage import buddies  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    BuddyOptIn,
    BuddyPair,
    Follow,
    Learning,
    LearningTheme,
    Member,
    Proeftuin,
    Ring,
    Theme,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PROEFTUINEN, THEMES, PEOPLE, EARLIER_ROUNDS = 7, 12, 2_000, 5


async def fill(database: Database, rng: random.Random) -> None:
    async with database.unit_of_work() as session:
        gardens = [Proeftuin(name=f"Proeftuin {p}") for p in range(PROEFTUINEN)]
        themes = [Theme(slug=f"thema{t}", name=f"Thema {t}") for t in range(THEMES)]
        people = [
            Member(platform="slack", user_id=f"U{n:05d}", display_name=f"Persoon {n}")
            for n in range(PEOPLE)
        ]
        session.add_all([*gardens, *themes, *people])
        await session.flush()
        home = {m.id: rng.choice(gardens).id for m in people}
        theme_ids = [t.id for t in themes]
        await session.execute(
            insert(BuddyOptIn),
            [
                {
                    "member_id": m.id,
                    # 70% said `maatje aan` in their channel; the rest in a DM (learnings decide)
                    "proeftuin_id": home[m.id] if rng.random() < 0.7 else None,
                    "opted_in_at": NOW - timedelta(days=rng.randint(1, 200)),
                }
                for m in people
            ],
        )
        follows = []
        for m in people:
            for theme in rng.sample(theme_ids, rng.randint(1, 3)):
                follows.append(
                    {
                        "member_id": m.id,
                        "theme_id": theme,
                        "proeftuin_id": home[m.id],
                        "created_at": NOW - timedelta(days=rng.randint(1, 300)),
                    }
                )
        await session.execute(insert(Follow), follows)
        learnings = []
        for m in people:
            for _ in range(rng.randint(0, 6)):
                learnings.append(
                    {
                        "text": "inzicht",
                        "author_id": m.id,
                        "proeftuin_id": home[m.id],
                        "ring": Ring.PROEFTUIN.value if rng.random() < 0.1 else "kenniskring",
                        "platform": "slack",
                        "created_at": NOW - timedelta(days=rng.random() * 250),
                        "author_public": False,
                    }
                )
        ids = (await session.execute(insert(Learning).returning(Learning.id), learnings)).scalars()
        tags = [
            {"learning_id": n, "theme_id": t}
            for n in ids
            for t in rng.sample(theme_ids, rng.randint(1, 2))
        ]
        await session.execute(insert(LearningTheme), tags)
        pairs = []
        member_ids = [m.id for m in people]
        for r in range(1, EARLIER_ROUNDS + 1):
            at = NOW - timedelta(days=30 * r)
            order = member_ids[:]
            rng.shuffle(order)
            for a, b in zip(order[0::2], order[1::2], strict=False):
                if home[a] != home[b]:
                    pairs.append(
                        {
                            "round_key": at.date().isoformat(),
                            "member_a_id": min(a, b),
                            "member_b_id": max(a, b),
                            "theme_id": rng.choice(theme_ids),
                            "created_at": at,
                        }
                    )
        await session.execute(insert(BuddyPair), pairs)
    print(
        f"filled: {PEOPLE} opted in, {len(follows)} follows, {len(learnings)} learnings, "
        f"{len(pairs)} past pairs from {EARLIER_ROUNDS} rounds"
    )


async def run(url: str, runs: int) -> bool:
    """Fill, time `runs` rounds, print the figures; True when every run met the target."""
    upgrade(url)
    database = Database(url)
    try:
        await fill(database, random.Random(17))
        totals, pure, made = [], [], 0
        for _ in range(runs):
            began = time.perf_counter()
            async with database.reading() as session:
                plan = await plan_round(session, "2026-12-07", NOW, NOW)
            totals.append((time.perf_counter() - began) * 1000)
            made = len(plan.round.pairs)
            async with database.reading() as session:
                loaded = await buddies.participants(session, NOW, NOW)
                past_rows = await buddies.past_pairs(session, NOW - REPEAT_WINDOW)
            known = [
                Participant(p.member_id, p.proeftuin_id, p.themes, p.platform)
                for p in loaded
                if p.proeftuin_id is not None
            ]
            past = [PastPair(a, b, at) for a, b, at in past_rows]
            began = time.perf_counter()
            pair_round(known, past, NOW, "2026-12-07")
            pure.append((time.perf_counter() - began) * 1000)
        backend = url.split(":", 1)[0].split("+")[0]
        print(f"| backend | load + pair ms, median of {runs} (lowest–highest) | pure pairing ms |")
        print("|---|---|---|")
        print(
            f"| {backend} | {statistics.median(totals):.0f} ({min(totals):.0f}–{max(totals):.0f})"
            f" | {statistics.median(pure):.0f} ({min(pure):.0f}–{max(pure):.0f}) |"
        )
        print(f"{made} pairs, {PEOPLE - 2 * made} left over; target: load + pair under 1000 ms")
        return max(totals) < 1000
    finally:
        await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a fresh database on")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.database_url:
        name = f"samen_buddy_bench_{uuid.uuid4().hex[:10]}"
        server = make_url(args.database_url)
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            met = asyncio.run(run(server.set(database=name).render_as_string(False), args.runs))
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            met = asyncio.run(run(f"sqlite:///{Path(folder) / 'bench.db'}", args.runs))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
