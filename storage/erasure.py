"""Erasing a member (vergeet-mij, AVG/GDPR art. 17), and the one mark it leaves behind.

What a member's data is, and where their platform id sits in ledger keys, is in
storage/personal_data.py. Erasing drops the ledger rows whose key holds the id: a handled event
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
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import buddies, core
from storage.effect_keys import parse_key
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
from storage.personal_data import key_mentions, mentions

SECRET_PREFIX = "install-secret:"
FORGOTTEN_PREFIX = "forgotten:"
RESERVED_PREFIXES = (SECRET_PREFIX, FORGOTTEN_PREFIX)  # never pruned by storage.retention
NEW_MEMBERS = "samen.new_members"  # session.info: ids of members created in this unit of work


@dataclass(frozen=True, slots=True)
class Erased:
    """What `erase` did, counted."""

    learnings: int
    enrichments: int
    recognitions: int
    deleted: int  # follows, RSVPs, notices, maatjes opt-in and pairs
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
    deleted += await buddies.erase(session, mid)
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
    mine = [key for key in keys if mentions(key, user_id)]
    if mine:
        removed += _count(
            await session.execute(delete(HandledEvent).where(HandledEvent.key.in_(mine)))
        )
    rows = (
        await session.scalars(select(Effect.key).where(key_mentions(Effect.key, user_id)))
    ).all()
    drop = []
    for key in rows:
        if not mentions(key, user_id):
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
