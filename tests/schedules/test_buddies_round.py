"""The maatjes round (issue 17, item 2): paired once per round through the effect ledger, one
direct message per person (the introduction with the shared theme and a learning of each, or a
kind note), also when two processes run the round at the same moment or the round is run
again; erased or opted-out people drop out; pairs are pruned after six months."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from handlers.types import Visibility
from schedules.buddies import buddies_due, pair_once
from schedules.jobs import run_due
from schedules.ledger import Outcome
from schedules.rhythm import Rhythm
from storage import retention
from storage.models import BuddyOptIn, BuddyPair, Effect
from tests.conftest import Chat
from tests.schedules.conftest import SEVEN, Recorder, channel_of, utc

ZUID, OOST, HOOI = (channel_of(name) for name in SEVEN[:3])
BEFORE = utc(2026, 12, 1, 12)
ROUND = utc(2026, 12, 7, 9)  # the first Monday of December, 10:00 in Amsterdam


async def _programme(seven: Chat) -> None:
    """anna (Zuiderwijk) and bram (Oostwind) share #wonen; cees (Hooiberg) has only #energie;
    dirk (Zuiderwijk) follows #wonen too but is of anna's proeftuin."""
    await seven.say("inzicht Huurders willen eerst zekerheid #wonen", user="anna", channel=ZUID,
                    at=BEFORE)  # fmt: skip
    await seven.say("inzicht Geheim van de buurtkamer #wonen", user="anna", channel=ZUID,
                    at=BEFORE + timedelta(minutes=1))  # fmt: skip
    await seven.say("deel 2 proeftuin", user="anna", channel=ZUID, at=BEFORE)
    await seven.say("inzicht Een woningcorporatie als partner #wonen", user="bram", channel=OOST,
                    at=BEFORE)  # fmt: skip
    await seven.say("volg #energie", user="cees", channel=HOOI, at=BEFORE)
    await seven.say("volg #wonen", user="dirk", channel=ZUID, at=BEFORE)
    for user, channel in (("anna", ZUID), ("bram", OOST), ("cees", HOOI), ("dirk", ZUID)):
        await seven.say("maatje aan", user=user, channel=channel, at=BEFORE)


