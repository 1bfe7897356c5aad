"""The effect ledger: claim an outward effect before sending it, complete it after.

Every effect the scheduler (or a leader's `digest plaats`) causes has a stable key, such as
`digest:2026-W48:slack:C123` or `reminder:1h:meeting:7:discord:42`. The row moves through

    queued ──claim──> claimed ──complete──> done
       ^                 │  └──fail──> failed ──claim (after backoff)──> claimed …
       └── (a leader)    └── lease expired (and not expired itself): another process may
                             claim it again, and asks the platform before it sends
    missed: the moment passed unsent (the bot was down, or its sends failed until it
            expired): reported, never sent by itself

Each sent part of an effect gets a `done` row of its own (kind `part`, key
`part:<effect key hash>:<part>`, see `part_prefix`), written with the claim's progress in one
fenced transaction, so a retry knows exactly which parts went out, whatever the content looks
like by then.

Claims are single statements in their own short transaction, so they are atomic on SQLite (one
writer at a time) and on PostgreSQL (INSERT … ON CONFLICT DO NOTHING, then a conditional UPDATE
that re-checks its WHERE clause on the locked row): of two processes, exactly one wins. Every
later write is fenced by the claim token, so a process whose lease was taken over cannot
complete or advance somebody else's claim.

Functions take a `Database` (not a session) because each step must commit on its own before the
next outward action. `now` (passed in, so tests drive time) decides what is due, when a retry may
happen and when an effect expires. Leases are measured by one clock only, the database's
(`claimed_at` is the database's time), so processes whose clocks differ, or tests that simulate
time, can never take over a claim that is still being worked on.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import core
from storage.db import Database
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
class Subject:
    """What a ledger key is about (parsed back for retries)."""

    kind: str  # digest | reminder | followup | notice | report
    platform: str
    channel_id: str
    week: str = ""  # digest: 2026-W48
    reminder: str = ""  # reminder: 24h | 1h
    meeting_id: int = 0
    prompt_id: int = 0
    proeftuin_id: int = 0
    member_id: int = 0  # notice: the follower
    last_id: int = 0  # notice: the newest learning of the batch


def digest_key(week: str, platform: str, channel_id: str) -> str:
    """`digest:2026-W48:slack:C123`: the digest of a week in one channel."""
    return f"digest:{week}:{platform}:{channel_id}"


def reminder_key(kind: str, meeting_id: int, platform: str, channel_id: str) -> str:
    """`reminder:24h:meeting:7:slack:C9`: one reminder of a meeting in one channel."""
    return f"reminder:{kind}:meeting:{meeting_id}:{platform}:{channel_id}"


def followup_key(prompt_id: int, proeftuin_id: int, platform: str, channel_id: str) -> str:
    """`followup:prompt:3:proeftuin:2:slack:C9`: the follow-up of a prompt for a proeftuin,
    in one of the channels the prompt was posted to."""
    return f"followup:prompt:{prompt_id}:proeftuin:{proeftuin_id}:{platform}:{channel_id}"


def notice_key(member_id: int, last_learning_id: int, platform: str, user_id: str) -> str:
    """`notice:4:120:slack:U9`: one batch of follow notices to a member, up to learning 120."""
    return f"notice:{member_id}:{last_learning_id}:{platform}:{user_id}"


def report_key(week: str, platform: str, user_id: str) -> str:
    """`report:digest:2026-W48:slack:U1`: telling a leader that a week's digest was missed."""
    return f"report:digest:{week}:{platform}:{user_id}"


