"""The rings on Slack: a leader's publish request reaches the author as a DM with buttons, the
author's click publishes; a follower is told of another proeftuin's learning by DM."""

from __future__ import annotations

from storage.models import Ring
from tests.slack import payloads
from tests.slack.conftest import ANNA, BOB, CHAN_A, CHAN_B, LEADER, SlackDriver, stored_learnings


async def test_consent_request_and_agree_button(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    await slack.run(
        "inzicht Een buurtbudget werkt als de buurt zelf kiest #wonen", user=ANNA, channel=CHAN_A
    )
    fake.calls.clear()
    await slack.run("deel 1 buitenwereld", user=LEADER, channel=CHAN_A)
    [learning] = await stored_learnings(slack.app)
    assert learning.ring == Ring.KENNISKRING.value  # nothing is published before consent
    assert [c.args["users"] for c in fake.calls_to("conversations.open")] == [ANNA]
    request = next(c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "DANNA")
    buttons = [e for b in request.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["value"] for b in buttons] == ["akkoord 1", "akkoord 1 naam", "weiger 1"]
    # Bob may not press Anna's button for her.
    dm = {"type": "message", "ts": fake.next_ts(), "blocks": request.args["blocks"]}
    named = buttons[1]
    await slack.interact(
        payloads.block_actions(BOB, "DANNA", dm, named, response_url=fake.response_url())
    )
    await slack.idle()
    [learning] = await stored_learnings(slack.app)
    assert learning.ring == Ring.KENNISKRING.value
    await slack.interact(
        payloads.block_actions(ANNA, "DANNA", dm, named, response_url=fake.response_url())
    )
    await slack.idle()
    [learning] = await stored_learnings(slack.app)
    assert learning.ring == Ring.BUITENWERELD.value and learning.author_public


async def test_follower_gets_a_dm(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    await slack.run("volg #wonen", user=BOB, channel=CHAN_B)
    fake.calls.clear()
    await slack.run(
        "inzicht Huurders doen mee als de woning centraal staat #wonen", user=ANNA, channel=CHAN_A
    )
    assert [c.args["users"] for c in fake.calls_to("conversations.open")] == [BOB]
    notice = next(c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "DBOB")
    assert "Huurders doen mee" in notice.all_text()
