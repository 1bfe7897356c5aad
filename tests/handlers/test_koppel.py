"""koppel asks before it makes a second proeftuin that looks like one that exists, and before
it moves a linked channel away from its proeftuin (issue 15's first month)."""

from __future__ import annotations

from storage import proeftuinen
from tests.conftest import LEADER, Chat


async def _names(chat: Chat) -> list[str]:
    async with chat.router.database.unit_of_work() as session:
        return [p.name for p in await proeftuinen.list_all(session)]


async def test_a_name_like_an_existing_proeftuin_is_asked_about(chat: Chat) -> None:
    await chat.say("koppel Buurtkamer Zuiderwijk", user=LEADER, channel="zuid")
    asked = await chat.text("koppel zuiderwijk", user=LEADER, channel="nieuw")
    assert "Buurtkamer Zuiderwijk" in asked and "koppel bevestig zuiderwijk" in asked
    typo = await chat.text("koppel Buurtkamr Zuiderwijk", user=LEADER, channel="nieuw")
    assert "Bedoel je" in typo
    assert await _names(chat) == ["Buurtkamer Zuiderwijk"]
    made = await chat.text("koppel bevestig zuiderwijk", user=LEADER, channel="nieuw")
    assert "Nieuwe proeftuin zuiderwijk" in made
    assert sorted(await _names(chat)) == ["Buurtkamer Zuiderwijk", "zuiderwijk"]


async def test_different_proeftuinen_with_shared_words_are_not_mistaken(chat: Chat) -> None:
    await chat.say("koppel Proeftuin A", user=LEADER, channel="a")
    made = await chat.text("koppel Proeftuin B", user=LEADER, channel="b")
    assert "Nieuwe proeftuin Proeftuin B" in made


async def test_a_linked_channel_moves_only_when_confirmed(chat: Chat) -> None:
    await chat.say("koppel Energiecoöperatie Oostwind", user=LEADER, channel="oost")
    await chat.say("koppel Voedseltuin De Hooiberg", user=LEADER, channel="hooi")
    same = await chat.text("koppel energiecoöperatie oostwind", user=LEADER, channel="oost")
    assert "al gekoppeld" in same
    asked = await chat.text("koppel Voedseltuin De Hooiberg", user=LEADER, channel="oost")
    assert "koppel bevestig Voedseltuin De Hooiberg" in asked
    assert "al gekoppeld" in await chat.text(
        "koppel Energiecoöperatie Oostwind", user=LEADER, channel="oost"
    )
    moved = await chat.text("koppel bevestig Voedseltuin De Hooiberg", user=LEADER, channel="oost")
    assert "Voedseltuin De Hooiberg" in moved and "Energiecoöperatie Oostwind" in moved


async def test_english_confirms_with_its_own_word(chat: Chat) -> None:
    await chat.say("link Buurtkamer Zuiderwijk", user=LEADER, channel="zuid")
    await chat.say("link confirm zuiderwijk", user=LEADER, channel="x")
    assert len(await _names(chat)) == 2
