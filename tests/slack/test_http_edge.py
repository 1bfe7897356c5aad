"""The HTTP edge: what `POST /slack/events` answers to malformed, unsigned, unknown and repeated
requests, and what it logs (issue 13 item 5).

The signature is checked on the raw body before anything is parsed: bad or missing is 401,
malformed after a good signature is 400, never 500 and never a traceback in the log. Requests
the bot does not handle are acknowledged (200) and logged at debug once. A retry of an event
the bot handled already is recognised before any Web API call.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import aiohttp
import pytest

from bot.app import build_app
from bot.slack.adapter import SlackService
from handlers.types import Command, Reply
from tests.fakes.slack_api import BOT_TOKEN, TEAM, FakeSlack
from tests.fakes.slack_signing import signature, signed_headers
from tests.slack import payloads
from tests.slack.conftest import (
    ANNA,
    BOB,
    CHAN_A,
    SlackDriver,
    slack_settings,
    stored_learnings,
)


def assert_quiet(caplog: pytest.LogCaptureFixture, *, below: int = logging.WARNING) -> None:
    """Nothing logged at `below` or above, and no traceback at any level."""
    loud = [r for r in caplog.records if r.levelno >= below or r.exc_info or r.exc_text]
    assert not loud, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in loud]


async def post_raw(slack: SlackDriver, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with slack.session.post(slack.url, data=body, headers=headers) as response:
        return response.status, await response.text()


UNSIGNED = {
    "json list": (b"[1]", {"Content-Type": "application/json"}),
    "form with a broken payload": (
        b"payload=notjson",
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    "timestamp not a number": (
        b"payload=notjson",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": "abc",
            "X-Slack-Signature": signature("wrong", "abc", "payload=notjson"),
        },
    ),
    "empty timestamp": (
        b"[1]",
        {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": "",
            "X-Slack-Signature": "v0=",
        },
    ),
    "no signature scheme": (
        b"{}",
        {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": "1",
            "X-Slack-Signature": "x",
        },
    ),
}


async def test_a_body_that_is_not_utf8_cannot_be_verified_and_gets_401(
    programme: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = b"\xff\xfe\x00payload"
    headers = signed_headers("", content_type="application/x-www-form-urlencoded")
    headers["X-Slack-Signature"] = _sign_bytes(headers["X-Slack-Request-Timestamp"], body)
    status, _ = await post_raw(programme, body, headers)
    assert status == 401
    assert_quiet(caplog)


@pytest.mark.parametrize("case", list(UNSIGNED))
async def test_unsigned_malformed_bodies_get_401_without_a_traceback(
    programme: SlackDriver, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body, headers = UNSIGNED[case]
    status, _ = await post_raw(programme, body, headers)
    assert status == 401
    await programme.idle()
    assert programme.fake.calls == []
    assert_quiet(caplog)


SIGNED_MALFORMED = {
    "json list": (b"[1]", "application/json"),
    "json string": (b'"hallo"', "application/json"),
    "truncated json": (b'{"type": "event_callback", "event": {', "application/json"),
    "form with a broken payload": (b"payload=notjson", "application/x-www-form-urlencoded"),
    "form payload that is a list": (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
    "event that is no object": (
        json.dumps({"type": "event_callback", "event": "x", "team_id": TEAM}).encode(),
        "application/json",
    ),
    "actions that are no list": (
        b"payload=" + json.dumps({"type": "block_actions", "actions": 5, "user": "x"}).encode(),
        "application/x-www-form-urlencoded",
    ),
}


@pytest.mark.parametrize("case", list(SIGNED_MALFORMED))
async def test_signed_malformed_bodies_get_400_without_a_traceback(
    programme: SlackDriver, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body, content_type = SIGNED_MALFORMED[case]
    headers = signed_headers(body.decode("latin-1"), content_type=content_type)
    # sign the bytes as sent (latin-1 keeps every byte as it is)
    ts = headers["X-Slack-Request-Timestamp"]
    headers["X-Slack-Signature"] = _sign_bytes(ts, body)
    status, _ = await post_raw(programme, body, headers)
    assert status == 400
    await programme.idle()
    assert programme.fake.calls == []
    assert await stored_learnings(programme.app) == []
    assert_quiet(caplog, below=logging.ERROR)  # one warning line: Slack sent what it should not


def _sign_bytes(timestamp: str, body: bytes) -> str:
    import hashlib
    import hmac

    from tests.fakes.slack_signing import SIGNING_SECRET

    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


def _unhandled(fake: FakeSlack) -> dict[str, tuple[str, dict[str, Any]]]:
    ts = f"{time.time():.6f}"
    message = {"type": "message", "user": ANNA, "text": "Hallo", "ts": ts}
    shortcut = payloads.message_shortcut(BOB, CHAN_A, message, response_url=fake.response_url())
    click = payloads.block_actions(
        ANNA,
        CHAN_A,
        message,
        {"type": "button", "action_id": "elders:1", "value": "x"},
        response_url=fake.response_url(),
    )
    return {
        "app_home_opened": (
            "event",
            {"type": "app_home_opened", "user": ANNA, "channel": "DANNA", "tab": "home"},
        ),
        "member_joined_channel": (
            "event",
            {"type": "member_joined_channel", "user": ANNA, "channel": CHAN_A, "team": TEAM},
        ),
        "unknown message shortcut": ("interact", shortcut | {"callback_id": "iets_anders"}),
        "unknown global shortcut": (
            "interact",
            {
                "type": "shortcut",
                "callback_id": "iets_anders",
                "trigger_id": payloads.unique("trigger."),
                "user": {"id": ANNA, "username": "anna", "team_id": TEAM},
                "team": {"id": TEAM, "domain": "samen"},
                "token": payloads.VERIFICATION_TOKEN,
                "action_ts": ts,
            },
        ),
        "unknown block action": ("interact", click),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "app_home_opened",
        "member_joined_channel",
        "unknown message shortcut",
        "unknown global shortcut",
        "unknown block action",
    ],
)
async def test_requests_the_bot_does_not_handle_are_acked_and_logged_at_debug_once(
    programme: SlackDriver, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.DEBUG)
    how, payload = _unhandled(programme.fake)[kind]
    if how == "event":
        sent = await programme.event(payload)
    else:
        sent = await programme.interact(payload)
    assert sent.status == 200, sent.body
    await programme.idle()
    assert programme.fake.calls == []
    noted = [r for r in caplog.records if "not handled" in r.getMessage()]
    assert [r.levelno for r in noted] == [logging.DEBUG], [r.getMessage() for r in noted]
    assert_quiet(caplog)


async def test_a_retry_of_a_handled_event_makes_no_web_api_call(programme: SlackDriver) -> None:
    slack, fake = programme, programme.fake
    ts = fake.add_message(CHAN_A, ANNA, "Eén keer ophalen is genoeg")
    event = payloads.reaction_added(BOB, CHAN_A, ts)
    assert (await slack.event(event, event_id="Ev0RETRYCALLS")).status == 200
    await slack.idle()
    assert fake.calls_to("conversations.history")
    fake.calls.clear()
    for retry in (1, 2):
        sent = await slack.event(event, event_id="Ev0RETRYCALLS", retry_num=retry)
        assert sent.status == 200
        await slack.idle()
    assert fake.calls == []
    assert len(await stored_learnings(slack.app)) == 1


async def test_a_retry_handled_by_another_process_makes_no_web_api_call(
    programme: SlackDriver,
) -> None:
    """Two bot processes over one database: the second recognises the first one's event."""
    slack, fake = programme, programme.fake
    ts = fake.add_message(CHAN_A, ANNA, "Het andere proces was eerder")
    event = payloads.reaction_added(BOB, CHAN_A, ts)
    assert (await slack.event(event, event_id="Ev0OTHERPROC")).status == 200
    await slack.idle()
    other = SlackService(slack.app, http=True, host="127.0.0.1", port=0)
    await other.start()
    try:
        fake.calls.clear()
        body = json.dumps(payloads.event_envelope(event, event_id="Ev0OTHERPROC"))
        headers = signed_headers(body, content_type="application/json", retry_num=1)
        url = f"http://127.0.0.1:{other.port}/slack/events"
        async with slack.session.post(url, data=body.encode(), headers=headers) as response:
            assert response.status == 200
        await other.drain(10)
        assert fake.calls == []
    finally:
        await other.stop()
    assert len(await stored_learnings(slack.app)) == 1


