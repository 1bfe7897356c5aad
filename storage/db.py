"""Engines and sessions: URL normalisation, SQLite pragmas (WAL, foreign keys, busy timeout,
durable commits)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline, sqlite_reader
from storage.checkpoint import Checkpointer
from storage.search_terms import approximate_rank, index_facets, index_text

SQLITE_BUSY_TIMEOUT_MS = 10_000
# A capture the bot confirmed must survive a power cut. In WAL mode synchronous=NORMAL syncs
# only at checkpoints, so the last commits before a power loss may vanish; FULL syncs the WAL
# at every commit (its cost is measured in bench/capture_bench.py, docs/PERFORMANCE.md).
SQLITE_SYNCHRONOUS = "FULL"
SQLITE_SYNCHRONOUS_LEVEL = 2  # what PRAGMA synchronous reads back for FULL
# SQLite reads the database file through a memory map of at most this many MB per connection
# (`SAMEN_SQLITE_MMAP_MB`; 0: ordinary reads into SQLite's page cache). The mapped pages are the
# OS page cache, shared and reclaimable, yet they count in the process's resident memory (RssFile),
# once for each connection's map that holds them: 256 MB on a 1,000,000-learning file made
# `serve` show 600-830 MB resident, 166 MB without (bench/memory_bench.py, docs/PERFORMANCE.md).
SQLITE_MMAP_MB = 0
SQLITE_STEM_FUNCTION = "samen_stem"
SQLITE_FACETS_FUNCTION = "samen_facets"


class DatabaseSetupError(RuntimeError):
    """The database cannot be used as configured (message is meant for the operator)."""


def _normalise(url: str, *, use_async: bool) -> str:
    """Pick the driver we support for the URL's backend, creating SQLite's folder if needed."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        driver = "aiosqlite" if use_async else "pysqlite"
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return parsed.set(drivername=f"sqlite+{driver}").render_as_string(hide_password=False)
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise DatabaseSetupError(f"SAMEN_DATABASE_URL: unsupported database {backend!r}")


def _sqlite_pragmas(
    dbapi_connection: Any,
    _record: Any,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    autocheckpoint: bool = True,
    mmap_mb: int = SQLITE_MMAP_MB,
) -> None:
    cursor = dbapi_connection.cursor()
    if not autocheckpoint:
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # storage.checkpoint does it off the loop
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute(f"PRAGMA mmap_size={int(mmap_mb) * 1024 * 1024}")
    cursor.close()
    register_functions(dbapi_connection)


def register_functions(dbapi_connection: Any) -> None:
    """The SQL functions the schema's triggers call: `samen_stem(text)`, the words the full-text
    index holds (`storage.search_terms.index_text`; revision 0005), and `samen_facets(proeftuin,
    theme ids)`, its proeftuin and theme tokens (`index_facets`; revision 0006)."""
    dbapi_connection.create_function(SQLITE_STEM_FUNCTION, 1, index_text, deterministic=True)
    dbapi_connection.create_function(SQLITE_FACETS_FUNCTION, 2, index_facets, deterministic=True)
    # and for search's ranking of many candidates (storage.search)
    dbapi_connection.create_function("samen_rank", 2, approximate_rank, deterministic=True)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# Where PostgreSQL's errors start to quote data: the failing row or key, the statement's context.
_DATA_SECTIONS = re.compile(r"\n(?:DETAIL|CONTEXT|QUERY):")


def _without_row_data(context: ExceptionContext) -> None:
    """Keep what people wrote out of database errors, and so out of every log and traceback.

    The engines hide bound parameters (`hide_parameters=True`); PostgreSQL adds the row itself
    to some errors (`DETAIL:  Failing row contains (…)`, `Key (…)=(…)`). Such an error loses
    those sections, in the driver's exception and in SQLAlchemy's around it; its message and
    hint stay, and so do its fields (`diag`, `sqlstate`) for code that needs them."""
    original = context.original_exception
    said = str(original)
    found = _DATA_SECTIONS.search(said)
    if found is None:
        return
    safe = f"{said[: found.start()]} [details hidden]"
    with suppress(AttributeError, TypeError):  # every DBAPI error is an Exception; to be sure
        original.args = (safe,)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None and wrapped.args and isinstance(wrapped.args[0], str):
        wrapped.args = (wrapped.args[0].replace(said, safe), *wrapped.args[1:])


def _private(engine: Engine) -> None:
    event.listen(engine, "handle_error", _without_row_data)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _custom_plans)


def _custom_plans(dbapi_connection: Any, _record: Any) -> None:
    """PostgreSQL plans every statement for its own values, also once psycopg has prepared it.

    psycopg prepares a statement on the server after its fifth execution, and from then on
    PostgreSQL may use one generic plan for all values. For a full-text query that plan cannot
    see the words: related learnings took 25 ms instead of 1 ms at 1,000 learnings (a plan
    that fits rare words walked every row for common ones). Planning each time costs a fraction
    of a millisecond; the prepared parse is still saved."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET plan_cache_mode = force_custom_plan")
    cursor.close()
    dbapi_connection.commit()


def make_engine(url: str, *, sqlite_mmap_mb: int = SQLITE_MMAP_MB) -> Engine:
    """A synchronous engine, for migrations and bulk work outside the event loop."""
    engine = create_engine(_normalise(url, use_async=False), hide_parameters=True)
    _private(engine)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", partial(_sqlite_pragmas, mmap_mb=sqlite_mmap_mb))
    return engine


def make_async_engine(url: str, *, sqlite_mmap_mb: int = SQLITE_MMAP_MB) -> AsyncEngine:
    """An engine off the event loop's thread: aiosqlite or psycopg async."""
    normalised = _normalise(url, use_async=True)
    # A file never goes away under us; a server connection may (restart, idle timeout).
    engine = create_async_engine(
        normalised, pool_pre_ping=not is_sqlite(normalised), hide_parameters=True
    )
    _private(engine.sync_engine)
    if engine.dialect.name == "sqlite":
        pragmas = partial(_sqlite_pragmas, mmap_mb=sqlite_mmap_mb)
        event.listen(engine.sync_engine, "connect", pragmas)
    return engine


