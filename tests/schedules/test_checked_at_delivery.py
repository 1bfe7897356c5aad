"""Issue 12: a follow notice told at once (with the capture's reply) is checked against the
current ring when the adapter delivers it, not only when the handler queued it. Queue, narrow
the ring, deliver: not delivered, and the follower is not told of it later either."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import Delivery
from bot.slack.outbound import Origin, SlackOutbound
from handlers.context import Policy
from handlers.i18n import Translator
from handlers.router import Router
from handlers.types import Reply
from schedules.notices import notices_due
from schedules.rhythm import Rhythm
from storage.db import Database
from tests.conftest import Chat, make_policy
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.schedules.conftest import Recorder, utc

A, B = "C0PTA", "C0PTB"
START = utc(2026, 11, 25, 9, 0)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.fixture
def slack_policy() -> Policy:
    return make_policy(leaders=frozenset({"slack:ULEAD"}))


@pytest.fixture
async def slack_chat(database: Database, slack_policy: Policy) -> Chat:
    chat = Chat(Router(database, slack_policy), platform="slack")
    await chat.say("koppel Proeftuin A", user="ULEAD", channel=A)
    await chat.say("koppel Proeftuin B", user="ULEAD", channel=B)
    await chat.say("thema nieuw wonen Wonen", user="ULEAD", channel=A)
    await chat.say("volg #wonen", user="UBRAM", channel=B)
    return chat


@pytest.fixture
async def outbound(database: Database, fake_slack: FakeSlack) -> AsyncIterator[SlackOutbound]:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)

    async def no_themes() -> list[tuple[str, str]]:
        return []

    delivery = Delivery(database)
    slack = SlackOutbound(
        client, Translator("nl"), themes=no_themes, delivery=delivery, retry_handlers=[]
    )
    delivery.register(slack)
    yield slack
    if client.session is not None:
        await client.session.close()


async def capture(chat: Chat, text: str, at: datetime = START) -> tuple[int, list[Reply]]:
    replies = await chat.say(f"inzicht {text} #wonen", user="UANNA", channel=A, at=at)
    number = int(replies[0].text.split("#", 1)[1].split(" ", 1)[0])
    notices = [r for r in replies if r.to is not None and r.to.user_id == "UBRAM"]
    assert len(notices) == 1  # queued for Bram, to go out with the reply
    return number, notices


def dms(fake: FakeSlack) -> list[str]:
    return [m["text"] for m in fake.posted("DBRAM")]


async def test_an_immediate_notice_is_delivered_while_its_learning_is_shared(
    slack_chat: Chat, outbound: SlackOutbound, fake_slack: FakeSlack
) -> None:
    _, notices = await capture(slack_chat, "Huurders willen meedoen")
    await outbound.deliver(notices, Origin(A, "UANNA", "ev1"))
    assert len(dms(fake_slack)) == 1 and "Huurders willen meedoen" in dms(fake_slack)[0]


async def test_an_immediate_notice_narrowed_before_delivery_is_not_delivered(
    slack_chat: Chat,
    outbound: SlackOutbound,
    fake_slack: FakeSlack,
    database: Database,
    slack_policy: Policy,
) -> None:
    number, notices = await capture(slack_chat, "Huurders willen meedoen")
    await slack_chat.say(f"deel {number} proeftuin", user="UANNA", channel=A, at=START)
    await outbound.deliver(notices, Origin(A, "UANNA", "ev1"))
    assert dms(fake_slack) == []
    # nor is Bram told of it in a later batch
    recorder = Recorder()
    rhythm = Rhythm(database=database, sender=recorder, policy=slack_policy, owner="t")
    await notices_due(rhythm, START + timedelta(hours=2))
    assert not [r for _, r in recorder.sent if "Huurders" in r.text]


async def test_the_shared_learnings_of_a_notice_that_was_held_back_are_told_later(
    slack_chat: Chat,
    outbound: SlackOutbound,
    fake_slack: FakeSlack,
    database: Database,
    slack_policy: Policy,
) -> None:
    await capture(slack_chat, "Huur nul", START - timedelta(minutes=50))  # told then
    await slack_chat.say(
        "inzicht Huur een #wonen", user="UANNA", channel=A, at=START - timedelta(minutes=20)
    )  # waits: Bram was told within the hour
    number, notices = await capture(slack_chat, "Huur twee", START + timedelta(minutes=15))
    assert "Huur een" in notices[0].text and "Huur twee" in notices[0].text
    await slack_chat.say(f"deel {number} proeftuin", user="UANNA", channel=A, at=START)
    await outbound.deliver(notices, Origin(A, "UANNA", "ev1"))
    assert dms(fake_slack) == []
    recorder = Recorder()
    rhythm = Rhythm(database=database, sender=recorder, policy=slack_policy, owner="t")
    await notices_due(rhythm, START + timedelta(hours=2))
    told = "\n".join(recorder.texts())
    assert "Huur een" in told and "Huur twee" not in told
