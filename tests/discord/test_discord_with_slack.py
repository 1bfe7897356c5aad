"""One `samen-bot serve`: Slack (HTTP mode), Discord and the scheduler in one event loop over one
store. A learning captured on Discord is found by `zoek` on Slack and shows in the digest."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.app import build_app
from bot.config import load_settings
from bot.discord.adapter import DiscordService
from bot.serve import build_services
from bot.slack.adapter import SlackService
from handlers import registry
from tests.discord.conftest import LEADER, LEADER_ID
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fakes.slack_signing import SIGNING_SECRET
from tests.slack.conftest import ANNA, CHAN_B, SlackDriver, texts
from tests.slack.conftest import LEADER as SLACK_LEADER


async def test_discord_and_slack_share_one_process_and_one_store(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the command-tree state file goes to ./data
    discord_fake = await FakeDiscord().start()
    discord_fake.person(LEADER, LEADER_ID)
    slack_fake = await FakeSlack().start()
    slack_fake.add_user(ANNA, "Anna")
    slack_fake.add_user(SLACK_LEADER, "Floor")
    settings = load_settings(
        SAMEN_DATABASE_URL=migrated_url,
        SAMEN_LEADERS=f"discord:{LEADER_ID},slack:{SLACK_LEADER}",
        DISCORD_BOT_TOKEN=discord_fake.token,
        DISCORD_API_URL=discord_fake.api_url,
        DISCORD_GATEWAY_URL=discord_fake.gateway_url,
        DISCORD_GUILD_ID=discord_fake.guild_id,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=slack_fake.base_url,
    )
    app = build_app(settings)
    services = build_services(app, slack_http=True, host="127.0.0.1", port=0)
    assert [type(s).__name__ for s in services][:2] == ["SlackService", "DiscordService"]
    started = []
    try:
        for service in services:
            await service.start()
            started.append(service)
        slack_service = next(s for s in services if isinstance(s, SlackService))
        discord_service = next(s for s in services if isinstance(s, DiscordService))
        assert discord_service.ready.is_set()
        assert set(app.delivery.platforms()) >= {"slack", "discord"}

        async def discord(who: str, channel: str, sub: str, **options: object) -> str:
            record = await discord_fake.slash(who, channel, sub, **options)
            return (await discord_fake.wait_done(record)).text()

        await discord(LEADER, "proeftuin-a", "koppel", proeftuin="Proeftuin A")
        await discord(LEADER, "proeftuin-a", "thema", slug="energie", naam="Energie")
        saved = await discord(
            "anna", "proeftuin-a", "inzicht", tekst="Warmtepompen delen met de buren #energie"
        )
        assert "Inzicht #1" in saved
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            slack = SlackDriver(slack_service, app, slack_fake, session)
            await slack.run("koppel Proeftuin B", user=SLACK_LEADER, channel=CHAN_B)
            found = texts(await slack.run("zoek warmtepompen", user=ANNA, channel=CHAN_B))
            assert "#1 · Proeftuin A" in found and "delen met de buren" in found
            if "digest" in registry.COMMANDS:
                digest = texts(await slack.run("digest", user=SLACK_LEADER, channel=CHAN_B))
                assert "Warmtepompen" in digest
    finally:
        for service in reversed(started):
            await service.stop()
        await app.close()
        await discord_fake.stop()
        await slack_fake.stop()
