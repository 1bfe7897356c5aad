"""The SQLite writer runs on the event loop's thread, so a long unit of work lets the loop run
other callbacks (Slack's acks, Discord's heartbeats) between its statements (issue 18)."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from storage.db import Database


async def test_a_long_unit_of_work_gives_the_loop_turns(sqlite_database: Database) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async with sqlite_database.unit_of_work() as session:
        await session.execute(text("SELECT 1"))  # connected before the ticker starts
        running = asyncio.ensure_future(ticker())
        await asyncio.sleep(0)
        before = ticks
        started = time.perf_counter()
        while time.perf_counter() - started < 0.05:  # 50 ms of statements, none awaiting I/O
            await session.execute(text("SELECT count(*) FROM sqlite_master"))
        during = ticks - before
    running.cancel()
    assert during >= 10, during  # about one turn a millisecond
