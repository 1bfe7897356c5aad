"""The scheduler's jobs, each a plain coroutine of an explicit `now` (tests drive the clock):

- `digest_due`: the digest of the most recent cron fire time, to every digest channel, when
  within the grace time; otherwise recorded as missed and reported (only the last fire time
  counts: three weeks down gives one digest, not three);
- `reminders_due`: the 24 h and 1 h meeting reminders (only the latest one that fell due);
- `followups_due`: one friendly follow-up per asked proeftuin that has not answered;
- `outbox`: queued effects (`digest plaats`) and failed ones whose backoff has passed;
- `notices_due`: follow notices, batched to at most one message an hour per follower;
- `run_due`: all of the above, the start-up catch-up.

Every effect goes through schedules/ledger.py, so any number of processes may run these at the
same moment and each message still goes out once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Policy
from handlers.digest import digest_replies
from handlers.meetings import REMINDERS, reminder_reply
from handlers.prompts import followup_post
from handlers.types import Reply, Target, Visibility
from schedules.ledger import Effect, Outcome, Sender, process_owner, run_effect
from schedules.notices import notice_effect, notices_due
from storage import effects
from storage import meetings as meeting_store
from storage import prompts as prompt_store
from storage.db import Database
from storage.digest_queries import Week, parse_week, week_of
from storage.models import Proeftuin

log = logging.getLogger(__name__)

GRACE = timedelta(hours=6)  # a digest or reminder later than this is reported, not sent
FOLLOWUP_GRACE = timedelta(days=2)
DIGEST_RETRY = timedelta(days=7)  # a leader's report of a missed digest: until the next one
FIRST_START = "before the first start with this digest channel"
LOOKBACKS = (timedelta(hours=1), timedelta(days=1), timedelta(days=8), timedelta(days=32))


@dataclass
class Rhythm:
    """What the jobs need: the store, a sender, the policy and the digest schedule."""

    database: Database
    sender: Sender
    policy: Policy
    schedule: str = "0 16 * * fri"
    grace: timedelta = GRACE
    owner: str = field(default_factory=process_owner)

    @property
    def timezone(self) -> ZoneInfo:
        return self.policy.timezone

    def trigger(self) -> CronTrigger:
        return digest_trigger(self.schedule, self.timezone)


def digest_trigger(schedule: str, timezone: ZoneInfo) -> CronTrigger:
    """The digest cron in the programme's zone (Friday 16:00 stays 16:00 local all year)."""
    return CronTrigger.from_crontab(schedule, timezone=timezone)


