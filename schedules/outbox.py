"""The outbox job: queued effects (a leader's `digest plaats`) and retries of failed ones or of
claims whose holder died, each rebuilt from its ledger key."""

from __future__ import annotations

import logging
from datetime import datetime

from handlers.meetings import REMINDERS
from schedules.buddies import intro_effect
from schedules.followups import followup_effect
from schedules.ledger import Effect, Outcome, run_effect
from schedules.meeting_changes import change_effect
from schedules.meeting_harvest import harvest_effect
from schedules.notices import notice_effect
from schedules.quiet_proeftuinen import quiet_effect
from schedules.reminders import reminder_effect
from schedules.rhythm import Rhythm
from schedules.weekly_digest import digest_effect, report_effect
from storage import effect_queries
from storage.effect_keys import Subject, parse_key
from storage.weeks import parse_week

log = logging.getLogger(__name__)


def _effect_of(r: Rhythm, subject: Subject, due: datetime, now: datetime) -> Effect | None:
    """The effect a ledger key's subject stands for; None when it cannot be made again."""
    if subject.kind in ("digest", "report"):
        try:
            week = parse_week(subject.week, r.timezone)
        except ValueError:
            return None
        make = digest_effect if subject.kind == "digest" else report_effect
        return make(r, week, subject.platform, subject.channel_id, due)
    if subject.kind == "reminder" and subject.reminder in REMINDERS:
        return reminder_effect(
            r,
            subject.meeting_id,
            subject.reminder,
            (subject.platform, subject.channel_id),
            due,
            now,
            subject.sequence,
        )
    if subject.kind == "change" and subject.meeting_id:
        return change_effect(
            r, subject.meeting_id, subject.sequence, subject.platform, subject.channel_id, due
        )
    if subject.kind == "notice" and subject.member_id:
        return notice_effect(
            r, subject.member_id, subject.platform, subject.channel_id, subject.last_id, now
        )
    if subject.kind == "quiet":
        try:
            week = parse_week(subject.week, r.timezone)
        except ValueError:
            return None
        return quiet_effect(r, week, subject.platform, subject.channel_id, due)
    if subject.kind == "maatje":
        return intro_effect(r, subject.week, subject.platform, subject.channel_id, due, now)
    if subject.kind == "harvest" and subject.meeting_id:
        return harvest_effect(r, subject.meeting_id, subject.platform, subject.channel_id, due)
    if subject.kind == "followup":
        return followup_effect(
            r, subject.prompt_id, subject.proeftuin_id, subject.platform, subject.channel_id, due
        )
    return None


async def outbox(r: Rhythm, now: datetime) -> list[Outcome]:
    """Send queued effects and retry failed ones whose backoff has passed."""
    async with r.database.unit_of_work() as session:
        rows = await effect_queries.due_for_retry(session, now)
    outcomes = []
    for row in rows:
        subject = parse_key(row.key)
        if subject is None:
            log.error("ledger key %r is not understood; left alone", row.key)
            continue
        effect = _effect_of(r, subject, row.due_at or now, now)
        if effect is not None:
            outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes
