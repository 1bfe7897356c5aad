"""Maatjes on Discord (issue 17, item 2): opting in with the slash command, and the round's
introduction arriving as a direct message through the Discord fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.buddies import next_round
from schedules.buddies import buddies_due
from schedules.ledger import Outcome
from schedules.rhythm import Rhythm
from tests.discord.conftest import Bot


async def test_the_introduction_reaches_both_in_a_direct_message(programme: Bot) -> None:
    fake, app = programme.fake, programme.app
    await programme.run("anna", "proeftuin-a", "inzicht", tekst="Huurders willen zekerheid #wonen")
    await programme.run("anna", "proeftuin-a", "maatje", keuze="aan")
    await programme.run("bob", "proeftuin-b", "volg", thema="wonen")
    await programme.run("bob", "proeftuin-b", "maatje", keuze="aan")
    fire = next_round(app.policy.maatjes_schedule, app.policy.timezone, datetime.now(UTC))
    assert fire is not None
    rhythm = Rhythm(app.database, app.delivery, app.policy, owner="discord-test")
    outcomes = await buddies_due(rhythm, fire + timedelta(minutes=1))
    assert outcomes == [Outcome.SENT, Outcome.SENT]
    [to_anna] = await fake.wait_for(lambda: fake.dms("anna"), what="anna's introduction")
    [to_bob] = await fake.wait_for(lambda: fake.dms("bob"), what="bob's introduction")
    assert "Bob" in str(to_anna) and "Proeftuin B" in str(to_anna)
    assert "Anna" in str(to_bob) and "Huurders willen zekerheid" in str(to_bob)
    assert await buddies_due(rhythm, fire + timedelta(minutes=2)) == []