def last_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The most recent fire time at or before `now` (within 32 days), computed by the trigger."""
    for lookback in LOOKBACKS:
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
            if following is None or following > now:
                return fire
            fire = following
    return None


def digest_week_for(fire_time: datetime, timezone: ZoneInfo) -> Week:
    """The week a digest fired at `fire_time` covers: the ISO week of the day before, so a
    Friday digest covers its own week and a Monday-morning digest the week just ended."""
    return week_of(fire_time - timedelta(days=1), timezone)


def _digest_effect(r: Rhythm, week: Week, platform: str, channel: str, now: datetime) -> Effect:
    t = r.policy.translator()

    async def build(_session: AsyncSession) -> list[Reply]:
        # The week's learnings may be many rows: read them off the unit of work (and, on
        # SQLite, off the event loop); the ledger's unit only records the send.
        async with r.database.reading() as reader:
            return await digest_replies(reader, t, r.timezone, week, now)

    return Effect(
        key=effects.digest_key(week.label, platform, channel),
        kind="digest",
        target=Target(platform, channel_id=channel),
        build=build,
        due_at=now,
        expires_at=now + r.grace,  # later than its grace a digest is reported, never posted
    )


async def digest_due(r: Rhythm, now: datetime) -> list[Outcome]:
    """Post the digest of the last fire time to every digest channel, once; report it missed
    (to the log and to the leaders) when that time is further back than the grace time.

    Runs from the cron trigger, at start-up and at every tick of the scheduler, so an error at
    the digest moment (a database restart, a platform down) only delays the digest."""
    fire = last_fire_time(r.trigger(), now)
    if fire is None or not r.policy.digest_channels:
        return []
    week = digest_week_for(fire, r.timezone)
    settled = await effects.settled(
        r.database, [effects.digest_key(week.label, p, c) for p, c in r.policy.digest_channels]
    )
    outcomes = []
    late = now - fire > r.grace
    for platform, channel in r.policy.digest_channels:
        if effects.digest_key(week.label, platform, channel) in settled:
            continue
        effect = _digest_effect(r, week, platform, channel, fire)
        if late:
            if not await effects.any_digest(r.database, platform, channel):
                # A new install (or a digest channel just added): nothing was missed yet.
                await _first_digest_pending(r, effect.key, week, platform, channel, fire, now)
                continue
            reason = f"not posted between {fire.isoformat()} and {now.isoformat()}"
            if await effects.record_missed(
                r.database, effect.key, "digest", now, fire, reason
            ) or await effects.expire(r.database, effect.key, now, reason):
                log.warning(
                    "digest of %s for %s:%s MISSED (due %s, %s late, grace %s); not posted. "
                    "The leaders are told. Post it by hand: samen-bot digest --week %s --post",
                    week.label,
                    platform,
                    channel,
                    fire.astimezone(r.timezone).isoformat(),
                    now - fire,
                    r.grace,
                    week.label,
                )
            continue
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    if late:
        outcomes += await _report_missed(r, week, fire, now)
    return outcomes


def _leaders(r: Rhythm) -> list[tuple[str, str]]:
    """The leaders (`platform:user`) on a platform this process can send to."""
    available = set(getattr(r.sender, "platforms", lambda: ())())
    found = []
    for leader in sorted(r.policy.leaders):
        platform, _, user = leader.partition(":")
        if user and platform in available:
            found.append((platform, user))
    return found


async def _missed_channels(session: AsyncSession, week: Week) -> list[str]:
    """The digest channels of `week` whose digest was missed (not a first start's week)."""
    rows = await effects.by_prefix(session, f"digest:{week.label}:")
    return [
        row.key.split(":", 2)[2]
        for row in rows
        if row.status == effects.MISSED and FIRST_START not in (row.error or "")
    ]


def _report_effect(r: Rhythm, week: Week, platform: str, user: str, fire: datetime) -> Effect:
    t = r.policy.translator()

    async def build(session: AsyncSession) -> list[Reply] | None:
        channels = await _missed_channels(session, week)
        if not channels:
            return None  # posted by hand meanwhile
        text = t(
            "digest.missed_report",
            week=week.number,
            year=week.year,
            label=week.label,
            channels=", ".join(channels),
            moment=t.moment(fire),
        )
        return [Reply(text=text, visibility=Visibility.DIRECT, to=Target(platform, user_id=user))]

    return Effect(
        key=effects.report_key(week.label, platform, user),
        kind="report",
        target=Target(platform, user_id=user),
        build=build,
        due_at=fire,
        expires_at=fire + DIGEST_RETRY,
    )


async def _report_missed(r: Rhythm, week: Week, fire: datetime, now: datetime) -> list[Outcome]:
    """Tell every leader, once, that this week's digest was not posted in time (in a DM)."""
    leaders = _leaders(r)
    keys = [effects.report_key(week.label, p, u) for p, u in leaders]
    settled = await effects.settled(r.database, keys)
    if all(key in settled for key in keys):
        return []
    async with r.database.unit_of_work() as session:
        if not await _missed_channels(session, week):
            return []
    outcomes = []
    for platform, user in leaders:
        if effects.report_key(week.label, platform, user) in settled:
            continue
        effect = _report_effect(r, week, platform, user, fire)
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes


async def _first_digest_pending(
    r: Rhythm, key: str, week: Week, platform: str, channel: str, fire: datetime, now: datetime
) -> None:
    """The last digest time passed before this channel ever had a digest: record that week as
    not posted (so it is not reported again) and say calmly when the first one comes."""
    reason = f"due {fire.isoformat()}, {FIRST_START}"
    if await effects.record_missed(r.database, key, "digest", now, fire, reason):
        upcoming = r.trigger().get_next_fire_time(None, now)
        log.info(
            "first start with digest channel %s:%s: the first digest is posted %s "
            "(the digest of %s, due %s, can be posted by hand: "
            "samen-bot digest --week %s --post)",
            platform,
            channel,
            upcoming.astimezone(r.timezone).isoformat() if upcoming else "at the next run time",
            week.label,
            fire.astimezone(r.timezone).isoformat(),
            week.label,
        )


def _reminder_effect(
    r: Rhythm,
    meeting_id: int,
    kind: str,
    target: tuple[str, str],
    due: datetime,
    now: datetime,
) -> Effect:
    t = r.policy.translator()
    platform, channel = target

    async def build(session: AsyncSession) -> list[Reply] | None:
        meeting = await meeting_store.get(session, meeting_id)
        if meeting is None or meeting.starts_at - REMINDERS[kind] != due:
            return None  # deleted or moved: this reminder no longer applies
        if any(
            offset < REMINDERS[kind] and meeting.starts_at - offset <= now
            for offset in REMINDERS.values()
        ):
            return None  # a retry that a later reminder has overtaken
        counts = (await meeting_store.counts(session, [meeting.id]))[meeting.id]
        return [reminder_reply(t, meeting, counts, max(due, now))]

    return Effect(
        key=effects.reminder_key(kind, meeting_id, platform, channel),
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
                    # a reminder whose moment was before the meeting was made does not apply
                    if meeting.created_at <= meeting.starts_at - offset <= now
                ),
                key=lambda pair: pair[1],
            )
            if due:
                channels = await meeting_store.channels_for(session, meeting)
                plans.append((meeting.id, due, channels))
    keys = [
        effects.reminder_key(kind, mid, platform, channel)
        for mid, due, channels in plans
        for kind, _ in due
        for platform, channel in channels
    ]
    settled = await effects.settled(r.database, keys)
    outcomes = []
    for mid, due, channels in plans:
        latest_kind = due[-1][0]
        for kind, fire in due:
            for platform, channel in channels:
                if effects.reminder_key(kind, mid, platform, channel) in settled:
                    continue
                effect = _reminder_effect(r, mid, kind, (platform, channel), fire, now)
                if kind != latest_kind or now - fire > r.grace:
                    why = "superseded by a later reminder" if kind != latest_kind else "too late"
                    if await effects.record_missed(
                        r.database, effect.key, "reminder", now, fire, why
                    ):
                        log.warning("reminder %s not sent: %s", effect.key, why)
                    continue
                outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes


