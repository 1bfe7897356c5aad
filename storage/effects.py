"""The effect ledger's operations: claim an outward effect before sending it, complete it after.

Every effect the scheduler (or a leader's `digest plaats`) causes has a stable key
(storage/effect_keys.py). The row moves through

    queued ──claim──> claimed ──complete──> done
       ^                 │  └──fail──> failed ──claim (after backoff)──> claimed …
       └── (a leader)    └── lease expired (and not expired itself): another process may
                             claim it again, and asks the platform before it sends
    missed: the moment passed unsent (the bot was down, or its sends failed until it
            expired): reported, never sent by itself

Each sent part of an effect gets a `done` row of its own (kind `part`, key
`part:<effect key hash>:<part>`), written in one transaction with the claim's progress and
fenced by the claim, so a retry knows exactly which parts went out, whatever the content looks
like by then.

Like every repository these take the caller's session and never commit. The caller commits
each step on its own before the next outward action: a claim before the send (a transaction
never spans a network send), a sent part right after it. A claim is atomic on SQLite (one
writer at a time) and on PostgreSQL (INSERT … ON CONFLICT DO NOTHING, then a conditional
UPDATE that re-checks its WHERE clause on the locked row): of two processes, exactly one wins.
Every later write is fenced by the claim token, so a process whose lease was taken over cannot
complete or advance somebody else's claim.

`now` (passed in, so tests drive time) decides what is due, when a retry may happen and when
an effect expires. Leases are measured by one clock only, the database's (`claimed_at` is the
database's time), so processes whose clocks differ, or tests that simulate time, can never take
over a claim that is still being worked on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import core
from storage.effect_keys import PART
from storage.models import Effect

LEASE = timedelta(minutes=10)  # a claim not completed within this may be taken over
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)

QUEUED, CLAIMED, DONE, FAILED, MISSED, GAVE_UP = (
    "queued",
    "claimed",
    "done",
    "failed",
    "missed",
    "gave_up",
)


@dataclass(frozen=True, slots=True)
class Claim:
    """A won claim: the token fences every later write; `progress` parts were sent before."""

    key: str
    token: str
    attempts: int
    progress: int


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4 … minutes, at most an hour."""
    return min(BACKOFF_BASE * (1 << max(attempts - 1, 0)), BACKOFF_CAP)


