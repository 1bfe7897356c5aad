"""`samen-bot demo`: the demo programme, created idempotently through the storage repositories.

`build_demo` applies the bundled programme file (bot/tools/programma.toml, as `samen-bot init`
does: the 7 proeftuinen with their console channels, the 12 themes, the two leaders), then adds
the members and ~90 invented learnings spread over the last five weeks. Running it again adds
nothing: proeftuinen are found by name, themes by slug, learnings by `source_event_id="demo:<n>"`.
The console channel `kenniskring` stays unlinked: it is where the digest goes.

Extension point: whatever else the demo needs (a meeting) is added by the caller after
`build_demo` (the CLI calls `demo_meeting_of` below and prints one line; `samen-bot digest`
shows this week's digest).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.tools.demo_data import LEARNINGS, MEMBERS, PLATFORM, PROEFTUINEN, THEMES
from bot.tools.programme_apply import Outcome, apply_to
from bot.tools.programme_file import EXAMPLE, read_programme
from handlers.context import Policy
from handlers.roles import is_leader
from handlers.text import slugs_in
from handlers.types import Actor
from storage import bulk, learnings, meetings, members, programme, themes
from storage.db import Database
from storage.models import Meeting, Member, Ring, Role

DEMO_RANDOM_SEED = 20221220  # the day Programma SAMEN selected its proeftuinen
DEMO_WEEKS = 5
SOURCE_PREFIX = "demo:"
DAY_START_HOUR = 8  # learnings are mostly posted between 8:00 and 22:00 local time
DAY_HOURS = 14


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo database holds after `build_demo` (and what this run added)."""

    proeftuinen: int  # demo proeftuinen present
    themes: int  # demo themes present
    learnings_added: int  # demo learnings added by this run
    learnings_total: int  # all learnings in the database
    channels: int  # demo console channels linked to their proeftuin
    proeftuinen_added: int = 0
    themes_added: int = 0
    members_added: int = 0


def demo_moments(now: datetime, timezone: ZoneInfo, count: int) -> list[datetime]:
    """`count` deterministic moments (UTC) in the last `DEMO_WEEKS` weeks before `now`.

    Every week gets its share, the current week too (from Monday 0:00 local up to `now`), so this
    week's digest has something to show; within a week moments fall in the daytime when the week
    leaves room for it. Each learning draws one fraction of its week and the moment grows with
    it, so the learnings come in the same order (and get the same numbers) on every day of the
    week the demo is built.
    """
    rng = random.Random(DEMO_RANDOM_SEED)
    local_now = now.astimezone(timezone)
    monday = local_now.date() - timedelta(days=local_now.weekday())
    order = list(range(count))
    rng.shuffle(order)
    moments: list[datetime] = [now] * count
    for position, index in enumerate(order):
        week = position % DEMO_WEEKS  # 0: this week, 4: four weeks ago
        start = _local(monday - timedelta(weeks=week), 0, timezone)
        end = min(_local(monday - timedelta(weeks=week - 1), 0, timezone), now)
        moments[index] = _moment_at(rng.random(), start, end, timezone)
    return moments


def _local(day: date, minutes: int, timezone: ZoneInfo) -> datetime:
    moment = datetime.combine(day, time(0), tzinfo=timezone) + timedelta(minutes=minutes)
    return moment.astimezone(UTC)


def _moment_at(fraction: float, start: datetime, end: datetime, tz: ZoneInfo) -> datetime:
    """The moment `fraction` (0 ≤ f < 1) of the way through the daytime hours of [start, end),
    or of the whole span when it holds no daytime; a larger fraction gives a later moment."""
    daytime: list[tuple[datetime, datetime]] = []
    day = start.astimezone(tz).date()
    while (opening := _local(day, DAY_START_HOUR * 60, tz)) < end:
        closing = min(_local(day, (DAY_START_HOUR + DAY_HOURS) * 60, tz), end)
        if closing > max(opening, start):
            daytime.append((max(opening, start), closing))
        day += timedelta(days=1)
    total = sum((b - a for a, b in daytime), timedelta())
    if not total:
        return start + (end - start) * fraction
    left = total * fraction
    for opening, closing in daytime:
        if left < closing - opening:
            return (opening + left).replace(microsecond=0)
        left -= closing - opening
    return daytime[-1][1] - timedelta(seconds=1)


def _slugs(text: str, extra: tuple[str, ...]) -> list[str]:
    slugs = slugs_in(text)
    return slugs + [slug for slug in extra if slug not in slugs]


