"""A cancelled or moved meeting on Slack (issue 17, item 5): the leader's command over the wire,
and the notice to whoever said `ja` as a direct message, sent once by the outbox of `serve`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schedules.ledger import Outcome
from schedules.outbox import outbox
from schedules.rhythm import Rhythm
from tests.slack.conftest import ANNA, BOB, LEADER, SlackDriver, texts


def direct_messages(slack: SlackDriver) -> list[dict]:
    return [m for c, posted in slack.fake.messages.items() if c.startswith("D") for m in posted]


async def test_who_said_yes_hears_of_the_move_and_the_cancellation_once(
    programme: SlackDriver,
) -> None:
    slack = programme
    await slack.run("bijeenkomst Buurtavond | 2030-02-07 19:30", user=LEADER)
    await slack.run("ja 1", user=ANNA)
    await slack.run("nee 1", user=BOB)
    rhythm = Rhythm(database=slack.app.database, sender=slack.app.delivery, policy=slack.app.policy)
    moved = texts(await slack.run("verzet 1 2030-02-14 20:00", user=LEADER))
    assert "verzet naar do 14 feb 2030 20:00" in moved and "Wie ja zei (1)" in moved
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert await outbox(rhythm, later) == [Outcome.SENT]
    [told] = direct_messages(slack)
    assert "is nu op do 14 feb 2030 20:00" in told["text"]

    cancelled = texts(await slack.run("annuleer 1", user=LEADER))
    assert "gaat niet door" in cancelled
    assert await outbox(rhythm, later + timedelta(minutes=1)) == [Outcome.SENT]
    assert await outbox(rhythm, later + timedelta(minutes=2)) == []  # once
    first, second = direct_messages(slack)
    assert "gaat niet door" in second["text"] and "Buurtavond" in second["text"]
    refused = texts(await slack.run("annuleer 1", user=LEADER))
    assert "al geannuleerd" in refused
