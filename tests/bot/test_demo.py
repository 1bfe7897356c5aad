"""`build_demo`: the demo programme, created once, spread over five weeks, on both backends."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.tools.demo import DEMO_WEEKS, build_demo, demo_moments
from bot.tools.demo_data import DIGEST_CHANNEL, LEARNINGS, MEMBERS, PROEFTUINEN, THEMES
from handlers.context import Policy
from storage import members, proeftuinen
from storage.db import Database
from storage.models import (
    ChannelLink,
    Learning,
    LearningTheme,
    Member,
    Proeftuin,
    Ring,
    Role,
    Theme,
)

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)  # a Friday morning in Amsterdam
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def table_counts(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Proeftuin, ChannelLink, Theme, Member, Learning, LearningTheme)
        }


def test_demo_data_is_consistent() -> None:
    assert len(PROEFTUINEN) == 7 and len(THEMES) == 12
    assert 80 <= len(LEARNINGS) <= 100
    assert len({p.name for p in PROEFTUINEN}) == 7
    assert len({p.channel for p in PROEFTUINEN}) == 7
    assert DIGEST_CHANNEL not in {p.channel for p in PROEFTUINEN}
    assert {"floor", "teun"} <= {m.user_id for m in MEMBERS}
    keys = {p.key for p in PROEFTUINEN}
    users = {m.user_id for m in MEMBERS}
    slugs = {t.slug for t in THEMES}
    for item in LEARNINGS:
        assert item.proeftuin in keys and item.author in users
        assert set(item.themes) <= slugs
    rings = Counter(item.ring for item in LEARNINGS)
    assert rings[Ring.KENNISKRING] > len(LEARNINGS) // 2
    assert rings[Ring.PROEFTUIN] > 0 and rings[Ring.BUITENWERELD] > 0


async def test_demo_creates_the_programme(database: Database, policy: Policy) -> None:
    summary = await build_demo(database, policy, now=NOW)

    assert summary.proeftuinen == 7
    assert summary.themes == 12
    assert summary.channels == 7
    assert summary.learnings_added == len(LEARNINGS)
    assert summary.learnings_total == len(LEARNINGS)
    counts = await table_counts(database)
    assert counts["proeftuinen"] == 7
    assert counts["themes"] == 12
    assert counts["channel_links"] == 7
    assert counts["members"] == len(MEMBERS)
    assert counts["learning_themes"] > len(LEARNINGS)

    async with database.unit_of_work() as session:
        for item in PROEFTUINEN:
            linked = await proeftuinen.for_channel(session, "console", item.channel)
            assert linked is not None and linked.name == item.name
        assert await proeftuinen.for_channel(session, "console", DIGEST_CHANNEL) is None
        floor = await members.find(session, "console", "floor")
        amira = await members.find(session, "console", "amira")
        assert floor is not None and floor.display_name == "Floor Ziegler"
        assert floor.role == Role.LEIDER.value
        assert amira is not None and amira.role == Role.DEELNEMER.value

        stored = list((await session.scalars(select(Learning).order_by(Learning.id))).unique())
    assert all((item.source_event_id or "").startswith("demo:") for item in stored)
    assert all(item.platform == "console" and item.author is not None for item in stored)
    # Spread over the last five weeks, this week included, numbered in time order.
    moments = [item.created_at for item in stored]
    assert all(NOW - timedelta(weeks=DEMO_WEEKS + 1) < m < NOW for m in moments)
    assert moments == sorted(moments)
    weeks = Counter(m.astimezone(AMSTERDAM).isocalendar()[:2] for m in moments)
    assert len(weeks) == DEMO_WEEKS
    assert weeks[NOW.astimezone(AMSTERDAM).isocalendar()[:2]] >= 10
    # Rings and themes as in the data: #slugs in the text and the extra tags.
    rings = Counter(item.ring for item in stored)
    assert rings == Counter(item.ring.value for item in LEARNINGS)
    by_text = {item.text: item for item in stored}
    zorg = by_text[next(i.text for i in LEARNINGS if i.text.endswith("'hulpvraag'. #zorg"))]
    assert [t.slug for t in zorg.themes] == ["zorg"]
    tagged_later = next(i for i in LEARNINGS if i.themes and "#" not in i.text)
    assert [t.slug for t in by_text[tagged_later.text].themes] == sorted(tagged_later.themes)
    assert any(not item.themes for item in stored)
    # Published learnings carry their author's consent; two authors chose to be named.
    published = [item for item in stored if item.ring == Ring.BUITENWERELD.value]
    assert published and all(item.consent_at and item.published_at for item in published)
    assert {i.author.display_name for i in published if i.author and i.author_public} == {
        "Mehmet Kaya",
        "Priya Ramdin",
    }
    assert all(not item.author_public for item in stored if item.ring != "buitenwereld")


async def test_demo_twice_adds_nothing(database: Database, policy: Policy) -> None:
    first = await build_demo(database, policy, now=NOW)
    before = await table_counts(database)

    second = await build_demo(database, policy, now=NOW + timedelta(days=3))

    assert second.learnings_added == 0
    assert second.proeftuinen_added == 0 and second.themes_added == 0
    assert second.members_added == 0
    assert second.learnings_total == first.learnings_total
    assert (second.proeftuinen, second.themes, second.channels) == (7, 12, 7)
    assert await table_counts(database) == before


async def test_demo_keeps_what_is_there(database: Database, policy: Policy) -> None:
    """Existing proeftuinen are found by name (any case), and a channel a leader linked
    elsewhere stays where it is."""
    zuiderwijk = PROEFTUINEN[0]
    async with database.unit_of_work() as session:
        existing, _ = await proeftuinen.get_or_create(session, zuiderwijk.name.upper())
        other, _ = await proeftuinen.get_or_create(session, "Proeftuin Elders")
        await proeftuinen.link_channel(session, "console", PROEFTUINEN[1].channel, other)
        existing_id = existing.id

    summary = await build_demo(database, policy, now=NOW)

    assert summary.proeftuinen_added == 6
    assert summary.channels == 6
    async with database.unit_of_work() as session:
        found = await proeftuinen.find_by_name(session, zuiderwijk.name)
        assert found is not None and found.id == existing_id
        linked = await proeftuinen.for_channel(session, "console", PROEFTUINEN[1].channel)
        assert linked is not None and linked.name == "Proeftuin Elders"
        assert len(await proeftuinen.list_all(session)) == 8


def test_demo_moments_are_deterministic_and_in_range() -> None:
    first = demo_moments(NOW, AMSTERDAM, 92)
    assert first == demo_moments(NOW, AMSTERDAM, 92)
    assert all(NOW - timedelta(weeks=DEMO_WEEKS) <= m < NOW for m in first)
    # Early on a Monday the current week is short, but still gets its share.
    monday = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    early = demo_moments(monday, AMSTERDAM, 50)
    this_week = [m for m in early if m >= datetime(2026, 11, 22, 23, 0, tzinfo=UTC)]
    assert len(this_week) == 10 and all(m < monday for m in early)


def test_demo_numbers_learnings_alike_on_every_day_of_the_week() -> None:
    """The learnings are numbered in time order; that order (and so every #number the README's
    walkthrough shows) is the same whatever day and hour the demo is built."""

    def numbering(now: datetime) -> list[int]:
        moments = demo_moments(now, AMSTERDAM, len(LEARNINGS))
        return sorted(range(len(moments)), key=lambda index: moments[index])

    expected = numbering(NOW)
    for hours in range(0, 7 * 24, 5):
        now = datetime(2026, 11, 30, 0, 10, tzinfo=UTC) + timedelta(hours=hours)
        moments = demo_moments(now, AMSTERDAM, len(LEARNINGS))
        assert numbering(now) == expected, now
        assert all(now - timedelta(weeks=DEMO_WEEKS) <= m < now for m in moments), now