def _followup_effect(
    r: Rhythm, prompt_id: int, proeftuin_id: int, platform: str, channel: str, due: datetime
) -> Effect:
    t = r.policy.translator()

    async def build(session: AsyncSession) -> list[Reply] | None:
        prompt = await prompt_store.get(session, prompt_id)
        proeftuin = await session.get(Proeftuin, proeftuin_id)
        if prompt is None or proeftuin is None:
            return None
        answered = await prompt_store.answered_by(session, [prompt_id])
        if proeftuin_id in answered.get(prompt_id, set()):
            return None  # they answered meanwhile
        return [followup_post(t, prompt, proeftuin.name, Target(platform, channel_id=channel))]

    async def remember(reply: Reply, message_id: str | None) -> None:
        if message_id:
            async with r.database.unit_of_work() as session:
                await prompt_store.record_prompt_post(
                    session, prompt_id, platform, channel, message_id
                )

    return Effect(
        key=effects.followup_key(prompt_id, proeftuin_id, platform, channel),
        kind="followup",
        target=Target(platform, channel_id=channel),
        build=build,
        due_at=due,
        expires_at=due + FOLLOWUP_GRACE,
        after_send=remember,
    )


async def followups_due(r: Rhythm, now: datetime, prompt_id: int | None = None) -> list[Outcome]:
    """One follow-up per asked proeftuin without an answer, `prompt_followup_days` after the
    prompt; later than FOLLOWUP_GRACE it is recorded as missed instead."""
    wait = timedelta(days=r.policy.prompt_followup_days)
    plans = []
    async with r.database.unit_of_work() as session:
        found = await prompt_store.created_between(
            session, now - wait - FOLLOWUP_GRACE - r.grace, now - wait + timedelta(seconds=1)
        )
        for prompt in found:
            if prompt_id is not None and prompt.id != prompt_id:
                continue
            answered = (await prompt_store.answered_by(session, [prompt.id]))[prompt.id]
            for proeftuin_id in await prompt_store.asked_proeftuinen(session, prompt.id):
                if proeftuin_id in answered:
                    continue
                for platform, channel in await prompt_store.channels_of(
                    session, prompt.id, proeftuin_id
                ):
                    plans.append(
                        (prompt.id, proeftuin_id, platform, channel, prompt.created_at + wait)
                    )
    settled = await effects.settled(
        r.database, [effects.followup_key(p, q, pl, c) for p, q, pl, c, _ in plans]
    )
    outcomes = []
    for pid, proeftuin_id, platform, channel, due in plans:
        if effects.followup_key(pid, proeftuin_id, platform, channel) in settled:
            continue
        effect = _followup_effect(r, pid, proeftuin_id, platform, channel, due)
        if now - due > FOLLOWUP_GRACE:
            if await effects.record_missed(
                r.database, effect.key, "followup", now, due, "too late"
            ):
                log.warning("follow-up %s not sent: too late", effect.key)
            continue
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes


