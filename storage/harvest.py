"""Meeting harvests: which meetings ended, who said `ja`, and the learnings harvested from a
meeting (`learnings.meeting_id`, revision 0008)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Learning, Meeting, Member, Rsvp
from storage.visibility import Viewer, visible

YES = "ja"


async def starting_between(session: AsyncSession, start: datetime, end: datetime) -> list[Meeting]:
    """Meetings that started in (start, end], oldest first."""
    result = await session.scalars(
        select(Meeting)
        .where(Meeting.starts_at > start, Meeting.starts_at <= end, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(result.all())


async def started_before(
    session: AsyncSession, now: datetime, since: datetime, limit: int
) -> list[Meeting]:
    """Meetings that started in [since, now], the latest first (`agenda`'s recent ones)."""
    result = await session.scalars(
        select(Meeting)
        .where(Meeting.starts_at >= since, Meeting.starts_at <= now, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(limit)
    )
    return list(result.all())


async def came(session: AsyncSession, meeting_ids: Sequence[int]) -> dict[int, list[Member]]:
    """Per meeting, the members whose answer is `ja`, in the order they answered."""
    found: dict[int, list[Member]] = {m: [] for m in meeting_ids}
    if not meeting_ids:
        return found
    rows = await session.execute(
        select(Rsvp.meeting_id, Member)
        .join(Member, Member.id == Rsvp.member_id)
        .where(Rsvp.meeting_id.in_(list(meeting_ids)), Rsvp.answer == YES)
        .order_by(Rsvp.meeting_id, Rsvp.answered_at, Member.id)
    )
    for meeting_id, member in rows.all():
        found[meeting_id].append(member)
    return found


async def said_yes(session: AsyncSession, meeting_id: int, member_id: int) -> bool:
    """Whether this member's answer to this meeting is (still) `ja`."""
    answer = await session.scalar(
        select(Rsvp.answer).where(Rsvp.meeting_id == meeting_id, Rsvp.member_id == member_id)
    )
    return answer == YES


async def learnings_of(
    session: AsyncSession, viewer: Viewer, meeting_ids: Sequence[int], per_meeting: int = 5
) -> dict[int, list[Learning]]:
    """Per meeting, the harvested learnings `viewer` may see (oldest first, at most
    `per_meeting` each)."""
    found: dict[int, list[Learning]] = {m: [] for m in meeting_ids}
    if not meeting_ids:
        return found
    rows = await session.scalars(
        select(Learning)
        .where(Learning.meeting_id.in_(list(meeting_ids)), visible(viewer))
        .order_by(Learning.meeting_id, Learning.id)
    )
    for learning in rows.unique().all():
        if learning.meeting_id is not None and len(found[learning.meeting_id]) < per_meeting:
            found[learning.meeting_id].append(learning)
    return found
