"""The data of one member: everything stored about them (right of access, AVG/GDPR arts. 15
and 20) and erasing it (art. 17).

`MEMBER_LINKS` names every column that points at a member; `tests/handlers/test_privacy.py`
walks the models and fails when a table gains such a column that is not listed here, so a new
kind of personal data cannot be forgotten by `mijn-gegevens` or `vergeet-mij`.

Platform ids also sit inside the keys of two ledgers (handled events: `slack:act:U1:…`,
`discord:reaction:…:U1`; effects: `notice:4:120:slack:U1`, `report:digest:…:slack:U1`). They
are matched as a whole `:`-separated part of the key. Erasing drops those rows: a handled event
is only needed while its platform may still deliver it again (minutes), and an effect addressed
to the erased person (sent or not) has nobody left to go to; effects addressed to channels are
untouched, so nothing already sent can go out again and nothing owed to others is lost.

What erasure keeps is one keyed hash (HMAC-SHA-256 with a secret made once per install) of the
platform id, in the handled-events ledger as `forgotten:<hash>`: the first command after an
erasure tells the person that a new, empty record was started (and removes the hash).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import core
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
    utcnow,
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
}
# Columns that hold a platform id as a part of a `:`-separated key.
KEYED_LEDGERS = (("handled_events", "key"), ("effects", "key"))

SECRET_PREFIX = "install-secret:"
FORGOTTEN_PREFIX = "forgotten:"
RESERVED_PREFIXES = (SECRET_PREFIX, FORGOTTEN_PREFIX)  # never pruned by storage.retention
NEW_MEMBERS = "samen.new_members"  # session.info: ids of members created in this unit of work
EXPORT_KEEP = timedelta(days=1)  # a mijn-gegevens file is removed after this
EXPORT_FOLDER = "mijn-gegevens"


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def key_mentions(column: Any, user_id: str) -> ColumnElement[bool]:
    """Whether a `:`-separated ledger key holds `user_id` as one of its parts (not the first:
    that is always a platform or a kind)."""
    escaped = _escape_like(user_id)
    return or_(column.like(f"%:{escaped}:%", escape="\\"), column.like(f"%:{escaped}", escape="\\"))


def _mentions(key: str, user_id: str) -> bool:
    return user_id in key.split(":")[1:]


# --- what is stored (mijn-gegevens) ---------------------------------------------------------


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
            if _mentions(h.key, user_id)
        ],
        "effects": [
            {
                "key": e.key,
                "kind": e.kind,
                "status": e.status,
                "created_at": _iso(e.created_at),
                "done_at": _iso(e.done_at),
            }
            for e in effects
            if _mentions(e.key, user_id)
        ],
    }


def export_folder(database_url: str | None, configured: str = "data") -> Path:
    """Where mijn-gegevens files go: beside the .ics files (storage.meetings.data_dir), in a
    folder of their own."""
    from storage.meetings import data_dir

    return data_dir(database_url, configured) / EXPORT_FOLDER


def remove_old_exports(folder: Path, now: datetime) -> int:
    """Remove the mijn-gegevens files older than `EXPORT_KEEP`; returns how many went."""
    removed = 0
    for old in folder.glob("*.json") if folder.is_dir() else ():
        if datetime.fromtimestamp(old.stat().st_mtime, now.tzinfo) < now - EXPORT_KEEP:
            old.unlink(missing_ok=True)
            removed += 1
    return removed


def write_export(data: dict[str, Any], folder: Path, name: str, now: datetime) -> Path:
    """Write `data` as an indented JSON file in `folder` (readable by its owner only), and
    remove the files of earlier requests that are older than `EXPORT_KEEP`."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_old_exports(folder, now)
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def remove_exports(folder: Path, names: tuple[str, ...]) -> None:
    """Remove a member's mijn-gegevens files (when they are erased)."""
    for name in names:
        (folder / name).unlink(missing_ok=True)


# --- erasing (vergeet-mij) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Erased:
    """What `erase` did, counted."""

    learnings: int
    enrichments: int
    recognitions: int
    deleted: int  # follows, RSVPs, notices
    ledger: int  # handled events and effects whose key held the platform id


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def erase(session: AsyncSession, member: Member) -> Erased:
    """Erase `member`: the row with their name and platform id goes, what they wrote stays
    without them, their choices (follows, RSVPs) go, and no ledger key keeps their id."""
    mid, user_id = member.id, member.user_id
    learnings = _count(
        await session.execute(
            update(Learning)
            .where(Learning.author_id == mid)
            .values(
                author_id=None,
                source_url=None,  # the permalink points at the author's own message
                source_event_id=None,
                consent_at=None,
                author_public=False,
                publish_requested_at=None,
            )
        )
    )
    enrichments = _count(
        await session.execute(
            update(Enrichment).where(Enrichment.author_id == mid).values(author_id=None)
        )
    )
    recognitions = _count(
        await session.execute(
            update(Recognition).where(Recognition.member_id == mid).values(member_id=None)
        )
    )
    await session.execute(
        update(Meeting).where(Meeting.created_by_id == mid).values(created_by_id=None)
    )
    await session.execute(
        update(Prompt).where(Prompt.created_by_id == mid).values(created_by_id=None)
    )
    deleted = 0
    for model in (Rsvp, Follow, FollowNotice):
        deleted += _count(await session.execute(delete(model).where(model.member_id == mid)))
    ledger = await _erase_ledgers(session, member.platform, user_id, member.display_name)
    await session.delete(member)
    await mark_forgotten(session, member.platform, user_id)
    await session.flush()
    return Erased(learnings, enrichments, recognitions, deleted, ledger)


