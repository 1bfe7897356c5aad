"""The meeting reminders job: the 24 h and 1 h reminders in each of a meeting's channels, only
the latest one that fell due; older, superseded or too late ones are recorded as missed.

A cancelled meeting gets none. A moved one (`verzet`) gets them again at its new time: their
ledger keys name the meeting's version, and a reminder whose moment passed before the change
does not apply (the people who said `ja` were told of the change itself)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.meetings import REMINDERS, reminder_reply
from handlers.types import Reply, Target
from schedules.ledger import Effect, Outcome, run_effect
from schedules.rhythm import Rhythm
from storage import effect_queries, effects
from storage import meetings as meeting_store
from storage.effect_keys import reminder_key

log = logging.getLogger(__name__)


def reminder_effect(
    r: Rhythm,
    meeting_id: int,
    kind: str,
    target: tuple[str, str],
    due: datetime,
    now: datetime,
    sequence: int = 0,
) -> Effect:
    """Reminder `kind` (24h, 1h) of a meeting in one channel, until the meeting starts."""
    t = r.policy.translator()
    platform, channel = target

    async def build(session: AsyncSession) -> list[Reply] | None:
        meeting = await meeting_store.get(session, meeting_id)
        if (
            meeting is None
            or meeting.cancelled_at is not None
            or meeting.sequence != sequence
            or meeting.starts_at - REMINDERS[kind] != due
        ):
            return None  # deleted, cancelled or moved: this reminder no longer applies
        if any(
            offset < REMINDERS[kind] and meeting.starts_at - offset <= now
            for offset in REMINDERS.values()
        ):
            return None  # a retry that a later reminder has overtaken
        counts = (await meeting_store.counts(session, [meeting.id]))[meeting.id]
        return [reminder_reply(t, meeting, counts, max(due, now))]

    return Effect(
        key=reminder_key(kind, meeting_id, platform, channel, sequence),
        kind="reminder",
        target=Target(platform, channel_id=channel),
        build=build,
        due_at=due,
        expires_at=due + REMINDERS[kind],  # the meeting's start
    )


async def reminders_due(r: Rhythm, now: datetime, meeting_id: int | None = None) -> list[Outcome]:
    """Send the reminders that fell due (within the grace time, and before the meeting), the
    latest one per meeting only; older or superseded ones are recorded as missed."""
    longest = max(REMINDERS.values())
    async with r.database.unit_of_work() as session:
        candidates = await meeting_store.starting_between(session, now, now + longest)
        plans = []
        for meeting in candidates:
            if meeting_id is not None and meeting.id != meeting_id:
                continue
            due = sorted(
                (
                    (kind, meeting.starts_at - offset)
                    for kind, offset in REMINDERS.items()
                    # a reminder whose moment was before the meeting was made (or last
                    # changed) does not apply
                    if (meeting.updated_at or meeting.created_at)
                    <= meeting.starts_at - offset
                    <= now
                ),
                key=lambda pair: pair[1],
            )
            if due:
                channels = await meeting_store.channels_for(session, meeting)
                plans.append((meeting.id, meeting.sequence, due, channels))
        keys = [
            reminder_key(kind, mid, platform, channel, version)
            for mid, version, due, channels in plans
            for kind, _ in due
            for platform, channel in channels
        ]
        settled = await effect_queries.settled(session, keys)
    outcomes = []
    for mid, version, due, channels in plans:
        latest_kind = due[-1][0]
        for kind, fire in due:
            for platform, channel in channels:
                if reminder_key(kind, mid, platform, channel, version) in settled:
                    continue
                effect = reminder_effect(r, mid, kind, (platform, channel), fire, now, version)
                if kind != latest_kind or now - fire > r.grace:
                    why = "superseded by a later reminder" if kind != latest_kind else "too late"
                    async with r.database.unit_of_work() as session:
                        noticed = await effects.record_missed(
                            session, effect.key, "reminder", now, fire, why
                        )
                    if noticed:
                        log.warning("reminder %s not sent: %s", effect.key, why)
                    continue
                outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes
