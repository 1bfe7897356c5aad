"""Sending to Discord: `Poster` turns Replies into messages (the deferred interaction response
and follow-ups, channel posts, DMs) and is what the service's Outbound `send` uses.

Every send passes `AllowedMentions.none()`. A channel or person that answers 403 (or 404) is
logged once and skipped for `Poster.pause` seconds instead of being hammered. An embed Discord
refuses (400) goes out again as plain text. A reply with a `post_token` (a prompt) gets a
thread on its message, and the router is told the message id (`Router.posted`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.delivery import DeliveryError
from bot.discord.render import Labels, OutMessage, as_plain, render
from bot.discord.views import build_view
from handlers.command_line import learning_number
from handlers.types import Actor, Reply, Target, Visibility

if TYPE_CHECKING:
    from bot.discord.adapter import DiscordService

log = logging.getLogger(__name__)

PLATFORM = "discord"
NONE = discord.AllowedMentions.none()
HISTORY_LOOKBACK = 100  # recent messages a retry looks through for an effect's nonces
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week

Send = Callable[[OutMessage], Awaitable[Any]]


def nonce_of(key: str, index: int) -> str:
    """The Discord nonce of message `index` of effect part `key` (at most 25 characters).
    Sent with enforce_nonce, so Discord answers a repeat within its window with the message
    it already has instead of posting a second one."""
    return hashlib.sha256(f"{key}|{index}".encode()).hexdigest()[:25]


def _files(paths: tuple[str, ...]) -> list[discord.File]:
    existing = [path for path in paths if os.path.isfile(path)]
    for path in set(paths) - set(existing):
        log.warning("discord: attachment %s does not exist; sent without it", path)
    return [discord.File(path) for path in existing]


def send_kwargs(message: OutMessage, *, editing: bool = False) -> dict[str, Any]:
    """Keyword arguments for a send (or, `editing`, for `edit_original_response`, which
    replaces the 'thinking' and takes files as `attachments`); never any mention."""
    kwargs: dict[str, Any] = {"allowed_mentions": NONE}
    if message.content or editing:
        kwargs["content"] = message.content
    if message.embeds or editing:
        kwargs["embeds"] = [discord.Embed.from_dict(dict(e)) for e in message.embeds]
    view = build_view(message)
    if view is not None or editing:
        kwargs["view"] = view
    files = _files(message.files)
    if files:
        kwargs["attachments" if editing else "files"] = files
    return kwargs


class Poster:
    """Sends rendered replies for the Discord service."""

    pause = 900.0  # seconds a 403/404 target is skipped

    def __init__(self, service: DiscordService) -> None:
        self.service = service
        self._blocked: dict[str, float] = {}
        self._warned: set[str] = set()

    def _client(self, *, ready: bool = False) -> discord.Client:
        """The connected client (`ready`: past the gateway's READY too)."""
        client = self.service.client
        if client is None or (ready and not client.is_ready()):
            raise DeliveryError("discord is not connected")
        return client

    def reachable(self) -> bool:
        """Whether this process can post now: its gateway is connected (a process standing by
        while another holds the gateway cannot)."""
        client = self.service.client
        return client is not None and client.is_ready()

    async def render(self, reply: Reply) -> list[OutMessage]:
        """The reply as Discord messages, with the themes an "add a theme" select offers."""
        t = self.service.t
        wants_themes = learning_number(reply.actions) is not None
        themes = await self.service.router.suggestions.themes() if wants_themes else ()
        return render(reply, themes, Labels(t("discord.theme_placeholder"), t("discord.continued")))

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

    # --- answers to an interaction or an event -----------------------------------------------

    async def answer(
        self,
        interaction: discord.Interaction,
        replies: list[Reply],
        *,
        private: bool,
        original: bool,
    ) -> None:
        """Show replies: the deferred response first (if its visibility fits), then follow-ups;
        a direct reply to the caller goes to their DMs, a reply addressed elsewhere away."""
        t, caller = self.service.t, interaction.user.id
        inline: list[tuple[Reply, bool]] = []  # (reply, only for the caller)
        told = False
        for reply in replies:
            if not await self.service.app.delivery.still_allowed(reply):
                continue  # checked at delivery: what it shows may no longer be shown
            if reply.visibility is Visibility.DIRECT and _to_caller(reply, caller):
                if not await self._try(self.to_user(caller, reply)):
                    inline += [(Reply(t("discord.direct_failed")), True), (reply, True)]
                elif not told:
                    inline.append((Reply(t("discord.sent_direct")), True))
                    told = True
            elif reply.to is not None:
                await self.deliver(reply)
            else:
                inline.append((reply, reply.visibility is Visibility.ONLY_CALLER))
        if not inline and original:
            inline.append((Reply(t("discord.done")), True))
        pending = original  # the deferred response still waits for its content
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
            return await interaction.edit_original_response(**send_kwargs(message, editing=True))

        return edit

    @staticmethod
    def _followup(interaction: discord.Interaction, ephemeral: bool) -> Send:
        async def follow(message: OutMessage) -> Any:
            kwargs = send_kwargs(message)
            return await interaction.followup.send(**kwargs, ephemeral=ephemeral, wait=True)

        return follow

    async def post_replies(
        self, replies: list[Reply], *, source: discord.Message, caller: Actor
    ) -> None:
        """Replies to an event without an interaction (💡, thread reply): channel replies answer
        the source message, caller-only ones become a DM to the caller."""
        for reply in replies:
            if not await self.service.app.delivery.still_allowed(reply):
                continue  # checked at delivery: what it shows may no longer be shown
            if reply.to is not None and not _to_caller(reply, int(caller.user_id)):
                await self.deliver(reply)
            elif reply.visibility in (Visibility.ONLY_CALLER, Visibility.DIRECT):
                await self._try(self.to_user(int(caller.user_id), reply))
            else:
                reference = source.to_reference(fail_if_not_exists=False)
                await self._try(self.to_channel(source.channel.id, reply, reference=reference))

    async def deliver(self, reply: Reply) -> None:
        """A reply addressed elsewhere (any platform), through the delivery registry; the
        router is told where it was posted (`Reply.post_token`)."""
        if reply.to is None:
            return
        try:
            message_id = await self.service.app.delivery.send(reply.to, reply)
        except (DeliveryError, discord.HTTPException) as error:
            log.info("discord: not delivered to %s: %s", reply.to, error)
            return
        await self.service.router.posted(reply, message_id)

    async def _try(self, sending: Awaitable[Any]) -> bool:
        try:
            await sending
            return True
        except (DeliveryError, discord.HTTPException) as error:
            log.info("discord: not delivered: %s", error)
            return False

    # --- posts and DMs (the Outbound) ----------------------------------------------------------

    async def send(self, target: Target, reply: Reply) -> str | None:
        """Post a reply to a channel or DM a person (scheduled jobs, cross-channel replies)."""
        first, _ = await self.send_once(target, reply, "")
        return first

    async def send_once(
        self, target: Target, reply: Reply, key: str, *, check: bool = False
    ) -> tuple[str | None, bool]:
        """Post; with an effect `key`, every message carries a nonce derived from it
        (enforce_nonce), and with `check` (a retry) the channel's recent history is searched
        for those nonces first and only what is not there is posted. Returns the first
        message's id and whether any had arrived."""
        self._client(ready=True)
        try:
            if target.channel_id:
                channel_id, block_key = int(target.channel_id), ""
            elif target.user_id:
                channel_id = await self._dm_channel(int(target.user_id))
                block_key = f"user:{target.user_id}"
            else:
                raise DeliveryError(f"no channel or user in {target}")
            arrived = await self._arrived(channel_id, key) if key and check else {}
            first = await self.to_channel(
                channel_id, reply, key=block_key, once=key, arrived=arrived, thread=not block_key
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
        client = self._client()
        wanted = {nonce_of(key, index): index for index in range(10)}
        channel = client.get_channel(channel_id) or client.get_partial_messageable(channel_id)
        found: dict[int, str] = {}
        try:
            async for message in channel.history(limit=HISTORY_LOOKBACK):  # type: ignore[union-attr]
                index = wanted.get(str(message.nonce)) if message.nonce is not None else None
                if index is not None and client.user and message.author.id == client.user.id:
                    found.setdefault(index, str(message.id))
        except discord.Forbidden as error:  # no Read Message History: the nonce alone guards
            log.info("discord: cannot read channel %s to check %s (%s)", channel_id, key, error)
        return found

    def _check(self, key: str) -> None:
        until = self._blocked.get(key)
        if until is not None and until > time.monotonic():
            raise DeliveryError(f"discord {key} is skipped after a refusal")

    def _block(self, key: str, error: discord.HTTPException) -> DeliveryError:
        """Skip `key` for a while (said once in the log); the error to raise."""
        if key not in self._warned:
            self._warned.add(key)
            log.warning(
                "discord: %s answered %s (%s); skipping it for %.0f minutes",
                *(key, error.status, error.text or "forbidden", self.pause / 60),
            )
        self._blocked[key] = time.monotonic() + self.pause
        return DeliveryError(f"discord {key} refused: {error.status}")

    async def to_channel(
        self,
        channel_id: int,
        reply: Reply,
        *,
        reference: Any = None,
        key: str = "",
        once: str = "",
        arrived: dict[int, str] | None = None,
        thread: bool = False,
    ) -> str | None:
        """Post a reply in a channel (or DM channel); returns the first message's id. With
        `thread`, a reply with a `post_token` gets a thread on its message. With `once` (an
        effect's key), every message carries its nonce; those in `arrived` are not posted
        again."""
        arrived = arrived or {}
        key = key or f"channel:{channel_id}"
        self._check(key)
        client = self._client()
        channel: Any = client.get_channel(channel_id) or client.get_partial_messageable(channel_id)
        first: str | None = None
        for index, message in enumerate(await self.render(reply)):
            if index in arrived:
                first = first or arrived[index]
                continue
            extra: dict[str, Any] = {}
            if reference is not None and first is None:
                extra.update(reference=reference, mention_author=False)
            if once:
                extra["nonce"] = nonce_of(once, index)

            async def post(part: OutMessage, extra: dict[str, Any] = extra) -> Any:
                sent = await channel.send(**send_kwargs(part), **extra)
                extra.pop("nonce", None)  # a plain-text fallback's later parts are new messages
                return sent

            try:
                sent = await self._safely(post, message)
            except (discord.Forbidden, discord.NotFound) as error:
                raise self._block(key, error) from error
            if first is None and sent is not None:
                first = str(sent.id)
                if thread and reply.post_token:
                    await self._thread(sent, reply.title or reply.text)
        return first

    async def _thread(self, message: discord.Message, name: str) -> None:
        """A thread on a posted prompt: replies there become answers."""
        try:
            await message.create_thread(
                name=name[:100], auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except (discord.HTTPException, ValueError) as error:
            log.info("discord: no thread on message %s: %s", message.id, error)

    async def to_user(self, user_id: int, reply: Reply) -> str | None:
        """DM a person."""
        channel_id = await self._dm_channel(user_id)
        return await self.to_channel(channel_id, reply, key=f"user:{user_id}")

    async def _dm_channel(self, user_id: int) -> int:
        """The DM channel with a person (opened once; discord.py remembers it)."""
        key = f"user:{user_id}"
        self._check(key)
        try:
            channel = await self._client().create_dm(discord.Object(user_id))
        except (discord.Forbidden, discord.NotFound) as error:
            raise self._block(key, error) from error
        return channel.id


def _to_caller(reply: Reply, caller: int) -> bool:
    """Whether a reply is for the caller themselves (addressed to nobody else)."""
    to = reply.to
    return to is None or (to.platform == PLATFORM and to.user_id == str(caller))