def parse_key(key: str) -> Subject | None:
    """The subject of a ledger key made by the functions above (channel ids may hold ':')."""
    kind, _, rest = key.partition(":")
    try:
        if kind == "digest":
            week, platform, channel = rest.split(":", 2)
            return Subject(kind, platform, channel, week=week)
        if kind == "reminder":
            which, word, meeting, platform, channel = rest.split(":", 4)
            if word == "meeting":
                return Subject(kind, platform, channel, reminder=which, meeting_id=int(meeting))
        if kind == "report":
            what, week, platform, user = rest.split(":", 3)
            if what == "digest":
                return Subject(kind, platform, user, week=week)
        if kind == "notice":
            member, last, platform, user = rest.split(":", 3)
            return Subject(kind, platform, user, member_id=int(member), last_id=int(last))
        if kind == "followup":
            w1, prompt, w2, proeftuin, platform, channel = rest.split(":", 5)
            if (w1, w2) == ("prompt", "proeftuin"):
                return Subject(
                    kind, platform, channel, prompt_id=int(prompt), proeftuin_id=int(proeftuin)
                )
    except ValueError:
        return None
    return None


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


def _insert(dialect: str, values: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key, for the backend in use: a row
    back means this statement inserted it (rowcount is not reliable on every driver)."""
    insert = core.dialect_insert(dialect)
    return insert(Effect).values(**values).on_conflict_do_nothing().returning(Effect.key)


async def _inserted(session: AsyncSession, statement: Any) -> bool:
    return (await session.execute(statement)).first() is not None


async def _updated(session: AsyncSession, statement: Any) -> bool:
    """Run an UPDATE of one key; True when it changed the row (RETURNING, not rowcount)."""
    result = await session.execute(
        statement.returning(Effect.key).execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def database_now(session: AsyncSession) -> datetime:
    """The database server's current time (UTC): the one clock leases are measured by."""
    value = await session.scalar(select(func.current_timestamp()))
    if isinstance(value, str):  # SQLite without type information
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise RuntimeError(f"unexpected database time {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def claim(
    database: Database,
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
    and not yet due for another attempt. `take_missed` lets an operator post a missed effect."""
    token = f"{owner}:{uuid.uuid4().hex[:10]}"
    async with database.unit_of_work() as session:
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
    stale = and_(
        Effect.status == CLAIMED,
        Effect.claimed_at < clock - lease,
        or_(Effect.expires_at.is_(None), Effect.expires_at > now),
    )
    allowed = [retryable, stale] + ([Effect.status == MISSED] if take_missed else [])
    async with database.unit_of_work() as session:
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


async def _update_held(session: AsyncSession, held: Claim, **values: Any) -> bool:
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


async def _fenced(database: Database, held: Claim, **values: Any) -> bool:
    async with database.unit_of_work() as session:
        return await _update_held(session, held, **values)


async def advance(database: Database, held: Claim, progress: int) -> bool:
    """Record that `progress` parts are sent; False when the claim was lost (stop sending)."""
    return await _fenced(database, held, progress=progress)


PART = "part"  # the kind (and key prefix) of a sent part's row, status done


async def part_sent(
    database: Database, held: Claim, part_key: str, progress: int, now: datetime
) -> bool:
    """Record one sent part of a held effect (a done row under the part's key) and its progress,
    in one transaction fenced by the claim; False when the claim was lost (stop sending)."""
    async with database.unit_of_work() as session:
        still_held = await _update_held(session, held, progress=progress)
        if not still_held:
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


def part_prefix(key: str) -> str:
    """`part:<hash of the effect key>:`, what the keys of an effect's parts start with."""
    return f"{PART}:{hashlib.sha1(key.encode()).hexdigest()[:20]}:"


async def parts_done(session: AsyncSession, key: str) -> set[str]:
    """The keys of the parts of effect `key` recorded as sent."""
    rows = await session.scalars(
        select(Effect.key).where(
            Effect.key.like(f"{_like_literal(part_prefix(key))}%", escape="\\"),
            Effect.status == DONE,
        )
    )
    return set(rows.all())


async def complete(database: Database, held: Claim, now: datetime) -> bool:
    """Mark the effect done; False when the claim had been taken over meanwhile."""
    return await _fenced(database, held, status=DONE, done_at=now, error=None)


async def fail(
    database: Database, held: Claim, now: datetime, error: str, *, progress: int | None = None
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
    await _fenced(database, held, **values)
    return status


async def release(database: Database, held: Claim, status: str, note: str) -> None:
    """End a claim without sending (the subject is gone): status `done` with a note."""
    await _fenced(database, held, status=status, error=note[:2000])


async def record_missed(
    database: Database,
    key: str,
    kind: str,
    now: datetime,
    due_at: datetime,
    reason: str,
) -> bool:
    """Record that an effect's moment passed unsent; True when this call recorded it (the first
    to notice reports it), False when the key was already in the ledger."""
    async with database.unit_of_work() as session:
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


async def expire(database: Database, key: str, now: datetime, reason: str) -> bool:
    """Close an effect whose moment has passed unsent (queued, failed, or a claim whose holder
    died) as `missed`; True when this call closed it (the first to notice reports it). A live
    claim is left alone until its lease has run out."""
    async with database.unit_of_work() as session:
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
    """In the caller's unit of work: ask for an effect to be sent by the next outbox run.
    True when queued now, False when the key is already in the ledger (sent, queued, …).
    A `missed` effect (the bot was down at its moment) is queued again when a person asks."""
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


async def _add(session: AsyncSession, **values: Any) -> bool:
    """Insert a ledger row in the caller's unit of work; False when its key is taken."""
    return await _inserted(session, _insert(session.get_bind().dialect.name, values))


async def _revive(session: AsyncSession, key: str, **values: Any) -> bool:
    return await _updated(
        session, update(Effect).where(Effect.key == key, Effect.status == MISSED).values(**values)
    )


async def mark_done_now(session: AsyncSession, key: str, kind: str, now: datetime) -> bool:
    """In the caller's unit of work: record an effect the caller delivers itself (a console
    reply). False when the key was already in the ledger (a missed one is taken over)."""
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


async def get(session: AsyncSession, key: str) -> Effect | None:
    """The ledger row of `key`, if any."""
    return await session.scalar(select(Effect).where(Effect.key == key))


def _like_literal(text: str) -> str:
    """`text` for a LIKE pattern (escape character: backslash), matching itself only."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def by_prefix(session: AsyncSession, prefix: str) -> list[Effect]:
    """Ledger rows whose key starts with `prefix` (a week's digests, a meeting's reminders),
    without the rows of their sent parts."""
    rows = await session.scalars(
        select(Effect)
        .where(Effect.key.like(f"{_like_literal(prefix)}%", escape="\\"), Effect.kind != PART)
        .order_by(Effect.key)
    )
    return list(rows.all())


async def any_digest(database: Database, platform: str, channel_id: str) -> bool:
    """Whether the ledger holds any week's digest for this channel (posted, missed or given
    up): False on a new install, or for a digest channel just added."""
    pattern = f"digest:%:{_like_literal(platform)}:{_like_literal(channel_id)}"
    async with database.unit_of_work() as session:
        found = await session.scalar(
            select(Effect.key).where(Effect.key.like(pattern, escape="\\")).limit(1)
        )
    return found is not None


async def settled(database: Database, keys: list[str]) -> set[str]:
    """The keys among `keys` that need no more attempts (done, missed, given up): callers skip
    them without a claim, which keeps periodic checks to one query."""
    if not keys:
        return set()
    async with database.unit_of_work() as session:
        rows = await session.scalars(
            select(Effect.key).where(
                Effect.key.in_(keys), Effect.status.in_([DONE, MISSED, GAVE_UP])
            )
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


async def due_for_retry(database: Database, now: datetime, limit: int = 50) -> list[Effect]:
    """Queued or failed effects whose next attempt is due, and claims whose lease expired."""
    async with database.unit_of_work() as session:
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
                    and_(
                        Effect.status == CLAIMED,
                        Effect.claimed_at < clock - LEASE,
                        or_(Effect.expires_at.is_(None), Effect.expires_at > now),
                    ),
                )
            )
            .order_by(Effect.next_attempt_at, Effect.key)
            .limit(limit)
        )
        return list(rows.all())
