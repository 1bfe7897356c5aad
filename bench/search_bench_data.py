"""The search benchmark's databases (bench/search_bench.py): seeded once per backend with
`bot.tools.seed.seed_learnings` plus a tail of rare made-up words, and kept for the next run
(SQLite in a cache folder, PostgreSQL as `samen_search_bench_<n>`)."""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tools.seed import seed_learnings  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

RARE_WORDS = 2_000
RARE_MARK = "zqv"  # every rare word starts with it
SYLLABLES = ["ba", "bo", "du", "ke", "li", "mo", "na", "pe", "ri", "so", "tu", "ve", "wa", "zo"]


# --- the database ------------------------------------------------------------------------


def rare_words(seed: int) -> list[str]:
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < RARE_WORDS:
        words.add(RARE_MARK + "".join(rng.choices(SYLLABLES, k=3)))
    return sorted(words)


def _count(url: str) -> tuple[int, int]:
    """(learnings, learnings with a rare word), or (-1, 0) when there is no such database."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            total = conn.exec_driver_sql("SELECT count(*) FROM learnings").scalar_one()
            marked = conn.execute(
                text("SELECT count(*) FROM learnings WHERE text LIKE :m"),
                {"m": f"% {RARE_MARK}%"},
            ).scalar_one()
            return int(total), int(marked)
    except Exception:
        return -1, 0
    finally:
        engine.dispose()


def add_rare_words(url: str, n: int, seed: int) -> int:
    """Append rare words to random learnings: word k to about 300 / (k + 1)^0.8 of them."""
    rng = random.Random(seed + 1)
    updates: dict[int, str] = {}
    for rank, word in enumerate(rare_words(seed)):
        for _ in range(max(1, int(300 / (rank + 1) ** 0.8))):
            learning = rng.randint(1, n)
            updates[learning] = updates.get(learning, "") + " " + word
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE learnings SET text = text || :w WHERE id = :i"),
            [{"i": i, "w": w} for i, w in sorted(updates.items())],
        )
    engine.dispose()
    return len(updates)


def _analyse(url: str) -> None:
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("INSERT INTO learnings_fts(learnings_fts) VALUES ('optimize')")
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def _fill(url: str, n: int, seed: int) -> None:
    upgrade(url)
    began = time.perf_counter()
    seed_learnings(url, n, random_seed=seed, now=datetime(2026, 11, 30, tzinfo=UTC))
    rows = add_rare_words(url, n, seed)
    _analyse(url)
    print(
        f"  seeded {n:,} learnings ({rows:,} with a rare word) in "
        f"{time.perf_counter() - began:.0f} s",
        file=sys.stderr,
    )


def sqlite_database(cache: Path, n: int, seed: int) -> str:
    """The cached SQLite file with `n` seeded learnings (seeded now if it is not there yet)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"sqlite-{n}.db"
    url = f"sqlite:///{path}"
    if _count(url)[0] == n and _count(url)[1] > 0:
        print(f"reusing {path}", file=sys.stderr)
        upgrade(url)
        return url
    print(f"seeding {path}", file=sys.stderr)
    building = cache / f"sqlite-{n}.building.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    _fill(f"sqlite:///{building}", n, seed)
    building.rename(path)
    return url


def postgresql_database(server: str, n: int, seed: int) -> str:
    """The database `samen_search_bench_<n>` on `server`, seeded once and kept."""
    name = f"samen_search_bench_{n}"
    url = make_url(server).set(database=name).render_as_string(False)
    total, marked = _count(url)
    if total == n:
        print(f"reusing PostgreSQL database {name}", file=sys.stderr)
        upgrade(url)
        if marked == 0:  # seeded by seed_learnings alone
            add_rare_words(url, n, seed)
            _analyse(url)
        return url
    print(f"seeding PostgreSQL database {name}", file=sys.stderr)
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    _fill(url, n, seed)
    return url
