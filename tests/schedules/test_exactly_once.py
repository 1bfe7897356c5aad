"""Exactly-once by the platform: a process killed between a send and its record, or a send
that failed after the platform took it, does not make a second message; a retried multi-part
effect whose content changed neither skips nor repeats a part. Against the wire-level fakes of
Slack (message metadata, conversations.history) and Discord (nonce, enforce_nonce)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import update

from bot.delivery import Delivery
from bot.slack.outbound import SlackOutbound
from handlers.i18n import Translator
from handlers.types import Reply, Target
from schedules.jobs import run_due
from schedules.ledger import Effect, Outcome, run_effect
from schedules.notices import notices_due
from schedules.rhythm import Rhythm
from storage import effect_keys, effect_queries, effects
from storage.db import Database
from storage.models import Effect as EffectRow
from tests.conftest import Chat
from tests.discord import conftest as discord_fixtures
from tests.discord.conftest import Bot
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.schedules.conftest import Recorder, utc

bot = discord_fixtures.bot  # the real Discord service against the fake (fixtures)
fake = discord_fixtures.fake
NOW = utc(2026, 11, 27, 15, 0)
KEY = "digest:2026-W48:slack:CDIGEST"


class Killed(BaseException):
    """The process dies here (kill -9): nothing after this line runs, no handler sees it."""


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.fixture
async def slack_delivery(fake_slack: FakeSlack) -> AsyncIterator[Delivery]:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)

    async def no_themes() -> list[tuple[str, str]]:
        return []

    delivery = Delivery()
    delivery.register(
        SlackOutbound(
            client, Translator("nl"), themes=no_themes, delivery=delivery, retry_handlers=[]
        )
    )
    yield delivery
    await client.session.close() if client.session else None


class DiesAfter(Delivery):
    """The real delivery, but the process dies right after the n-th message went out."""

    def __init__(self, inner: Delivery, after: int) -> None:
        super().__init__()
        self.inner = inner
        self.after = after

    async def send_once(
        self, target: Target, reply: Reply, key: str, *, check: bool = False
    ) -> tuple[str | None, bool]:
        result = await self.inner.send_once(target, reply, key, check=check)
        self.after -= 1
        if self.after == 0:
            raise Killed()
        return result


def parts(*texts: tuple[str, str]) -> Effect:
    async def build(session: object) -> list[Reply]:
        return [Reply(text=text, title=title) for title, text in texts]

    return Effect(KEY, "digest", Target("slack", channel_id="CDIGEST"), build)  # type: ignore[arg-type]


async def lease_runs_out(database: Database, key: str = KEY) -> None:
    async with database.unit_of_work() as session:
        clock = await effects.database_now(session)
        await session.execute(
            update(EffectRow)
            .where(EffectRow.key == key)
            .values(claimed_at=clock - effects.LEASE - timedelta(minutes=1))
        )


def posted_texts(slack: FakeSlack, channel: str = "CDIGEST") -> list[str]:
    return [m["text"].splitlines()[-1] for m in slack.posted(channel)]


DIGEST = (("Week 48", "header"), ("#wonen", "wonen 1"), ("(vervolg) #wonen", "wonen 2"))


async def test_killed_between_send_and_record_does_not_post_twice_on_slack(
    database: Database, fake_slack: FakeSlack, slack_delivery: Delivery
) -> None:
    with pytest.raises(Killed):
        await run_effect(database, DiesAfter(slack_delivery, 2), parts(*DIGEST), NOW)
    assert posted_texts(fake_slack) == ["header", "wonen 1"]
    # another process, after the lease: asks Slack, finds part 2, sends only part 3
    assert await run_effect(database, slack_delivery, parts(*DIGEST), NOW) is Outcome.SKIPPED
    await lease_runs_out(database)
    later = NOW + timedelta(minutes=11)
    assert await run_effect(database, slack_delivery, parts(*DIGEST), later) is Outcome.SENT
    assert posted_texts(fake_slack) == ["header", "wonen 1", "wonen 2"]
    histories = fake_slack.calls_to("conversations.history")
    assert histories and histories[-1].args.get("include_all_metadata") in (True, "true", "1")
    message = fake_slack.posted("CDIGEST")[0]
    assert message["metadata"]["event_type"] == "samen_effect"
    assert message["metadata"]["event_payload"]["key"].startswith(effect_keys.part_prefix(KEY))


async def test_a_send_slack_took_but_answered_with_an_error_is_not_repeated(
    database: Database, fake_slack: FakeSlack, slack_delivery: Delivery
) -> None:
    class TimesOutAfterPosting(Delivery):
        async def send_once(
            self, target: Target, reply: Reply, key: str, *, check: bool = False
        ) -> tuple[str | None, bool]:
            await slack_delivery.send_once(target, reply, key, check=check)
            raise TimeoutError("the answer never came")

    one = (("Herinnering", "morgen overleg"),)
    assert await run_effect(database, TimesOutAfterPosting(), parts(*one), NOW) is Outcome.FAILED
    later = NOW + timedelta(minutes=2)
    assert await run_effect(database, slack_delivery, parts(*one), later) is Outcome.SENT
    assert posted_texts(fake_slack) == ["morgen overleg"]


async def test_a_retried_digest_whose_content_changed_neither_skips_nor_repeats_a_part(
    database: Database, fake_slack: FakeSlack, slack_delivery: Delivery
) -> None:
    first = (
        ("Week 48", "3 inzichten"),
        ("#energie", "zon"),
        ("#geld", "fonds"),
        ("#wonen", "huur"),
    )
    with pytest.raises(Killed):
        await run_effect(database, DiesAfter(slack_delivery, 2), parts(*first), NOW)
    # meanwhile the #energie learning was withdrawn: its part is gone, the others shift
    second = (("Week 48", "2 inzichten"), ("#geld", "fonds"), ("#wonen", "huur"))
    await lease_runs_out(database)
    later = NOW + timedelta(minutes=11)
    assert await run_effect(database, slack_delivery, parts(*second), later) is Outcome.SENT
    assert posted_texts(fake_slack) == ["3 inzichten", "zon", "fonds", "huur"]


# -- Discord: a nonce from the effect key (enforce_nonce), and the history on a retry -------

DISCORD_DIGEST = (("Week 48", "header"), ("#wonen", "wonen 1"), ("#zorg", "zorg 1"))


def discord_parts(channel_id: str) -> Effect:
    async def build(session: object) -> list[Reply]:
        return [Reply(text=text, title=title) for title, text in DISCORD_DIGEST]

    key = effect_keys.digest_key("2026-W48", "discord", channel_id)
    return Effect(key, "digest", Target("discord", channel_id=channel_id), build)  # type: ignore[arg-type]


async def test_killed_between_send_and_record_does_not_post_twice_on_discord(
    bot: Bot,
) -> None:
    database, delivery = bot.app.database, bot.app.delivery
    channel = bot.fake.channel_id("kenniskring")
    effect = discord_parts(channel)
    with pytest.raises(Killed):
        await run_effect(database, DiesAfter(delivery, 2), effect, NOW)
    assert len(bot.fake.posted(channel)) == 2
    await lease_runs_out(database, effect.key)
    later = NOW + timedelta(minutes=11)
    assert await run_effect(database, delivery, effect, later) is Outcome.SENT
    posted = bot.fake.posted(channel)
    assert len(posted) == 3
    assert len({m["nonce"] for m in posted}) == 3
    assert any("/messages" in c.path and c.method == "GET" for c in bot.fake.calls)


async def test_a_repeated_discord_send_within_the_nonce_window_is_one_message(bot: Bot) -> None:
    channel = bot.fake.channel_id("kenniskring")
    target = Target("discord", channel_id=channel)
    reply = Reply(text="morgen overleg", title="Herinnering")
    first, _ = await bot.app.delivery.send_once(target, reply, "reminder:1h:meeting:1#x.0")
    again, _ = await bot.app.delivery.send_once(target, reply, "reminder:1h:meeting:1#x.0")
    assert first == again
    assert len(bot.fake.posted(channel)) == 1
    bodies = [c.body for c in bot.fake.calls if c.method == "POST" and "/messages" in c.path]
    assert all(b.get("enforce_nonce") is True and b.get("nonce") for b in bodies)


# -- follow notices: a batch killed after its send is finished, never merged into a new one --


class Platform(Recorder):
    """A recorder that keeps the key of every message, as Slack and Discord do."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}

    async def send_once(
        self, target: Target, reply: Reply, key: str, *, check: bool = False
    ) -> tuple[str | None, bool]:
        if check and key in self.keys:
            return self.keys[key], True
        message_id = await self.send(target, reply)
        self.keys[key] = message_id or ""
        return message_id, False


