"""The real Slack adapter on a real port, a fake Slack Web API, and signed requests.

`slack` starts `SlackService(http=True)` on 127.0.0.1 (a free port) over a fresh database
(SQLite, and PostgreSQL when SAMEN_TEST_DATABASE_URL is set), with SLACK_API_URL pointing at
a `FakeSlack`; `SlackDriver` sends what Slack would send, signed, with aiohttp.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.app import App, build_app
from bot.config import Settings, load_settings
from bot.slack.adapter import SlackService
from storage.models import Learning
from tests.fakes.slack_api import BOT_TOKEN, Call, FakeSlack
from tests.fakes.slack_signing import SIGNING_SECRET, signed_headers
from tests.slack import payloads

CHAN_A = "C0PTA"  # linked to Proeftuin A
CHAN_B = "C0PTB"  # linked to Proeftuin B
LEADER = "ULEAD"
ANNA = "UANNA"
BOB = "UBOB"
IDLE_TIMEOUT = 15.0


def slack_settings(database_url: str, fake: FakeSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = dict(
        SAMEN_DATABASE_URL=database_url,
        SAMEN_LEADERS=f"slack:{LEADER}",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=fake.base_url,
    )
    values.update(extra)
    return load_settings(**values)


@dataclass
class Sent:
    """What the app answered to one request (the ack), and where its replies go."""

    status: int
    body: str
    response_url: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SlackDriver:
    """Sends signed requests like Slack and waits for the app's work after the ack."""

    service: SlackService
    app: App
    fake: FakeSlack
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}/slack/events"

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        **signing: Any,
    ) -> Sent:
        sent_headers = headers or signed_headers(body, content_type=content_type, **signing)
        async with self.session.post(self.url, data=body.encode(), headers=sent_headers) as resp:
            return Sent(resp.status, await resp.text())

    async def command(
        self, text: str, *, user: str = ANNA, channel: str = CHAN_A, **kwargs: Any
    ) -> Sent:
        response_url = self.fake.response_url()
        signing = {k: kwargs.pop(k) for k in ("timestamp", "retry_num") if k in kwargs}
        body = payloads.slash_body(
            text, user=user, channel=channel, response_url=response_url, **kwargs
        )
        sent = await self.post(body, **signing)
        sent.response_url = response_url
        return sent

    async def event(self, event: dict[str, Any], **kwargs: Any) -> Sent:
        signing = {k: kwargs.pop(k) for k in ("timestamp", "retry_num") if k in kwargs}
        body = json.dumps(payloads.event_envelope(event, **kwargs))
        return await self.post(body, content_type="application/json", **signing)

    async def interact(self, payload: dict[str, Any]) -> Sent:
        return await self.post(payloads.interactive_body(payload))

    async def idle(self) -> None:
        """Wait (bounded) until the app has finished the work after its acks."""
        await self.service.drain(IDLE_TIMEOUT)

    async def run(self, text: str, **kwargs: Any) -> list[Call]:
        """A slash command, acked with 200; returns every call the app made for it."""
        before = len(self.fake.calls)
        sent = await self.command(text, **kwargs)
        assert sent.status == 200, sent.body
        await self.idle()
        return self.fake.calls[before:]

    def responses(self, sent: Sent) -> list[Call]:
        key = sent.response_url.rsplit("/", 1)[-1]
        return [c for c in self.fake.calls_to("response_url") if c.args["_key"] == key]


def texts(calls: list[Call]) -> str:
    return "\n".join(call.all_text() for call in calls)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    fake.add_user(ANNA, "Anna")
    fake.add_user(BOB, "Bob")
    fake.add_user(LEADER, "Floor")
    yield fake
    await fake.stop()


@pytest.fixture
async def slack(migrated_url: str, fake_slack: FakeSlack) -> AsyncIterator[SlackDriver]:
    app = build_app(slack_settings(migrated_url, fake_slack))
    service = SlackService(app, http=True, host="127.0.0.1", port=0)
    await service.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            yield SlackDriver(service, app, fake_slack, session)
    finally:
        await service.stop()
        await app.close()


@pytest.fixture
async def programme(slack: SlackDriver) -> SlackDriver:
    """Proeftuin A in C0PTA, B in C0PTB, themes #wonen and #energie (set up over Slack)."""
    await slack.run("koppel Proeftuin A", user=LEADER, channel=CHAN_A)
    await slack.run("koppel Proeftuin B", user=LEADER, channel=CHAN_B)
    await slack.run("thema nieuw wonen Wonen | huur, woning", user=LEADER)
    await slack.run("thema nieuw energie Energie | zon, warmte", user=LEADER)
    slack.fake.calls.clear()
    return slack


async def stored_learnings(app: App) -> list[Learning]:
    """Every learning in the store, oldest first (with proeftuin, author and themes)."""
    async with app.database.unit_of_work() as session:
        rows = await session.scalars(
            select(Learning).options(selectinload(Learning.themes)).order_by(Learning.id)
        )
        return list(rows.unique().all())
