"""The rings in motion: recognitions, enrichments, theme follows, their notices, and the check
at delivery that a private message may still show what it shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import (
    Enrichment,
    Follow,
    FollowNotice,
    Learning,
    LearningTheme,
    Member,
    Proeftuin,
    Recognition,
    Ring,
    Theme,
    utcnow,
)
from storage.visibility import Viewer, may_see, visible

NOTICE_GAP = timedelta(hours=1)
SHARED = Viewer(proeftuin_id=None)  # what may travel privately to someone outside the proeftuin


async def recognise(
    session: AsyncSession, learning: Learning, proeftuin: Proeftuin, member: Member
) -> bool:
    """Record that `proeftuin` recognises `learning`; False when it already did."""
    exists = await session.scalar(
        select(Recognition.id).where(
            Recognition.learning_id == learning.id, Recognition.proeftuin_id == proeftuin.id
        )
    )
    if exists is not None:
        return False
    session.add(
        Recognition(learning_id=learning.id, proeftuin_id=proeftuin.id, member_id=member.id)
    )
    await session.flush()
    await session.refresh(learning, ["recognitions"])
    return True


async def enrich(
    session: AsyncSession, learning: Learning, proeftuin: Proeftuin, member: Member, text: str
) -> Enrichment:
    """Add an enrichment from `proeftuin` to `learning`."""
    enrichment = Enrichment(
        learning_id=learning.id, proeftuin_id=proeftuin.id, author_id=member.id, text=text
    )
    session.add(enrichment)
    await session.flush()
    await session.refresh(learning, ["enrichments"])
    return enrichment


async def follow(
    session: AsyncSession, member: Member, theme: Theme, proeftuin_id: int | None
) -> bool:
    """Follow a theme; False when already followed (the proeftuin is then updated)."""
    existing = await session.scalar(
        select(Follow).where(Follow.member_id == member.id, Follow.theme_id == theme.id)
    )
    if existing is not None:
        if proeftuin_id is not None:
            existing.proeftuin_id = proeftuin_id
        return False
    session.add(Follow(member_id=member.id, theme_id=theme.id, proeftuin_id=proeftuin_id))
    await session.flush()
    return True


async def unfollow(session: AsyncSession, member: Member, theme: Theme) -> bool:
    """Stop following a theme; False when it was not followed."""
    result = await session.execute(
        delete(Follow).where(Follow.member_id == member.id, Follow.theme_id == theme.id)
    )
    return bool(getattr(result, "rowcount", 0))


async def follows_of(session: AsyncSession, member: Member) -> list[Follow]:
    """The themes a member follows."""
    result = await session.scalars(
        select(Follow).where(Follow.member_id == member.id).order_by(Follow.id)
    )
    return list(result.all())


# Asked at every tagged capture: built once (see storage.members._FIND).
_FOLLOWERS = (
    select(Follow.member_id)
    .join(LearningTheme, LearningTheme.theme_id == Follow.theme_id)
    .where(
        LearningTheme.learning_id == bindparam("learning"),
        (Follow.proeftuin_id.is_(None)) | (Follow.proeftuin_id != bindparam("proeftuin")),
    )
    .distinct()
)


async def queue_notices(session: AsyncSession, learning: Learning) -> set[int]:
    """Queue a notice of `learning` for every follower of its themes who may be told.

    Only learnings visible outside their proeftuin travel (the ring rule, through
    `visible(SHARED)`), and never to followers of the learning's own proeftuin or its author.
    Returns the member ids that got a new notice.
    """
    if not learning.themes or not may_see(SHARED, learning.ring, learning.proeftuin_id):
        return set()
    params = {"learning": learning.id, "proeftuin": learning.proeftuin_id}
    rows = await session.execute(_FOLLOWERS, params)
    followers = {m for (m,) in rows.all() if m != learning.author_id}
    if not followers:
        return set()
    already = set(
        (
            await session.scalars(
                select(FollowNotice.member_id).where(
                    FollowNotice.learning_id == learning.id, FollowNotice.member_id.in_(followers)
                )
            )
        ).all()
    )
    new = followers - already
    if new:
        now = utcnow()
        await session.execute(
            insert(FollowNotice),
            [dict(member_id=m, learning_id=learning.id, created_at=now) for m in sorted(new)],
        )
    return new


async def last_sent(session: AsyncSession, member_ids: set[int]) -> dict[int, datetime]:
    """When each member was last sent a notice."""
    if not member_ids:
        return {}
    rows = await session.execute(
        select(FollowNotice.member_id, func.max(FollowNotice.sent_at))
        .where(FollowNotice.member_id.in_(member_ids), FollowNotice.sent_at.is_not(None))
        .group_by(FollowNotice.member_id)
    )
    return {m: at for m, at in rows.all() if at is not None}


async def pending(
    session: AsyncSession, now: datetime, member_ids: set[int] | None = None
) -> dict[Member, list[Learning]]:
    """Unsent notices of members not told within the last hour, with the learnings they may
    still see (a learning narrowed to its proeftuin since is dropped silently)."""
    query = (
        select(FollowNotice.member_id, Learning)
        .join(Learning, Learning.id == FollowNotice.learning_id)
        .where(FollowNotice.sent_at.is_(None), visible(SHARED))
        .order_by(FollowNotice.member_id, Learning.id)
    )
    if member_ids is not None:
        query = query.where(FollowNotice.member_id.in_(member_ids))
    by_member: dict[int, list[Learning]] = defaultdict(list)
    for member_id, learning in (await session.execute(query)).unique().all():
        by_member[member_id].append(learning)
    recent = await last_sent(session, set(by_member))
    due = {m: ls for m, ls in by_member.items() if m not in recent or now - recent[m] >= NOTICE_GAP}
    if not due:
        return {}
    members = (await session.scalars(select(Member).where(Member.id.in_(due)))).all()
    return {member: due[member.id] for member in members}


async def mark_sent(
    session: AsyncSession, member_id: int, learning_ids: list[int], now: datetime
) -> None:
    """Mark a member's notices of these learnings as sent."""
    await session.execute(
        update(FollowNotice)
        .where(FollowNotice.member_id == member_id, FollowNotice.learning_id.in_(learning_ids))
        .values(sent_at=now)
    )