async def outbox(r: Rhythm, now: datetime) -> list[Outcome]:
    """Send queued effects and retry failed ones whose backoff has passed."""
    outcomes = []
    for row in await effects.due_for_retry(r.database, now):
        subject = effects.parse_key(row.key)
        effect: Effect | None = None
        if subject is None:
            log.error("ledger key %r is not understood; left alone", row.key)
            continue
        due = row.due_at or now
        if subject.kind == "digest":
            try:
                week = parse_week(subject.week, r.timezone)
            except ValueError:
                continue
            effect = _digest_effect(r, week, subject.platform, subject.channel_id, due)
        elif subject.kind == "reminder" and subject.reminder in REMINDERS:
            effect = _reminder_effect(
                r,
                subject.meeting_id,
                subject.reminder,
                (subject.platform, subject.channel_id),
                due,
                now,
            )
        elif subject.kind == "report":
            try:
                week = parse_week(subject.week, r.timezone)
            except ValueError:
                continue
            effect = _report_effect(r, week, subject.platform, subject.channel_id, due)
        elif subject.kind == "notice" and subject.member_id:
            effect = notice_effect(
                r, subject.member_id, subject.platform, subject.channel_id, subject.last_id, now
            )
        elif subject.kind == "followup":
            effect = _followup_effect(
                r,
                subject.prompt_id,
                subject.proeftuin_id,
                subject.platform,
                subject.channel_id,
                due,
            )
        if effect is not None:
            outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes


async def run_due(r: Rhythm, now: datetime) -> dict[str, list[Outcome]]:
    """Everything that is due at `now`: the start-up catch-up (and one simulated tick)."""
    return {
        "digest": await digest_due(r, now),
        "reminders": await reminders_due(r, now),
        "followups": await followups_due(r, now),
        "outbox": await outbox(r, now),
        "notices": await notices_due(r, now),
    }


async def post_digest(
    r: Rhythm, week: Week, now: datetime, *, take_missed: bool = True
) -> list[tuple[str, str, str]]:
    """Post the digest of `week` to every digest channel now (the `digest --post` command):
    through the ledger, so a week already posted is not posted again. Channels of a platform
    with no adapter in this process are queued for `samen-bot serve`. Returns (platform,
    channel, outcome) with outcome one of the Outcome values or `queued`."""
    available = set(getattr(r.sender, "platforms", lambda: ())())
    results = []
    for platform, channel in r.policy.digest_channels:
        if platform not in available:
            key = effects.digest_key(week.label, platform, channel)
            async with r.database.unit_of_work() as session:
                fresh = await effects.queue(
                    session, key, "digest", now, due_at=now, expires_at=now + DIGEST_RETRY
                )
            results.append((platform, channel, "queued" if fresh else str(Outcome.SKIPPED)))
            continue
        effect = _digest_effect(r, week, platform, channel, now)
        outcome = await run_effect(
            r.database, r.sender, effect, now, owner=r.owner, take_missed=take_missed
        )
        results.append((platform, channel, str(outcome)))
    return results
