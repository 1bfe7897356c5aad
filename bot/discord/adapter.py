"""The Discord adapter: discord.py in the shared event loop. `DiscordService` logs in, keeps
the gateway connected, installs the generated `/samen` commands and is the Outbound for
platform `discord`; its helpers handle interactions (`bot.discord.interactions`), 💡 captures
and prompt-thread replies (`bot.discord.capture`) and sending (`bot.discord.outbound`).

Interactions are acknowledged before any database work (`AckGate`), and database work runs a
few at a time (`DiscordService.turn`). Every message goes out with no mentions allowed.

`DISCORD_API_URL` / `DISCORD_GATEWAY_URL` repoint discord.py's REST base (`Route.BASE`, also
used for interaction webhooks) and its gateway (`DiscordWebSocket.DEFAULT_GATEWAY`): both are
process-wide class attributes, set at start and restored at stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.app import App
from bot.discord import commands as discord_commands
from bot.discord import views as discord_views
from bot.discord.capture import Capturer, actor_of
from bot.discord.interactions import Interactions
from bot.discord.outbound import NONE, PLATFORM, Poster
from bot.memory import settle_memory
from bot.recent import Recent
from handlers.types import Actor, Command, Place, Reply, Target

log = logging.getLogger(__name__)

DEFAULT_API = Route.BASE
DEFAULT_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY
READY_TIMEOUT = 30.0
DATABASE_SLOTS = 4

# samen-bot speaks no voice: discord.py's warnings that PyNaCl (and davey) are missing are not
# for the operator.
for _flag in ("warn_nacl", "warn_dave"):
    if hasattr(discord.VoiceClient, _flag):
        setattr(discord.VoiceClient, _flag, False)


def failure(error: BaseException | None) -> str:
    """A failed connection attempt in a few words: the error's kind and its first line."""
    if error is None:
        return "unknown error"
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class _OneLineReconnects(logging.Filter):
    """discord.py logs a whole traceback with every reconnect attempt ("Attempting a reconnect
    in …"), and a line with every login: the operator sees one line per attempt, with the
    reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "logging in using static token":
            return False
        if record.exc_info and str(record.msg).startswith("Attempting a reconnect"):
            record.msg = "discord: cannot reach Discord (%s); next attempt in %.0f s"
            record.args = (failure(record.exc_info[1]), *(record.args or ()))  # type: ignore[misc]
            record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("discord.client").addFilter(_OneLineReconnects())


def api_base(url: str) -> str:
    """A REST base URL with an API version: `http://h:1` -> `http://h:1/api/v10`."""
    url = url.rstrip("/")
    if re.search(r"/v\d+$", url):
        return url
    return f"{url}/v10" if url.endswith("/api") else f"{url}/api/v10"


def configure_endpoints(api_url: str, gateway_url: str) -> None:
    """Point discord.py at these endpoints (empty: Discord's own)."""
    Route.BASE = api_base(api_url) if api_url else DEFAULT_API
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url) if gateway_url else DEFAULT_GATEWAY


