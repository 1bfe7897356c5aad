"""The daily housekeeping: the retention prune, then fresh planner statistics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from schedules.housekeeping import housekeeping
from storage.db import Database
from storage.models import Effect, HandledEvent

NOW = datetime(2026, 12, 2, 4, 15, tzinfo=UTC)


async def test_housekeeping_prunes_and_analyses(database: Database) -> None:
    async with database.unit_of_work() as session:
        session.add_all(
            [
                HandledEvent(key="slack:ev:old", handled_at=NOW - timedelta(days=31)),
                HandledEvent(key="slack:ev:new", handled_at=NOW - timedelta(days=1)),
                Effect(
                    key="digest:old", kind="digest", status="done", done_at=NOW - timedelta(days=91)
                ),
                Effect(
                    key="digest:waiting",
                    kind="digest",
                    status="failed",
                    due_at=NOW - timedelta(days=200),
                ),
            ]
        )
    pruned = await housekeeping(database, NOW)
    assert (pruned.handled_events, pruned.effects) == (1, 1)
    async with database.reading() as session:
        assert set((await session.scalars(select(HandledEvent.key))).all()) == {"slack:ev:new"}
        assert set((await session.scalars(select(Effect.key))).all()) == {"digest:waiting"}
    if database.dialect == "postgresql":
        assert await analysed(database) == 2


async def analysed(database: Database) -> int:
    """How many of two tables have been analysed (statistics reach the view within moments)."""
    query = text(
        "SELECT count(*) FROM pg_stat_user_tables"
        " WHERE relname IN ('learnings', 'effects') AND last_analyze IS NOT NULL"
    )
    found = 0
    for _ in range(50):  # bounded: 5 s
        async with database.reading() as session:
            found = int((await session.execute(query)).scalar_one())
        if found == 2:
            break
        await asyncio.sleep(0.1)
    return found
