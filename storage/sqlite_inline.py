"""SQLite for the event loop's own thread: an aiosqlite-shaped connection with no thread hops.

SQLAlchemy's asyncio engine wants a driver whose calls are awaitable. aiosqlite provides that
by handing every call (cursor, execute, fetch, close, commit) to a worker thread and back: about
60 µs a hand-off on the reference machine, while the statement itself, an indexed lookup or a
one-row insert, takes a few µs. A captured learning makes some twenty such calls, so the
hand-offs were most of its cost.

The bot's writing connection (the one behind `Database.unit_of_work`, which units of work take
one at a time) therefore runs SQLite where it is called, except the commit: with
synchronous=FULL (storage/db.py) a commit waits for the disk to sync the WAL, 0.3 to several ms
on a shared machine, so it goes to a worker thread and the loop runs on meanwhile. The one
thing that makes SQLite wait is another process holding the write lock; this connection has a
busy timeout of zero and, when a statement or commit meets that lock, sleeps on the event loop
and tries again (what SQLite's own busy handler does, without blocking the loop) until the
configured timeout has passed.
Long read-only queries (search, digest, exports) go through `Database.reading`, which keeps
aiosqlite's worker thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

FIRST_PAUSE_S = 0.001
LONGEST_PAUSE_S = 0.05
STEP_S = 0.001  # statements run back to back before the loop gets a turn (acks, heartbeats)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    """True when SQLite refused for a lock another connection holds (worth waiting for).

    SQLITE_BUSY_SNAPSHOT is not: a read transaction that saw an older snapshot can never be
    upgraded to write, so SQLite itself does not wait for it either."""
    code: int | None = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "database is locked" in str(error)
    return code & 0xFF == sqlite3.SQLITE_BUSY and code != sqlite3.SQLITE_BUSY_SNAPSHOT


async def _patiently(call: Callable[[], T], timeout_s: float) -> T:
    """Run `call`; while SQLite answers busy, pause on the event loop and try again."""
    deadline = time.monotonic() + timeout_s
    pause = FIRST_PAUSE_S
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE_S)


async def _patiently_in_thread(call: Callable[[], T], timeout_s: float) -> T:
    """`_patiently`, with `call` run in a worker thread: for a commit, which waits for the disk
    (synchronous=FULL syncs the WAL at every commit) and must not hold up the loop meanwhile."""
    deadline = time.monotonic() + timeout_s
    pause = FIRST_PAUSE_S
    while True:
        try:
            return await asyncio.to_thread(call)
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE_S)


class InlineCursor:
    """The cursor half of the aiosqlite interface that SQLAlchemy's adapter calls."""

    def __init__(self, connection: InlineConnection) -> None:
        self._owner = connection
        self._cursor = connection._conn.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        args = () if parameters is None else parameters
        await self._owner.take_turns()
        await _patiently(lambda: self._cursor.execute(sql, args), self._owner.busy_timeout_s)
        return self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(rows)
        await self._owner.take_turns()
        await _patiently(lambda: self._cursor.executemany(sql, rows), self._owner.busy_timeout_s)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _Immediately:
    """Stands in for aiosqlite's request queue, which SQLAlchemy uses to set isolation_level."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller, as aiosqlite does
            future.set_exception(error)


class InlineConnection:
    """The connection half of the aiosqlite interface, running sqlite3 on the calling thread."""

    _tx = _Immediately()

    def __init__(self, conn: sqlite3.Connection, busy_timeout_s: float) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn  # aiosqlite's "still open" marker
        self.busy_timeout_s = busy_timeout_s
        self._turn = 0.0  # when this connection's work last let the loop run

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def take_turns(self) -> None:
        """Let the event loop run other callbacks when this connection's work has held it for
        more than `STEP_S`: a batch of captures is many statements on the loop's thread, and
        an acknowledgement waiting behind all of them is late."""
        if time.perf_counter() - self._turn > STEP_S:
            await asyncio.sleep(0)
            self._turn = time.perf_counter()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        # The one call that leaves the loop's thread: it waits for the disk's sync. Nothing else
        # uses this connection meanwhile (SQLAlchemy awaits the commit before going on).
        await _patiently_in_thread(self._conn.commit, self.busy_timeout_s)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        """Force-close (SQLAlchemy's terminate); nothing runs elsewhere, so close now."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def connector(path: str, busy_timeout_s: float) -> Callable[[], Awaitable[InlineConnection]]:
    """An `async_creator` for `create_async_engine`: new inline connections to `path`.

    The sqlite3 connection keeps the driver's defaults (implicit BEGIN before a write), as
    aiosqlite does; `check_same_thread` is off only so SQLAlchemy may close it from the
    garbage collector's thread. Its pragmas (WAL, foreign keys, synchronous=FULL so that a
    confirmed commit survives a power cut) are set by `storage.db`'s connect listener, the
    same as on every other SQLite connection of the bot."""

    async def connect() -> InlineConnection:
        conn = sqlite3.connect(path, timeout=0, check_same_thread=False)
        return InlineConnection(conn, busy_timeout_s)

    return connect
