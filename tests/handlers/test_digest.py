"""The weekly digest across seven proeftuinen and two platforms: ring filtering, grouping by
theme, counts and quiet proeftuinen, shared themes, prompt answers, next week's meetings, the
split into parts, the empty week, and the leader's preview and post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handlers.context import Policy
from handlers.router import Router
from handlers.types import Actor, Place, Reply, Visibility
from storage.weeks import parse_week, week_of
from tests.conftest import LEADER, Chat, make_policy

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # week 48 starts at 2026-11-22 23:00 UTC
SEVEN = ["Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"]


@pytest.fixture
def policy() -> Policy:
    return make_policy(digest_channels=(("console", "kenniskring"), ("slack", "CKENNIS")))


async def capture(
    chat: Chat, text: str, channel: str, at: datetime, url: str | None = None
) -> None:
    router = chat.router
    command = router.make_command(
        f"/samen inzicht {text}",
        Actor(chat.platform, "anna", "Anna"),
        Place(chat.platform, channel),
        received_at=at,
        source_url=url,
    )
    replies = await router.dispatch(command)
    assert "bewaard" in replies[0].text, replies[0].text


@pytest.fixture
async def week(chat: Chat) -> Chat:
    """Seven proeftuinen (Golf on Slack too), a week of learnings, a prompt and meetings."""
    slack = Chat(chat.router, platform="slack")
    for name in SEVEN:
        await chat.say(f"koppel {name}", user=LEADER, channel=name.lower())
    await slack.say("koppel Golf", user="ULEAD", channel="CGOLF")
    await chat.say("thema nieuw wonen Wonen", user=LEADER)
    await chat.say("thema nieuw energie Energie", user=LEADER)
    at = MONDAY + timedelta(hours=1)
    await capture(chat, "Huurders willen meedoen #wonen", "alfa", at, "https://x.slack.com/p1")
    await capture(chat, "Ook hier woningnood #wonen #energie", "bravo", at)
    await capture(chat, "Zonnepanelen op de school #energie", "charlie", at)
    await capture(chat, "Nog zonder thema", "delta", at)
    await capture(slack, "Vanuit Slack #wonen", "CGOLF", at, "https://x.slack.com/p2")
    await capture(chat, "Geheim voor Echo #wonen", "echo", at)
    await chat.say("deel 6 proeftuin", user="anna", channel="echo", at=at)
    await capture(chat, "Vorige week #wonen", "alfa", MONDAY - timedelta(days=2))
    await capture(chat, "Volgende week #wonen", "alfa", MONDAY + timedelta(days=7))
    await chat.say("vraag Wat werkt bij de gemeente?", user=LEADER, at=at)
    await chat.say("antwoord 1 Een vaste contactpersoon", channel="bravo", at=at)
    await chat.say("antwoord 1 Geheim antwoord", channel="foxtrot", at=at)
    await chat.say("deel 10 proeftuin", user="anna", channel="foxtrot", at=at)
    await chat.say("bijeenkomst Kenniskring | 2026-12-01 19:30 | #wonen", user=LEADER, at=at)
    await chat.say("bijeenkomst Veel later | 2027-01-12 19:30", user=LEADER, at=at)
    await chat.say("ja 1", user="anna", at=at)
    return chat


async def preview(chat: Chat, args: str = "", at: datetime | None = None) -> list[Reply]:
    return await chat.say(
        f"digest {args}".strip(),
        user=LEADER,
        channel="kenniskring",
        at=at or MONDAY + timedelta(days=4),
    )


async def test_digest_content_and_ring_filtering(week: Chat) -> None:
    replies = await preview(week)
    assert all(r.visibility is Visibility.ONLY_CALLER for r in replies)
    text = "\n".join(f"{r.title}\n{r.text}" for r in replies)
    header = replies[0]
    assert header.title == "Weekdigest week 48 (23 nov 2026 – 29 nov 2026)"
    assert "deelden 5 proeftuinen samen 6 inzichten" in header.text
    assert "Alfa 1" in header.text and "Golf 1" in header.text and "Bravo 2" in header.text
    assert "Stil deze week: Echo, Foxtrot." in header.text  # private learnings do not count
    assert "#wonen: Alfa, Bravo, Golf" in header.text
    for hidden in ("Geheim", "Vorige week", "Volgende week"):
        assert hidden not in text
    titles = [r.title for r in replies]
    assert titles[1:5] == [
        "#wonen · Wonen",
        "#energie · Energie",
        "Nog zonder thema",
        "Antwoorden op de vragen",
    ]
    wonen = replies[1].text
    assert "In Alfa, ook in Bravo, Golf." in wonen
    assert "• #1 · Alfa — Huurders willen meedoen #wonen (bron: https://x.slack.com/p1)" in wonen
    assert "Golf — Vanuit Slack" in wonen and "https://x.slack.com/p2" in wonen
    assert "Ook hier woningnood" in replies[2].text  # two themes: under both
    assert "Nog zonder thema" in replies[3].text
    prompts = replies[4].text
    assert "Vraag #1: Wat werkt bij de gemeente?" in prompts
    assert "Bravo — Een vaste contactpersoon" in prompts
    assert "Nog geen antwoord van:" in prompts and "Foxtrot" in prompts
    meetings = replies[5]
    assert meetings.title == "Komende bijeenkomsten"
    assert "Kenniskring" in meetings.text and "1 ja, 0 nee" in meetings.text
    assert "Veel later" not in meetings.text


async def test_long_theme_is_split_into_parts(chat: Chat) -> None:
    await chat.say("koppel Alfa", user=LEADER, channel="alfa")
    await chat.say("thema nieuw wonen Wonen", user=LEADER)
    for i in range(40):
        await capture(chat, f"Lang verhaal {i} " + "woorden " * 60 + "#wonen", "alfa", MONDAY)
    replies = await preview(chat)
    parts = [r for r in replies if (r.title or "").startswith("#wonen")]
    assert len(parts) > 3
    assert parts[1].title == "#wonen · Wonen (vervolg)"
    assert all(len(r.text) <= 3000 for r in replies)
    assert sum(r.text.count("Lang verhaal") for r in parts) == 40


async def test_empty_week_says_so_kindly(week: Chat) -> None:
    replies = await preview(week, "2026-W20")
    assert len(replies) == 1
    assert "rustige week" in replies[0].text


async def test_digest_is_for_leaders_and_weeks_must_exist(week: Chat) -> None:
    assert "projectleiders" in await week.text("digest", user="anna")
    bad = await week.text("digest 2026-W60", user=LEADER)
    assert "2026-W60" in bad and "2026-W48" in bad


async def test_post_prints_console_channels_and_queues_others(week: Chat) -> None:
    replies = await preview(week, "plaats")
    confirmation, *posted = replies
    assert confirmation.visibility is Visibility.ONLY_CALLER
    assert "console:kenniskring: nu geplaatst" in confirmation.text
    assert "slack:CKENNIS: wordt binnen een minuut geplaatst" in confirmation.text
    assert posted and all(r.to and r.to.channel_id == "kenniskring" for r in posted)
    assert all(r.visibility is Visibility.CHANNEL for r in posted)
    again = await preview(week, "post")
    assert len(again) == 1
    assert "al geplaatst" in again[0].text and "staat al klaar" in again[0].text


async def test_post_without_digest_channels(database: object) -> None:
    chat = Chat(Router(database, make_policy()))  # type: ignore[arg-type]
    assert "SAMEN_DIGEST_CHANNEL" in await chat.text("digest plaats", user=LEADER)


async def test_english_digest(database: object) -> None:
    chat = Chat(Router(database, make_policy("en")))  # type: ignore[arg-type]
    await chat.say("link Alfa", user=LEADER, channel="alfa")
    await capture_en(chat)
    replies = await chat.say("digest", user=LEADER, at=MONDAY + timedelta(days=1))
    assert replies[0].title == "Weekly digest, week 48 (Nov 23, 2026 – Nov 29, 2026)"
    assert replies[1].title == "Not yet tagged"


async def capture_en(chat: Chat) -> None:
    await chat.say("learning Something learned", channel="alfa", at=MONDAY)


def test_iso_weeks_in_amsterdam() -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Amsterdam")
    week = parse_week("2026-W48", tz)
    assert week.start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert week.end == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    summer = parse_week("2026W13", tz)  # the week the clocks go forward: 167 hours
    assert summer.end - summer.start == timedelta(hours=167)
    assert week_of(datetime(2026, 11, 29, 22, 59, tzinfo=UTC), tz).label == "2026-W48"
    assert week_of(datetime(2026, 11, 29, 23, 0, tzinfo=UTC), tz).label == "2026-W49"
    assert parse_week("2020-W53", tz).label == "2020-W53"
    with pytest.raises(ValueError):
        parse_week("2027-W53", tz)
