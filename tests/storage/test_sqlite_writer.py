"""The SQLite writer runs on the event loop's thread: it must wait for another process's write
lock without blocking the loop, give up clearly after the busy timeout, keep the WAL short
from a worker thread, and leave long reads to the reader engine."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

import storage.db
from storage import checkpoint, sqlite_inline
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Proeftuin


def other_process(db: Database) -> sqlite3.Connection:
    """A second connection to the file holding the write lock, as another process would."""
    conn = sqlite3.connect(str(db.engine.url.database), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


async def count_proeftuinen(db: Database) -> int:
    async with db.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(Proeftuin)) or 0)


async def test_a_write_waits_for_another_lock_while_the_loop_goes_on(
    sqlite_database: Database,
) -> None:
    async with sqlite_database.unit_of_work() as session:  # connect and warm up before the lock
        session.add(Proeftuin(name="Eerst"))
    holder = other_process(sqlite_database)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        for _ in range(40):  # bounded: 40 x 5 ms
            ticks += 1
            await asyncio.sleep(0.005)

    async def write() -> None:
        async with sqlite_database.unit_of_work() as session:
            session.add(Proeftuin(name="Wachtend"))

    writing = asyncio.create_task(write())
    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.08)  # returning at all means the loop is not stuck in SQLite
    assert not writing.done()  # still waiting for the other connection's lock
    assert ticks >= 2  # and other tasks ran meanwhile
    holder.execute("COMMIT")
    holder.close()
    await asyncio.wait_for(writing, timeout=5)
    await ticking
    assert await count_proeftuinen(sqlite_database) == 2


async def test_a_lock_held_past_the_busy_timeout_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    url = f"sqlite:///{tmp_path / 'samen.db'}"
    upgrade(url)
    database = Database(url)
    connection = await database.engine.raw_connection()
    inline = connection.driver_connection
    assert isinstance(inline, sqlite_inline.InlineConnection)
    assert inline.busy_timeout_s == 0.05
    connection.close()
    holder = other_process(database)
    try:
        with pytest.raises(OperationalError, match="locked"):
            async with database.unit_of_work() as session:
                session.add(Proeftuin(name="Te laat"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    async with database.unit_of_work() as session:  # the writer is usable afterwards
        session.add(Proeftuin(name="Daarna"))
    assert await count_proeftuinen(database) == 1
    await database.close()


async def test_the_wal_is_checkpointed_off_the_loop(
    sqlite_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "COMMITS_PER_CHECKPOINT", 5)
    ran: list[tuple[int, int, int]] = []
    real = checkpoint.checkpoint

    def counted(path: str) -> tuple[int, int, int]:
        ran.append(real(path))
        return ran[-1]

    monkeypatch.setattr(checkpoint, "checkpoint", counted)
    for i in range(5):
        async with sqlite_database.unit_of_work() as session:
            session.add(Proeftuin(name=f"Proeftuin {i}"))
    for _ in range(100):  # bounded wait for the worker thread
        if ran:
            break
        await asyncio.sleep(0.01)
    busy, wal_pages, copied = ran[0]
    assert busy == 0 and wal_pages > 0 and copied == wal_pages
    async with sqlite_database.engine.connect() as conn:  # the writer itself never checkpoints
        assert (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar() == 0
        assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 0


async def test_reading_sees_committed_rows_and_keeps_them_after_the_block(
    sqlite_database: Database,
) -> None:
    async with sqlite_database.unit_of_work() as session:
        session.add(Proeftuin(name="Zichtbaar"))
        await session.flush()
        assert await count_proeftuinen(sqlite_database) == 0  # not committed yet: not seen
    async with sqlite_database.reading() as reader:
        (found,) = (await reader.scalars(select(Proeftuin))).all()
    assert found.name == "Zichtbaar"  # loaded data stays readable after the session closed
    assert sqlite_database.reader is not sqlite_database.engine


async def test_a_memory_database_reads_through_its_only_engine() -> None:
    database = Database("sqlite:///:memory:")
    try:
        assert database.reader is database.engine  # a second engine would see another database
        async with database.unit_of_work() as session:
            await session.execute(text("CREATE TABLE notes (body TEXT)"))
            await session.execute(text("INSERT INTO notes VALUES ('inzicht')"))
        async with database.reading() as reader:
            assert (await reader.execute(text("SELECT body FROM notes"))).scalar() == "inzicht"
    finally:
        await database.close()


class SlowDisk:
    """A sqlite3 connection whose commit takes as long as a slow disk's sync (synchronous=FULL
    syncs the WAL at every commit), noting the thread it ran on."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.commit_threads: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)

    def commit(self) -> None:
        self.commit_threads.append(threading.get_ident())
        time.sleep(0.05)
        self._conn.commit()


async def test_a_commit_syncs_to_disk_off_the_loop(sqlite_database: Database) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        for _ in range(20):  # bounded: 20 x 5 ms
            ticks += 1
            await asyncio.sleep(0.005)

    async with sqlite_database.unit_of_work() as session:
        session.add(Proeftuin(name="Duurzaam"))
        await session.flush()
        raw = await (await session.connection()).get_raw_connection()
        inline = raw.driver_connection
        assert isinstance(inline, sqlite_inline.InlineConnection)
        slow = SlowDisk(inline._conn)
        inline._conn = slow  # type: ignore[assignment]
        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        ticks = 0
    # The unit of work committed (0.05 s) while the ticker went on.
    inline._conn = slow._conn
    assert ticks >= 3, (ticks, slow.commit_threads)
    assert slow.commit_threads and threading.get_ident() not in slow.commit_threads
    await ticking
    assert await count_proeftuinen(sqlite_database) == 1
