"""Replies that read right (issue 15, "Replies"): what users saw, in Dutch and English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.router import Router
from storage.db import Database
from storage.models import Learning
from tests.conftest import LEADER, Chat, make_policy


@pytest.fixture
async def english(database: Database) -> Chat:
    chat = Chat(Router(database, make_policy("en")))
    await chat.say("link Proeftuin A", user=LEADER, channel="proeftuin-a")
    await chat.say("theme add wonen Wonen | huur", user=LEADER)
    await chat.say("theme add zorg Zorg | zorg", user=LEADER)
    return chat


async def test_declining_a_published_learning_takes_it_back(
    programme: Chat, database: Database
) -> None:
    await programme.say("inzicht Huurders eerst bellen")
    await programme.say("deel 1 buitenwereld")
    said = await programme.text("weiger 1")
    assert "kenniskring" in said and "blijft in ring buitenwereld" not in said, said
    async with database.unit_of_work() as session:
        learning = await session.get(Learning, 1)
        assert learning is not None
        assert learning.ring == "kenniskring"
        assert learning.consent_at is None and learning.published_at is None
        assert not learning.author_public


async def test_declining_what_was_never_asked_says_so(programme: Chat, english: Chat) -> None:
    await programme.say("inzicht Huurders eerst bellen")
    said = await programme.text("weiger 1")
    assert "niet gevraagd" in said and "blijft" not in said, said
    await english.say("learning Call tenants first")
    said = await english.text("decline 2")
    assert "not asked" in said, said


async def test_declining_in_english_after_publishing(english: Chat) -> None:
    await english.say("learning Call tenants first")
    await english.say("share 1 buitenwereld")
    said = await english.text("decline 1")
    assert "kenniskring" in said and "stays in ring buitenwereld" not in said, said


async def test_unknown_meeting_theme_without_suggestion(programme: Chat) -> None:
    said = await programme.text("bijeenkomst Overleg | 2030-12-03 19:30 | #qqqqqqq", user=LEADER)
    assert "#qqqqqqq" in said and "bedoelde" not in said and "#…" not in said, said
    said = await programme.text("bijeenkomst Overleg | 2030-12-03 19:30 | #wone", user=LEADER)
    assert "bedoelde je #wonen?" in said, said


@pytest.mark.parametrize("line", ["nee", "ja", "intrekken", "herken", "tag"])
async def test_a_missing_number_says_which(programme: Chat, line: str) -> None:
    said = await programme.text(line)
    assert "geen nummer" not in said and "nummer" in said, said
    assert f"/samen {line} <nummer>" in said, said


async def test_a_missing_number_in_english(english: Chat) -> None:
    said = await english.text("withdraw")
    assert "not a number" not in said and "/samen withdraw <number>" in said, said


async def test_prompt_separator_before_proeftuin_is_dropped(programme: Chat) -> None:
    replies = await programme.say("vraag Wat werkte? | proeftuin:Proeftuin A", user=LEADER)
    posted = [r.text for r in replies if r.to is not None]
    assert posted and all("Wat werkte? |" not in t for t in posted), posted
    assert any("Wat werkte?" in t for t in posted), posted


async def test_joined_tags_tag_both(programme: Chat) -> None:
    said = await programme.text("inzicht Huur en stroom samen regelen #wonen#energie")
    assert "#wonen, #energie" in said, said


async def test_a_learning_of_only_tags_is_refused(programme: Chat, english: Chat) -> None:
    said = await programme.text("inzicht #wonen")
    assert "#wonen" in said and "/samen inzicht" in said and "bewaard" not in said, said
    said = await english.text("learning #wonen #zorg")
    assert "#wonen #zorg" in said and "/samen learning" in said and "saved" not in said, said


async def test_unknown_sub_command_suggests_the_configured_language(
    programme: Chat, english: Chat
) -> None:
    said = await programme.text("volgg #wonen")
    assert "`/samen volg #wonen`" in said, said
    said = await programme.text("follw #wonen")
    assert "`/samen volg #wonen`" in said, said
    said = await english.text("volg #wonen")
    assert "`/samen follow #wonen`" in said or "follow" in said, said
    said = await english.text("follw #wonen")
    assert "`/samen follow #wonen`" in said, said


async def test_usage_in_errors_is_only_the_syntax(programme: Chat, english: Chat) -> None:
    said = await programme.text("intrekken abc")
    assert said.rstrip().endswith("`/samen intrekken <nummer>`"), said
    said = await programme.text("deel 1 nergens")
    assert "`: " not in said.split("Gebruik: ", 1)[-1], said
    said = await english.text("withdraw abc")
    assert said.rstrip().endswith("`/samen withdraw <number>`"), said


async def test_an_empty_future_week_is_not_past(programme: Chat) -> None:
    said = await programme.text("digest 2030-W20", user=LEADER)
    assert "tot nu toe" in said and "was een rustige" not in said, said
    said = await programme.text("digest 2020-W20", user=LEADER)
    assert "was een rustige week" in said, said
    now = datetime.now(UTC)
    assert now.year < 2030