class DiesAfterSending(Platform):
    async def send_once(
        self, target: Target, reply: Reply, key: str, *, check: bool = False
    ) -> tuple[str | None, bool]:
        await super().send_once(target, reply, key, check=check)
        raise Killed()


async def test_a_notice_batch_killed_after_sending_is_not_told_again_with_newer_ones(
    seven: Chat, rhythm: Rhythm
) -> None:
    start = utc(2026, 11, 2, 9, 0)
    await seven.say("volg #wonen", user="bram", channel="energiecoöperatie")
    await seven.say("inzicht Huur een #wonen", channel="buurtkamer", at=start)  # told at once
    await seven.say(
        "inzicht Huur twee #wonen", channel="buurtkamer", at=start + timedelta(minutes=5)
    )
    platform = DiesAfterSending()
    rhythm.sender = platform
    with pytest.raises(Killed):
        await notices_due(rhythm, start + timedelta(hours=1, minutes=1))
    replies = await seven.say(
        "inzicht Huur drie #wonen", channel="buurtkamer", at=start + timedelta(hours=1, minutes=5)
    )
    assert not [r for r in replies if r.to is not None and r.to.user_id == "bram"]  # waits
    survivor = Platform()
    survivor.keys = platform.keys
    survivor.sent = platform.sent
    rhythm.sender = survivor
    await run_due(rhythm, start + timedelta(hours=1, minutes=6))  # the claim is still live
    async with rhythm.database.unit_of_work() as session:
        (stuck,) = await effect_queries.by_prefix(session, "notice:")
    await lease_runs_out(rhythm.database, stuck.key)
    await run_due(rhythm, start + timedelta(hours=1, minutes=20))
    await run_due(rhythm, start + timedelta(hours=2, minutes=30))
    texts = survivor.texts()
    assert sum("Huur twee" in text for text in texts) == 1, texts
    assert sum("Huur drie" in text for text in texts) == 1, texts


