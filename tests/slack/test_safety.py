"""Safe output and robustness: signatures, mention injection, Slack's limits, 429s."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time

import pytest

from bot.slack.outbound import Origin
from handlers.types import Action, Field, Reply, Target, Visibility
from tests.fakes.slack_api import check_message
from tests.fakes.slack_signing import signed_headers
from tests.slack import payloads
from tests.slack.conftest import ANNA, CHAN_A, SlackDriver, stored_learnings

INJECTION = (
    "Let op <!channel> <!here> <!everyone> <!subteam^S0TEAM|@bewoners> <@U0BOSS> "
    "<#C0GEHEIM|geheim> <http://evil.example/login|https://bank.example> @here @channel @everyone"
)


def mrkdwn_texts(blocks: list[dict]) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


def assert_no_pings(text: str) -> None:
    """Every `<…>` left is a bare http(s) link showing its own URL; no broadcast words."""
    for inner in re.findall(r"<([^>]*)>", text):
        assert re.fullmatch(r"https?://[^|\s]+", inner), f"live markup <{inner}> in {text!r}"
    assert not re.search(r"@(here|channel|everyone)\b", text), text


@pytest.mark.parametrize(
    "tamper",
    ["forged", "stale", "missing", "other-secret"],
)
async def test_bad_signatures_get_401_and_change_nothing(
    programme: SlackDriver, tamper: str
) -> None:
    slack = programme
    body = payloads.slash_body(
        "inzicht Dit mag nooit bewaard worden",
        user=ANNA,
        channel=CHAN_A,
        response_url=slack.fake.response_url(),
    )
    if tamper == "forged":
        headers = signed_headers(body)
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif tamper == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 5 * 60 - 5)
    elif tamper == "missing":
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    else:
        headers = signed_headers(body, secret="not-the-signing-secret")
    sent = await slack.post(body, headers=headers)
    assert sent.status == 401
    await slack.idle()
    assert slack.fake.calls == []
    assert await stored_learnings(slack.app) == []


async def test_slightly_old_but_valid_signature_is_accepted(programme: SlackDriver) -> None:
    sent = await programme.command("help", timestamp=int(time.time()) - 4 * 60)
    assert sent.status == 200


async def test_user_text_never_pings_or_disguises_links(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    await slack.run(f"inzicht {INJECTION}")
    ts = fake.add_message(CHAN_A, ANNA, INJECTION)
    await slack.event(payloads.reaction_added("UBOB", CHAN_A, ts))
    await slack.idle()
    stored = [learning.text for learning in await stored_learnings(slack.app)]
    assert stored[0] == INJECTION  # what the user wrote is kept as written
    sent = fake.calls_to("chat.postMessage") + fake.calls_to("chat.postEphemeral")
    assert len(sent) >= 3
    for call in sent:
        assert_no_pings(call.args["text"])
        for text in mrkdwn_texts(call.args["blocks"]):
            assert_no_pings(text)
    shown = "\n".join(mrkdwn_texts(sent[0].args["blocks"]))
    assert "&lt;!channel&gt;" in shown and "&lt;@U0BOSS&gt;" in shown
    assert "&lt;http://evil.example/login|https://bank.example&gt;" not in shown  # linked bare
    assert "<http://evil.example/login>" in shown


async def test_long_replies_are_split_within_limits(programme: SlackDriver) -> None:
    """A long private reply goes out as several messages, the rest in the first one's thread.
    (It used `mijn-gegevens`, which now hands the data over as a JSON file instead.)"""
    slack, fake = programme, programme.fake
    lines = [f"• Lang inzicht nummer {n:02d}: " + ("bewoners praten mee. " * 90) for n in range(24)]
    reply = Reply(text="\n".join(lines), title="Jouw inzichten", visibility=Visibility.DIRECT)
    await slack.app.delivery.send(Target("slack", user_id=ANNA), reply)
    posts = fake.calls_to("chat.postMessage", ok=None)
    assert len(posts) >= 3 and all(c.ok for c in posts)
    first, *rest = posts
    assert all(c.args["thread_ts"] == fake.messages["DANNA"][0]["ts"] for c in rest)
    everything = "\n".join(c.all_text() for c in posts)
    for n in range(24):
        assert f"nummer {n:02d}" in everything
    for call in posts:
        check_message(call.args)  # what Slack would accept (also done by the fake)
        assert len(call.args["blocks"]) <= 50


async def test_huge_reply_through_delivery_is_never_rejected(programme: SlackDriver) -> None:
    reply = Reply(
        text="\n".join(f"regel {n}: " + "x" * 700 for n in range(150)) + "\n" + "y" * 9000,
        title="T" * 400,
        fields=tuple(Field(f"veld {n}", "z" * 2500) for n in range(23)),
        actions=tuple(Action(f"knop {n} " + "k" * 90, "ja", str(n)) for n in range(30)),
    )
    await programme.app.delivery.send(Target("slack", channel_id=CHAN_A), reply)
    posts = programme.fake.calls_to("chat.postMessage", ok=None)
    assert len(posts) > 3 and all(c.ok for c in posts)
    buttons = [
        e for c in posts for b in c.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert len(buttons) == 30


async def test_rate_limited_reply_is_retried_without_blocking(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    await slack.run("help")  # Anna is known (see test_core_gaps: a new member's first commands)
    fake.calls.clear()
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.perf_counter()
    sent = await slack.command("inzicht Geduld is ook een inzicht")
    assert sent.status == 200
    # while the reply waits for Retry-After, the bot keeps answering
    for _ in range(5):
        before = time.perf_counter()
        async with slack.session.get(slack.url.replace("/slack/events", "/healthz")) as health:
            assert health.status == 200
        helped = await slack.command("help")
        assert helped.status == 200
        assert time.perf_counter() - before < 0.5
        await asyncio.sleep(0.05)
    [posted] = await fake.wait_for("chat.postMessage", timeout=10)
    limited = fake.calls_to("chat.postMessage", ok=False)
    assert [c.status for c in limited] == [429]
    assert posted.at - limited[0].at >= 1.0
    assert time.perf_counter() - started < 10
    await slack.idle()
    assert len(await stored_learnings(slack.app)) == 1


async def test_request_bodies_are_never_logged(
    programme: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "GEHEIM-ZINNETJE-4711"
    await programme.run(f"inzicht {secret}")
    body = payloads.slash_body(
        f"inzicht {secret}", user=ANNA, channel=CHAN_A, response_url="http://127.0.0.1:9/"
    )
    forged = signed_headers(body) | {"X-Slack-Signature": "v0=bad"}
    assert (await programme.post(body, headers=forged)).status == 401
    fake = programme.fake
    fake.fail_next("chat.postMessage", error="invalid_blocks")
    await programme.run(f"zoek {secret}")
    # the database driver's own DEBUG lines (aiosqlite echoes SQL parameters) are the
    # storage layer's business; everything from Slack, bolt, slack_sdk and the bot is checked
    records = [r for r in caplog.records if not r.name.startswith(("aiosqlite", "sqlalchemy"))]
    assert any(r.name.startswith(("bot.", "slack_bolt", "bot")) for r in records)
    logged = "\n".join(
        r.getMessage() + json.dumps(r.args, default=str) + str(r.exc_text) for r in records
    )
    assert secret not in logged


async def test_long_ephemeral_reply_uses_response_url_five_times_then_post_ephemeral(
    programme: SlackDriver,
) -> None:
    fake, outbound = programme.fake, programme.service.outbound
    assert outbound is not None
    url = fake.response_url("five")
    origin = Origin(CHAN_A, ANNA, "cmd:test", response_url=url)
    reply = Reply(text="\n".join("regel " + "w" * 2900 for _ in range(40)))
    await outbound.ephemeral(origin, reply)
    assert len(fake.calls_to("response_url")) == 5
    rest = fake.calls_to("chat.postEphemeral")
    assert rest and all(c.args["user"] == ANNA for c in rest)
    assert not fake.calls_to("response_url", ok=False)
