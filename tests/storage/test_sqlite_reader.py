"""SQLite's reading connection (storage.sqlite_reader): one hand-off to its thread a statement,
every row still there (also past the first chunk, also streamed), errors as SQLAlchemy's, and
`run_sqlite` on each kind of SQLite connection the bot has."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage import sqlite_reader
from storage.db import Database, make_async_engine
from storage.sqlite_reader import CHUNK, OneHopConnection, run_sqlite

ROWS = 2 * CHUNK + 7
NUMBERS = f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
SELECT i FROM n
"""


class CountingQueue:
    """Stands in for aiosqlite's queue to its thread and counts what is handed over."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.handed = 0

    def put_nowait(self, item: Any) -> None:
        self.handed += 1
        self.queue.put_nowait(item)


async def test_a_statement_is_one_hand_off_and_a_read_ends_with_none(
    sqlite_database: Database,
) -> None:
    async with sqlite_database.reading() as session:
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert isinstance(driver, OneHopConnection)
        counting = CountingQueue(driver._tx)
        driver._tx = counting  # type: ignore[assignment]
        try:
            assert (await session.execute(text("SELECT count(*) FROM learnings"))).scalar() == 0
            assert counting.handed == 1
            rows = (await session.execute(text(NUMBERS))).all()
            assert [r[0] for r in rows] == list(range(1, ROWS + 1))  # past the first chunk
            assert counting.handed == 3  # the statement with its first rows, then the rest
        finally:
            await session.close()
            driver._tx = counting.queue  # type: ignore[assignment]
    assert counting.handed == 3  # the session's end: nothing to roll back, no hand-off


async def test_a_stream_reads_every_row_in_bounded_chunks(sqlite_database: Database) -> None:
    async with sqlite_database.reading() as session:
        stream = await session.stream(text(NUMBERS).execution_options(yield_per=100))
        seen = [row[0] async for row in stream]
    assert seen == list(range(1, ROWS + 1))


async def test_the_cursor_fetches_one_many_and_the_rest(tmp_path: Path) -> None:
    connection = await sqlite_reader.connector(str(tmp_path / "plain.db"))()
    try:
        cursor = connection.cursor()
        await cursor.execute(NUMBERS)
        assert await cursor.fetchone() == (1,)
        assert await cursor.fetchmany(3) == [(2,), (3,), (4,)]
        rest = await cursor.fetchall()
        assert [r[0] for r in rest] == list(range(5, ROWS + 1))
        assert await cursor.fetchone() is None
        await cursor.execute("CREATE TABLE t (x INTEGER)")
        await cursor.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
        assert cursor.rowcount == 2 and cursor.description is None
        assert connection._conn.in_transaction
        await connection.rollback()  # a write is rolled back on the thread
        await cursor.execute("SELECT count(*) FROM t")
        assert await cursor.fetchall() == [(0,)]
        await cursor.close()
    finally:
        await connection.close()


async def test_a_failing_statement_is_sqlalchemys_error_and_the_reader_goes_on(
    sqlite_database: Database,
) -> None:
    async with sqlite_database.reading() as session:
        with pytest.raises(OperationalError):
            await session.execute(text("SELECT * FROM no_such_table"))
    async with sqlite_database.reading() as session:
        assert (await session.execute(text("SELECT 41 + 1"))).scalar() == 42


def _tables(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])


async def test_run_sqlite_on_every_kind_of_connection(sqlite_database: Database) -> None:
    async with sqlite_database.reading() as session:  # the one-hand-off reader
        on_reader = await run_sqlite(await session.connection(), _tables)
    async with sqlite_database.unit_of_work() as session:  # the inline writer, on the loop's thread
        on_writer = await run_sqlite(await session.connection(), _tables)
    plain = make_async_engine(str(sqlite_database.url))  # plain aiosqlite
    try:
        async with plain.connect() as connection:
            on_plain = await run_sqlite(connection, _tables)
    finally:
        await plain.dispose()
    assert on_reader == on_writer == on_plain > 0
