"""The meeting harvest on Slack (issue 17, item 4): the question arrives as a direct message
whose button opens a form; what is typed there becomes a learning linked to the meeting."""

from __future__ import annotations

from handlers.harvest import harvest_question
from handlers.types import Target
from storage import meetings
from tests.slack import payloads
from tests.slack.conftest import ANNA, LEADER, SlackDriver, stored_learnings


async def test_the_question_button_opens_a_form_whose_text_is_the_harvest(
    programme: SlackDriver,
) -> None:
    slack, fake = programme, programme.fake
    await slack.run(
        "bijeenkomst Buurtavond | 2030-02-07 19:30 | proeftuin:Proeftuin A", user=LEADER
    )
    async with slack.app.database.unit_of_work() as session:
        meeting = await meetings.get(session, 1)
        assert meeting is not None
        question = harvest_question(slack.app.policy.translator(), meeting)
    await slack.app.delivery.send(Target("slack", user_id=ANNA), question)
    [(channel, post)] = [
        (c, m) for c, posted in fake.messages.items() if c.startswith("D") for m in posted
    ]
    assert "Wat neem je mee uit Buurtavond?" in post["text"]
    button = post["blocks"][-1]["elements"][0]
    assert button["value"].startswith("oogst 1")
    click = payloads.block_actions(ANNA, channel, post, button, response_url=fake.response_url())
    await slack.interact(click)
    await slack.idle()
    [opened] = fake.calls_to("views.open")
    view = opened.args["view"]
    values = {"text": {"value": {"type": "plain_text_input", "value": "Bellen werkt beter"}}}
    await slack.interact(payloads.view_submission(ANNA, {**view, "id": "V0HARVEST"}, values))
    await slack.idle()
    [learning] = await stored_learnings(slack.app)
    assert (learning.text, learning.meeting_id) == ("Bellen werkt beter", 1)
    assert learning.proeftuin.name == "Proeftuin A"
