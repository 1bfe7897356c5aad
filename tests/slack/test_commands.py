"""`/samen …` over signed HTTP: every sub-command, Block Kit replies, buttons, the modal."""

from __future__ import annotations

import json
from pathlib import Path

from bot.slack.outbound import Origin
from handlers import registry
from handlers.router import load_handlers
from handlers.types import Reply, Visibility
from tests.fakes.slack_api import Call
from tests.slack import payloads
from tests.slack.conftest import (
    ANNA,
    BOB,
    CHAN_A,
    CHAN_B,
    LEADER,
    Sent,
    SlackDriver,
    stored_learnings,
    texts,
)

# One plausible line per sub-command of CONTRACT.md (those not built yet get a friendly
# "unknown command" answer, which must reach the user just the same).
SCRIPT = [
    (ANNA, "help"),
    (ANNA, "inzicht Huurders willen eerst zien wat het oplevert #wonen"),
    (ANNA, "tag 1 #energie"),
    (ANNA, "untag 1 #energie"),
    (BOB, "herken 1"),
    (BOB, "verrijk 1 Bij ons net zo: eerst een proefwoning"),
    (ANNA, "volg #energie"),
    (ANNA, "ontvolg #energie"),
    (ANNA, "themas"),
    (LEADER, "thema nieuw zorg Zorg | mantelzorg"),
    (ANNA, "zoek huurders"),
    (ANNA, "deel 1 proeftuin"),
    (LEADER, "bijeenkomst Lunchsessie | 2030-12-05 12:30 | #wonen"),
    (ANNA, "agenda"),
    (ANNA, "ja 1"),
    (ANNA, "nee 1"),
    (LEADER, "vraag Wat heb je deze week geleerd over huren?"),
    (LEADER, "digest"),
    (ANNA, "mijn-gegevens"),
    (ANNA, "vergeet-mij"),
    (ANNA, "intrekken 1"),
    (ANNA, "onzin"),
    (ANNA, "vergeet-mij bevestig"),
]

ANSWERING = (
    "chat.postMessage",
    "chat.postEphemeral",
    "response_url",
    "files.completeUploadExternal",
)


def answers(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ANSWERING]


async def test_every_sub_command_answers_within_slack_limits(programme: SlackDriver) -> None:
    slack = programme
    for user, line in SCRIPT:
        channel = CHAN_B if user == BOB else CHAN_A
        calls = await slack.run(line, user=user, channel=channel)
        assert answers(calls), f"no answer to {line!r}"
        refused = [(c.method, c.status, c.error) for c in calls if not c.ok]
        assert not refused, f"{line!r}: Slack refused {refused}"


async def test_every_registered_sub_command_without_arguments(programme: SlackDriver) -> None:
    """Sub-commands added later need no Slack code: each one answers, bare, for a leader."""
    load_handlers()
    for name in registry.COMMANDS:
        if name in ("vergeet-mij", "inzicht"):
            continue  # vergeet-mij only explains; bare inzicht opens the modal (tested below)
        calls = await programme.run(name, user=LEADER)
        assert answers(calls), f"no answer to /samen {name}"
        assert all(c.ok for c in calls), [(c.method, c.error) for c in calls]


async def test_learning_reply_is_block_kit_in_the_channel(programme: SlackDriver) -> None:
    calls = await programme.run("inzicht Huurders willen eerst zien wat het oplevert #wonen")
    [post] = [c for c in calls if c.method == "chat.postMessage"]
    assert post.args["channel"] == CHAN_A
    blocks = post.args["blocks"]
    kinds = [b["type"] for b in blocks]
    assert kinds[0] == "header" and "section" in kinds and kinds[-1] == "actions"
    assert any("fields" in b for b in blocks)
    assert "Inzicht #1" in post.args["text"]  # plain-text fallback for notifications
    elements = blocks[-1]["elements"]
    undo = elements[0]
    assert undo["type"] == "button" and undo["value"] == "intrekken 1"
    assert undo["style"] == "danger" and "confirm" in undo
    select = elements[-1]
    assert select["type"] == "static_select"
    assert [o["value"] for o in select["options"]] == ["tag 1 #energie", "tag 1 #wonen"]


async def test_caller_only_replies_are_ephemeral(programme: SlackDriver) -> None:
    sent = await programme.command("help")
    assert sent.status == 200 and sent.body == ""  # acked empty; the answer follows
    await programme.idle()
    [answer] = programme.responses(sent)
    assert answer.args["response_type"] == "ephemeral"
    assert "/samen help" in answer.all_text()
    assert not programme.fake.calls_to("chat.postMessage")


async def test_private_data_goes_to_a_direct_message(programme: SlackDriver) -> None:
    calls = await programme.run("mijn-gegevens")
    assert [c.args["users"] for c in calls if c.method == "conversations.open"] == [ANNA]
    [post] = [c for c in calls if c.method == "chat.postMessage"]
    assert post.args["channel"].startswith("D")


async def test_not_in_channel_falls_back_to_response_url(programme: SlackDriver) -> None:
    programme.fake.not_in_channel.add(CHAN_A)
    sent = await programme.command("inzicht Een privékanaal zonder de bot erin")
    await programme.idle()
    [answer] = programme.responses(sent)
    assert answer.args["response_type"] == "in_channel"
    assert "Inzicht #1" in answer.all_text()


async def test_buttons_and_theme_select_run_their_command(programme: SlackDriver) -> None:
    slack = programme

    async def card(text: str) -> dict:
        calls = await slack.run(f"inzicht {text}")
        [post] = [c for c in calls if c.method == "chat.postMessage"]
        return {"type": "message", "ts": slack.fake.next_ts(), "blocks": post.args["blocks"]}

    message = await card("Een inzicht dat Anna meteen weer intrekt")
    undo = message["blocks"][-1]["elements"][0]
    press = payloads.block_actions(ANNA, CHAN_A, message, undo, response_url="http://x/")
    assert (await slack.interact(press)).status == 200
    await slack.idle()
    assert await stored_learnings(slack.app) == []

    message = await card("Zonnepanelen op het dak van de school")
    select = message["blocks"][-1]["elements"][-1]
    choice = select["options"][0]
    chosen = {"type": "static_select", "action_id": select["action_id"], "selected_option": choice}
    for user in (BOB, ANNA):  # Bob may not change Anna's learning: told privately
        response_url = slack.fake.response_url()
        await slack.interact(
            payloads.block_actions(user, CHAN_A, message, chosen, response_url=response_url)
        )
        await slack.idle()
    [learning] = await stored_learnings(slack.app)
    [refusal] = slack.fake.calls_to("response_url")
    assert refusal.args["response_type"] == "ephemeral"
    assert f"#{learning.id}" in refusal.all_text()
    assert [t.slug for t in learning.themes] == [choice["value"].split("#")[1]]
    reply = slack.fake.calls_to("chat.postMessage")[-1]
    assert reply.args["thread_ts"] == message["ts"]  # answered in the thread of the card


async def test_bare_inzicht_opens_the_modal_and_its_submission_saves(
    programme: SlackDriver,
) -> None:
    slack = programme
    sent = await slack.command("inzicht", trigger_id="trigger.modal.1")
    assert sent.status == 200
    await slack.idle()
    [opened] = slack.fake.calls_to("views.open")
    assert opened.args["trigger_id"] == "trigger.modal.1"
    view = opened.args["view"]
    assert view["callback_id"] == "samen_form"
    themes = next(b for b in view["blocks"] if b["block_id"] == "themes")
    assert {o["value"] for o in themes["element"]["options"]} == {"wonen", "energie"}
    ring = next(b for b in view["blocks"] if b["block_id"] == "ring")
    assert ring["element"]["initial_option"]["value"] == "kenniskring"

    values = {
        "text": {"value": {"type": "plain_text_input", "value": "Buurtkracht werkt <!here>"}},
        "themes": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [{"value": "energie", "text": {"type": "plain_text"}}],
            }
        },
        "ring": {"value": {"type": "static_select", "selected_option": {"value": "proeftuin"}}},
    }
    submitted = await slack.interact(
        payloads.view_submission(ANNA, {**view, "id": "V0MODAL1"}, values)
    )
    assert submitted.status == 200 and submitted.body == ""  # closes the modal
    await slack.idle()
    [learning] = await stored_learnings(slack.app)
    assert learning.text.startswith("Buurtkracht werkt <!here>")
    assert [t.slug for t in learning.themes] == ["energie"]
    assert learning.ring == "proeftuin"
    posted = texts(slack.fake.calls_to("chat.postMessage"))
    assert "&lt;!here&gt;" in posted and "<!here>" not in posted
    assert json.loads(view["private_metadata"])["c"] == CHAN_A


async def test_attachments_are_uploaded_beside_the_message_or_to_the_dm(
    programme: SlackDriver, tmp_path: Path
) -> None:
    fake, outbound = programme.fake, programme.service.outbound
    assert outbound is not None
    ics = tmp_path / "bijeenkomst-1.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    origin = Origin(CHAN_A, ANNA, "cmd:files", response_url=fake.response_url("files"))
    await outbound.deliver([Reply(text="Bijeenkomst #1", attachments=(str(ics),))], origin)
    [post] = fake.calls_to("chat.postMessage")
    [done] = fake.calls_to("files.completeUploadExternal")
    assert done.args["channel_id"] == CHAN_A and done.args["thread_ts"] == post.response["ts"]
    assert list(fake.uploads.values()) == [ics.read_bytes()]

    private = Reply(text="Agenda", visibility=Visibility.ONLY_CALLER, attachments=(str(ics),))
    await outbound.deliver([private], origin)
    uploads = fake.calls_to("files.completeUploadExternal")
    assert len(uploads) == 2 and uploads[1].args["channel_id"] == "DANNA"
    [note] = programme.responses(Sent(200, "", origin.response_url or ""))
    assert note.args["response_type"] == "ephemeral" and "bijeenkomst-1.ics" in note.all_text()
