"""Meetings (bijeenkomsten) and RSVPs (the .ics files are written by `handlers.ics`).

A cancelled meeting (`cancelled_at` set) stays in the table, for the agenda feed's
STATUS:CANCELLED, but is out of everything that plans: `agenda`, reminders, the digest's coming
meetings and the harvest. Every change raises `sequence` (the iCalendar SEQUENCE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import core
from storage.models import ChannelLink, Meeting, Member, Proeftuin, Rsvp, Theme

YES, NO = "ja", "nee"


def going_ahead() -> ColumnElement[bool]:
    """The meetings that are not cancelled."""
    return Meeting.cancelled_at.is_(None)


@dataclass(frozen=True, slots=True)
class Counts:
    """RSVP counts of one meeting."""

    yes: int = 0
    no: int = 0


async def create(
    session: AsyncSession,
    *,
    title: str,
    starts_at: datetime,
    platform: str,
    channel_id: str,
    theme: Theme | None = None,
    proeftuin: Proeftuin | None = None,
    created_by: Member | None = None,
    created_at: datetime,
) -> Meeting:
    """Store a meeting (`starts_at` aware; stored in UTC)."""
    meeting = Meeting(
        title=title,
        starts_at=starts_at,
        platform=platform,
        channel_id=channel_id,
        theme=theme,
        proeftuin=proeftuin,
        created_by_id=created_by.id if created_by else None,
        created_at=created_at,
    )
    session.add(meeting)
    await session.flush()
    return meeting


async def get(session: AsyncSession, meeting_id: int) -> Meeting | None:
    """Meeting `meeting_id`, if it exists."""
    return await session.get(Meeting, meeting_id)


async def upcoming(session: AsyncSession, now: datetime, limit: int = 10) -> list[Meeting]:
    """Meetings that have not started yet, soonest first."""
    result = await session.scalars(
        select(Meeting)
        .where(Meeting.starts_at > now, going_ahead())
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
    )
    return list(result.all())


async def count_upcoming(session: AsyncSession, now: datetime) -> int:
    """How many meetings have not started yet."""
    query = select(func.count()).select_from(Meeting).where(Meeting.starts_at > now, going_ahead())
    return int(await session.scalar(query) or 0)


async def between(session: AsyncSession, start: datetime, end: datetime) -> list[Meeting]:
    """Meetings going ahead that start in [start, end), soonest first."""
    result = await session.scalars(
        select(Meeting)
        .where(Meeting.starts_at >= start, Meeting.starts_at < end, going_ahead())
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(result.all())


async def counts(session: AsyncSession, meeting_ids: Sequence[int]) -> dict[int, Counts]:
    """RSVP counts for several meetings in one query."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(
            Rsvp.meeting_id,
            func.sum(case((Rsvp.answer == YES, 1), else_=0)),
            func.sum(case((Rsvp.answer == NO, 1), else_=0)),
        )
        .where(Rsvp.meeting_id.in_(list(meeting_ids)))
        .group_by(Rsvp.meeting_id)
    )
    found = {int(m): Counts(int(y or 0), int(n or 0)) for m, y, n in rows.all()}
    return {m: found.get(m, Counts()) for m in meeting_ids}


async def rsvp(
    session: AsyncSession, meeting: Meeting, member: Member, answer: str, now: datetime
) -> str | None:
    """Record a member's answer (one per member per meeting; a second replaces the first, also
    when two arrive at once). Returns the previous answer, if any."""
    previous = await session.scalar(
        select(Rsvp.answer).where(Rsvp.meeting_id == meeting.id, Rsvp.member_id == member.id)
    )
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement = core.dialect_insert(dialect)(Rsvp).values(
        meeting_id=meeting.id, member_id=member.id, answer=answer, answered_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Rsvp.meeting_id, Rsvp.member_id],
        set_={"answer": statement.excluded.answer, "answered_at": statement.excluded.answered_at},
    )
    await session.execute(statement)
    return previous


async def channels_for(session: AsyncSession, meeting: Meeting) -> list[tuple[str, str]]:
    """Where a meeting's reminders go: its proeftuin's linked channels when it has one (and
    they exist), otherwise the channel it was scheduled in."""
    if meeting.proeftuin_id is not None:
        rows = await session.execute(
            select(ChannelLink.platform, ChannelLink.channel_id)
            .where(ChannelLink.proeftuin_id == meeting.proeftuin_id)
            .order_by(ChannelLink.id)
        )
        linked = [(p, c) for p, c in rows.all()]
        if linked:
            return linked
    return [(meeting.platform, meeting.channel_id)]


async def starting_between(session: AsyncSession, start: datetime, end: datetime) -> list[Meeting]:
    """Meetings going ahead that start in (start, end]: the ones whose reminders may be due."""
    result = await session.scalars(
        select(Meeting)
        .where(Meeting.starts_at > start, Meeting.starts_at <= end, going_ahead())
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(result.all())


async def count_all(session: AsyncSession) -> int:
    """How many meetings exist."""
    return int(await session.scalar(select(func.count()).select_from(Meeting)) or 0)


async def cancel(session: AsyncSession, meeting: Meeting, now: datetime) -> None:
    """Cancel a meeting: it stays, marked, one version further."""
    meeting.cancelled_at = now
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = now
    await session.flush()


async def move(session: AsyncSession, meeting: Meeting, starts_at: datetime, now: datetime) -> None:
    """Move a meeting to `starts_at` (aware), one version further."""
    meeting.starts_at = starts_at
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = now
    await session.flush()


async def since(session: AsyncSession, start: datetime, limit: int) -> list[Meeting]:
    """Meetings starting at or after `start`, cancelled ones too, soonest first (the feed)."""
    result = await session.scalars(
        select(Meeting)
        .where(Meeting.starts_at >= start)
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
    )
    return list(result.all())
