"""koppel, themas, thema nieuw, help, unknown commands and leader checks."""

from __future__ import annotations

from handlers.types import Visibility
from tests.conftest import LEADER, Chat


async def test_koppel_is_leader_only_and_moves(chat: Chat) -> None:
    refused = await chat.say("koppel Proeftuin A", user="anna")
    assert refused[0].visibility is Visibility.ONLY_CALLER
    assert "projectleiders" in refused[0].text
    assert "Nieuwe proeftuin" in await chat.text("koppel Proeftuin A", user=LEADER)
    assert "gekoppeld aan proeftuin Proeftuin A" in await chat.text(
        "koppel proeftuin a", user=LEADER
    )
    moved = await chat.text("koppel Proeftuin B", user=LEADER)
    assert "Proeftuin A" in moved  # says where it was linked before
    assert "koppel <naam>" in await chat.text("koppel", user=LEADER)
    assert "privégesprek" in await chat.text("koppel X", user=LEADER, direct=True)


async def test_theme_add_and_counts(programme: Chat) -> None:
    assert "bestaat al" in await programme.text("thema nieuw wonen Wonen", user=LEADER)
    assert "slug" in await programme.text("thema nieuw Wo!nen Wonen", user=LEADER)
    assert "thema nieuw" in await programme.text("thema", user=LEADER)
    assert "projectleiders" in await programme.text("thema nieuw zorg Zorg", user="anna")
    await programme.say("inzicht Huur #wonen")
    await programme.say("inzicht Huur in B #wonen", channel="proeftuin-b")
    await programme.say("deel 2 proeftuin", channel="proeftuin-b")
    text_a = await programme.text("themas")
    assert "#wonen: Wonen (1)" in text_a  # B's ring-proeftuin learning is not counted in A
    assert "#wonen: Wonen (2)" in await programme.text("themas", channel="proeftuin-b")


async def test_help_lists_what_caller_may_do(programme: Chat) -> None:
    participant = await programme.text("help", user="anna")
    leader = await programme.text("help", user=LEADER)
    assert "/samen inzicht" in participant and "/samen koppel" not in participant
    assert "/samen koppel" in leader
    assert "Proeftuin A" in participant


async def test_unknown_and_empty_commands(chat: Chat) -> None:
    assert "Bedoelde je `/samen themas`" in await chat.text("themass")
    assert "/samen help" in await chat.text("xyzzyqq")
    assert "/samen help" in await chat.text("")


async def test_aliases_in_english(programme: Chat) -> None:
    assert "Inzicht #1" in await programme.text("learning Via de alias")
    assert "#wonen" in await programme.text("themes")
    assert "ingetrokken" in await programme.text("withdraw 1")