async def unpublish_author(session: AsyncSession, author_id: int) -> int:
    """Withdraw an author's consent: their published learnings go back to the kenniskring."""
    result = await session.execute(
        update(Learning)
        .where(Learning.author_id == author_id, Learning.ring == Ring.BUITENWERELD.value)
        .values(
            ring=Ring.KENNISKRING.value, consent_at=None, published_at=None, author_public=False
        )
    )
    await session.execute(
        update(Learning)
        .where(Learning.author_id == author_id)
        .values(consent_at=None, author_public=False, publish_requested_at=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- recognitions and enrichments of a batch of learnings (exports) ---------------------------


@dataclass(frozen=True, slots=True)
class EnrichmentNote:
    """An enrichment with the name of its proeftuin and of its writer (None once erased)."""

    learning_id: int
    text: str
    proeftuin: str
    author: str | None
    created_at: datetime


async def recognisers_of(
    conn: AsyncConnection | AsyncSession, learning_ids: Sequence[int]
) -> dict[int, list[str]]:
    """Per learning of `learning_ids` (one batch: one IN list), the names of the proeftuinen
    that recognised it, by name. The caller decides which learnings its reader may see."""
    if not learning_ids:
        return {}
    result = await conn.execute(
        select(Recognition.learning_id, Proeftuin.name)
        .join(Proeftuin, Proeftuin.id == Recognition.proeftuin_id)
        .where(Recognition.learning_id.in_(learning_ids))
        .order_by(Recognition.learning_id, Proeftuin.name)
    )
    names: dict[int, list[str]] = {}
    for learning_id, name in result:
        names.setdefault(learning_id, []).append(name)
    return names


async def enrichments_of(
    conn: AsyncConnection | AsyncSession, learning_ids: Sequence[int]
) -> dict[int, list[EnrichmentNote]]:
    """Per learning of `learning_ids` (one batch: one IN list), its enrichments by time, with
    proeftuin and writer names. The caller decides what of them its reader may see."""
    if not learning_ids:
        return {}
    result = await conn.execute(
        select(
            Enrichment.learning_id,
            Enrichment.text,
            Proeftuin.name,
            Member.display_name,
            Enrichment.created_at,
        )
        .join(Proeftuin, Proeftuin.id == Enrichment.proeftuin_id)
        .outerjoin(Member, Member.id == Enrichment.author_id)
        .where(Enrichment.learning_id.in_(learning_ids))
        .order_by(Enrichment.learning_id, Enrichment.created_at, Enrichment.id)
    )
    notes: dict[int, list[EnrichmentNote]] = {}
    for learning_id, text, proeftuin, author, created_at in result:
        notes.setdefault(learning_id, []).append(
            EnrichmentNote(learning_id, text, proeftuin, author, created_at)
        )
    return notes


async def still_shown(
    session: AsyncSession, learning_ids: tuple[int, ...], platform: str, user_id: str
) -> bool:
    """Checked at delivery: whether every learning a private message to `user_id` shows may
    still travel outside its proeftuin (not narrowed, withdrawn, or without consent). When not,
    the message is held back, and the follow notices of the learnings that may still travel
    are marked unsent again, so the next batch tells them (and never the others)."""
    ids = set(learning_ids)
    if not ids:
        return True
    shared = set(
        (
            await session.scalars(select(Learning.id).where(Learning.id.in_(ids), visible(SHARED)))
        ).all()
    )
    if shared == ids:
        return True
    member = await session.scalar(
        select(Member.id).where(Member.platform == platform, Member.user_id == user_id)
    )
    if member is not None and shared:
        await session.execute(
            update(FollowNotice)
            .where(FollowNotice.member_id == member, FollowNotice.learning_id.in_(shared))
            .values(sent_at=None)
        )
    return False
