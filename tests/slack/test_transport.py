"""Transports: HTTP (healthz, url_verification, the database down) and Socket Mode."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bot.app import build_app
from bot.config import ConfigError
from bot.slack.adapter import SlackService
from handlers.types import Command, Reply
from tests.fakes.slack_api import APP_TOKEN, FakeSlack
from tests.slack import payloads
from tests.slack.conftest import ANNA, CHAN_A, SlackDriver, slack_settings, stored_learnings


async def test_healthz_is_ok_with_the_database(slack: SlackDriver) -> None:
    url = f"http://127.0.0.1:{slack.service.port}/healthz"
    async with slack.session.get(url) as response:
        assert response.status == 200
        assert (await response.json())["database"] is True


async def test_url_verification_answers_the_challenge(slack: SlackDriver) -> None:
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    sent = await slack.post(body, content_type="application/json")
    assert sent.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in sent.body


async def test_database_down_healthz_503_and_the_user_is_told(
    slack: SlackDriver, tmp_path: Path
) -> None:
    database = slack.app.database
    broken = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/samen.db")
    database.engine, database.sessions = broken, async_sessionmaker(broken)
    url = f"http://127.0.0.1:{slack.service.port}/healthz"
    async with slack.session.get(url) as response:
        assert response.status == 503
        assert (await response.json())["database"] is False

    started = time.perf_counter()
    sent = await slack.command("inzicht Dit komt niet aan, maar Anna hoort het wel")
    assert sent.status == 200 and time.perf_counter() - started < 1.0
    await slack.idle()
    [told] = slack.responses(sent)
    assert told.args["response_type"] == "ephemeral"
    assert "Sorry" in told.all_text()

    ts = slack.fake.add_message(CHAN_A, ANNA, "Ook een reactie blijft niet onbeantwoord")
    assert (await slack.event(payloads.reaction_added("UBOB", CHAN_A, ts))).status == 200
    await slack.idle()
    [ephemeral] = slack.fake.calls_to("chat.postEphemeral")
    assert ephemeral.args["user"] == "UBOB"
    await broken.dispose()


async def test_slack_down_after_the_ack_is_logged_and_told(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.fail_next("users.info", error="fatal_error")
    slack.fake.fail_next("views.open", error="expired_trigger_id")
    sent = await slack.command("inzicht", trigger_id="trigger.expired.9")
    await slack.idle()
    assert "slack:cmd:trigger.expired.9" not in caplog.text  # key is logged without platform
    assert "cmd:trigger.expired.9" in caplog.text
    [told] = slack.responses(sent)
    assert told.args["response_type"] == "ephemeral"


async def test_missing_credentials_stop_start_up_with_one_line(
    migrated_url: str, fake_slack: FakeSlack
) -> None:
    app = build_app(slack_settings(migrated_url, fake_slack, SLACK_SIGNING_SECRET=""))
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        await SlackService(app, http=True, port=0).start()
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        await SlackService(app, http=False, port=0).start()
    await app.close()


async def test_socket_mode_acks_and_answers(migrated_url: str, fake_slack: FakeSlack) -> None:
    fake = fake_slack
    app = build_app(slack_settings(migrated_url, fake, SLACK_APP_TOKEN=APP_TOKEN))
    service = SlackService(app, http=False)
    await service.start()
    try:
        await fake.wait_socket()
        link = {
            "command": "/samen",
            "text": "koppel Proeftuin A",
            "user_id": "ULEAD",
            "channel_id": CHAN_A,
            "trigger_id": "trigger.socket.1",
            "response_url": fake.response_url(),
            "team_id": "T0SAMEN",
        }
        envelope = await fake.send_envelope("slash_commands", link)
        assert (await fake.wait_ack(envelope))["envelope_id"] == envelope
        await service.drain(10)
        capture = dict(link, text="inzicht Socket Mode werkt ook", user_id=ANNA)
        capture["trigger_id"] = "trigger.socket.2"
        for attempt in (0, 1):  # Slack re-sends an envelope it thinks was lost
            envelope = await fake.send_envelope("slash_commands", capture, retry_attempt=attempt)
            await fake.wait_ack(envelope)
        await service.drain(10)
        [learning] = await stored_learnings(app)
        assert learning.text == "Socket Mode werkt ook"
        posts = fake.calls_to("chat.postMessage")
        assert [p.args["channel"] for p in posts] == [CHAN_A, CHAN_A]
        assert fake.calls_to("apps.connections.open")
    finally:
        await service.stop()
        await app.close()


async def test_http_server_refuses_other_paths(slack: SlackDriver) -> None:
    base = f"http://127.0.0.1:{slack.service.port}"
    async with slack.session.get(base + "/slack/events") as response:
        assert response.status == 405
    async with slack.session.post(base + "/elsewhere", data=b"x") as response:
        assert response.status == 404
    timeout = aiohttp.ClientTimeout(total=5)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(base + "/healthz") as response,
    ):
        assert response.status == 200


async def test_ack_never_waits_for_the_work(
    slack: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    router = slack.app.router
    original = router.dispatch

    async def slow_dispatch(command: Command) -> list[Reply]:
        await asyncio.sleep(2.5)  # a database that takes its time
        return await original(command)

    monkeypatch.setattr(router, "dispatch", slow_dispatch)
    started = time.perf_counter()
    sent = await slack.command("help")
    assert sent.status == 200 and time.perf_counter() - started < 0.5
    assert slack.responses(sent) == []
    await slack.idle()
    [answer] = slack.responses(sent)
    assert answer.at - started >= 2.5
