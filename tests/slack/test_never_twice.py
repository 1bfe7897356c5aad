"""Retries, parallel deliveries and double events are handled once (the key is in the database)."""

from __future__ import annotations

import asyncio
import json

from tests.fakes.slack_api import BOT_USER
from tests.slack import payloads
from tests.slack.conftest import ANNA, BOB, CHAN_A, SlackDriver, stored_learnings


async def test_same_event_four_times_is_handled_once(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = fake.add_message(CHAN_A, ANNA, "Vier keer bezorgd, één keer bewaard")
    event = payloads.reaction_added(BOB, CHAN_A, ts)
    for retry in (None, 1, 2, 3):
        sent = await slack.event(event, event_id="Ev0RETRY4X", retry_num=retry)
        assert sent.status == 200
        await slack.idle()
    assert len(await stored_learnings(slack.app)) == 1
    in_thread = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHAN_A]
    assert len(in_thread) == 1
    assert len(fake.calls_to("conversations.open")) == 1


async def test_first_delivery_arriving_as_a_retry_is_handled(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = fake.add_message(CHAN_A, ANNA, "De eerste poging ging verloren")
    sent = await slack.event(payloads.reaction_added(BOB, CHAN_A, ts), retry_num=1)
    assert sent.status == 200
    await slack.idle()
    assert len(await stored_learnings(slack.app)) == 1


async def test_parallel_deliveries_are_handled_once(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = fake.add_message(CHAN_A, ANNA, "Twee tegelijk, toch één inzicht")
    event = payloads.reaction_added(BOB, CHAN_A, ts)
    sends = [slack.event(event, event_id="Ev0PARALLEL", retry_num=n) for n in (None, 1)]
    assert [s.status for s in await asyncio.gather(*sends)] == [200, 200]
    await slack.idle()
    assert len(await stored_learnings(slack.app)) == 1
    assert len([c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHAN_A]) == 1


async def test_parallel_slash_command_deliveries_are_handled_once(programme: SlackDriver) -> None:
    slack = programme
    sends = [
        slack.command("inzicht Eén trigger, één inzicht", trigger_id="trigger.same.1")
        for _ in range(3)
    ]
    assert {s.status for s in await asyncio.gather(*sends)} == {200}
    await slack.idle()
    assert len(await stored_learnings(slack.app)) == 1
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_mention_firing_two_events_is_handled_once(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    root = fake.add_message(CHAN_A, ANNA, "Draadje")
    ts = fake.next_ts()
    text = f"<@{BOT_USER}> inzicht Eén bericht, twee events"
    mention = payloads.app_mention(ANNA, CHAN_A, text, ts, thread_ts=root)
    message = payloads.message_event(ANNA, CHAN_A, text, ts, thread_ts=root)
    await asyncio.gather(slack.event(mention), slack.event(message))
    await slack.idle()
    assert len(await stored_learnings(slack.app)) == 1
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_button_clicked_twice_with_the_same_action_is_handled_once(
    programme: SlackDriver,
) -> None:
    slack, fake = programme, programme.fake
    calls = await slack.run("inzicht Dubbel klikken telt één keer")
    [post] = [c for c in calls if c.method == "chat.postMessage"]
    message = {"type": "message", "ts": fake.next_ts(), "blocks": post.args["blocks"]}
    tag = {"type": "button", "action_id": "samen:9", "value": "tag 1 #energie"}
    click = payloads.block_actions(
        ANNA, CHAN_A, message, tag, response_url=fake.response_url(), action_ts="1700000001.5"
    )
    body = payloads.interactive_body(click)
    await asyncio.gather(*(slack.post(body) for _ in range(2)))
    await slack.post(body, retry_num=1)
    await slack.idle()
    replies = [c for c in fake.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(replies) == 1
    assert "#energie" in json.dumps(replies[0].args["blocks"], ensure_ascii=False)
