"""The weekly note on quiet proeftuinen: once a week (at the digest's fire time, within its
grace time) every leader gets a private message naming the proeftuinen that had no learnings,
answers, recognitions or enrichments for `SAMEN_QUIET_WEEKS` weeks, with a button per
proeftuin to send it a suggested prompt. Once per week and leader through the ledger
(`quiet:2026-W49:slack:U1`); a week with no quiet proeftuin sends nothing (recorded done).

The weeks counted are the digest's week and the ones before it, as the kenniskring sees them
(ring `proeftuin` learnings do not count, as in the digest).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.participation import last_weeks, quiet_note
from handlers.types import Reply, Target
from schedules.ledger import Effect, Outcome, run_effect
from schedules.rhythm import Rhythm, last_fire_time
from schedules.weekly_digest import digest_week_for
from storage import effect_queries
from storage import participation as store
from storage.effect_keys import quiet_key
from storage.models import Ring
from storage.visibility import Viewer
from storage.weeks import Week


def _leaders(r: Rhythm) -> list[tuple[str, str]]:
    """The leaders (`platform:user`) on a platform this process can send to."""
    available = r.platforms()
    found = []
    for leader in sorted(r.policy.leaders):
        platform, _, user = leader.partition(":")
        if user and platform in available:
            found.append((platform, user))
    return found


def quiet_effect(r: Rhythm, week: Week, platform: str, user: str, due: datetime) -> Effect:
    """The note of `week` to one leader, built when it is sent (so it counts what is true then)."""
    t = r.policy.translator()
    count = r.policy.quiet_weeks

    async def build(session: AsyncSession) -> list[Reply] | None:
        weeks = last_weeks(week.start, count, r.timezone)
        rows = await store.table(session, weeks, Viewer.for_ring(Ring.KENNISKRING))
        note = quiet_note(t, store.quiet(rows, count), count)
        return [note] if note is not None else None

    return Effect(
        key=quiet_key(week.label, platform, user),
        kind="quiet",
        target=Target(platform, user_id=user),
        build=build,
        due_at=due,
        expires_at=due + r.grace,
    )


async def quiet_due(r: Rhythm, now: datetime) -> list[Outcome]:
    """Send this week's note to every leader, once, within the grace time of the digest's last
    fire time; a week whose moment is further back is skipped (the next week's note comes)."""
    fire = last_fire_time(r.trigger(), now)
    leaders = _leaders(r)
    if fire is None or not leaders or now - fire > r.grace:
        return []
    week = digest_week_for(fire, r.timezone)
    keys = [quiet_key(week.label, p, u) for p, u in leaders]
    async with r.database.unit_of_work() as session:
        settled = await effect_queries.settled(session, keys)
    outcomes = []
    for platform, user in leaders:
        if quiet_key(week.label, platform, user) in settled:
            continue
        effect = quiet_effect(r, week, platform, user, fire)
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes
