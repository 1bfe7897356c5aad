"""Capturing Discord messages: 💡 on any message becomes `inzicht <text>` on behalf of its author,
and a reply in the thread of a posted prompt becomes `antwoord <prompt> <text>`.

The context menu "Bewaar als inzicht" builds the same `inzicht` command (`Capturer.command`)
but runs through the adapter's interaction flow. Captures of one message run one after another
(`Capturer.one_at_a_time`); a repeated gateway delivery is dropped before any work. Replies go
back through the service's `Poster`: in the channel, answering the captured message, or as a DM
to the capturer when only they should see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.outbound import PLATFORM
from handlers.types import Actor, Place, Reply, Visibility
from storage import prompts

if TYPE_CHECKING:
    from bot.discord.adapter import DiscordService, SamenClient

log = logging.getLogger(__name__)

CAPTURE_EMOJI = "\N{ELECTRIC LIGHT BULB}"


class Capturer:
    """The Discord service's 💡 captures and prompt-thread answers."""

    def __init__(self, service: DiscordService) -> None:
        self.service = service
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def one_at_a_time(self, key: str) -> AsyncIterator[None]:
        """Captures of one message run one after another (two 💡 at once: one learning and an
        "already saved" note, not two racing inserts)."""
        if not key:
            yield
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            yield

    def command(self, message: discord.Message, actor: Actor, place: Place, event_id: str) -> Any:
        """The `inzicht` command for a message (on behalf of its author), or a Reply refusing."""
        text = (message.content or "").strip()
        if not text:
            refusal = self.service.t("discord.no_content")
            return Reply(text=refusal, visibility=Visibility.ONLY_CALLER)
        author_user = message.author
        author = (
            None
            if author_user.bot
            else Actor(PLATFORM, str(author_user.id), author_user.display_name)
        )
        return self.service.router.make_command(
            f"inzicht {text}",
            actor,
            place,
            event_id=event_id,
            source_url=message.jump_url,
            source_id=f"{PLATFORM}:{message.channel.id}:{message.id}",
            author=author,
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
            await self._capture_reaction(client, payload, key)
        except Exception:
            log.exception("discord: capturing message %s failed", payload.message_id)

    async def _capture_reaction(
        self, client: SamenClient, payload: discord.RawReactionActionEvent, key: str
    ) -> None:
        service = self.service
        channel = client.get_channel(payload.channel_id) or client.get_partial_messageable(
            payload.channel_id, guild_id=payload.guild_id
        )
        try:
            message = await channel.fetch_message(payload.message_id)  # type: ignore[union-attr]
        except discord.HTTPException as error:
            log.warning("discord: cannot read message %s (%s)", payload.message_id, error.status)
            return
        member = payload.member
        actor = Actor(
            PLATFORM, str(payload.user_id), member.display_name if member else str(payload.user_id)
        )
        place = service.place(channel, payload.channel_id, payload.guild_id)
        command = self.command(message, actor, place, key)
        async with self.one_at_a_time(f"message:{message.id}"):
            replies = [command] if isinstance(command, Reply) else await service.dispatch(command)
        await service.poster.post_replies(replies, source=message, caller=actor)

    async def on_thread_message(self, message: discord.Message) -> None:
        """A reply in the thread of a posted prompt becomes `antwoord <prompt> <text>`."""
        service = self.service
        channel = message.channel
        if message.author.bot or not isinstance(channel, discord.Thread):
            return
        if not service.seen.first(f"message:{message.id}"):
            return
        try:
            if not (message.content or "").strip():
                return
            async with service.app.database.reading() as session:
                prompt = await prompts.prompt_for_thread(
                    session, PLATFORM, str(channel.parent_id), str(channel.id)
                )
            if prompt is None:
                return
            command = service.router.make_command(
                f"antwoord {prompt.id} {message.content.strip()}",
                Actor(PLATFORM, str(message.author.id), message.author.display_name),
                Place(PLATFORM, str(channel.parent_id), thread_id=str(channel.id)),
                event_id=f"message:{message.id}",
                source_url=message.jump_url,
                source_id=f"{PLATFORM}:{channel.id}:{message.id}",
            )
            replies = await service.dispatch(command)
            caller = Actor(PLATFORM, str(message.author.id))
            await service.poster.post_replies(replies, source=message, caller=caller)
        except Exception:
            log.exception("discord: handling thread reply %s failed", message.id)
