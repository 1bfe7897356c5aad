"""inzicht, tag, untag, intrekken, deel: through the real router on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.types import Visibility
from storage.models import Learning
from tests.conftest import LEADER, Chat


async def count_learnings(chat: Chat) -> int:
    async with chat.router.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(Learning)) or 0)


async def test_capture_tags_and_numbers(programme: Chat) -> None:
    replies = await programme.say("inzicht Huurders doen mee als de woning centraal staat #wonen")
    assert len(replies) == 1
    reply = replies[0]
    assert "Inzicht #1 bewaard voor proeftuin Proeftuin A" in reply.text
    assert "#wonen" in reply.text
    assert reply.visibility is Visibility.CHANNEL
    assert any(a.command == "intrekken" and a.args == "1" for a in reply.actions)


async def test_capture_suggests_themes_from_keywords(programme: Chat) -> None:
    text = await programme.text("inzicht Met zonnepanelen op het buurthuis dalen de kosten")
    assert "Nog geen thema" in text and "#energie" in text
    replies = await programme.say("inzicht Een fonds gaf geld voor drie jaar")
    assert any(a.args == "1 #financiering" for a in replies[0].actions) or any(
        "#financiering" in a.args for a in replies[0].actions
    )


async def test_unknown_slug_saves_and_names_closest(programme: Chat) -> None:
    text = await programme.text("inzicht Vaste huurprijs helpt #wonnen")
    assert "Inzicht #1 bewaard" in text
    assert "#wonnen" in text and "#wonen" in text
    assert await count_learnings(programme) == 1


async def test_long_text_saved_whole_reply_shortened(programme: Chat) -> None:
    long_text = ("woord " * 666).strip()  # 3,995 characters: within limits.LEARNING_TEXT
    replies = await programme.say(f"inzicht {long_text}")
    assert len(replies[0].text) < 1200
    assert "…" in replies[0].text
    async with programme.router.database.unit_of_work() as session:
        stored = await session.scalar(select(Learning.text))
    assert stored == long_text


async def test_empty_and_emoji_only_text_refused_friendly(programme: Chat) -> None:
    empty = await programme.say("inzicht")
    assert empty[0].visibility is Visibility.ONLY_CALLER
    assert "/samen inzicht" in empty[0].text
    emoji = await programme.text("inzicht 🎉🙌💡")
    assert "🎉🙌💡" in emoji  # echoed back: nothing the user wrote is lost
    assert await count_learnings(programme) == 0


async def test_unlinked_channel_explains_koppel_and_echoes_text(programme: Chat) -> None:
    text = await programme.text("inzicht Iets wat we leerden", channel="random")
    assert "/samen koppel" in text
    assert "Iets wat we leerden" in text
    assert await count_learnings(programme) == 0


async def test_english_catalog(database, policy) -> None:  # type: ignore[no-untyped-def]
    from handlers.router import Router
    from tests.conftest import make_policy

    chat = Chat(Router(database, make_policy("en")))
    await chat.say("link Pilot A", user=LEADER, channel="a")
    text = await chat.text("learning Tenants join when housing is central", channel="a")
    assert "Learning #1 saved for proeftuin Pilot A" in text
    assert "Did you mean `/samen learning x`" in await chat.text("lerning x", channel="a")


async def test_tag_untag_by_author_and_leader_only(programme: Chat) -> None:
    await programme.say("inzicht Buurtbudget werkt #wonen")
    text = await programme.text("tag 1 #energie #financiering")
    assert "#energie" in text and "#financiering" in text
    text = await programme.text("untag 1 #wonen")
    assert "Thema's nu: #energie, #financiering" in text
    refused = await programme.say("tag 1 #wonen", user="bram")
    assert "schrijver of een projectleider" in refused[0].text
    assert "#wonen" in await programme.text("tag 1 #wonen", user=LEADER)
    assert "bedoelde je #wonen" in await programme.text("tag 1 #wone")
    assert "#" in await programme.text("tag 1")  # says how to name themes


async def test_withdraw(programme: Chat) -> None:
    await programme.say("inzicht Eerste les")
    assert "alleen de schrijver" in await programme.text("intrekken 1", user="bram")
    assert await count_learnings(programme) == 1
    assert "ingetrokken" in await programme.text("intrekken 1")
    assert await count_learnings(programme) == 0
    assert "vind ik niet" in await programme.text("intrekken 1")
    assert "geen nummer" in await programme.text("intrekken abc")


async def test_share_rings(programme: Chat) -> None:
    await programme.say("inzicht Alleen voor ons", user="anna")
    assert "alleen zichtbaar voor proeftuin Proeftuin A" in await programme.text("deel 1 proeftuin")
    # Proeftuin B can no longer see or change it, even a leader there:
    assert "vind ik niet" in await programme.text(
        "deel 1 kenniskring", channel="proeftuin-b", user=LEADER
    )
    assert "hele kenniskring" in await programme.text("deel 1 kenniskring", user=LEADER)
    assert "geen ring" in await programme.text("deel 1 overal")
    assert "al in ring" in await programme.text("deel 1 circle")
    assert "buitenwereld" in await programme.text("deel 1 buitenwereld", user="anna")
    assert "al in ring" in await programme.text("deel 1 public", user=LEADER)


async def test_duplicate_delivery_handled_once(programme: Chat) -> None:
    first = await programme.say("inzicht Een keer", event_id="Ev1")
    second = await programme.say("inzicht Een keer", event_id="Ev1")
    assert first and second == []
    assert await count_learnings(programme) == 1


async def test_capture_for_author_sends_private_note(programme: Chat) -> None:
    from datetime import UTC, datetime

    from handlers.types import Actor, Place

    router = programme.router
    command = router.make_command(
        "inzicht Wat Anna zei over huur",
        Actor("console", "bram", "Bram"),
        Place("console", "proeftuin-a"),
        source_id="console:proeftuin-a:42",
        author=Actor("console", "anna", "Anna"),
        received_at=datetime.now(UTC),
    )
    replies = await router.dispatch(command)
    assert len(replies) == 2
    note = replies[1]
    assert note.visibility is Visibility.DIRECT and note.to and note.to.user_id == "anna"
    assert note.actions[0].command == "intrekken"
    # Capturing the same message again does not make a second learning.
    again = await router.dispatch(command)
    assert "al bewaard als inzicht #1" in again[0].text
    # The author can withdraw with one click: the button's command, run as the author.
    assert "ingetrokken" in await programme.text("intrekken 1", user="anna")