async def test_a_retry_of_a_failed_event_is_handled(
    programme: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A delivery whose work failed is not remembered as handled: Slack's retry runs it."""
    slack, fake = programme, programme.fake
    router = slack.app.router
    original = router.dispatch
    failures = [RuntimeError("the database went away")]

    async def failing_once(command: Command) -> list[Reply]:
        if failures:
            raise failures.pop()
        return await original(command)

    monkeypatch.setattr(router, "dispatch", failing_once)
    ts = fake.add_message(CHAN_A, ANNA, "De tweede poging lukt wel")
    event = payloads.reaction_added(BOB, CHAN_A, ts)
    await slack.event(event, event_id="Ev0FAILFIRST")
    await slack.idle()
    assert await stored_learnings(slack.app) == []
    await slack.event(event, event_id="Ev0FAILFIRST", retry_num=1)
    await slack.idle()
    assert len(await stored_learnings(slack.app)) == 1


async def test_start_logs_no_warning(
    migrated_url: str,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An operator sets SLACK_BOT_TOKEN in the environment; bolt must not warn about it."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "from-the-environment")
    caplog.set_level(logging.DEBUG)
    app = build_app(slack_settings(migrated_url, fake_slack))
    service = SlackService(app, http=True, host="127.0.0.1", port=0)
    await service.start()
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{service.port}/healthz"
            async with session.get(url) as response:
                assert response.status == 200
    finally:
        await service.stop()
        await app.close()
    assert "will be unused" not in caplog.text and "will be ignored" not in caplog.text
    assert_quiet(caplog)


def _odd_shapes(fake: FakeSlack) -> dict[str, tuple[str, dict[str, Any]]]:
    ts = fake.next_ts()
    message = {"type": "message", "user": ANNA, "text": "Hallo", "ts": ts}
    return {
        # found by test_http_fuzz: a null text crashed the work after the ack
        "mention with a null text": (
            "event",
            payloads.app_mention(ANNA, CHAN_A, "x", ts) | {"text": None},
        ),
        "thread reply with a list as text": (
            "event",
            payloads.message_event(ANNA, CHAN_A, "x", ts, thread_ts="1.0") | {"text": ["a"]},
        ),
        "thread reply with a list as subtype": (
            "event",
            payloads.message_event(ANNA, CHAN_A, "x", ts, thread_ts="1.0") | {"subtype": []},
        ),
        "reaction whose item is text": (
            "event",
            payloads.reaction_added(BOB, CHAN_A, ts) | {"item": "message"},
        ),
        "shortcut whose message is text": (
            "interact",
            payloads.message_shortcut(BOB, CHAN_A, message, response_url=fake.response_url())
            | {"message": "Hallo"},
        ),
        "button whose value is a number": (
            "interact",
            payloads.block_actions(
                ANNA,
                CHAN_A,
                message,
                {"type": "button", "action_id": "samen:1", "value": 5},
                response_url=fake.response_url(),
            ),
        ),
        "slash command whose response_url is no URL": ("command", {"response_url": [1]}),
    }


@pytest.mark.parametrize(
    "shape",
    [
        "mention with a null text",
        "thread reply with a list as text",
        "thread reply with a list as subtype",
        "reaction whose item is text",
        "shortcut whose message is text",
        "button whose value is a number",
        "slash command whose response_url is no URL",
    ],
)
async def test_signed_payloads_of_an_odd_shape_fail_no_work_after_the_ack(
    programme: SlackDriver, caplog: pytest.LogCaptureFixture, shape: str
) -> None:
    caplog.set_level(logging.DEBUG)
    how, payload = _odd_shapes(programme.fake)[shape]
    if how == "event":
        sent = await programme.event(payload)
    elif how == "interact":
        sent = await programme.interact(payload)
    else:
        body = payloads.slash_body("help", user=ANNA, channel=CHAN_A, response_url="x")
        sent = await programme.post(body + "&" + "response_url=%5B1%5D")
    assert sent.status in (200, 400), sent.body
    await programme.idle()
    assert_quiet(caplog, below=logging.ERROR)


async def test_a_flood_of_forged_requests_makes_one_log_line(
    programme: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for n in range(20):
        status, _ = await post_raw(programme, f"[{n}]".encode(), {"X-Slack-Signature": "v0=0"})
        assert status == 401
    lines = [r for r in caplog.records if r.levelno >= logging.INFO and "refused" in r.getMessage()]
    assert len(lines) == 1
