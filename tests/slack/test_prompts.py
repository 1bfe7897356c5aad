"""Reflection prompts on Slack: posted prompts are remembered; thread replies become answers."""

from __future__ import annotations

import pytest

from tests.slack import payloads
from tests.slack.conftest import ANNA, BOB, CHAN_A, CHAN_B, LEADER, SlackDriver, stored_learnings

prompts = pytest.importorskip("handlers.prompts")


async def ask(slack: SlackDriver) -> dict[str, str]:
    """`vraag …` by the leader; returns channel -> ts of the posted prompt."""
    calls = await slack.run("vraag Wat leerden jullie over huren?", user=LEADER)
    posted = {c.args["channel"]: c for c in calls if c.method == "chat.postMessage"}
    assert set(posted) == {CHAN_A, CHAN_B}
    return {channel: call.response["ts"] for channel, call in posted.items()}


async def test_thread_reply_to_a_prompt_becomes_an_answer(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = await ask(slack)
    reply_ts = fake.next_ts()
    event = payloads.message_event(
        ANNA, CHAN_A, "Eerst een proefwoning laten zien #wonen", reply_ts, thread_ts=ts[CHAN_A]
    )
    assert (await slack.event(event)).status == 200
    await slack.idle()
    [learning] = await stored_learnings(slack.app)
    assert learning.prompt_id is not None and learning.text.startswith("Eerst een proefwoning")
    assert learning.source_url and learning.source_url.endswith(reply_ts.replace(".", ""))
    answer = fake.calls_to("chat.postMessage")[-1]
    assert answer.args["thread_ts"] == ts[CHAN_A]

    # an ordinary thread elsewhere is just conversation
    other_root = fake.add_message(CHAN_A, BOB, "Koffie?")
    chat = payloads.message_event(ANNA, CHAN_A, "Graag", fake.next_ts(), thread_ts=other_root)
    before = len(fake.calls)
    await slack.event(chat)
    await slack.idle()
    assert len(fake.calls) == before
    assert len(await stored_learnings(slack.app)) == 1


async def test_answer_button_opens_a_modal_whose_text_is_the_answer(
    programme: SlackDriver,
) -> None:
    slack, fake = programme, programme.fake
    ts = await ask(slack)
    [post] = [m for m in fake.messages[CHAN_B] if m["ts"] == ts[CHAN_B]]
    button = post["blocks"][-1]["elements"][0]
    assert button["value"].startswith("antwoord ")
    click = payloads.block_actions(BOB, CHAN_B, post, button, response_url=fake.response_url())
    await slack.interact(click)
    await slack.idle()
    [opened] = fake.calls_to("views.open")
    view = opened.args["view"]
    values = {"text": {"value": {"type": "plain_text_input", "value": "Wij deden een buurtlunch"}}}
    await slack.interact(payloads.view_submission(BOB, {**view, "id": "V0ANSWER"}, values))
    await slack.idle()
    [learning] = await stored_learnings(slack.app)
    assert learning.text == "Wij deden een buurtlunch" and learning.prompt_id is not None
    assert learning.proeftuin.name == "Proeftuin B"
    answer = fake.calls_to("chat.postMessage")[-1]
    assert answer.args["channel"] == CHAN_B and answer.args["thread_ts"] == ts[CHAN_B]