def make_intents(message_content: bool) -> discord.Intents:
    """Guilds (channels, threads), reactions, messages (prompt threads); content if allowed."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    intents.guild_messages = True
    intents.message_content = message_content
    return intents


class AckGate:
    """Acknowledgements first: database work waits (at most `limit` seconds) while any
    interaction that has arrived is still unanswered, so a burst is acked as fast as by a
    bot without a database. Arrivals are counted as the gateway frame is parsed."""

    def __init__(self, limit: float = 0.25) -> None:
        self.limit = limit
        self._waiting: dict[int, float] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    def arrived(self, interaction_id: Any) -> None:
        with contextlib.suppress(TypeError, ValueError):
            self._waiting[int(interaction_id)] = time.monotonic()
            self._idle.clear()

    def answered(self, interaction_id: int) -> None:
        self._waiting.pop(interaction_id, None)
        if not self._waiting:
            self._idle.set()

    async def settled(self) -> None:
        now = time.monotonic()
        for key, since in list(self._waiting.items()):  # not ours to answer, or lost
            if now - since > self.limit:
                self.answered(key)
        if not self._idle.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.limit)


class SamenClient(discord.Client):
    """discord.py client whose events go to the service; set up once per login."""

    def __init__(self, service: DiscordService, *, message_content: bool) -> None:
        super().__init__(
            intents=make_intents(message_content),
            allowed_mentions=NONE,
            guild_ready_timeout=service.guild_ready_timeout,
        )
        self.service = service
        self.runner = service.interactions  # what buttons, selects and forms call
        self.tree = discord.app_commands.CommandTree(self)
        parsers = self._connection.parsers  # the same dict serves every (re)connection
        parse = parsers.get("INTERACTION_CREATE")
        if parse is not None:  # count arrivals as the frame is parsed (see AckGate)

            def counted(data: Any) -> None:
                service.acks.arrived(data.get("id"))
                parse(data)

            parsers["INTERACTION_CREATE"] = counted

    async def setup_hook(self) -> None:
        await self.service.setup(self)

    async def on_ready(self) -> None:
        self.service.ready.set()

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.service.capturer.on_reaction(payload)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if discord_views.is_capture_modal(interaction):
            await self.service.interactions.run_modal(interaction)

    async def on_message(self, message: discord.Message) -> None:
        await self.service.capturer.on_thread_message(message)


class DiscordService:
    """`samen-bot serve`'s Discord service, and the Outbound for platform `discord`."""

    name = "discord"
    platform = PLATFORM

    def __init__(
        self,
        app: App,
        *,
        state_dir: str | Path | None = None,
        message_content: bool = True,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        self.app = app
        self.guild_ready_timeout = guild_ready_timeout
        self.router = app.router
        self.t = app.policy.translator()
        self.settings = app.settings
        self.state_dir = Path(state_dir or app.policy.data_dir)
        self.message_content = message_content
        self.client: SamenClient | None = None
        self.poster = Poster(self)
        self.capturer = Capturer(self)
        self.interactions = Interactions(self)
        self.ready = asyncio.Event()
        self.setups = 0
        self.syncs = 0
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self.seen = Recent()
        self.acks = AckGate()
        self._slots = asyncio.Semaphore(DATABASE_SLOTS)

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Log in, connect in the background and wait (a while) for the gateway's READY.

        A refused token stops start-up; an unreachable Discord is retried in the background,
        so the other adapters keep running."""
        configure_endpoints(self.settings.DISCORD_API_URL, self.settings.DISCORD_GATEWAY_URL)
        self.app.delivery.register(self)  # once per start; reconnects never come back here
        self._stopped = False
        try:
            self.client = await self._login(self.message_content)
        except (aiohttp.ClientError, OSError, discord.HTTPException) as error:
            log.warning("discord: cannot reach Discord (%s); retrying in the background", error)
        self._task = asyncio.create_task(self._run(), name="discord-gateway")
        try:
            await asyncio.wait_for(self.ready.wait(), READY_TIMEOUT if self.client else 1.0)
        except TimeoutError:
            log.warning("discord: not connected yet; still trying in the background")
        settle_memory()  # the start-up heap out of the collector (bot.memory)

    async def _login(self, message_content: bool) -> SamenClient:
        client = SamenClient(self, message_content=message_content)
        try:
            await client.login(self.settings.DISCORD_BOT_TOKEN)
        except BaseException as error:
            await client.close()
            if isinstance(error, discord.LoginFailure):
                raise RuntimeError("DISCORD_BOT_TOKEN was refused by Discord") from error
            raise
        return client

    async def _run(self) -> None:
        """Keep the gateway connected; discord.py reconnects by itself, this covers the rest:
        a first login that failed, a refused privileged intent, an unexpected error."""
        delay = 1.0
        while not self._stopped:
            try:
                if self.client is None or self.client.is_closed():
                    self.client = await self._login(self.message_content)
                await self.client.connect(reconnect=True)
                return
            except discord.PrivilegedIntentsRequired:
                if not self.message_content:
                    raise
                log.warning(
                    "discord: the Message Content intent is not enabled for this application; "
                    "running without it (💡 capture cannot read message text, see docs/discord.md)"
                )
                self.message_content = False
                if self.client is not None:
                    await self.client.close()
            except asyncio.CancelledError:
                raise
            except RuntimeError:
                log.exception("discord: giving up")
                return
            except Exception as error:
                if self._stopped:
                    return
                # One line per failed attempt (no network is no programming error).
                log.warning(
                    "discord: cannot reach Discord (%s); again in %.0f s", failure(error), delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def stop(self) -> None:
        self._stopped = True
        client, self.client = self.client, None
        if client is not None:
            await client.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        configure_endpoints("", "")

    async def setup(self, client: SamenClient) -> None:
        """Once per login: persistent components, the command tree, a sync if it changed."""
        self.setups += 1
        client.add_dynamic_items(*discord_views.DYNAMIC_ITEMS)
        guild_id = self.settings.DISCORD_GUILD_ID
        guild = discord.Object(int(guild_id)) if guild_id else None
        language = self.app.policy.language
        await discord_commands.install(client.tree, self.interactions, language, guild)
        state = self.state_dir / f"discord-commands-{client.application_id}-{guild_id or 'global'}"
        try:
            if await discord_commands.sync_if_changed(client.tree, guild, state):
                self.syncs += 1
        except Exception:
            log.exception("discord: syncing the commands failed (is applications.commands set?)")

    # --- Outbound --------------------------------------------------------------------------

    async def send(self, target: Target, reply: Reply) -> str | None:
        """Post a reply to a channel or DM a person (scheduled jobs, cross-channel replies)."""
        return await self.poster.send(target, reply)

    async def send_once(
        self, target: Target, reply: Reply, key: str, *, check: bool = False
    ) -> tuple[str | None, bool]:
        """The same, with a nonce from an effect's key (see `Poster.send_once`)."""
        return await self.poster.send_once(target, reply, key, check=check)

    # --- who and where ---------------------------------------------------------------------

    def place(self, channel: Any, channel_id: int | None, guild_id: int | None) -> Place:
        """Threads count as their parent channel (proeftuinen link channels), thread kept."""
        ident: int = channel_id if channel_id else getattr(channel, "id", 0)
        if guild_id is None:
            return Place(PLATFORM, str(ident), is_direct=True)
        if channel is None and self.client is not None:
            channel = self.client.get_channel(ident)
        if isinstance(channel, discord.Thread) and channel.parent_id:
            return Place(PLATFORM, str(channel.parent_id), thread_id=str(channel.id))
        return Place(PLATFORM, str(ident))

    def who(self, interaction: discord.Interaction) -> tuple[Actor, Place]:
        actor = actor_of(interaction.user)
        return actor, self.place(interaction.channel, interaction.channel_id, interaction.guild_id)

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Database work: after every waiting interaction is acknowledged, a few at a time
        (more would only queue for SQLite's one writer and crowd the event loop)."""
        await self.acks.settled()
        async with self._slots:
            yield

    async def dispatch(self, command: Command) -> list[Reply]:
        """Handle a command through the router, in a database turn."""
        async with self.turn():
            return await self.router.dispatch(command)
