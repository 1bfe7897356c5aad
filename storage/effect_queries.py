"""Reading the effect ledger: what is settled, what is due for a retry, which parts went out.

The writes (claim, complete, …) are in storage/effects.py; the keys in storage/effect_keys.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.effect_keys import PART, like_literal, parse_key, part_prefix
from storage.effects import (
    CLAIMED,
    DONE,
    FAILED,
    GAVE_UP,
    MISSED,
    QUEUED,
    database_now,
    lease_expired,
)
from storage.models import Effect


async def get(session: AsyncSession, key: str) -> Effect | None:
    """The ledger row of `key`, if any."""
    return await session.scalar(select(Effect).where(Effect.key == key))


async def by_prefix(session: AsyncSession, prefix: str) -> list[Effect]:
    """Ledger rows whose key starts with `prefix` (a week's digests, a meeting's reminders),
    without the rows of their sent parts."""
    rows = await session.scalars(
        select(Effect)
        .where(Effect.key.like(f"{like_literal(prefix)}%", escape="\\"), Effect.kind != PART)
        .order_by(Effect.key)
    )
    return list(rows.all())


async def parts_done(session: AsyncSession, key: str) -> set[str]:
    """The keys of the parts of effect `key` recorded as sent."""
    rows = await session.scalars(
        select(Effect.key).where(
            Effect.key.like(f"{like_literal(part_prefix(key))}%", escape="\\"),
            Effect.status == DONE,
        )
    )
    return set(rows.all())


async def any_digest(session: AsyncSession, platform: str, channel_id: str) -> bool:
    """Whether the ledger holds any week's digest for this channel (posted, missed or given
    up): False on a new install, or for a digest channel just added."""
    pattern = f"digest:%:{like_literal(platform)}:{like_literal(channel_id)}"
    found = await session.scalar(
        select(Effect.key).where(Effect.key.like(pattern, escape="\\")).limit(1)
    )
    return found is not None


async def settled(session: AsyncSession, keys: list[str]) -> set[str]:
    """The keys among `keys` that need no more attempts (done, missed, given up): callers skip
    them without a claim, which keeps periodic checks to one query."""
    if not keys:
        return set()
    rows = await session.scalars(
        select(Effect.key).where(Effect.key.in_(keys), Effect.status.in_([DONE, MISSED, GAVE_UP]))
    )
    return set(rows.all())


async def open_notice_members(session: AsyncSession) -> set[int]:
    """Members with a notice batch that is still being sent or retried (claimed, queued or
    failed): nothing more is told them until that batch is settled, so nothing twice."""
    keys = await session.scalars(
        select(Effect.key).where(
            Effect.kind == "notice", Effect.status.in_([QUEUED, CLAIMED, FAILED])
        )
    )
    found = set()
    for key in keys.all():
        subject = parse_key(key)
        if subject is not None and subject.member_id:
            found.add(subject.member_id)
    return found


async def due_for_retry(session: AsyncSession, now: datetime, limit: int = 50) -> list[Effect]:
    """Queued or failed effects whose next attempt is due, and claims whose lease expired."""
    clock = await database_now(session)
    rows = await session.scalars(
        select(Effect)
        .where(
            or_(
                and_(
                    Effect.status.in_([QUEUED, FAILED]),
                    Effect.next_attempt_at <= now,
                    or_(Effect.expires_at.is_(None), Effect.expires_at > now),
                ),
                lease_expired(clock, now),
            )
        )
        .order_by(Effect.next_attempt_at, Effect.key)
        .limit(limit)
    )
    return list(rows.all())
