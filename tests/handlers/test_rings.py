"""herken, verrijk, volg/ontvolg with notices, and publishing with the author's consent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from handlers.types import Visibility
from storage.models import Learning, Ring
from tests.conftest import LEADER, Chat


async def ring_of(chat: Chat, number: int) -> tuple[str, bool]:
    async with chat.router.database.unit_of_work() as session:
        learning = await session.get(Learning, number)
        assert learning is not None
        return learning.ring, learning.author_public


async def test_recognise_once_per_proeftuin_and_ring_rule(programme: Chat) -> None:
    await programme.say("inzicht Bewoners tekenen mee aan het plan #wonen")
    assert "eigen proeftuin" in await programme.text("herken 1")
    text = await programme.text("herken 1", channel="proeftuin-b", user="bram")
    assert "Ook bij ons! Proeftuin B herkent inzicht #1" in text and "1 proeftuin" in text
    assert "herkende inzicht #1 al" in await programme.text("herken 1", channel="proeftuin-b")
    assert "herkend door 1" in await programme.text("zoek bewoners plan")
    assert "vind ik niet" in await programme.text("herken 99", channel="proeftuin-b")
    # Nobody recognises what they may not see.
    await programme.say("inzicht Intern #wonen")
    await programme.say("deel 2 proeftuin")
    assert "vind ik niet" in await programme.text("herken 2", channel="proeftuin-b")
    assert "koppel" in await programme.text("herken 1", channel="nergens")


async def test_enrich_shows_under_learning(programme: Chat) -> None:
    await programme.say("inzicht Een fonds wil zien wat het oplevert #financiering")
    assert "Wat voeg je toe" in await programme.text("verrijk 1", channel="proeftuin-b")
    text = await programme.text(
        "verrijk 1 Bij ons telde een filmpje meer dan een rapport", channel="proeftuin-b"
    )
    assert "Verrijking van Proeftuin B toegevoegd aan inzicht #1" in text
    found = await programme.text("zoek fonds oplevert")
    assert "↳ Proeftuin B: Bij ons telde een filmpje" in found
    await programme.say("deel 1 proeftuin")
    assert "vind ik niet" in await programme.text("verrijk 1 nog iets", channel="proeftuin-b")


async def test_follow_notifies_other_proeftuin_at_most_hourly(programme: Chat) -> None:
    assert "geen thema's" in await programme.text("volg", user="bram", channel="proeftuin-b")
    assert "ken ik niet" in await programme.text("volg #onbekend", user="bram")
    done = await programme.say("volg #wonen", user="bram", channel="proeftuin-b")
    assert done[0].visibility is Visibility.ONLY_CALLER and "#wonen" in done[0].text
    start = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    # Own proeftuin's learning: no notice.
    own = await programme.say("inzicht In B over huur #wonen", channel="proeftuin-b", at=start)
    assert all(r.visibility is not Visibility.DIRECT for r in own)
    # Another proeftuin's: one private notice to bram.
    first = await programme.say("inzicht Huur in A #wonen", at=start)
    notes = [r for r in first if r.visibility is Visibility.DIRECT]
    assert len(notes) == 1 and notes[0].to and notes[0].to.user_id == "bram"
    assert "Huur in A" in notes[0].text
    # Within the hour: queued, not sent.
    second = await programme.say("inzicht Nog meer huur #wonen", at=start + timedelta(minutes=20))
    assert not [r for r in second if r.visibility is Visibility.DIRECT]
    # Ring proeftuin learnings never travel.
    await programme.say("inzicht Geheim over huur #wonen", at=start + timedelta(minutes=30))
    await programme.say("deel 4 proeftuin", at=start + timedelta(minutes=31))
    # An hour later the next learning brings the queued ones along, in one message.
    third = await programme.say("inzicht Derde over huur #wonen", at=start + timedelta(hours=1))
    notes = [r for r in third if r.visibility is Visibility.DIRECT]
    assert len(notes) == 1
    assert "Nog meer huur" in notes[0].text and "Derde over huur" in notes[0].text
    assert "Geheim" not in notes[0].text
    assert "#wonen" in await programme.text("volg", user="bram", channel="proeftuin-b")
    assert "niet meer" in await programme.text("ontvolg #wonen", user="bram")
    assert "volgde" in await programme.text("ontvolg #wonen", user="bram")


async def test_consent_flow_with_refusal_and_name(programme: Chat) -> None:
    await programme.say("inzicht Publiek waardevol", user="anna")
    replies = await programme.say("deel 1 buitenwereld", user=LEADER)
    assert "gevraagd" in replies[0].text
    request = replies[1]
    assert request.visibility is Visibility.DIRECT and request.to and request.to.user_id == "anna"
    assert [a.command for a in request.actions] == ["akkoord", "akkoord", "weiger"]
    assert await ring_of(programme, 1) == (Ring.KENNISKRING.value, False)
    assert "niet van jou" in await programme.text("akkoord 1", user=LEADER)
    assert "blijft in ring kenniskring" in await programme.text("weiger 1", user="anna")
    assert await ring_of(programme, 1) == (Ring.KENNISKRING.value, False)
    assert "met proeftuin Proeftuin A en je naam" in await programme.text(
        "akkoord 1 naam", user="anna"
    )
    assert await ring_of(programme, 1) == (Ring.BUITENWERELD.value, True)
    # English alias, anonymous by default.
    await programme.say("inzicht Tweede", user="anna")
    assert "zonder je naam" in await programme.text("agree 2", user="anna")
    assert await ring_of(programme, 2) == (Ring.BUITENWERELD.value, False)


async def test_forget_me_unpublishes(programme: Chat) -> None:
    await programme.say("inzicht Openbaar met naam", user="anna")
    await programme.say("deel 1 buitenwereld naam", user="anna")
    assert await ring_of(programme, 1) == (Ring.BUITENWERELD.value, True)
    await programme.say("vergeet-mij bevestig", user="anna")
    assert await ring_of(programme, 1) == (Ring.KENNISKRING.value, False)
    async with programme.router.database.unit_of_work() as session:
        learning = await session.scalar(select(Learning))
        assert learning is not None and learning.author_id is None and learning.consent_at is None
    assert "niet meer bekend" in await programme.text("deel 1 buitenwereld", user=LEADER)


async def test_digest_shows_recognitions_and_enrichments(programme: Chat) -> None:
    await programme.say("koppel Proeftuin C", user=LEADER, channel="proeftuin-c")
    await programme.say("inzicht Eerste over huur #wonen")
    await programme.say("inzicht Tweede over huur #wonen")
    await programme.say("herken 2", channel="proeftuin-b")
    await programme.say("herken 2", channel="proeftuin-c")
    await programme.say(
        "verrijk 2 Bij ons ook, maar dan met een huurcommissie", channel="proeftuin-b"
    )
    replies = await programme.say("digest", user=LEADER, channel="kenniskring")
    text = "\n".join(f"{r.title}\n{r.text}" for r in replies)
    wonen = next(r.text for r in replies if (r.title or "").startswith("#wonen"))
    # Within the theme, the most recognised learning comes first.
    assert wonen.index("#2 ") < wonen.index("#1 ")
    assert "herkend door 2: Proeftuin B, Proeftuin C" in wonen
    assert "↳ Proeftuin B: Bij ons ook, maar dan met een huurcommissie" in wonen
    assert "Herkend door meerdere proeftuinen" in text
