"""How long the ledgers keep what they note, and pruning what is older (a daily job of the
scheduler; the periods are named in docs/privacy.md).

- handled events (`handled_events`): 30 days. They exist so that a platform's re-delivery of
  an event is handled once; platforms re-deliver for minutes. Their keys may hold a platform id.
- settled effects (`effects` done, missed or gave_up): 90 days. The scheduler looks back at most
  32 days for something still to send (schedules/rhythm.py LOOKBACKS), so a settled row older than
  that is never needed again to keep a digest, reminder or notice from going out twice. Effects
  still to send (queued, claimed, failed) are never pruned.
- sent follow notices (`follow_notices` with `sent_at`): 90 days, like the effects that sent
  them.
- maatjes pairs (`buddy_pairs`): 183 days (six months): they exist so that nobody is introduced
  to the same person again within six months (handlers/buddy_pairing.py REPEAT_WINDOW).
- mijn-gegevens files (a person's own data, written when they ask): 1 day.

Rows the privacy code keeps on purpose (the install's secret, the keyed hashes of erased
platform ids: storage.erasure.RESERVED_PREFIXES) are never pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession

from storage import buddies, erasure, events
from storage.db import Database
from storage.files import remove_old_exports
from storage.models import Effect, FollowNotice

HANDLED_EVENTS_KEEP = timedelta(days=30)
SETTLED_EFFECTS_KEEP = timedelta(days=90)
SENT_NOTICES_KEEP = timedelta(days=90)
BUDDY_PAIRS_KEEP = buddies.LOOKBACK  # 183 days: the window in which no pair meets again
SETTLED = ("done", "missed", "gave_up")  # storage.effects: DONE, MISSED, GAVE_UP


@dataclass(frozen=True, slots=True)
class Pruned:
    """How many rows one pruning removed."""

    handled_events: int
    effects: int
    notices: int
    buddy_pairs: int = 0


async def prune_settled_effects(session: AsyncSession, before: datetime) -> int:
    """Delete the effects that settled (sent, missed, given up) before `before`."""
    settled_at = func.coalesce(Effect.done_at, Effect.due_at, Effect.created_at)
    result = await session.execute(
        delete(Effect).where(Effect.status.in_(SETTLED), settled_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def prune_sent_notices(session: AsyncSession, before: datetime) -> int:
    """Delete the follow notices sent before `before`."""
    result = await session.execute(
        delete(FollowNotice).where(FollowNotice.sent_at.is_not(None), FollowNotice.sent_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def prune(database: Database, now: datetime, files: Path | None = None) -> Pruned:
    """Remove what is older than its retention period, in one unit of work; with `files`, also
    the mijn-gegevens files in that folder older than a day (storage.files.EXPORT_KEEP)."""
    if files is not None:
        remove_old_exports(files, now)
    async with database.unit_of_work() as session:
        handled = await events.prune(
            session, now - HANDLED_EVENTS_KEEP, keep=erasure.RESERVED_PREFIXES
        )
        effects = await prune_settled_effects(session, now - SETTLED_EFFECTS_KEEP)
        notices = await prune_sent_notices(session, now - SENT_NOTICES_KEEP)
        pairs = await buddies.prune(session, now - BUDDY_PAIRS_KEEP)
    return Pruned(handled, effects, notices, pairs)
