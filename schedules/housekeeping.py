"""The daily housekeeping job of `serve` (04:15 in SAMEN_TIMEZONE): prune what is older than
its retention period (storage/retention.py: handled events 30 days, settled effects and sent
follow notices 90 days, maatjes pairs 183 days, mijn-gegevens files a day; docs/privacy.md),
then let the database refresh its planner statistics: `PRAGMA optimize` on SQLite, `ANALYZE` of
samen-bot's tables on PostgreSQL (autovacuum does it too; after a large prune it is worth doing
at once).

Several processes on one PostgreSQL may each run it; pruning and ANALYZE are idempotent.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from storage import retention
from storage.db import Database
from storage.models import Base

log = logging.getLogger(__name__)


async def optimise(database: Database) -> None:
    """Refresh the planner's statistics (no ORM equivalent: statements of their own)."""
    async with database.unit_of_work() as session:
        if database.dialect == "sqlite":
            await session.execute(text("PRAGMA optimize"))
        elif database.dialect == "postgresql":
            for table in Base.metadata.sorted_tables:
                await session.execute(text(f'ANALYZE "{table.name}"'))


async def housekeeping(
    database: Database, now: datetime, files: Path | None = None
) -> retention.Pruned:
    """Prune, then optimise; logs what it did."""
    pruned = await retention.prune(database, now, files=files)
    await optimise(database)
    log.info(
        "housekeeping: pruned %d handled event(s), %d effect(s), %d notice(s), %d maatjes "
        "pair(s); statistics refreshed",
        pruned.handled_events,
        pruned.effects,
        pruned.notices,
        pruned.buddy_pairs,
    )
    return pruned
