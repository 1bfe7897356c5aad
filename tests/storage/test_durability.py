"""A confirmed capture survives a power cut: every SQLite connection the bot makes commits with
synchronous=FULL (in WAL mode, NORMAL may lose the last commits when the machine loses power)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, text

from storage.db import Database, DatabaseSetupError, check_sqlite_pragmas, make_engine
from storage.migrate import upgrade

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'samen.db'}"
    upgrade(url)
    return url


def test_the_synchronous_engine_commits_durably(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == FULL
            assert str(conn.execute(text("PRAGMA journal_mode")).scalar()).lower() == "wal"
    finally:
        engine.dispose()


async def test_the_writer_and_the_reader_commit_durably(url: str) -> None:
    database = Database(url)
    try:
        assert database.reader is not database.engine  # two engines on a SQLite file
        for engine in (database.engine, database.reader):
            async with engine.connect() as conn:
                assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == FULL
        async with database.unit_of_work() as session:
            assert (await session.execute(text("PRAGMA synchronous"))).scalar() == FULL
    finally:
        await database.close()


def test_the_start_up_check_refuses_a_connection_that_is_not_durable(url: str) -> None:
    engine = make_engine(url)
    try:
        check_sqlite_pragmas(engine)  # as made: fine

        def weaken(dbapi_connection: object, _record: object) -> None:
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")  # type: ignore[attr-defined]

        engine.dispose()
        event.listen(engine, "connect", weaken)
        with pytest.raises(DatabaseSetupError, match="synchronous"):
            check_sqlite_pragmas(engine)
    finally:
        engine.dispose()