async def test_a_round_pairs_once_and_tells_everybody_once(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await _programme(seven)
    assert await buddies_due(rhythm, ROUND - timedelta(minutes=1)) == []  # November's is gone
    twin = Rhythm(rhythm.database, recorder, rhythm.policy, owner="other-process")
    first, second = await asyncio.gather(
        buddies_due(rhythm, ROUND + timedelta(minutes=1)),
        buddies_due(twin, ROUND + timedelta(minutes=1)),
    )
    outcomes = first + second
    assert outcomes.count(Outcome.SENT) == 4  # the other process finds each one held or done
    assert set(outcomes) <= {Outcome.SENT, Outcome.SKIPPED}
    assert await buddies_due(rhythm, ROUND + timedelta(hours=1)) == []
    assert (await run_due(rhythm, ROUND + timedelta(days=1)))["maatjes"] == []

    by_user = {target.user_id: reply for target, reply in recorder.sent}
    assert len(recorder.sent) == 4 and set(by_user) == {"anna", "bram", "cees", "dirk"}
    assert all(r.visibility is Visibility.DIRECT for r in by_user.values())
    intro = by_user["anna"]
    assert intro.title == "Maak kennis met Bram"
    assert "Bram uit Energiecoöperatie Oostwind" in intro.text and "#wonen" in intro.text
    assert "Een woningcorporatie als partner" in intro.text  # bram's learning
    assert "Huurders willen eerst zekerheid" in intro.text  # and anna's own (kenniskring)
    assert "Geheim van de buurtkamer" not in intro.text  # ring proeftuin: never shown
    assert set(intro.shows) == {1, 3}
    assert by_user["bram"].title == "Maak kennis met Anna"
    assert "Geheim van de buurtkamer" not in by_user["bram"].text
    for lonely in ("cees", "dirk"):
        assert "geen maatje" in by_user[lonely].text
    async with rhythm.database.unit_of_work() as session:
        pairs = (await session.scalars(select(BuddyPair))).all()
        assert [(p.round_key, p.theme_id) for p in pairs] == [("2026-12-07", 1)]


async def test_the_next_round_makes_no_pair_again_and_rounds_can_be_off(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await _programme(seven)
    await buddies_due(rhythm, ROUND + timedelta(minutes=1))
    recorder.sent.clear()
    january = utc(2027, 1, 4, 9, 1)
    await buddies_due(rhythm, january)
    by_user = {target.user_id: reply for target, reply in recorder.sent}
    assert len(recorder.sent) == 4
    # anna and bram met within six months: bram meets dirk now, anna is left over.
    assert by_user["bram"].title == "Maak kennis met Dirk"
    assert "geen maatje" in by_user["anna"].text and "geen maatje" in by_user["cees"].text
    # Housekeeping prunes a pair once it is older than 183 days (December's, not January's).
    pruned = await retention.prune(rhythm.database, utc(2027, 7, 5, 8, 1))
    assert pruned.buddy_pairs == 1
    off = Rhythm(rhythm.database, recorder, rhythm.policy.__class__(maatjes_schedule=""))
    assert await buddies_due(off, utc(2027, 8, 2, 8, 1)) == []


async def test_who_leaves_or_is_erased_drops_out(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await _programme(seven)
    await seven.say("maatje uit", user="cees", channel=HOOI, at=BEFORE)
    await seven.say("vergeet-mij bevestig", user="dirk", channel=ZUID, at=BEFORE)
    await buddies_due(rhythm, ROUND + timedelta(minutes=1))
    assert sorted(t.user_id or "" for t, _ in recorder.sent) == ["anna", "bram"]
    # After the round: anna's data, with her opt-in and pair, goes on vergeet-mij.
    export = await seven.text("mijn-gegevens", user="anna", channel=ZUID)
    assert "Maatjes met wie je gekoppeld bent (zes maanden bewaard): 1" in export
    explained = await seven.text("vergeet-mij", user="anna", channel=ZUID)
    assert "maatjes" in explained
    await seven.say("vergeet-mij bevestig", user="anna", channel=ZUID)
    async with rhythm.database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(BuddyPair)) == 0
        left = (await session.scalars(select(BuddyOptIn.member_id))).all()
        assert len(left) == 1  # bram's
        keys = (await session.scalars(select(Effect.key))).all()
        assert "maatje:2026-12-07:console:bram" in keys
        assert not [key for key in keys if "anna" in key.split(":")]  # her message's key too


async def test_whose_maatje_stops_after_the_pairing_gets_a_note_not_silence(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await _programme(seven)
    assert await pair_once(rhythm, "2026-12-07", ROUND, ROUND)  # anna and bram are a pair
    await seven.say("maatje uit", user="anna", channel=ZUID, at=ROUND)
    await buddies_due(rhythm, ROUND + timedelta(minutes=1))
    by_user = {target.user_id: reply for target, reply in recorder.sent}
    assert set(by_user) == {"bram", "cees", "dirk"}  # anna left: nothing for her
    assert by_user["bram"].title == "Deze ronde geen maatje"
    assert "doet toch niet meer mee" in by_user["bram"].text
    assert "Anna" not in by_user["bram"].text and not by_user["bram"].shows
    assert by_user["bram"].visibility is Visibility.DIRECT


async def test_a_failed_introduction_is_retried_by_the_outbox(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await _programme(seven)
    recorder.failures = 1
    outcomes = await buddies_due(rhythm, ROUND + timedelta(minutes=1))
    assert outcomes.count(Outcome.FAILED) == 1 and outcomes.count(Outcome.SENT) == 3
    later = await run_due(rhythm, ROUND + timedelta(minutes=10))
    assert later["outbox"] == [Outcome.SENT]
    assert len(recorder.sent) == 4
    assert await buddies_due(rhythm, ROUND + timedelta(minutes=20)) == []
