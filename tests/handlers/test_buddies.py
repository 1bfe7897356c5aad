"""maatje aan|uit, maatje (status) and maatjes voorbeeld (issue 17, item 2), on SQLite and
PostgreSQL: opting in from a proeftuin's channel, the status, and the leaders' preview, which
sends nothing and stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from handlers.router import Router
from handlers.types import Visibility
from storage.models import BuddyOptIn, BuddyPair, Effect
from tests.conftest import LEADER, Chat

A, B = "proeftuin-a", "proeftuin-b"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


async def test_opt_in_status_and_out(programme: Chat) -> None:
    assert "nog niet mee" in await programme.text("maatje", at=NOW)
    [reply] = await programme.say("maatje aan", at=NOW)
    assert reply.visibility is Visibility.ONLY_CALLER
    assert "je doet mee met de maatjes" in reply.text
    assert "7 dec 2026" in reply.text  # the first Monday of December, 10:00
    assert "vanuit Proeftuin A" in reply.text
    assert "Je deed al mee" in await programme.text("maatje aan", at=NOW)
    assert "Je doet mee met de maatjes" in await programme.text("maatje", at=NOW)
    assert "niet meer mee" in await programme.text("buddy off", at=NOW)
    assert "al niet mee" in await programme.text("maatje uit", at=NOW)
    refused = await programme.text("maatje misschien", at=NOW)
    assert "/samen maatje aan" in refused and "/samen maatje uit" in refused


async def test_opting_in_from_a_direct_message_needs_a_proeftuin(programme: Chat) -> None:
    text = await programme.text("maatje aan", user="cees", channel="dm", direct=True, at=NOW)
    assert "welke proeftuin" in text
    # Having captured a learning in B, that is their proeftuin.
    await programme.say("inzicht Huurders willen zekerheid #wonen", user="cees", channel=B)
    text = await programme.text("maatje", user="cees", channel="dm", direct=True, at=NOW)
    assert "vanuit Proeftuin B" in text


async def test_english_words(router: Router, programme: Chat) -> None:
    [reply] = await programme.say("buddy on", at=NOW)
    assert "je doet mee" in reply.text  # Dutch by default, the English word works
    assert "nog niet mee" in await programme.text("buddy", user="dirk", at=NOW)


async def test_preview_is_for_leaders_and_sends_nothing(programme: Chat) -> None:
    await programme.say("volg #wonen", user="anna", channel=A)
    await programme.say("volg #wonen", user="bram", channel=B)
    await programme.say("volg #energie", user="cees", channel=B)
    for user, channel in (("anna", A), ("bram", B), ("cees", B)):
        await programme.say("maatje aan", user=user, channel=channel, at=NOW)
    refused = await programme.text("maatjes voorbeeld", user="anna", at=NOW)
    assert "leider" in refused.lower() or "projectleider" in refused.lower()
    [reply] = await programme.say("maatjes voorbeeld", user=LEADER, at=NOW)
    assert reply.visibility is Visibility.ONLY_CALLER
    assert reply.title == "Maatjes: voorbeeld van de ronde van 7 dec 2026"
    assert "1 paar, 1 deelnemer zonder maatje" in reply.text
    assert "Anna (Proeftuin A) + Bram (Proeftuin B) · #wonen" in reply.text
    assert "Zonder maatje: Cees (Proeftuin B)" in reply.text
    english = await programme.text("buddies preview", user=LEADER, at=NOW)
    assert "1 paar" in english
    async with programme.router.database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(BuddyPair)) == 0
        assert await session.scalar(select(func.count()).select_from(Effect)) == 0
        assert await session.scalar(select(func.count()).select_from(BuddyOptIn)) == 3


async def test_preview_without_anyone(programme: Chat) -> None:
    text = await programme.text("maatjes", user=LEADER, at=NOW)
    assert "Nog niemand doet mee" in text
