"""Sending to Discord: `Poster` turns Replies into messages (the deferred interaction response
and follow-ups, channel posts, DMs) and is what the service's Outbound `send` uses.

Every send passes `AllowedMentions.none()`. A channel or person that answers 403 (or 404) is
logged once and skipped for `Poster.pause` seconds instead of being hammered. An embed Discord
refuses (400) goes out again as plain text. A posted prompt gets a thread, and its message is
remembered so replies there become answers (see `bot.discord.capture`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.delivery import DeliveryError
from bot.discord.render import Labels, OutMessage, as_plain, learning_number, render
from bot.discord.views import build_view
from handlers.prompts import prompt_of
from handlers.types import Actor, Reply, Visibility
from storage import prompts

log = logging.getLogger(__name__)

PLATFORM = "discord"
NONE = discord.AllowedMentions.none()
HISTORY_LOOKBACK = 100  # recent messages a retry looks through for an effect's nonces


def nonce_of(key: str, index: int) -> str:
    """The Discord nonce of message `index` of effect part `key` (at most 25 characters).
    Sent with enforce_nonce, so Discord answers a repeat within its window with the message
    it already has instead of posting a second one."""
    return hashlib.sha256(f"{key}|{index}".encode()).hexdigest()[:25]


def _files(paths: tuple[str, ...]) -> list[discord.File]:
    files = []
    for path in paths:
        if os.path.isfile(path):
            files.append(discord.File(path))
        else:
            log.warning("discord: attachment %s does not exist; sent without it", path)
    return files


def send_kwargs(message: OutMessage) -> dict[str, Any]:
    """Keyword arguments for `Messageable.send` / `Webhook.send` (never any mention)."""
    kwargs: dict[str, Any] = {"allowed_mentions": NONE}
    if message.content:
        kwargs["content"] = message.content
    if message.embeds:
        kwargs["embeds"] = [discord.Embed.from_dict(dict(e)) for e in message.embeds]
    view = build_view(message)
    if view is not None:
        kwargs["view"] = view
    files = _files(message.files)
    if files:
        kwargs["files"] = files
    return kwargs


def edit_kwargs(message: OutMessage) -> dict[str, Any]:
    """Keyword arguments for `Interaction.edit_original_response` (replacing the 'thinking')."""
    kwargs: dict[str, Any] = {
        "allowed_mentions": NONE,
        "content": message.content,
        "embeds": [discord.Embed.from_dict(dict(e)) for e in message.embeds],
        "view": build_view(message),
    }
    files = _files(message.files)
    if files:
        kwargs["attachments"] = files
    return kwargs


Send = Callable[[OutMessage], Awaitable[Any]]


class Poster:
    """Sends rendered replies for the Discord service."""

    pause = 900.0  # seconds a 403/404 target is skipped

    def __init__(self, service: Any) -> None:
        self.service = service
        self._blocked: dict[str, float] = {}
        self._warned: set[str] = set()
        self._dm_channels: dict[int, int] = {}

    @property
    def t(self) -> Any:
        return self.service.t

    async def render(self, reply: Reply) -> list[OutMessage]:
        themes = await self.service.suggestions.themes() if learning_number(reply.actions) else ()
        labels = Labels(self.t("discord.theme_placeholder"), self.t("discord.continued"))
        return render(reply, themes, labels)

    async def _safely(self, send: Send, message: OutMessage) -> Any:
        """Send; if Discord refuses an embed (400), send the same as plain text instead."""
        try:
            return await send(message)
        except discord.HTTPException as error:
            if error.status != 400 or not message.embeds:
                raise
            log.warning("discord: embed refused (%s); sending plain text", error.text)
            sent = None
            for part in as_plain(message):
                sent = sent or await send(part)
            return sent

    # --- interaction responses -------------------------------------------------------------

    async def answer(
        self,
        interaction: discord.Interaction,
        replies: list[Reply],
        *,
        private: bool,
        original: bool,
    ) -> None:
        """Show replies: the deferred response first (if its visibility fits), then follow-ups."""
        caller = str(interaction.user.id)
        inline: list[tuple[Reply, bool]] = []
        told = False
        for reply in replies:
            if not await self.service.app.delivery.still_allowed(reply):
                continue  # checked at delivery: what it shows may no longer be shown
            to = reply.to
            direct_to_caller = reply.visibility is Visibility.DIRECT and (
                to is None or (to.platform == "discord" and to.user_id == caller)
            )
            if direct_to_caller:
                if await self._try(self.to_user(int(caller), reply)):
                    if not told:
                        inline.append((Reply(self.t("discord.sent_direct")), True))
                        told = True
                else:
                    inline.append((Reply(self.t("discord.direct_failed")), True))
                    inline.append((reply, True))
            elif to is not None:
                await self.deliver(reply)
            else:
                inline.append((reply, reply.visibility is Visibility.ONLY_CALLER))
        if not inline and original:
            inline.append((Reply(self.t("discord.done")), True))
        pending = original
        for reply, is_private in inline:
            for message in await self.render(reply):
                if pending:
                    pending = False
                    if is_private == private:
                        await self._safely(self._edit(interaction), message)
                        continue
                    with contextlib.suppress(discord.HTTPException):
                        await interaction.delete_original_response()
                await self._safely(self._followup(interaction, is_private), message)

    @staticmethod
    def _edit(interaction: discord.Interaction) -> Send:
        async def edit(message: OutMessage) -> Any:
            return await interaction.edit_original_response(**edit_kwargs(message))

        return edit

    @staticmethod
    def _followup(interaction: discord.Interaction, ephemeral: bool) -> Send:
        async def follow(message: OutMessage) -> Any:
            kwargs = send_kwargs(message)
            return await interaction.followup.send(**kwargs, ephemeral=ephemeral, wait=True)

        return follow

    async def deliver(self, reply: Reply) -> None:
        """A reply addressed elsewhere (any platform), through the delivery registry."""
        try:
            message_id = await self.service.app.delivery.send(reply.to, reply)
        except (DeliveryError, discord.HTTPException) as error:
            log.info("discord: not delivered to %s: %s", reply.to, error)
            return
        await self.delivered(reply, message_id)

    async def delivered(self, reply: Reply, message_id: str | None) -> None:
        """After a reply went to a channel: remember a posted prompt's message, so replies in
        its thread become answers (`storage.prompts.record_prompt_post`)."""
        prompt_id = prompt_of(reply)
        if prompt_id is None or not message_id or reply.to is None or not reply.to.channel_id:
            return
        async with self.service.app.database.unit_of_work() as session:
            await prompts.record_prompt_post(
                session, prompt_id, reply.to.platform, reply.to.channel_id, message_id
            )

    async def _try(self, sending: Awaitable[Any]) -> bool:
        try:
            await sending
            return True
        except (DeliveryError, discord.HTTPException) as error:
            log.info("discord: not delivered: %s", error)
            return False

    # --- posts and DMs ---------------------------------------------------------------------

    async def send(self, target: Any, reply: Reply) -> str | None:
        """Post a reply to a channel or DM a person (scheduled jobs, cross-channel replies)."""
        client = self.service.client
        if client is None or not client.is_ready():
            raise DeliveryError("discord is not connected")
        try:
            if target.channel_id:
                prompt_id = prompt_of(reply)
                name = self.t("discord.prompt_thread", number=prompt_id) if prompt_id else ""
                return await self.to_channel(int(target.channel_id), reply, thread_name=name)
            if target.user_id:
                return await self.to_user(int(target.user_id), reply)
        except ValueError as error:
            raise DeliveryError(f"not a Discord id: {target}") from error
        except discord.HTTPException as error:
            raise DeliveryError(f"discord refused {target}: {error.status}") from error
        raise DeliveryError(f"no channel or user in {target}")

    async def send_once(
        self, target: Any, reply: Reply, key: str, *, check: bool = False
    ) -> tuple[str | None, bool]:
        """Post with a nonce derived from the effect `key` per message (enforce_nonce); with
        `check` (a retry), first look for those nonces in the channel's recent history and post
        only what is not there. Returns the first message's id and whether any had arrived."""
        client = self.service.client
        if client is None or not client.is_ready():
            raise DeliveryError("discord is not connected")
        try:
            if target.channel_id:
                channel_id = int(target.channel_id)
                prompt_id = prompt_of(reply)
                name = self.t("discord.prompt_thread", number=prompt_id) if prompt_id else ""
            elif target.user_id:
                channel_id = await self._dm_channel(int(target.user_id))
                name = ""
            else:
                raise DeliveryError(f"no channel or user in {target}")
            arrived = await self._arrived(channel_id, key) if check else {}
            key_name = "" if target.channel_id else f"user:{target.user_id}"
            first = await self.to_channel(
                channel_id, reply, thread_name=name, key=key_name, once=key, arrived=arrived
            )
            return first, bool(arrived)
        except ValueError as error:
            raise DeliveryError(f"not a Discord id: {target}") from error
        except discord.HTTPException as error:
            raise DeliveryError(f"discord refused {target}: {error.status}") from error

    async def _arrived(self, channel_id: int, key: str) -> dict[int, str]:
        """Messages of effect part `key` among the channel's recent ones: {index: id}. Discord
        keeps a nonce only for a short while; the fakes (and Discord, where it still returns
        it) show it in the history, else enforce_nonce is what prevents a repeat."""
        client = self.service.client
        wanted = {nonce_of(key, index): index for index in range(10)}
        channel = client.get_channel(channel_id) or client.get_partial_messageable(channel_id)
        found: dict[int, str] = {}
        try:
            async for message in channel.history(limit=HISTORY_LOOKBACK):
                index = wanted.get(str(message.nonce)) if message.nonce is not None else None
                if index is not None and message.author.id == client.user.id:
                    found.setdefault(index, str(message.id))
        except discord.Forbidden as error:  # no Read Message History: the nonce alone guards
            log.info("discord: cannot read channel %s to check %s (%s)", channel_id, key, error)
        return found

    async def post_replies(
        self, replies: list[Reply], *, source: discord.Message, caller: Actor
    ) -> None:
        """Replies to an event without an interaction (💡, thread reply): channel replies answer
        the source message, caller-only ones become a DM to the caller."""
        for reply in replies:
            if not await self.service.app.delivery.still_allowed(reply):
                continue  # checked at delivery: what it shows may no longer be shown
            to = reply.to
            if to is not None and not (to.platform == "discord" and to.user_id == caller.user_id):
                await self.deliver(reply)
            elif reply.visibility in (Visibility.ONLY_CALLER, Visibility.DIRECT):
                await self._try(self.to_user(int(caller.user_id), reply))
            else:
                reference = source.to_reference(fail_if_not_exists=False)
                await self._try(self.to_channel(source.channel.id, reply, reference=reference))

    def _check(self, key: str) -> None:
        until = self._blocked.get(key)
        if until is not None and until > time.monotonic():
            raise DeliveryError(f"discord {key} is skipped after a refusal")

    def _block(self, key: str, error: discord.HTTPException) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(
                "discord: %s answered %s (%s); skipping it for %.0f minutes",
                key,
                error.status,
                error.text or "forbidden",
                self.pause / 60,
            )
        self._blocked[key] = time.monotonic() + self.pause

    async def to_channel(
        self,
        channel_id: int,
        reply: Reply,
        *,
        reference: Any = None,
        key: str = "",
        thread_name: str = "",
        once: str = "",
        arrived: dict[int, str] | None = None,
    ) -> str | None:
        """Post a reply in a channel (or DM channel); returns the first message's id. With
        `thread_name`, a thread is started on that message (answers to a prompt go there).
        With `once` (an effect's key), every message carries its nonce; those in `arrived`
        are not posted again."""
        arrived = arrived or {}
        key = key or f"channel:{channel_id}"
        self._check(key)
        client = self.service.client
        if client is None:
            raise DeliveryError("discord is not connected")
        channel = client.get_channel(channel_id) or client.get_partial_messageable(channel_id)
        first: str | None = None
        for index, message in enumerate(await self.render(reply)):
            if index in arrived:
                first = first or arrived[index]
                continue
            ref = reference if first is None else None
            nonce = nonce_of(once, index) if once else None

            async def post(part: OutMessage, ref: Any = ref, nonce: str | None = nonce) -> Any:
                extra: dict[str, Any] = (
                    {"reference": ref, "mention_author": False} if ref is not None else {}
                )
                if nonce is not None:
                    extra["nonce"] = nonce
                    nonce = None  # a plain-text fallback's later parts are new messages
                return await channel.send(**send_kwargs(part), **extra)

            try:
                sent = await self._safely(post, message)
            except (discord.Forbidden, discord.NotFound) as error:
                self._block(key, error)
                raise DeliveryError(f"discord {key} refused: {error.status}") from error
            if first is None and sent is not None:
                first = str(sent.id)
                if thread_name:
                    await self._thread(sent, thread_name)
        return first

    async def _thread(self, message: discord.Message, name: str) -> None:
        try:
            await message.create_thread(name=name[:100], auto_archive_duration=10080)
        except (discord.HTTPException, ValueError) as error:
            log.info("discord: no thread on message %s: %s", message.id, error)

    async def to_user(self, user_id: int, reply: Reply) -> str | None:
        """DM a person (the DM channel is opened once and remembered)."""
        key = f"user:{user_id}"
        self._check(key)
        client = self.service.client
        if client is None:
            raise DeliveryError("discord is not connected")
        channel_id = await self._dm_channel(user_id)
        return await self.to_channel(channel_id, reply, key=key)

    async def _dm_channel(self, user_id: int) -> int:
        """The DM channel with a person (opened once and remembered)."""
        key = f"user:{user_id}"
        self._check(key)
        client = self.service.client
        if client is None:
            raise DeliveryError("discord is not connected")
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            try:
                data = await client.http.start_private_message(user_id)
            except (discord.Forbidden, discord.NotFound) as error:
                self._block(key, error)
                raise DeliveryError(f"discord {key} refused: {error.status}") from error
            channel_id = self._dm_channels[user_id] = int(data["id"])
        return channel_id