async def _erase_ledgers(session: AsyncSession, platform: str, user_id: str, name: str) -> int:
    """Drop the ledger rows whose key holds `user_id`: handled events, and effects addressed
    to this person (sent or not); clear the effects' error notes that name them."""
    removed = 0
    keys = (
        await session.scalars(
            select(HandledEvent.key).where(key_mentions(HandledEvent.key, user_id))
        )
    ).all()
    mine = [key for key in keys if _mentions(key, user_id)]
    if mine:
        removed += _count(
            await session.execute(delete(HandledEvent).where(HandledEvent.key.in_(mine)))
        )
    rows = (
        await session.scalars(select(Effect.key).where(key_mentions(Effect.key, user_id)))
    ).all()
    from storage.effects import parse_key  # local: storage.effects is heavier than this module

    drop = []
    for key in rows:
        if not _mentions(key, user_id):
            continue
        subject = parse_key(key)
        to_them = subject is not None and (subject.platform, subject.channel_id) == (
            platform,
            user_id,
        )
        # A channel-addressed effect (digest, reminder, follow-up) whose channel id merely equals
        # the user id is kept: dropping a settled one could let it be sent again. A key the
        # ledger cannot parse cannot be retried by it either, so it goes.
        if to_them or subject is None:
            drop.append(key)
    if drop:
        removed += _count(await session.execute(delete(Effect).where(Effect.key.in_(drop))))
    named = [Effect.error.contains(user_id, autoescape=True)]
    if len(name) >= 3:  # a name of one or two letters would clear notes that are not theirs
        named.append(Effect.error.contains(name, autoescape=True))
    await session.execute(update(Effect).where(or_(*named)).values(error=None))
    return removed


# --- the install's secret and the note for a returning person ------------------------------


async def install_secret(session: AsyncSession) -> bytes:
    """The install's secret for keyed hashes, made on first use and kept in the database (so
    every process shares it). Two processes making it at the very same moment each keep their
    own until they read again; the smallest wins from then on."""
    found = await session.scalar(
        select(func.min(HandledEvent.key)).where(HandledEvent.key.like(f"{SECRET_PREFIX}%"))
    )
    if found is None:
        insert = core.dialect_insert(session.get_bind().dialect.name)
        await session.execute(
            insert(HandledEvent)
            .values(key=SECRET_PREFIX + secrets.token_hex(32), handled_at=utcnow())
            .on_conflict_do_nothing(index_elements=["key"])
        )
        found = await session.scalar(
            select(func.min(HandledEvent.key)).where(HandledEvent.key.like(f"{SECRET_PREFIX}%"))
        )
    assert found is not None
    return found.removeprefix(SECRET_PREFIX).encode()


def pseudonym(secret: bytes, platform: str, user_id: str) -> str:
    """A keyed hash of a platform id: the same id gives the same value in this install, and
    nobody without the secret can find the id from it."""
    return hmac.new(secret, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()


async def mark_forgotten(session: AsyncSession, platform: str, user_id: str) -> None:
    """Remember (as a keyed hash only) that this platform id was erased."""
    key = FORGOTTEN_PREFIX + pseudonym(await install_secret(session), platform, user_id)
    insert = core.dialect_insert(session.get_bind().dialect.name)
    await session.execute(
        insert(HandledEvent)
        .values(key=key, handled_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )


def note_new(session: AsyncSession, member_id: int) -> None:
    """Note that this unit of work created the member (storage.members.upsert calls it)."""
    session.info.setdefault(NEW_MEMBERS, set()).add(member_id)


async def returning_after_erasure(session: AsyncSession, member: Member) -> bool:
    """Whether `member` was just created for a platform id that had been erased before; the
    mark is taken away, so this is True once. Costs nothing for a member already known."""
    if member.id not in session.info.get(NEW_MEMBERS, ()):
        return False
    any_forgotten = await session.scalar(
        select(HandledEvent.key).where(HandledEvent.key.like(f"{FORGOTTEN_PREFIX}%")).limit(1)
    )
    if any_forgotten is None:
        return False
    key = FORGOTTEN_PREFIX + pseudonym(
        await install_secret(session), member.platform, member.user_id
    )
    return _count(await session.execute(delete(HandledEvent).where(HandledEvent.key == key))) > 0
