"""The rings on Slack: a leader's publish request reaches the author as a DM with buttons, the
author's click publishes; a follower is told of another proeftuin's learning by DM."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from handlers.types import Command, Reply
from storage.models import FollowNotice, Proeftuin, Ring
from tests.slack import payloads
from tests.slack.conftest import (
    ANNA,
    BOB,
    CHAN_A,
    CHAN_B,
    LEADER,
    SlackDriver,
    stored_learnings,
    texts,
)


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


async def submit_capture_form(
    slack: SlackDriver, text: str, *, slugs: list[str], ring: str, user: str = ANNA
) -> None:
    """`/samen inzicht` without text opens the form; submit it with these choices."""
    trigger = payloads.unique("trigger.form.")
    assert (
        await slack.command("inzicht", user=user, channel=CHAN_A, trigger_id=trigger)
    ).status == 200
    await slack.idle()
    [opened] = [c for c in slack.fake.calls_to("views.open") if c.args["trigger_id"] == trigger]
    view = opened.args["view"]
    values = {
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "themes": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [{"value": s, "text": {"type": "plain_text"}} for s in slugs],
            }
        },
        "ring": {"value": {"type": "static_select", "selected_option": {"value": ring}}},
    }
    submission = payloads.view_submission(user, {**view, "id": payloads.unique("V0FORM")}, values)
    assert (await slack.interact(submission)).status == 200
    await slack.idle()


def count_dispatches(slack: SlackDriver, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the commands the router is given from now on."""
    router, seen = slack.app.router, []
    original = router.dispatch

    async def counting(command: Command) -> list[Reply]:
        seen.append(command.name)
        return await original(command)

    monkeypatch.setattr(router, "dispatch", counting)
    return seen


async def test_form_at_ring_proeftuin_tells_no_follower_elsewhere(
    programme: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 item 1: the form stored at the default ring first and moved the learning to
    ring proeftuin after, so a follower in another proeftuin was told its secret text."""
    slack, fake = programme, programme.fake
    await slack.run("volg #wonen", user=BOB, channel=CHAN_B)
    fake.calls.clear()
    dispatched = count_dispatches(slack, monkeypatch)
    await submit_capture_form(
        slack, "GEHEIM: de wethouder stopt ermee", slugs=["wonen"], ring="proeftuin"
    )
    [learning] = await stored_learnings(slack.app)
    assert learning.ring == Ring.PROEFTUIN.value
    assert fake.calls_to("conversations.open") == []
    assert "GEHEIM" not in texts(
        [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] != CHAN_A]
    )
    async with slack.app.database.unit_of_work() as session:
        assert (await session.scalars(select(FollowNotice))).all() == []  # nothing queued
    assert dispatched == ["inzicht"]  # one command, one unit of work


async def test_form_at_ring_buitenwereld_is_the_writers_consent_in_one_step(
    programme: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = programme
    dispatched = count_dispatches(slack, monkeypatch)
    await submit_capture_form(
        slack, "Een open dag trekt nieuwe vrijwilligers", slugs=["wonen"], ring="buitenwereld"
    )
    [learning] = await stored_learnings(slack.app)
    assert learning.ring == Ring.BUITENWERELD.value
    assert learning.consent_at is not None and learning.published_at is not None
    assert not learning.author_public
    assert dispatched == ["inzicht"]


async def test_form_left_at_its_first_ring_keeps_the_proeftuins_default(
    programme: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form shows the programme's default; left as it is, the proeftuin's own (narrower)
    default still decides."""
    slack = programme
    async with slack.app.database.unit_of_work() as session:
        proeftuin = await session.scalar(select(Proeftuin).where(Proeftuin.name == "Proeftuin A"))
        assert proeftuin is not None
        proeftuin.default_ring = Ring.PROEFTUIN.value
    dispatched = count_dispatches(slack, monkeypatch)
    await submit_capture_form(slack, "Binnen blijven we eerlijk", slugs=[], ring="kenniskring")
    [learning] = await stored_learnings(slack.app)
    assert learning.ring == Ring.PROEFTUIN.value
    assert dispatched == ["inzicht"]


async def test_form_left_at_ring_proeftuin_is_never_stored_wider(
    programme: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The programme's default is ring proeftuin, so the form shows it; a proeftuin whose own
    default is wider must not widen what the writer saw and submitted."""
    slack = programme
    monkeypatch.setattr(
        slack.app, "policy", dataclasses.replace(slack.app.policy, default_ring=Ring.PROEFTUIN)
    )
    async with slack.app.database.unit_of_work() as session:
        proeftuin = await session.scalar(select(Proeftuin).where(Proeftuin.name == "Proeftuin A"))
        assert proeftuin is not None
        proeftuin.default_ring = Ring.KENNISKRING.value
    await submit_capture_form(slack, "Alleen voor ons", slugs=[], ring="proeftuin")
    opened = slack.fake.calls_to("views.open")[-1].args["view"]
    ring = next(b for b in opened["blocks"] if b["block_id"] == "ring")
    assert ring["element"]["initial_option"]["value"] == "proeftuin"  # what the writer saw
    [learning] = await stored_learnings(slack.app)
    assert learning.ring == Ring.PROEFTUIN.value
