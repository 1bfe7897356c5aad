"""The weekly digest job: post the digest of the last cron fire time to every digest channel,
or, past the grace time, record it missed and tell the leaders once; and `post_digest`, the
`digest --post` command's way through the ledger."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest import digest_replies
from handlers.types import Reply, Target, Visibility
from schedules.ledger import Effect, Outcome, run_effect
from schedules.rhythm import Rhythm, last_fire_time
from storage import effect_queries, effects
from storage.effect_keys import digest_key, report_key
from storage.weeks import Week, week_of

log = logging.getLogger(__name__)

DIGEST_RETRY = timedelta(days=7)  # a leader's report of a missed digest: until the next one
FIRST_START = "before the first start with this digest channel"


def digest_week_for(fire_time: datetime, timezone: ZoneInfo) -> Week:
    """The week a digest fired at `fire_time` covers: the ISO week of the day before, so a
    Friday digest covers its own week and a Monday-morning digest the week just ended."""
    return week_of(fire_time - timedelta(days=1), timezone)


def digest_effect(r: Rhythm, week: Week, platform: str, channel: str, now: datetime) -> Effect:
    """The digest of `week` in one channel, due at `now` and posted within the grace time."""
    t = r.policy.translator()

    async def build(_session: AsyncSession) -> list[Reply]:
        # The week's learnings may be many rows: read them off the unit of work (and, on
        # SQLite, off the event loop); the ledger's unit only records the send.
        async with r.database.reading() as reader:
            return await digest_replies(reader, t, r.timezone, week, now)

    return Effect(
        key=digest_key(week.label, platform, channel),
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
    keys = [digest_key(week.label, p, c) for p, c in r.policy.digest_channels]
    async with r.database.unit_of_work() as session:
        settled = await effect_queries.settled(session, keys)
    outcomes = []
    late = now - fire > r.grace
    for platform, channel in r.policy.digest_channels:
        if digest_key(week.label, platform, channel) in settled:
            continue
        effect = digest_effect(r, week, platform, channel, fire)
        if late:
            await _record_missed(r, effect.key, week, platform, channel, fire, now)
            continue
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    if late:
        outcomes += await _report_missed(r, week, fire, now)
    return outcomes


async def _record_missed(
    r: Rhythm, key: str, week: Week, platform: str, channel: str, fire: datetime, now: datetime
) -> None:
    """Record the digest of `week` in this channel as missed and log it, once. When the channel
    never had a digest (a new install, a channel just added) nothing was missed yet: that week
    is recorded as not posted, so it is not reported, and the log says when the first comes."""
    async with r.database.unit_of_work() as session:
        first = not await effect_queries.any_digest(session, platform, channel)
        if first:
            reason = f"due {fire.isoformat()}, {FIRST_START}"
            noticed = await effects.record_missed(session, key, "digest", now, fire, reason)
        else:
            reason = f"not posted between {fire.isoformat()} and {now.isoformat()}"
            noticed = await effects.record_missed(
                session, key, "digest", now, fire, reason
            ) or await effects.expire(session, key, now, reason)
    if not noticed:
        return
    if first:
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
        return
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


def _leaders(r: Rhythm) -> list[tuple[str, str]]:
    """The leaders (`platform:user`) on a platform this process can send to."""
    available = r.platforms()
    found = []
    for leader in sorted(r.policy.leaders):
        platform, _, user = leader.partition(":")
        if user and platform in available:
            found.append((platform, user))
    return found


async def _missed_channels(session: AsyncSession, week: Week) -> list[str]:
    """The digest channels of `week` whose digest was missed (not a first start's week)."""
    rows = await effect_queries.by_prefix(session, f"digest:{week.label}:")
    return [
        row.key.split(":", 2)[2]
        for row in rows
        if row.status == effects.MISSED and FIRST_START not in (row.error or "")
    ]


def report_effect(r: Rhythm, week: Week, platform: str, user: str, fire: datetime) -> Effect:
    """Telling one leader (in a DM) which channels missed the digest of `week`."""
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
        key=report_key(week.label, platform, user),
        kind="report",
        target=Target(platform, user_id=user),
        build=build,
        due_at=fire,
        expires_at=fire + DIGEST_RETRY,
    )


async def _report_missed(r: Rhythm, week: Week, fire: datetime, now: datetime) -> list[Outcome]:
    """Tell every leader, once, that this week's digest was not posted in time (in a DM)."""
    leaders = _leaders(r)
    keys = [report_key(week.label, p, u) for p, u in leaders]
    async with r.database.unit_of_work() as session:
        settled = await effect_queries.settled(session, keys)
        if all(key in settled for key in keys) or not await _missed_channels(session, week):
            return []
    outcomes = []
    for platform, user in leaders:
        if report_key(week.label, platform, user) in settled:
            continue
        effect = report_effect(r, week, platform, user, fire)
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes


async def post_digest(
    r: Rhythm, week: Week, now: datetime, *, take_missed: bool = True
) -> list[tuple[str, str, str]]:
    """Post the digest of `week` to every digest channel now (the `digest --post` command):
    through the ledger, so a week already posted is not posted again. Channels of a platform
    with no adapter in this process are queued for `samen-bot serve`. Returns (platform,
    channel, outcome) with outcome one of the Outcome values or `queued`."""
    available = r.platforms()
    results = []
    for platform, channel in r.policy.digest_channels:
        if platform not in available:
            key = digest_key(week.label, platform, channel)
            async with r.database.unit_of_work() as session:
                fresh = await effects.queue(
                    session, key, "digest", now, due_at=now, expires_at=now + DIGEST_RETRY
                )
            results.append((platform, channel, "queued" if fresh else str(Outcome.SKIPPED)))
            continue
        effect = digest_effect(r, week, platform, channel, now)
        outcome = await run_effect(
            r.database, r.sender, effect, now, owner=r.owner, take_missed=take_missed
        )
        results.append((platform, channel, str(outcome)))
    return results