async def test_a_retry_to_a_dm_without_history_access_is_still_delivered(
    database: Database, fake_slack: FakeSlack, slack_delivery: Delivery
) -> None:
    """The manifest asks no `im:history`: a retried DM cannot look back, and is sent."""
    key = "report:digest:2026-W48:slack:ULEAD"

    async def build(session: object) -> list[Reply]:
        return [Reply(text="De digest is gemist")]

    effect = Effect(key, "report", Target("slack", user_id="ULEAD"), build)  # type: ignore[arg-type]
    fake_slack.fail_next("chat.postMessage", error="internal_error")
    assert await run_effect(database, slack_delivery, effect, NOW) is Outcome.FAILED
    later = NOW + timedelta(minutes=2)
    assert await run_effect(database, slack_delivery, effect, later) is Outcome.SENT
    assert posted_texts(fake_slack, "DLEAD") == ["De digest is gemist"]


async def test_without_read_access_on_discord_the_nonce_still_prevents_a_second_message(
    bot: Bot,
) -> None:
    database, delivery = bot.app.database, bot.app.delivery
    channel = bot.fake.channel_id("kenniskring")
    bot.fake.hidden.add(channel)  # the bot may post there but not read the history
    effect = discord_parts(channel)
    with pytest.raises(Killed):
        await run_effect(database, DiesAfter(delivery, 2), effect, NOW)
    await lease_runs_out(database, effect.key)
    later = NOW + timedelta(minutes=11)
    assert await run_effect(database, delivery, effect, later) is Outcome.SENT
    assert len(bot.fake.posted(channel)) == 3  # Discord answered the repeat with the message
