"""SQLite's reading connection: aiosqlite's worker thread, one hand-off a statement.

`Database.reading` keeps read-only queries (search, digest, exports) off the event loop's
thread, on aiosqlite's worker. Through SQLAlchemy's adapter a plain aiosqlite connection hands
each statement to that thread and back four times (make the cursor, execute, fetch, close),
about 0.1 ms each on a 2-core machine, while a selective search's statement itself takes
a few tenths of a millisecond: the hand-offs were most of its cost.

`OneHopConnection` is aiosqlite's connection, on its own thread, with a cursor that executes
and fetches the first `CHUNK` rows in one hand-off, closes itself there when that is all, and
only goes back to the thread for more rows (a streamed export, `yield_per`). A rollback with
no transaction open (a reader that only read) does not hand off at all.

`run_sqlite` runs a function of several statements (search: the vocabulary look-up, then the
search) on a session's own SQLite connection in one hand-off.
"""

from __future__ import annotations

import sqlite3
from collections import deque, namedtuple
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import lru_cache, partial
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.sqlite_inline import InlineConnection

T = TypeVar("T")

CHUNK = 512  # rows fetched with the statement; more only on asking (a stream stays bounded)


class OneHopCursor:
    """The cursor half of the aiosqlite interface SQLAlchemy's adapter calls, with the
    execution and the first rows fetched in one call on the connection's thread."""

    def __init__(self, connection: OneHopConnection) -> None:
        self._owner = connection
        self._cursor: sqlite3.Cursor | None = None
        self._rows: deque[Any] = deque()
        self._exhausted = True
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # --- on the connection's thread ----------------------------------------------------------

    def _run(self, call: Callable[[sqlite3.Cursor], object]) -> None:
        if self._cursor is None:
            self._cursor = self._owner._conn.cursor()
        cursor = self._cursor
        call(cursor)
        self.description = cursor.description
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid
        self._rows.clear()
        self._exhausted = cursor.description is None
        if not self._exhausted:
            self._take(cursor, CHUNK)
        if self._exhausted:
            self._release()

    def _take(self, cursor: sqlite3.Cursor, size: int | None) -> None:
        rows = cursor.fetchall() if size is None else cursor.fetchmany(size)
        self._rows.extend(rows)
        self._exhausted = size is None or len(rows) < size
        if self._exhausted:
            self._release()

    def _release(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None

    async def _more(self, size: int | None) -> None:
        if not self._exhausted and self._cursor is not None:
            await self._owner.run(self._take, self._cursor, size)

    # --- what the adapter awaits -------------------------------------------------------------

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneHopCursor:
        args = () if parameters is None else parameters
        await self._owner.run(self._run, lambda cursor: cursor.execute(sql, args))
        return self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> OneHopCursor:
        rows = list(rows)
        await self._owner.run(self._run, lambda cursor: cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        if not self._rows:
            await self._more(max(self.arraysize, CHUNK))
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = self.arraysize if size is None else size
        if len(self._rows) < wanted:
            await self._more(max(wanted - len(self._rows), CHUNK))
        return [self._rows.popleft() for _ in range(min(wanted, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        await self._more(None)
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()
        if self._cursor is not None and self._owner._connection is not None:
            await self._owner.run(self._release)


class OneHopConnection(aiosqlite.Connection):
    """aiosqlite's connection with `OneHopCursor`s. Its thread is a daemon: a reading
    connection that was never closed (dropped by a crashed task) does not keep the process
    from exiting; it holds no write to finish."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._thread.daemon = True

    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """`call(*args)` on this connection's thread."""
        return await _hand_off(self, call, *args)

    async def rollback(self) -> None:
        conn = self._connection
        if conn is not None and not conn.in_transaction:
            return  # only read: nothing to roll back, no hand-off
        await super().rollback()


def connector(path: str) -> Callable[[], Awaitable[OneHopConnection]]:
    """An `async_creator` for `create_async_engine`: new reading connections to `path`.

    `check_same_thread` is off so that the event loop's thread may ask whether a transaction
    is open (and SQLAlchemy may close a connection from the garbage collector's thread); the
    statements themselves all run on the connection's own thread."""

    async def connect() -> OneHopConnection:
        opening = partial(sqlite3.connect, path, check_same_thread=False)
        connection = OneHopConnection(opening, iter_chunk_size=64)
        await connection  # starts its thread and opens the file there
        return connection

    return connect


async def run_sqlite(connection: AsyncConnection, call: Callable[[sqlite3.Connection], T]) -> T:
    """`call(sqlite3 connection)` on the thread that the SQLite connection behind `connection`
    runs on: aiosqlite's worker (one hand-off for all its statements), or, for the inline
    writer (`storage.sqlite_inline`), right here on the event loop's thread."""
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if isinstance(driver, InlineConnection):
        return call(driver._conn)
    if not isinstance(driver, aiosqlite.Connection):
        raise TypeError(f"not a SQLite connection: {type(driver).__name__}")
    return await _hand_off(driver, call, driver._conn)


async def _hand_off(connection: aiosqlite.Connection, call: Callable[..., T], *args: Any) -> T:
    """Through aiosqlite's own queue to its thread (`Connection._execute`)."""
    execute: Callable[..., Awaitable[T]] = connection._execute
    return await execute(call, *args)


@lru_cache(maxsize=64)
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names)  # noqa: PYI024


def named_rows(cursor: sqlite3.Cursor) -> list[Any]:
    """A cursor's rows with their columns by name (`row.id`), as SQLAlchemy's rows have."""
    row = _row_type(tuple(d[0] for d in cursor.description))
    return [row._make(values) for values in cursor.fetchall()]