def inline_sqlite_path(url: str) -> str | None:
    """The file of a plain SQLite URL (no memory database, no URI options), else None."""
    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or parsed.query:
        return None
    return path


def make_writer_engine(url: str, *, sqlite_mmap_mb: int = SQLITE_MMAP_MB) -> AsyncEngine:
    """The engine units of work run on: for a SQLite file the inline driver
    (`storage.sqlite_inline`), which waits for another process's lock on the event loop
    instead of in SQLite's busy handler; otherwise the same as `make_async_engine`."""
    normalised = _normalise(url, use_async=True)
    path = inline_sqlite_path(normalised)
    if path is None:
        return make_async_engine(url, sqlite_mmap_mb=sqlite_mmap_mb)
    connect = sqlite_inline.connector(path, SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_async_engine(
        normalised, async_creator=connect, pool_pre_ping=False, hide_parameters=True
    )
    _private(engine.sync_engine)
    inline_pragmas: Callable[[Any, Any], None] = partial(
        _sqlite_pragmas, busy_timeout_ms=0, autocheckpoint=False, mmap_mb=sqlite_mmap_mb
    )
    event.listen(engine.sync_engine, "connect", inline_pragmas)
    return engine


def make_reader_engine(path: str, url: str, *, sqlite_mmap_mb: int = SQLITE_MMAP_MB) -> AsyncEngine:
    """The engine `Database.reading` runs on for the SQLite file `path`: aiosqlite's worker
    thread, one hand-off a statement (`storage.sqlite_reader`)."""
    normalised = _normalise(url, use_async=True)
    engine = create_async_engine(
        normalised,
        async_creator=sqlite_reader.connector(path),
        pool_pre_ping=False,
        hide_parameters=True,
    )
    _private(engine.sync_engine)
    event.listen(engine.sync_engine, "connect", partial(_sqlite_pragmas, mmap_mb=sqlite_mmap_mb))
    return engine


def check_sqlite_pragmas(engine: Engine) -> None:
    """Fail clearly when SQLite did not accept WAL mode, foreign keys or durable commits."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        fks = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    database = engine.url.database or ""
    if database not in ("", ":memory:") and str(mode).lower() != "wal":
        raise DatabaseSetupError(f"SQLite refused WAL mode (journal_mode={mode})")
    if fks != 1:
        raise DatabaseSetupError("SQLite foreign keys are off")
    if not timeout:
        raise DatabaseSetupError("SQLite busy timeout is not set")
    if synchronous != SQLITE_SYNCHRONOUS_LEVEL:
        raise DatabaseSetupError(
            f"SQLite synchronous={synchronous}, not {SQLITE_SYNCHRONOUS}: captures could be lost"
        )


class Database:
    """The bot's store: units of work on the writer engine, long reads on the reader engine.
    `sqlite_mmap_mb`: SQLite's memory map per connection (`SAMEN_SQLITE_MMAP_MB`)."""

    def __init__(self, url: str, *, sqlite_mmap_mb: int = SQLITE_MMAP_MB) -> None:
        self.url = url
        self.engine = make_writer_engine(url, sqlite_mmap_mb=sqlite_mmap_mb)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # For a SQLite file the writer runs statements on the event loop's thread; a query that
        # may read many rows goes to aiosqlite's worker thread instead (WAL readers never wait).
        # Anything else (PostgreSQL, a memory database) reads through the same engine.
        inline_path = inline_sqlite_path(url)
        self.reader = (
            make_reader_engine(inline_path, url, sqlite_mmap_mb=sqlite_mmap_mb)
            if inline_path
            else self.engine
        )
        self.reader_sessions = async_sessionmaker(self.reader, expire_on_commit=False)
        self._checkpoints = Checkpointer(inline_path) if inline_path else None
        # SQLite has one writer at a time; queueing units of work here (instead of letting
        # them collide on the file lock and wait out the busy timeout) keeps latency flat.
        self._sqlite_gate = asyncio.Lock() if self.engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block succeeds and rolls back when it raises."""
        if self._sqlite_gate is None:
            async with self._session() as session:
                yield session
            return
        async with self._sqlite_gate, self._session() as session:
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only session for queries that may read many rows (search, digest, export):
        it does not queue behind units of work and, on SQLite, reads off the event loop.
        It sees what is committed, not the open unit of work's own changes; what it loaded
        stays readable after the block (closing detaches, it does not expire)."""
        async with self.reader_sessions() as session:
            yield session

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        if self._checkpoints is not None:
            self._checkpoints.after_commit()

    async def ping(self) -> bool:
        """True when the database answers."""
        try:
            async with self.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except Exception:
            return False
        return True

    async def close(self) -> None:
        if self._checkpoints is not None:
            await self._checkpoints.close()
        await self.engine.dispose()
        if self.reader is not self.engine:
            await self.reader.dispose()
