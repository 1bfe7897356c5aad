"""Messages that become commands without an interaction: 💡 on a message captures it through
the router (`Router.capture`), and a reply in a prompt's thread becomes an answer
(`Router.thread_reply`). The context menu "Bewaar als inzicht" uses the same `platform_message`.

Captures of one message run one after another; a repeated gateway delivery is dropped before
any work. Channel replies answer the source message; caller-only ones become a DM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import discord

from bot.discord.outbound import PLATFORM
from handlers.edge import PlatformMessage
from handlers.types import Actor, Place, Reply, Visibility

if TYPE_CHECKING:
    from bot.discord.adapter import DiscordService

log = logging.getLogger(__name__)

CAPTURE_EMOJI = "\N{ELECTRIC LIGHT BULB}"


def actor_of(user: discord.abc.User | discord.Member) -> Actor:
    return Actor(PLATFORM, str(user.id), user.display_name)


def platform_message(message: discord.Message) -> PlatformMessage:
    """A Discord message as the router captures it (bots are refused there)."""
    return PlatformMessage(
        text=message.content or "",
        author=actor_of(message.author),
        from_bot=message.author.bot,
        source_url=message.jump_url,
        source_id=f"{PLATFORM}:{message.channel.id}:{message.id}",
    )


class Capturer:
    """The Discord service's 💡 captures and prompt-thread answers."""

    def __init__(self, service: DiscordService) -> None:
        self.service = service
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def one_at_a_time(self, message_id: int) -> AsyncIterator[None]:
        """Captures of one message run one after another (two 💡 at once: one learning and an
        "already saved" note, not two racing inserts)."""
        key = str(message_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            yield

    async def capture(
        self, message: discord.Message, capturer: Actor, place: Place, event_id: str
    ) -> list[Reply]:
        """Capture `message` for `capturer`: a hint when the bot cannot read message texts
        (no Message Content intent), else whatever the router makes of it."""
        service = self.service
        if not message.content and not service.message_content:
            hint = service.t("discord.no_content")
            return [Reply(text=hint, visibility=Visibility.ONLY_CALLER)]
        async with self.one_at_a_time(message.id), service.turn():
            return await service.router.capture(
                platform_message(message), capturer, place, event_id=event_id
            )

    async def on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        """💡 on any message (raw events: old messages count too) captures it."""
        client = self.service.client
        if client is None or str(payload.emoji) != CAPTURE_EMOJI:
            return
        if client.user is not None and payload.user_id == client.user.id:
            return
        key = f"reaction:{payload.message_id}:{payload.user_id}"
        if not self.service.seen.first(key):
            return
        try:
            channel = client.get_channel(payload.channel_id) or client.get_partial_messageable(
                payload.channel_id, guild_id=payload.guild_id
            )
            try:
                message = await channel.fetch_message(payload.message_id)  # type: ignore[union-attr]
            except discord.HTTPException as error:
                log.warning(
                    "discord: cannot read message %s (%s)", payload.message_id, error.status
                )
                return
            member = payload.member
            name = member.display_name if member else str(payload.user_id)
            actor = Actor(PLATFORM, str(payload.user_id), name)
            place = self.service.place(channel, payload.channel_id, payload.guild_id)
            replies = await self.capture(message, actor, place, key)
            await self.service.poster.post_replies(replies, source=message, caller=actor)
        except Exception:
            log.exception("discord: capturing message %s failed", payload.message_id)

    async def on_thread_message(self, message: discord.Message) -> None:
        """A message in a thread: the router makes an answer of it under a posted prompt."""
        channel = message.channel
        if message.author.bot or not isinstance(channel, discord.Thread):
            return
        if not self.service.seen.first(f"message:{message.id}"):
            return
        try:
            actor = actor_of(message.author)
            place = self.service.place(channel, channel.id, channel.guild.id)
            async with self.service.turn():
                replies = await self.service.router.thread_reply(
                    message.content or "",
                    actor,
                    place,
                    event_id=f"message:{message.id}",
                    source_url=message.jump_url,
                    source_id=f"{PLATFORM}:{channel.id}:{message.id}",
                )
            await self.service.poster.post_replies(replies, source=message, caller=actor)
        except Exception:
            log.exception("discord: handling thread reply %s failed", message.id)
