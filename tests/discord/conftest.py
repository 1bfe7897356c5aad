"""The real Discord adapter (discord.py) connected to the fake Discord on 127.0.0.1.

`bot` starts `DiscordService` over a fresh database (SQLite, and PostgreSQL when
SAMEN_TEST_DATABASE_URL is set) with DISCORD_API_URL / DISCORD_GATEWAY_URL pointing at a
`FakeDiscord`: the client logs in over REST, identifies on the gateway websocket, syncs its
commands, and every interaction the tests send arrives as a gateway event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.app import App, build_app
from bot.config import Settings, load_settings
from bot.discord.adapter import DiscordService
from storage.models import Learning
from tests.fakes.discord_driver import InteractionRecord
from tests.fakes.discord_fake import FakeDiscord

LEADER = "floor"
LEADER_ID = "4242"
GUILD_READY = 0.05  # discord.py waits this long after the last GUILD_CREATE (2 s by default)


def discord_settings(database_url: str, fake: FakeDiscord, **extra: Any) -> Settings:
    values: dict[str, Any] = dict(
        SAMEN_DATABASE_URL=database_url,
        SAMEN_LEADERS=f"discord:{LEADER_ID}",
        DISCORD_BOT_TOKEN=fake.token,
        DISCORD_API_URL=fake.api_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        DISCORD_GUILD_ID=fake.guild_id,
        SLACK_BOT_TOKEN="",
    )
    values.update(extra)
    return load_settings(**values)


@dataclass
class Bot:
    """The running service, its app and the fake it talks to."""

    fake: FakeDiscord
    app: App
    service: DiscordService
    state_dir: Path

    async def run(self, who: str, channel: str, sub: str, **options: Any) -> InteractionRecord:
        """`/samen sub …` and wait until the bot has answered it in full."""
        record = await self.fake.slash(who, channel, sub, **options)
        return await self.fake.wait_done(record)

    async def restart(self, **kwargs: Any) -> DiscordService:
        """Stop the service and start a new one (a new discord.py client) on the same store."""
        await self.service.stop()
        kwargs.setdefault("guild_ready_timeout", GUILD_READY)
        self.service = DiscordService(self.app, state_dir=self.state_dir, **kwargs)
        await self.service.start()
        assert self.service.ready.is_set()
        return self.service

    def calls(self, method: str, fragment: str) -> list[Any]:
        return [c for c in self.fake.calls if c.method == method and fragment in c.path]

    async def learnings(self) -> list[Learning]:
        async with self.app.database.unit_of_work() as session:
            rows = await session.scalars(
                select(Learning).options(selectinload(Learning.themes)).order_by(Learning.id)
            )
            return list(rows.unique().all())


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    server.person(LEADER, LEADER_ID)
    yield server
    await server.stop()


@pytest.fixture
async def bot(
    migrated_url: str, fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Bot]:
    monkeypatch.chdir(tmp_path)  # files the bot writes (./data: .ics, state) stay in the test
    app = build_app(discord_settings(migrated_url, fake))
    service = DiscordService(app, state_dir=tmp_path, guild_ready_timeout=GUILD_READY)
    await service.start()
    assert service.ready.is_set(), "the client never got READY from the fake gateway"
    running = Bot(fake, app, service, tmp_path)
    try:
        yield running
    finally:
        await running.service.stop()
        await app.close()


@pytest.fixture
async def programme(bot: Bot) -> Bot:
    """Proeftuin A in #proeftuin-a, B in #proeftuin-b, themes #wonen and #energie."""
    await bot.run(LEADER, "proeftuin-a", "koppel", proeftuin="Proeftuin A")
    await bot.run(LEADER, "proeftuin-b", "koppel", proeftuin="Proeftuin B")
    await bot.run(LEADER, "kenniskring", "thema", slug="wonen", naam="Wonen", trefwoorden="huur")
    await bot.run(LEADER, "kenniskring", "thema", slug="energie", naam="Energie", trefwoorden="zon")
    return bot


def message_payloads(fake: FakeDiscord) -> list[dict[str, Any]]:
    """Every message body the bot sent: callbacks with data, edits, follow-ups, posts."""
    found = []
    for call in fake.calls:
        body = call.body
        if not isinstance(body, dict) or call.method not in ("POST", "PATCH"):
            continue
        if "/callback" in call.path:
            if body.get("type") in (4, 7):
                found.append(body.get("data") or {})
        elif "/webhooks/" in call.path or call.path.endswith("/messages"):
            found.append(body)
    return found
