"""The notice of a cancelled or moved meeting to one person who said `ja`, queued by
`annuleer`/`verzet` (handlers/meeting_changes.py) and sent by the outbox, built when it is sent:
nothing when the meeting is gone, changed again since (that newer change is told instead), or
the person no longer says `ja` or was erased."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.meeting_changes import CHANGE_WINDOW, change_notice
from handlers.types import Reply, Target
from schedules.ledger import Effect
from schedules.rhythm import Rhythm
from storage import harvest, members
from storage import meetings as meeting_store
from storage.effect_keys import change_key


def change_effect(
    r: Rhythm, meeting_id: int, sequence: int, platform: str, user: str, due: datetime
) -> Effect:
    """Telling `platform:user` of version `sequence` of meeting `meeting_id`."""
    t = r.policy.translator()

    async def build(session: AsyncSession) -> list[Reply] | None:
        meeting = await meeting_store.get(session, meeting_id)
        member = await members.find(session, platform, user)
        if meeting is None or member is None or meeting.sequence != sequence:
            return None
        if not await harvest.said_yes(session, meeting.id, member.id):
            return None  # changed their mind meanwhile
        return [change_notice(t, meeting)]

    return Effect(
        key=change_key(meeting_id, sequence, platform, user),
        kind="change",
        target=Target(platform, user_id=user),
        build=build,
        due_at=due,
        expires_at=due + CHANGE_WINDOW,
    )
