"""WAL checkpoints off the event loop, for the SQLite writer that runs inline.

SQLite normally checkpoints inside the COMMIT that pushes the write-ahead log past 1,000 pages:
that commit copies the pages into the database file and syncs both, about half of what a
one-row commit costs on average, and on the event loop's thread for the inline writer. The
writer turns that off (`PRAGMA wal_autocheckpoint=0`) and this class runs a PASSIVE checkpoint
in a worker thread instead, shortly after commits: never more than one at a time, at the latest
`MAX_DELAY_S` after the first commit it has not yet covered. PASSIVE never waits for readers or
the writer; what it cannot copy yet is copied the next time.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

log = logging.getLogger(__name__)

COMMITS_PER_CHECKPOINT = 200
MAX_DELAY_S = 1.0


class Checkpointer:
    """Counts commits on the writer and keeps the WAL short from a worker thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pending = 0
        self.first_pending_at = 0.0
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def after_commit(self) -> None:
        """Note one commit; start a checkpoint when enough have piled up (or soon anyway)."""
        if self.pending == 0:
            self.first_pending_at = time.monotonic()
        self.pending += 1
        if self.pending >= COMMITS_PER_CHECKPOINT:
            self._start()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(MAX_DELAY_S, self._start)

    def _start(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.pending == 0 or (self._task is not None and not self._task.done()):
            return  # the running checkpoint re-arms the timer if commits came in meanwhile
        self.pending = 0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            await asyncio.to_thread(checkpoint, self.path)
        except sqlite3.Error:
            log.warning("WAL checkpoint of %s failed; the next commit tries again", self.path)
        if self.pending and self._timer is None:
            delay = max(0.0, MAX_DELAY_S - (time.monotonic() - self.first_pending_at))
            self._timer = asyncio.get_running_loop().call_later(delay, self._start)

    async def close(self) -> None:
        """Wait for a running checkpoint and copy whatever is left (at shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            await self._task
        if self.pending:
            self.pending = 0
            try:
                await asyncio.to_thread(checkpoint, self.path)
            except sqlite3.Error:
                log.warning("final WAL checkpoint of %s failed", self.path)


def checkpoint(path: str) -> tuple[int, int, int]:
    """One PASSIVE checkpoint on a short-lived connection: (busy, WAL pages, pages copied)."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    return int(row[0]), int(row[1]), int(row[2])
