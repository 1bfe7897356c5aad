"""Everything stored about one member (right of access, AVG/GDPR arts. 15 and 20), and where
personal data sits: `MEMBER_LINKS` names every column that points at a member;
`tests/handlers/test_privacy.py` walks the models and fails when a table gains such a column that
is not listed here, so a new kind of personal data cannot be forgotten by `mijn-gegevens` or
`vergeet-mij` (storage/erasure.py).

Platform ids also sit inside the keys of two ledgers (handled events: `slack:act:U1:…`,
`discord:reaction:…:U1`; effects: `notice:4:120:slack:U1`, `report:digest:…:slack:U1`). They
are matched as a whole `:`-separated part of the key (`key_mentions`, `mentions`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import buddies
from storage.effect_keys import like_literal
from storage.models import (
    Effect,
    Enrichment,
    Follow,
    FollowNotice,
    HandledEvent,
    Learning,
    Meeting,
    Member,
    Prompt,
    Recognition,
    Rsvp,
)

# Every column that refers to a member, and what erasure does with its rows.
DELETE, DETACH = "delete", "detach"
MEMBER_LINKS: dict[tuple[str, str], str] = {
    ("learnings", "author_id"): DETACH,  # the learning stays, anonymised
    ("enrichments", "author_id"): DETACH,  # keeps its proeftuin, loses its writer
    ("recognitions", "member_id"): DETACH,  # keeps its proeftuin, loses who recognised
    ("meetings", "created_by_id"): DETACH,
    ("prompts", "created_by_id"): DETACH,
    ("rsvps", "member_id"): DELETE,
    ("follows", "member_id"): DELETE,
    ("follow_notices", "member_id"): DELETE,
    ("buddy_optins", "member_id"): DELETE,  # maatje aan
    ("buddy_pairs", "member_a_id"): DELETE,  # the pairs they were in (storage/buddies.py)
    ("buddy_pairs", "member_b_id"): DELETE,
}
# Columns that hold a platform id as a part of a `:`-separated key.
KEYED_LEDGERS = (("handled_events", "key"), ("effects", "key"))


def key_mentions(column: Any, user_id: str) -> ColumnElement[bool]:
    """Whether a `:`-separated ledger key holds `user_id` as one of its parts (not the first:
    that is always a platform or a kind)."""
    escaped = like_literal(user_id)
    return or_(column.like(f"%:{escaped}:%", escape="\\"), column.like(f"%:{escaped}", escape="\\"))


def mentions(key: str, user_id: str) -> bool:
    """The exact check behind `key_mentions` (whose LIKE may match a longer id)."""
    return user_id in key.split(":")[1:]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def collect(session: AsyncSession, member: Member) -> dict[str, Any]:
    """Everything stored about `member`, complete, as plain JSON-ready data."""
    platform, user_id = member.platform, member.user_id
    written = (
        (
            await session.scalars(
                select(Learning).where(Learning.author_id == member.id).order_by(Learning.id)
            )
        )
        .unique()
        .all()
    )
    enrichments = (
        await session.scalars(
            select(Enrichment).where(Enrichment.author_id == member.id).order_by(Enrichment.id)
        )
    ).all()
    recognitions = (
        await session.scalars(
            select(Recognition).where(Recognition.member_id == member.id).order_by(Recognition.id)
        )
    ).all()
    follows = (
        await session.scalars(
            select(Follow).where(Follow.member_id == member.id).order_by(Follow.id)
        )
    ).all()
    notices = (
        await session.scalars(
            select(FollowNotice)
            .where(FollowNotice.member_id == member.id)
            .order_by(FollowNotice.id)
        )
    ).all()
    rsvps = (
        await session.execute(
            select(Rsvp, Meeting)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .where(Rsvp.member_id == member.id)
            .order_by(Rsvp.meeting_id)
        )
    ).all()
    meetings = (
        (
            await session.scalars(
                select(Meeting).where(Meeting.created_by_id == member.id).order_by(Meeting.id)
            )
        )
        .unique()
        .all()
    )
    prompts = (
        await session.scalars(
            select(Prompt).where(Prompt.created_by_id == member.id).order_by(Prompt.id)
        )
    ).all()
    handled = (
        await session.scalars(
            select(HandledEvent)
            .where(key_mentions(HandledEvent.key, user_id))
            .order_by(HandledEvent.handled_at)
        )
    ).all()
    effects = (
        await session.scalars(
            select(Effect).where(key_mentions(Effect.key, user_id)).order_by(Effect.created_at)
        )
    ).all()
    return {
        "member": {
            "platform": platform,
            "user_id": user_id,
            "display_name": member.display_name,
            "role": member.role,
            "created_at": _iso(member.created_at),
        },
        "learnings": [
            {
                "id": learning.id,
                "text": learning.text,
                "proeftuin": learning.proeftuin.name,
                "themes": [theme.slug for theme in learning.themes],
                "ring": learning.ring,
                "created_at": _iso(learning.created_at),
                "platform": learning.platform,
                "channel_id": learning.channel_id,
                "source_url": learning.source_url,
                "source_event_id": learning.source_event_id,
                "prompt_id": learning.prompt_id,
                # consent to publish in the buitenwereld, and the naming choice
                "consent_at": _iso(learning.consent_at),
                "published_at": _iso(learning.published_at),
                "author_public": learning.author_public,
                "publish_requested_at": _iso(learning.publish_requested_at),
            }
            for learning in written
        ],
        "enrichments": [
            {
                "id": e.id,
                "learning_id": e.learning_id,
                "proeftuin": e.proeftuin.name,
                "text": e.text,
                "created_at": _iso(e.created_at),
            }
            for e in enrichments
        ],
        "recognitions": [
            {
                "id": r.id,
                "learning_id": r.learning_id,
                "proeftuin": r.proeftuin.name,
                "created_at": _iso(r.created_at),
            }
            for r in recognitions
        ],
        "follows": [
            {
                "theme": f.theme.slug,
                "proeftuin_id": f.proeftuin_id,
                "created_at": _iso(f.created_at),
            }
            for f in follows
        ],
        "follow_notices": [
            {
                "learning_id": n.learning_id,
                "created_at": _iso(n.created_at),
                "sent_at": _iso(n.sent_at),
            }
            for n in notices
        ],
        "rsvps": [
            {
                "meeting_id": rsvp.meeting_id,
                "meeting": meeting.title,
                "starts_at": _iso(meeting.starts_at),
                "answer": rsvp.answer,
                "answered_at": _iso(rsvp.answered_at),
            }
            for rsvp, meeting in rsvps
        ],
        "meetings_created": [
            {
                "id": m.id,
                "title": m.title,
                "starts_at": _iso(m.starts_at),
                "platform": m.platform,
                "channel_id": m.channel_id,
                "created_at": _iso(m.created_at),
            }
            for m in meetings
        ],
        "prompts_created": [
            {"id": p.id, "question": p.question, "created_at": _iso(p.created_at)} for p in prompts
        ],
        "handled_events": [
            {"key": h.key, "handled_at": _iso(h.handled_at)}
            for h in handled
            if mentions(h.key, user_id)
        ],
        **await buddies.collect(session, member.id),  # buddy_optin, buddy_pairs
        "effects": [
            {
                "key": e.key,
                "kind": e.kind,
                "status": e.status,
                "created_at": _iso(e.created_at),
                "done_at": _iso(e.done_at),
            }
            for e in effects
            if mentions(e.key, user_id)
        ],
    }
