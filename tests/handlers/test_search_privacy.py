"""zoek with filters and the ring rule; mijn-gegevens and vergeet-mij."""

from __future__ import annotations

from sqlalchemy import select

from handlers.types import Visibility
from storage.models import Learning, Member
from tests.conftest import Chat


async def test_search_respects_rings_and_filters(programme: Chat) -> None:
    await programme.say("inzicht Vrijwilligers vasthouden lukt met een vaste coördinator #wonen")
    await programme.say("inzicht Vrijwilligers in B krijgen een bedankavond", channel="proeftuin-b")
    await programme.say("inzicht Geheim over vrijwilligers in B", channel="proeftuin-b")
    await programme.say("deel 3 proeftuin", channel="proeftuin-b")
    in_a = await programme.text("zoek vrijwilligers")
    assert "#1" in in_a and "#2" in in_a and "Geheim" not in in_a
    in_b = await programme.text("zoek vrijwilligers", channel="proeftuin-b")
    assert "Geheim" in in_b
    outside = await programme.text("zoek geheim", channel="kenniskring")
    assert "Niets gevonden" in outside
    only_theme = await programme.text("zoek vrijwilligers #wonen")
    assert "#1" in only_theme and "#2 " not in only_theme
    by_place = await programme.text("zoek vrijwilligers proeftuin:proeftuin b")
    assert "#2" in by_place and "#1 " not in by_place
    assert "Bedoelde je 'Proeftuin B'" in await programme.text("zoek x proeftuin:Proeftuin C")
    assert "ken ik niet" in await programme.text("zoek x #onbekend")
    assert "Waar zoek je naar" in await programme.text("zoek")
    listing = await programme.text("zoek #wonen")
    assert "#1" in listing


async def test_search_hostile_words(programme: Chat) -> None:
    await programme.say("inzicht Gewone tekst")
    for words in ['"', "*", "NEAR(", "-", "a OR", "')--", "💡"]:
        replies = await programme.say(f"zoek {words}")
        assert replies and replies[0].text


async def test_my_data_is_private(programme: Chat) -> None:
    await programme.say("inzicht Mijn eerste inzicht", user="anna")
    replies = await programme.say("mijn-gegevens", user="anna")
    assert replies[0].visibility is Visibility.DIRECT
    assert replies[0].to and replies[0].to.user_id == "anna"
    assert "Mijn eerste inzicht" in replies[0].text and "console:anna" in replies[0].text


async def test_forget_me_asks_then_anonymises(programme: Chat) -> None:
    await programme.say("inzicht Blijft bewaard", user="anna")
    ask = await programme.say("vergeet-mij", user="anna")
    assert "vergeet-mij bevestig" in ask[0].text
    async with programme.router.database.unit_of_work() as session:
        assert await session.scalar(select(Member).where(Member.user_id == "anna"))
    done = await programme.text("vergeet-mij bevestig", user="anna")
    assert "gewist" in done
    async with programme.router.database.unit_of_work() as session:
        assert await session.scalar(select(Member).where(Member.user_id == "anna")) is None
        learning = await session.scalar(select(Learning))
        assert learning is not None and learning.author_id is None
    assert "anoniem" in await programme.text("zoek bewaard") or "Blijft" in await programme.text(
        "zoek bewaard"
    )
