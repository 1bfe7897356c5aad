"""Maatjes on Slack (issue 17, item 2): opting in with the slash command, and the round's
introduction arriving as a direct message through the Slack Web API fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.buddies import next_round
from schedules.buddies import buddies_due
from schedules.ledger import Outcome
from schedules.rhythm import Rhythm
from tests.slack.conftest import ANNA, BOB, CHAN_A, CHAN_B, SlackDriver


async def test_the_introduction_reaches_both_in_a_direct_message(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    await slack.run("inzicht Huurders willen eerst zekerheid #wonen", user=ANNA, channel=CHAN_A)
    await slack.run("maatje aan", user=ANNA, channel=CHAN_A)
    await slack.run("volg #wonen", user=BOB, channel=CHAN_B)
    await slack.run("buddy on", user=BOB, channel=CHAN_B)
    app = slack.app
    fire = next_round(app.policy.maatjes_schedule, app.policy.timezone, datetime.now(UTC))
    assert fire is not None
    rhythm = Rhythm(app.database, app.delivery, app.policy, owner="slack-test")
    outcomes = await buddies_due(rhythm, fire + timedelta(minutes=1))
    assert outcomes == [Outcome.SENT, Outcome.SENT]
    assert await buddies_due(rhythm, fire + timedelta(minutes=2)) == []
    direct = [
        (channel, post)
        for channel, posted in fake.messages.items()
        if channel.startswith("D")
        for post in posted
        if "maatje" in post["text"]
    ]
    assert len(direct) == 2 and direct[0][0] != direct[1][0]
    texts = " ".join(post["text"] for _, post in direct)
    assert "Anna uit Proeftuin A" in texts and "Bob uit Proeftuin B" in texts
    assert "Huurders willen eerst zekerheid" in texts and "#wonen" in texts
