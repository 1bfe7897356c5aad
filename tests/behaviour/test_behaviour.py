"""One table of behaviour, three adapters (issue 14, item 5).

Every row of tests/behaviour/table.py runs on the console, Slack and Discord, each through
its real adapter and wire fake, on SQLite and PostgreSQL, from the same world; the store must
change the same way and the caller must be told the same thing. A line a platform cannot
express is an explicit xfail naming why; a known disagreement (a drift) is a strict xfail.
"""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from bot.app import build_app
from bot.config import load_settings
from handlers import registry
from handlers.router import load_handlers
from tests.behaviour.drivers import (
    WHERE,
    WHO,
    Adapter,
    ConsoleAdapter,
    DiscordAdapter,
    NotExpressible,
    SlackAdapter,
    find_class,
)
from tests.behaviour.state import Delta, reset, snapshot
from tests.behaviour.table import ROWS, WORLD, Row
from tests.conftest import BACKENDS, fresh_migrated

PLATFORMS = ("console", "slack", "discord")


async def start_console(url: str) -> AsyncGenerator[Adapter, None]:
    app = build_app(load_settings(SAMEN_DATABASE_URL=url, SAMEN_LEADERS="console:floor"))
    try:
        yield ConsoleAdapter(app)
    finally:
        await app.close()


async def start_slack(url: str) -> AsyncGenerator[Adapter, None]:
    from tests.fakes.slack_api import FakeSlack
    from tests.slack import conftest as slack

    fake = await FakeSlack().start()
    for who, name in (("ULEAD", "Floor"), ("UANNA", "Anna"), ("UBOB", "Bob")):
        fake.add_user(who, name)
    app = build_app(slack.slack_settings(url, fake))
    service_class = getattr(slack, "SlackService", None) or find_class(
        "bot", "SlackService", hint="slack"
    )
    service = service_class(app, http=True, host="127.0.0.1", port=0)
    await service.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            yield SlackAdapter(slack.SlackDriver(service, app, fake, session))
    finally:
        await service.stop()
        await app.close()
        await fake.stop()


async def start_discord(url: str, state_dir: Path) -> AsyncGenerator[Adapter, None]:
    from tests.discord import conftest as discord
    from tests.fakes.discord_fake import FakeDiscord

    fake = await FakeDiscord().start()
    fake.person(discord.LEADER, discord.LEADER_ID)
    app = build_app(discord.discord_settings(url, fake))
    service_class = getattr(discord, "DiscordService", None) or find_class(
        "bot", "DiscordService", hint="discord"
    )
    service = service_class(app, state_dir=state_dir, guild_ready_timeout=discord.GUILD_READY)
    await service.start()
    assert service.ready.is_set(), "the client never got READY from the fake gateway"
    try:
        yield DiscordAdapter(discord.Bot(fake, app, service, state_dir))
    finally:
        await service.stop()
        await app.close()
        await fake.stop()


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=[(p, b) for b in BACKENDS for p in PLATFORMS],
    ids=lambda param: f"{param[1]}-{param[0]}",
)
async def adapter(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    pg_template: str | None,
) -> AsyncIterator[Adapter]:
    """One started adapter per platform and backend for the whole module (rows reset the
    store between them): the platform's real adapter over its own database."""
    platform, backend = request.param
    folder = tmp_path_factory.mktemp(f"behaviour-{platform}-{backend}")
    home = os.getcwd()
    os.chdir(folder)  # files the bot writes (.ics, mijn-gegevens, state) stay in the test
    try:
        with fresh_migrated(backend, folder / "samen.db", sqlite_template, pg_template) as url:
            if platform == "console":
                started = start_console(url)
            elif platform == "slack":
                started = start_slack(url)
            else:
                started = start_discord(url, folder)
            running = await anext(started)
            try:
                yield running
            finally:
                await started.aclose()
    finally:
        os.chdir(home)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_row(adapter: Adapter, row: Row) -> None:
    await reset(adapter.app.database)
    for who, where, line in WORLD + row.given:
        await adapter.given(who, where, line)
    before = await snapshot(adapter.app.database, adapter.who_is)
    try:
        said = await adapter.say(row.who, row.where, row.line)
    except NotExpressible as reason:
        why = f"cannot be typed on {adapter.platform}: {reason}"
        known = row.drift.get(adapter.platform)
        pytest.xfail(f"{known} ({why})" if known else why)
    after = await snapshot(adapter.app.database, adapter.who_is)
    delta = Delta(before, after)
    shown = f"\n-- store:\n{delta.describe()}\n-- said:\n{said.describe()}"
    print(shown)  # shown with -rP
    assert row.db(delta), f"the store changed otherwise than expected{shown}"
    assert said.mine, f"the caller was told nothing{shown}"
    assert row.reply(said, delta), f"the reply does not mean what it should{shown}"
    if row.private is not None:
        assert said.private is row.private, (
            f"the answer should be {'private' if row.private else 'public'}{shown}"
        )


def test_every_command_has_a_good_and_a_bad_row() -> None:
    """A new sub-command without rows in the table fails here."""
    load_handlers()  # every handler module registers its sub-commands on import
    assert len(registry.COMMANDS) >= 25, sorted(registry.COMMANDS)
    good = {row.command for row in ROWS if row.good}
    bad = {row.command for row in ROWS if not row.good}
    declared = set(registry.COMMANDS)
    assert declared - good == set(), "sub-commands without a success row"
    assert declared - bad == set(), "sub-commands without a refusal or bad-argument row"
    assert {row.command for row in ROWS} <= declared, "rows for sub-commands that do not exist"


def test_rows_are_well_formed() -> None:
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), "row ids must be unique"
    for row in ROWS:
        assert row.who in WHO and row.where in WHERE, row.id
        assert set(row.drift) <= set(PLATFORMS), row.id