async def database_now(session: AsyncSession) -> datetime:
    """The database server's current time (UTC): the one clock leases are measured by."""
    value = await session.scalar(select(func.current_timestamp()))
    if isinstance(value, str):  # SQLite without type information
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise RuntimeError(f"unexpected database time {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def lease_expired(clock: datetime, now: datetime, lease: timedelta = LEASE) -> ColumnElement[bool]:
    """A claim whose holder stopped working on it (its lease ran out), not yet expired."""
    return and_(
        Effect.status == CLAIMED,
        Effect.claimed_at < clock - lease,
        or_(Effect.expires_at.is_(None), Effect.expires_at > now),
    )


async def _add(session: AsyncSession, **values: Any) -> bool:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key: False when the key is taken (a row
    back means this statement inserted it; rowcount is not reliable on every driver)."""
    insert = core.dialect_insert(session.get_bind().dialect.name)
    statement = insert(Effect).values(**values).on_conflict_do_nothing().returning(Effect.key)
    return (await session.execute(statement)).first() is not None


async def _updated(session: AsyncSession, statement: Any) -> bool:
    """Run an UPDATE of one key; True when it changed the row (RETURNING, not rowcount)."""
    result = await session.execute(
        statement.returning(Effect.key).execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def claim(
    session: AsyncSession,
    key: str,
    kind: str,
    owner: str,
    now: datetime,
    *,
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
    take_missed: bool = False,
    lease: timedelta = LEASE,
) -> Claim | None:
    """Try to claim effect `key`; None when it is done, missed, held by someone else, or failed
    and not yet due for another attempt. `take_missed` lets an operator post a missed effect.
    Commit before sending: the claim holds only once it is committed."""
    token = f"{owner}:{uuid.uuid4().hex[:10]}"
    clock = await database_now(session)
    if await _add(
        session,
        key=key,
        kind=kind,
        status=CLAIMED,
        attempts=1,
        progress=0,
        due_at=due_at,
        expires_at=expires_at,
        claimed_at=clock,
        claimed_by=token,
        created_at=now,
    ):
        return Claim(key, token, 1, 0)
    retryable = and_(
        Effect.status.in_([QUEUED, FAILED]),
        or_(Effect.next_attempt_at.is_(None), Effect.next_attempt_at <= now),
        or_(Effect.expires_at.is_(None), Effect.expires_at > now),
    )
    allowed = [retryable, lease_expired(clock, now, lease)]
    if take_missed:
        allowed.append(Effect.status == MISSED)
    row = (
        await session.execute(
            update(Effect)
            .where(Effect.key == key, or_(*allowed))
            .values(
                status=CLAIMED,
                claimed_at=clock,
                claimed_by=token,
                attempts=Effect.attempts + 1,
                next_attempt_at=None,
            )
            .returning(Effect.attempts, Effect.progress)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if row is None:
        return None
    return Claim(key, token, int(row.attempts), int(row.progress))


async def _fenced(session: AsyncSession, held: Claim, **values: Any) -> bool:
    """Set `values` on the held effect, fenced by the claim; False when the claim was lost."""
    return await _updated(
        session,
        update(Effect)
        .where(
            Effect.key == held.key,
            Effect.claimed_by == held.token,
            Effect.status == CLAIMED,
        )
        .values(**values),
    )


async def advance(session: AsyncSession, held: Claim, progress: int) -> bool:
    """Record that `progress` parts are sent; False when the claim was lost (stop sending)."""
    return await _fenced(session, held, progress=progress)


async def part_sent(
    session: AsyncSession, held: Claim, part_key: str, progress: int, now: datetime
) -> bool:
    """Record one sent part of a held effect (a done row under the part's key) and its progress,
    fenced by the claim; False when the claim was lost (stop sending). Commit right after."""
    if not await _fenced(session, held, progress=progress):
        return False
    await _add(
        session,
        key=part_key,
        kind=PART,
        status=DONE,
        attempts=1,
        progress=0,
        claimed_at=now,
        claimed_by=held.token,
        done_at=now,
        created_at=now,
    )
    return True


async def complete(session: AsyncSession, held: Claim, now: datetime) -> bool:
    """Mark the effect done; False when the claim had been taken over meanwhile."""
    return await _fenced(session, held, status=DONE, done_at=now, error=None)


async def fail(
    session: AsyncSession, held: Claim, now: datetime, error: str, *, progress: int | None = None
) -> str:
    """Record a failed attempt: retried after a backoff, or given up after MAX_ATTEMPTS.
    Returns the new status."""
    status = GAVE_UP if held.attempts >= MAX_ATTEMPTS else FAILED
    values: dict[str, Any] = dict(
        status=status,
        error=error[:2000],
        next_attempt_at=None if status == GAVE_UP else now + backoff(held.attempts),
    )
    if progress is not None:
        values["progress"] = progress
    await _fenced(session, held, **values)
    return status


async def release(session: AsyncSession, held: Claim, status: str, note: str) -> None:
    """End a claim without sending (the subject is gone): status `done` with a note."""
    await _fenced(session, held, status=status, error=note[:2000])


async def record_missed(
    session: AsyncSession,
    key: str,
    kind: str,
    now: datetime,
    due_at: datetime,
    reason: str,
) -> bool:
    """Record that an effect's moment passed unsent; True when this call recorded it (the first
    to notice reports it), False when the key was already in the ledger."""
    return await _add(
        session,
        key=key,
        kind=kind,
        status=MISSED,
        attempts=0,
        progress=0,
        due_at=due_at,
        error=reason[:2000],
        created_at=now,
    )


async def expire(session: AsyncSession, key: str, now: datetime, reason: str) -> bool:
    """Close an effect whose moment has passed unsent (queued, failed, or a claim whose holder
    died) as `missed`; True when this call closed it (the first to notice reports it). A live
    claim is left alone until its lease has run out."""
    clock = await database_now(session)
    return await _updated(
        session,
        update(Effect)
        .where(
            Effect.key == key,
            Effect.expires_at.is_not(None),
            Effect.expires_at <= now,
            or_(
                Effect.status.in_([QUEUED, FAILED]),
                and_(Effect.status == CLAIMED, Effect.claimed_at < clock - LEASE),
            ),
        )
        .values(status=MISSED, error=reason[:2000], next_attempt_at=None),
    )


async def queue(
    session: AsyncSession,
    key: str,
    kind: str,
    now: datetime,
    *,
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
    revive_missed: bool = True,
) -> bool:
    """Ask for an effect to be sent by the next outbox run. True when queued now, False when
    the key is already in the ledger (sent, queued, …). A `missed` effect (the bot was down at
    its moment) is queued again when a person asks."""
    inserted = await _add(
        session,
        key=key,
        kind=kind,
        status=QUEUED,
        attempts=0,
        progress=0,
        due_at=due_at,
        expires_at=expires_at,
        next_attempt_at=now,
        created_at=now,
    )
    if inserted:
        return True
    return revive_missed and await _revive(
        session, key, status=QUEUED, next_attempt_at=now, expires_at=expires_at, error=None
    )


async def _revive(session: AsyncSession, key: str, **values: Any) -> bool:
    return await _updated(
        session, update(Effect).where(Effect.key == key, Effect.status == MISSED).values(**values)
    )


async def mark_done_now(session: AsyncSession, key: str, kind: str, now: datetime) -> bool:
    """Record an effect the caller delivers itself (a console reply). False when the key was
    already in the ledger (a missed one is taken over)."""
    inserted = await _add(
        session,
        key=key,
        kind=kind,
        status=DONE,
        attempts=1,
        progress=0,
        claimed_at=now,
        claimed_by="reply",
        done_at=now,
        created_at=now,
    )
    if inserted:
        return True
    return await _revive(
        session, key, status=DONE, done_at=now, claimed_at=now, claimed_by="reply", error=None
    )
