"""What the router offers adapters beyond commands (handlers/edge.py): capture of a platform
message under one rule, thread replies under a posted prompt, recording a posted message,
handled events and suggestions, all without an adapter touching the store."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.edge import PlatformMessage
from handlers.types import Actor, Place, Visibility
from storage.models import Learning
from tests.conftest import LEADER, Chat

ANNA = Actor("console", "anna", "Anna")
PLACE_A = Place("console", "proeftuin-a")


async def _count(chat: Chat) -> int:
    async with chat.router.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(Learning)) or 0)


async def test_bot_messages_and_empty_text_are_refused_on_every_platform(programme: Chat) -> None:
    router = programme.router
    bot = PlatformMessage("De digest van week 48", author=None, from_bot=True)
    refused = await router.capture(bot, ANNA, PLACE_A, event_id="r1")
    assert refused[0].visibility is Visibility.ONLY_CALLER
    assert "mensen" in refused[0].text
    empty = PlatformMessage("  \n ", author=ANNA, from_bot=False)
    assert "geen tekst" in (await router.capture(empty, ANNA, PLACE_A, event_id="r2"))[0].text
    assert await _count(programme) == 0


async def test_a_captured_message_keeps_its_author_and_source(programme: Chat) -> None:
    bram = Actor("console", "bram", "Bram")
    message = PlatformMessage(
        "Samen met de gemeente #wonen opgepakt",
        author=bram,
        from_bot=False,
        source_url="https://example.test/m/1",
        source_id="console:proeftuin-a:1",
    )
    replies = await programme.router.capture(message, ANNA, PLACE_A, event_id="r3")
    assert "#1" in replies[0].text
    again = await programme.router.capture(message, ANNA, PLACE_A, event_id="r4")
    assert await _count(programme) == 1, again
    async with programme.router.database.unit_of_work() as session:
        learning = await session.scalar(select(Learning))
        assert learning is not None
        assert learning.source_event_id == "console:proeftuin-a:1"
        assert learning.author is not None and learning.author.user_id == "bram"
        assert learning.source_url == "https://example.test/m/1"
    assert await programme.router.was_handled("console", "r3")
    assert not await programme.router.was_handled("console", "never")


async def test_a_reply_in_a_prompt_thread_becomes_an_answer(programme: Chat) -> None:
    router = programme.router
    posts = await programme.say("vraag Wat werkte deze maand?", user=LEADER, channel="leiding")
    to_a = next(r for r in posts if r.to is not None and r.to.channel_id == "proeftuin-a")
    assert to_a.post_token.startswith("prompt:")
    thread = Place("console", "proeftuin-a", thread_id="msg-77")
    # Before the post is recorded the thread is nobody's: no command, no reply.
    assert await router.thread_reply("De buurtkamer!", ANNA, thread, event_id="t1") == []
    await router.posted(to_a, "msg-77")
    replies = await router.thread_reply("De buurtkamer!", ANNA, thread, event_id="t2")
    assert replies and await _count(programme) == 1
    assert await router.thread_reply("   ", ANNA, thread, event_id="t3") == []
    elsewhere = Place("console", "proeftuin-a", thread_id="other")
    assert await router.thread_reply("Iets", ANNA, elsewhere, event_id="t4") == []
    assert await _count(programme) == 1


async def test_suggestions_follow_changes_and_never_show_another_proeftuin(
    programme: Chat,
) -> None:
    suggestions = programme.router.suggestions
    assert ("wonen", "Wonen") in await suggestions.themes()
    await programme.say("thema nieuw zorg Zorg | mantelzorg", user=LEADER)
    assert ("zorg", "Zorg") in await suggestions.themes()  # forgotten by the router
    assert "Proeftuin B" in await suggestions.proeftuinen()
    await programme.say("inzicht Alleen voor ons #wonen", channel="proeftuin-b", user="bram")
    await programme.say("deel 1 proeftuin", channel="proeftuin-b", user="bram")
    await programme.say("inzicht Buurtkamer open #wonen", channel="proeftuin-a")
    seen_in_a = await suggestions.learnings("console", "proeftuin-a", "")
    assert [number for number, _ in seen_in_a] == [2]
    assert await suggestions.learnings("console", "proeftuin-a", "1") == []
    assert [n for n, _ in await suggestions.learnings("console", "proeftuin-b", "1")] == [1]


async def test_the_router_refuses_a_leaders_command_before_any_work(programme: Chat) -> None:
    router = programme.router
    refused = router.refusal("koppel", ANNA)
    assert refused is not None and "projectleiders" in refused
    assert router.refusal("link", ANNA) == refused  # an alias means the same command
    assert router.refusal("koppel", Actor("console", LEADER, "Floor")) is None
    assert router.refusal("inzicht", ANNA) is None and router.refusal("onbekend", ANNA) is None
