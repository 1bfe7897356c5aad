"""The meeting harvest: when a meeting has ended (`HARVEST_AFTER`, 1 hour after its start:
meetings have no end time), everybody whose answer is `ja` gets one direct message "Wat neem je
mee uit <titel>?" with a button to answer (`oogst N`). Exactly once per meeting and person
through the ledger (`harvest:meeting:7:slack:U9`); a person who changed to `nee` meanwhile, or
a meeting deleted, gets nothing. Questions still go out up to `HARVEST_WINDOW` after the end
(the bot was down); later ones are not sent (nobody remembers a meeting of last month).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.harvest import HARVEST_AFTER, harvest_question
from handlers.types import Reply, Target
from schedules.ledger import Effect, Outcome, run_effect
from schedules.rhythm import Rhythm
from storage import effect_queries, members
from storage import harvest as store
from storage import meetings as meeting_store
from storage.effect_keys import harvest_key

HARVEST_WINDOW = timedelta(days=2)


def harvest_effect(r: Rhythm, meeting_id: int, platform: str, user: str, due: datetime) -> Effect:
    """The question about one meeting to one person, built when it is sent."""
    t = r.policy.translator()

    async def build(session: AsyncSession) -> list[Reply] | None:
        meeting = await meeting_store.get(session, meeting_id)
        member = await members.find(session, platform, user)
        if meeting is None or member is None:
            return None  # deleted, or the person was erased
        if not await store.said_yes(session, meeting.id, member.id):
            return None  # changed their mind
        return [harvest_question(t, meeting)]

    return Effect(
        key=harvest_key(meeting_id, platform, user),
        kind="harvest",
        target=Target(platform, user_id=user),
        build=build,
        due_at=due,
        expires_at=due + HARVEST_WINDOW,
    )


async def harvest_due(r: Rhythm, now: datetime) -> list[Outcome]:
    """Ask everybody who came to a meeting that ended within the window, once each."""
    available = r.platforms()
    async with r.database.unit_of_work() as session:
        ended = await store.starting_between(
            session, now - HARVEST_AFTER - HARVEST_WINDOW, now - HARVEST_AFTER
        )
        came = await store.came(session, [m.id for m in ended])
        plans = [
            (meeting.id, meeting.starts_at + HARVEST_AFTER, member.platform, member.user_id)
            for meeting in ended
            for member in came[meeting.id]
            if member.platform in available
        ]
        settled = await effect_queries.settled(
            session, [harvest_key(m, p, u) for m, _, p, u in plans]
        )
    outcomes = []
    for meeting_id, due, platform, user in plans:
        if harvest_key(meeting_id, platform, user) in settled:
            continue
        effect = harvest_effect(r, meeting_id, platform, user, due)
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes
