"""One Discord gateway connection for all `serve` processes on one PostgreSQL database.

Discord sends every event to every gateway connection of a bot, so two processes connected at
once would each handle every event. The process that holds a PostgreSQL advisory lock
(session-level, `pg_try_advisory_lock`, on a connection of its own) runs the Discord adapter;
the others stand by and try to take the lock every `POLL` seconds. The database releases a
session lock the moment its connection ends, so when the holder dies (even `kill -9`: the
kernel closes its socket) another process connects within `POLL` seconds plus discord.py's
start-up, well inside 30 s. The holder checks its lock connection every `POLL` seconds too: a
lock connection that broke (a database restart) may mean another process took over, so it
disconnects from Discord and stands by again.

On SQLite the same holds with an exclusive `flock` on a file beside the database
(`samen.db.discord-gateway.lock`): the kernel releases it when the process ends, so a second
process on the same file (which docs/operations.md advises against) stands by too. Advisory
locks are per database, so programmes in different databases on one server do not meet.
`/readyz` and `samen_gateway_holder` say whether this process holds it. Until its first try at
the lock has an answer, a process says `starting`, not `standby`: otherwise every process of a
fresh start would report ready with nobody holding the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import inline_sqlite_path, is_sqlite, make_async_engine

log = logging.getLogger(__name__)

POLL = 5.0
LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"samen-bot:discord-gateway").digest()[:8], "big", signed=True
)


class AdvisoryLock:
    """A session-level advisory lock on a dedicated connection (always held on SQLite)."""

    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        self.url = url
        self.key = key
        self.sqlite = is_sqlite(url)
        path = inline_sqlite_path(url) if self.sqlite else None
        self.lock_file = Path(f"{path}.discord-gateway.lock") if path else None
        self._file: IO[bytes] | None = None
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None
        self.held = False

    def _make_engine(self) -> AsyncEngine:
        return make_async_engine(self.url)

    async def try_acquire(self) -> bool:
        """Take the lock if nobody has it; True when this process holds it now."""
        if self.sqlite:
            self.held = self.held or self._flock()
            return self.held
        if self.held:
            return True
        try:
            if self._engine is None:
                self._engine = self._make_engine()
            if self._conn is None:
                self._conn = await self._engine.connect()
            got = bool(
                (await self._conn.execute(select(func.pg_try_advisory_lock(self.key)))).scalar()
            )
            await self._conn.commit()  # the lock is the session's, not the transaction's
        except Exception as error:
            log.warning("gateway lock: cannot reach the database (%s)", type(error).__name__)
            await self._drop_connection()
            return False
        self.held = got
        return got

    async def still_held(self) -> bool:
        """Whether the lock connection is alive (so the lock is still ours)."""
        if self.sqlite or not self.held:
            return self.held
        try:
            assert self._conn is not None
            async with asyncio.timeout(POLL):
                await self._conn.execute(select(1))
                await self._conn.commit()
        except Exception as error:
            log.warning("gateway lock: its connection broke (%s)", type(error).__name__)
            self.held = False
            await self._drop_connection()
        return self.held

    def _flock(self) -> bool:
        """The SQLite file's gateway lock (held at once for a memory database)."""
        if self.lock_file is None:
            return True
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX: one process per file, as advised
            return True
        handle = self.lock_file.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    async def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing releases the flock
            self._file = None
        if self._conn is not None and self.held and not self.sqlite:
            with contextlib.suppress(Exception):
                await self._conn.execute(select(func.pg_advisory_unlock(self.key)))
                await self._conn.commit()
        self.held = False
        await self._drop_connection()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


class Startable(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class GatewayGuard:
    """A `serve` service around the Discord service: runs it only while holding the lock."""

    def __init__(self, inner: Startable, lock: AdvisoryLock, *, poll: float = POLL) -> None:
        self.inner = inner
        self.name = inner.name
        self.lock = lock
        self.poll = poll
        self.running = False
        self.tried = False  # the first try at the lock has an answer (held or not)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def holder(self) -> bool:
        return self.lock.held and self.running

    async def start(self) -> None:
        self._stopping = False
        self.tried = False
        held = await self.lock.try_acquire()
        self.tried = True
        if held:
            await self._run_inner()
        else:
            log.info("discord: another process holds the gateway; standing by")
        self._task = asyncio.create_task(self._watch(), name="discord-gateway-lock")

    async def _run_inner(self) -> None:
        log.info("discord: this process holds the gateway lock; connecting")
        self.running = True  # from now on /readyz says connecting, then connected
        try:
            await self.inner.start()
        except BaseException:
            self.running = False
            raise

    async def _stop_inner(self) -> None:
        if self.running:
            self.running = False
            await self.inner.stop()

    async def _watch(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self.poll)
            try:
                if self.running:
                    if not await self.lock.still_held():
                        log.warning("discord: lost the gateway lock; disconnecting, standing by")
                        await self._stop_inner()
                elif await self.lock.try_acquire():
                    await self._run_inner()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("discord: gateway lock check failed")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self._stop_inner()
        await self.lock.release()

    def state(self) -> str:
        """For /readyz: connected, standby, or why not (starting, connecting)."""
        if not self.tried:
            return "starting"
        if not self.running:
            return "standby"
        return discord_state(self.inner)


def discord_state(service: Any) -> str:
    client = getattr(service, "client", None)
    is_ready = getattr(client, "is_ready", None)
    if client is not None and callable(is_ready) and is_ready():
        return "connected"
    return "connecting"
