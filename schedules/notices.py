"""The hourly batch of follow notices: everyone told at most once an hour, each batch once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.learnings import notice_reply
from handlers.types import Reply, Target
from schedules.ledger import Effect, Outcome, run_effect
from schedules.rhythm import Rhythm
from storage import effect_queries, rings
from storage.effect_keys import notice_key
from storage.models import Member

log = logging.getLogger(__name__)


def notice_effect(
    r: Rhythm, member_id: int, platform: str, user_id: str, last_id: int, now: datetime
) -> Effect:
    """The batch of a follower's notices up to learning `last_id`: a retry (after a failure,
    or another process after a crash) sends the same batch, never one with newer learnings
    merged in, so the platform can tell whether it arrived."""
    t = r.policy.translator()
    sent: list[int] = []

    async def build(session: AsyncSession) -> list[Reply] | None:
        # Read again at send time, so the ring rule holds for what is actually sent.
        member = await session.get(Member, member_id)
        if member is None:
            return None
        due = await rings.pending(session, now, {member_id})
        items = [learning for learning in next(iter(due.values()), []) if learning.id <= last_id]
        sent[:] = [learning.id for learning in items]
        return [notice_reply(t, member, items)] if items else None

    async def remember(_reply: Reply, _message_id: str | None) -> None:
        async with r.database.unit_of_work() as session:
            await rings.mark_sent(session, member_id, sent, now)

    return Effect(
        key=notice_key(member_id, last_id, platform, user_id),
        kind="notice",
        target=Target(platform, user_id=user_id),
        build=build,
        after_send=remember,
    )


async def notices_due(r: Rhythm, now: datetime) -> list[Outcome]:
    """Send each follower their pending notices when their last one is an hour old; a
    follower whose previous batch is still open waits for it (the outbox retries it)."""
    async with r.database.unit_of_work() as session:
        due = await rings.pending(session, now)
        waiting = await effect_queries.open_notice_members(session) if due else set()
    if not due:
        return []
    outcomes = []
    for member, items in due.items():
        if member.id in waiting:
            continue
        last = max(learning.id for learning in items)
        effect = notice_effect(r, member.id, member.platform, member.user_id, last, now)
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes
