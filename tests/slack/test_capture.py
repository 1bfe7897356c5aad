"""Capturing Slack messages: the :bulb: reaction and the "Bewaar als inzicht" shortcut."""

from __future__ import annotations

from tests.fakes.slack_api import BOT_ID, BOT_USER
from tests.slack import payloads
from tests.slack.conftest import ANNA, BOB, CHAN_A, SlackDriver, stored_learnings, texts


async def test_bulb_reaction_captures_for_the_author(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = fake.add_message(
        CHAN_A, ANNA, "Bewoners vertrouwen <@UBOB> pas als ze het zien &amp; horen #wonen"
    )
    sent = await slack.event(payloads.reaction_added(BOB, CHAN_A, ts, item_user=ANNA))
    assert sent.status == 200
    await slack.idle()

    [history] = fake.calls_to("conversations.history")
    assert history.args["channel"] == CHAN_A and history.args["latest"] == ts
    [learning] = await stored_learnings(slack.app)
    assert learning.text == "Bewoners vertrouwen @Bob pas als ze het zien & horen #wonen"
    assert learning.author is not None
    assert learning.author.user_id == ANNA and learning.author.display_name == "Anna"
    assert (
        learning.source_url == f"https://samen.slack.com/archives/{CHAN_A}/p{ts.replace('.', '')}"
    )
    assert [t.slug for t in learning.themes] == ["wonen"]

    in_thread, to_author = fake.calls_to("chat.postMessage")
    assert in_thread.args["channel"] == CHAN_A and in_thread.args["thread_ts"] == ts
    assert f"Inzicht #{learning.id}" in in_thread.args["text"]
    assert [c.args["users"] for c in fake.calls_to("conversations.open")] == [ANNA]
    assert to_author.args["channel"] == "DANNA"
    assert "Bob" in to_author.all_text()
    withdraw = to_author.args["blocks"][-1]["elements"][0]
    assert withdraw["value"] == f"intrekken {learning.id}"


async def test_author_withdraws_with_one_click(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = fake.add_message(CHAN_A, ANNA, "Een ochtendsessie trekt meer ouders dan een avond")
    await slack.event(payloads.reaction_added(BOB, CHAN_A, ts))
    await slack.idle()
    note = fake.calls_to("chat.postMessage")[-1]
    dm = {"type": "message", "ts": fake.next_ts(), "blocks": note.args["blocks"]}
    button = note.args["blocks"][-1]["elements"][0]
    press = payloads.block_actions(ANNA, "DANNA", dm, button, response_url=fake.response_url())
    assert (await slack.interact(press)).status == 200
    await slack.idle()
    assert await stored_learnings(slack.app) == []
    done = fake.calls_to("chat.postMessage")[-1]
    assert done.args["channel"] == "DANNA" and not done.args.get("thread_ts")


async def test_reaction_on_a_thread_reply_fetches_the_thread(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    root = fake.add_message(CHAN_A, BOB, "Wat werkte bij jullie?")
    reply = fake.add_message(CHAN_A, ANNA, "Bij ons werkte de buurtlunch het best", thread_ts=root)
    await slack.event(payloads.reaction_added(ANNA, CHAN_A, reply))
    await slack.idle()
    assert fake.calls_to("conversations.replies")
    [learning] = await stored_learnings(slack.app)
    assert learning.text == "Bij ons werkte de buurtlunch het best"
    [answer] = fake.calls_to("chat.postMessage")
    assert answer.args["thread_ts"] == root  # the thread the message is in
    assert not fake.calls_to("conversations.open")  # Anna captured her own words: no DM


async def test_message_shortcut_captures(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    message = {"type": "message", "user": ANNA, "text": "Koffie eerst, dan pas de agenda"}
    message["ts"] = fake.add_message(CHAN_A, ANNA, message["text"])
    shortcut = payloads.message_shortcut(BOB, CHAN_A, message, response_url=fake.response_url())
    sent = await slack.interact(shortcut)
    assert sent.status == 200 and sent.body == ""
    await slack.idle()
    [learning] = await stored_learnings(slack.app)
    assert learning.author is not None
    assert learning.author.user_id == ANNA and learning.text == message["text"]
    assert learning.source_url and learning.source_url.endswith(message["ts"].replace(".", ""))
    posts = fake.calls_to("chat.postMessage")
    assert posts[0].args["thread_ts"] == message["ts"]
    assert posts[1].args["channel"] == "DANNA"


async def test_second_capture_of_a_message_says_it_exists(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = fake.add_message(CHAN_A, ANNA, "Wie het eerst zegt, krijgt de vergaderzaal")
    await slack.event(payloads.reaction_added(BOB, CHAN_A, ts))
    await slack.event(payloads.reaction_added(ANNA, CHAN_A, ts))
    await slack.idle()
    assert len(await stored_learnings(slack.app)) == 1
    # Both reactions are processed after their acks, in parallel: whichever loses the race
    # (on PostgreSQL either may) is told, privately, that the message is saved already.
    [already] = fake.calls_to("chat.postEphemeral")
    assert already.args["user"] in (ANNA, BOB) and already.args["thread_ts"] == ts


async def test_other_reactions_and_bot_messages_are_not_captured(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = fake.add_message(CHAN_A, ANNA, "Een gewoon bericht")
    await slack.event(payloads.reaction_added(BOB, CHAN_A, ts, name="thumbsup"))
    await slack.idle()
    assert fake.calls == []

    bot_ts = fake.add_message(CHAN_A, BOT_USER, "Het digest van deze week", bot_id=BOT_ID)
    await slack.event(payloads.reaction_added(BOB, CHAN_A, bot_ts))
    await slack.idle()
    assert await stored_learnings(slack.app) == []
    [refusal] = fake.calls_to("chat.postEphemeral")
    assert refusal.args["user"] == BOB


async def test_the_bot_ignores_its_own_events(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    root = fake.add_message(CHAN_A, ANNA, "Vraag van de week")
    own = [
        payloads.message_event(
            BOT_USER, CHAN_A, "mijn eigen bericht", fake.next_ts(), thread_ts=root
        ),
        payloads.message_event(
            "", CHAN_A, "bot", fake.next_ts(), thread_ts=root, bot_id=BOT_ID, subtype="bot_message"
        ),
        payloads.reaction_added(BOT_USER, CHAN_A, root),
        payloads.app_mention(BOT_USER, CHAN_A, f"<@{BOT_USER}> inzicht zelf", fake.next_ts()),
    ]
    for event in own:
        assert (await slack.event(event)).status == 200
    await slack.idle()
    assert fake.calls == []
    assert await stored_learnings(slack.app) == []


async def test_mention_runs_a_command_in_its_thread(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    root = fake.add_message(CHAN_A, BOB, "Draadje over huren")
    ts = fake.next_ts()
    text = f"<@{BOT_USER}> inzicht Huurders willen een vast aanspreekpunt"
    await slack.event(payloads.app_mention(ANNA, CHAN_A, text, ts, thread_ts=root))
    await slack.idle()
    [learning] = await stored_learnings(slack.app)
    assert learning.text == "Huurders willen een vast aanspreekpunt"
    [answer] = fake.calls_to("chat.postMessage")
    assert answer.args["thread_ts"] == root
    assert "Inzicht #" in texts([answer])
