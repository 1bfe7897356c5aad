"""Seed benchmark: time `seed_learnings` on a fresh database (FTS5 index included on SQLite).

    .venv/bin/python bench/seed_bench.py [-n 1000000] [--batch-size 50000] [--db PATH]
    .venv/bin/python bench/seed_bench.py -n 100000 --database-url postgresql+psycopg://…

Without `--db` the SQLite file lives in a temporary folder and is removed afterwards. With
`--database-url` a fresh database is created on that PostgreSQL server and dropped afterwards.
Prints seconds and rows per second; the migration itself is not timed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tools.seed import BATCH_SIZE, SeedSummary, seed_learnings  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402


def run(url: str, n: int, batch_size: int, seed: int) -> SeedSummary:
    upgrade(url)
    began = time.perf_counter()

    def progress(done: int) -> None:
        elapsed = time.perf_counter() - began
        print(f"\r  {done:,} / {n:,} learnings, {elapsed:.1f} s", end="", file=sys.stderr)

    summary = seed_learnings(url, n, random_seed=seed, batch_size=batch_size, progress=progress)
    print(file=sys.stderr)
    return summary


def report(backend: str, summary: SeedSummary) -> None:
    rate = summary.added / summary.seconds if summary.seconds else 0.0
    print("| backend | learnings | theme links | seconds | rows/s |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| {backend} | {summary.added:,} | {summary.theme_links:,} | "
        f"{summary.seconds:.1f} | {rate:,.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--learnings", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--random-seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="SQLite file to create (must not exist)")
    parser.add_argument("--database-url", help="PostgreSQL server to create a database on")
    args = parser.parse_args()

    if args.database_url:
        name = f"samen_bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(args.database_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(args.database_url).set(database=name).render_as_string(False)
        try:
            report("postgresql", run(url, args.learnings, args.batch_size, args.random_seed))
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.engine.dispose()
        return
    if args.db:
        if args.db.exists():
            raise SystemExit(f"{args.db} exists; give a new file")
        report(
            "sqlite", run(f"sqlite:///{args.db}", args.learnings, args.batch_size, args.random_seed)
        )
        return
    with tempfile.TemporaryDirectory(prefix="samen-seed-") as folder:
        url = f"sqlite:///{Path(folder) / 'seed.db'}"
        report("sqlite", run(url, args.learnings, args.batch_size, args.random_seed))


if __name__ == "__main__":
    main()
