"""vraag and antwoord: posts addressed to every linked channel (or one proeftuin's), answers as
learnings linked to the prompt, answers from a proeftuin that was not asked, thread lookup."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from handlers.prompts import prompt_of
from handlers.types import Visibility
from storage import prompts as prompt_store
from storage.models import Learning
from tests.conftest import LEADER, Chat

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_prompt_goes_to_every_linked_channel(programme: Chat) -> None:
    await programme.say("koppel Proeftuin A", user=LEADER, channel="proeftuin-a-discord")
    replies = await programme.say(
        "vraag Wat leerden jullie deze maand van de gemeente?", user=LEADER, channel="leiding"
    )
    confirmation, *posts = replies
    assert confirmation.visibility is Visibility.ONLY_CALLER
    assert "Vraag #1" in confirmation.text and "Proeftuin A, Proeftuin B" in confirmation.text
    assert sorted(p.to.channel_id or "" for p in posts if p.to) == [
        "proeftuin-a",
        "proeftuin-a-discord",
        "proeftuin-b",
    ]
    assert all(prompt_of(p) == 1 and "antwoord 1" in p.text for p in posts)
    assert prompt_of(confirmation) is None


async def test_prompt_to_one_proeftuin_and_refusals(programme: Chat) -> None:
    replies = await programme.say(
        "prompt Hoe gaat het met de vrijwilligers? proeftuin:Proeftuin B", user=LEADER
    )
    assert [r.to.channel_id for r in replies if r.to] == ["proeftuin-b"]
    assert "Hoe gaat het met de vrijwilligers?" in replies[1].text
    unknown = await programme.text("vraag Iets? proeftuin:Nergens", user=LEADER)
    assert "Nergens" in unknown
    empty = await programme.text("vraag", user=LEADER)
    assert "/samen vraag" in empty
    assert "projectleiders" in await programme.text("vraag Mag ik?", user="anna")


async def test_prompt_without_linked_channels_is_refused(chat: Chat) -> None:
    text = await chat.text("vraag Iemand?", user=LEADER)
    assert "koppel" in text


async def test_answers_become_linked_learnings(programme: Chat) -> None:
    await programme.say("vraag Wat werkt?", user=LEADER, at=NOW)
    replies = await programme.say(
        "antwoord 1 Een vaste contactpersoon #wonen", channel="proeftuin-b"
    )
    assert "inzicht #1 van Proeftuin B" in replies[0].text
    assert "#wonen" in replies[0].text and "niet naar" not in replies[0].text
    async with programme.router.database.unit_of_work() as session:
        learning = await session.scalar(select(Learning))
        assert learning is not None and learning.prompt_id == 1
        assert learning.proeftuin.name == "Proeftuin B"
        assert [t.slug for t in learning.themes] == ["wonen"]


async def test_an_answer_tells_the_followers_of_its_themes(programme: Chat) -> None:
    await programme.say("volg #wonen", user="bram", channel="proeftuin-b")
    await programme.say("vraag Wat werkt?", user=LEADER, at=NOW)
    untagged = await programme.say("antwoord 1 Een vaste contactpersoon", channel="proeftuin-a")
    assert not [r for r in untagged if r.visibility is Visibility.DIRECT]
    tagged = await programme.say("antwoord 1 Huur samen innen #wonen", channel="proeftuin-a")
    notes = [r for r in tagged if r.visibility is Visibility.DIRECT]
    assert len(notes) == 1 and notes[0].to and notes[0].to.user_id == "bram"
    assert "Huur samen innen" in notes[0].text


async def test_answer_from_a_proeftuin_that_was_not_asked_is_kept_kindly(
    programme: Chat,
) -> None:
    await programme.say("vraag Alleen voor B? proeftuin:Proeftuin B", user=LEADER)
    text = await programme.text("answer 1 Bij ons ook zo", channel="proeftuin-a")
    assert "inzicht #1 van Proeftuin A" in text
    assert "ging niet naar Proeftuin A" in text and "welkom" in text


async def test_answer_refusals(programme: Chat) -> None:
    await programme.say("vraag Wat werkt?", user=LEADER)
    assert "#7" in await programme.text("antwoord 7 iets", channel="proeftuin-a")
    empty = await programme.text("antwoord 1", channel="proeftuin-a")
    assert "Wat werkt?" in empty and "antwoord 1 <" in empty
    nowhere = await programme.text("antwoord 1 Mijn antwoord", channel="nergens")
    assert "Mijn antwoord" in nowhere  # the text is echoed: nothing is lost


async def test_thread_reply_delivered_twice_is_one_answer(programme: Chat) -> None:
    await programme.say("vraag Wat werkt?", user=LEADER)
    first = await programme.text("antwoord 1 Koffie", channel="proeftuin-a", event_id="E1")
    again = await programme.say("antwoord 1 Koffie", channel="proeftuin-a", event_id="E1")
    assert "inzicht #1" in first and again == []


async def test_adapters_record_posts_and_find_prompts_by_thread(programme: Chat) -> None:
    replies = await programme.say("vraag Wat werkt?", user=LEADER)
    database = programme.router.database
    async with database.unit_of_work() as session:
        for reply in replies[1:]:
            assert reply.to is not None and reply.to.channel_id
            post = await prompt_store.record_prompt_post(
                session,
                prompt_of(reply) or 0,
                "console",
                reply.to.channel_id,
                f"ts-{reply.to.channel_id}",
            )
            assert post is not None
        # a follow-up in the same channel is a second message of the same prompt
        assert await prompt_store.record_prompt_post(session, 1, "console", "proeftuin-a", "ts-2")
        assert await prompt_store.record_prompt_post(session, 1, "console", "elders", "x") is None
    async with database.unit_of_work() as session:
        found = await prompt_store.prompt_for_thread(
            session, "console", "proeftuin-a", "ts-proeftuin-a"
        )
        assert found is not None and found.id == 1
        assert (await prompt_store.prompt_for_thread(session, "console", None, "ts-2")) is not None
        assert await prompt_store.prompt_for_thread(session, "slack", None, "ts-2") is None
        assert await prompt_store.count_posts(session, 1) == 3