async def build_demo(
    database: Database, policy: Policy, *, now: datetime | None = None
) -> DemoSummary:
    """Create (or complete) the demo programme; a second run adds nothing.

    The programme itself comes from the bundled programme file, as `samen-bot init` reads it
    (channels a leader linked elsewhere stay where they are); the members and learnings are the
    demo's own."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    moments = demo_moments(now, policy.timezone, len(LEARNINGS))
    plan = read_programme(EXAMPLE, policy.translator())
    async with database.unit_of_work() as session:
        outcome = Outcome()
        sites = await apply_to(session, plan, outcome, move_channels=False)
        by_key = {site.key: sites[site.name] for site in PROEFTUINEN}
        added_of = Counter(change.kind for change in outcome.changes if change.action == "new")
        by_slug = await themes.by_slugs(session, [t.slug for t in THEMES])

        people: dict[str, Member] = {}
        members_added = 0
        for person in MEMBERS:
            actor = Actor(PLATFORM, person.user_id, person.display_name)
            role = Role.LEIDER if is_leader(policy, actor) else Role.DEELNEMER
            if person.proeftuin is None:  # the programme file's leaders
                role = Role.LEIDER
            members_added += await members.find(session, PLATFORM, person.user_id) is None
            people[person.user_id] = await members.upsert(
                session, PLATFORM, person.user_id, person.display_name, role.value
            )

        have = await bulk.source_event_ids(session, SOURCE_PREFIX)
        channel_of = {site.key: site.channel for site in PROEFTUINEN}
        added = 0
        # Oldest first, so learning numbers follow time as they would in a real channel.
        for number, item in sorted(enumerate(LEARNINGS, start=1), key=lambda p: moments[p[0] - 1]):
            source = f"{SOURCE_PREFIX}{number}"
            if source in have:
                continue
            learning = await learnings.add(
                session,
                text=item.text,
                proeftuin=by_key[item.proeftuin],
                author=people[item.author],
                ring=item.ring.value,
                themes=[by_slug[s] for s in _slugs(item.text, item.themes) if s in by_slug],
                platform=PLATFORM,
                channel_id=channel_of[item.proeftuin],
                source_event_id=source,
                created_at=moments[number - 1],
            )
            if item.ring is Ring.BUITENWERELD:  # published with the author's consent
                learning.consent_at = learning.published_at = moments[number - 1]
                learning.author_public = item.named
            added += 1

        links = await programme.channel_links(session)
        channels = sum(
            links.get((PLATFORM, site.channel), "").lower() == by_key[site.key].name.lower()
            for site in PROEFTUINEN
        )
        total = await learnings.count_all(session)
    return DemoSummary(
        proeftuinen=len(by_key),
        themes=len(by_slug),
        learnings_added=added,
        learnings_total=total,
        channels=channels,
        proeftuinen_added=added_of["proeftuin"],
        themes_added=added_of["theme"],
        members_added=members_added + added_of["leader"],
    )


DEMO_TITLE = "Kenniskring: wat leren de proeftuinen van elkaar?"


async def ensure_demo_meeting(
    session: AsyncSession, now: datetime, timezone: ZoneInfo
) -> tuple[Meeting, bool]:
    """The demo meeting (next Thursday 19:30 local, at least a day ahead), created only when
    there is no meeting at all; the flag says whether it was created now."""
    existing = await bulk.first_meeting(session)
    if existing is not None:
        return existing, False
    local = now.astimezone(timezone)
    day = local.date() + timedelta(days=(3 - local.weekday()) % 7 or 7)
    if day - local.date() < timedelta(days=2):
        day += timedelta(days=7)
    starts = datetime(day.year, day.month, day.day, 19, 30, tzinfo=timezone)
    theme = await bulk.first_theme(session)
    meeting = await meetings.create(
        session,
        title=DEMO_TITLE,
        starts_at=starts,
        platform="console",
        channel_id="kenniskring",
        theme=theme,
        created_at=now,
    )
    return meeting, True


async def demo_meeting_of(app: Any, now: datetime) -> tuple[int, str]:
    """Add the demo meeting when there is none; returns its number and when it is, as said."""
    t = app.policy.translator()
    async with app.database.unit_of_work() as session:
        meeting, _ = await ensure_demo_meeting(session, now, app.policy.timezone)
        return meeting.id, t.moment(meeting.starts_at)
