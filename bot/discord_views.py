"""Discord components and sending: persistent buttons and the "add a theme" select, the capture
modal, and `Poster`, which turns Replies into messages (interaction responses, posts, DMs).

Buttons and selects are `DynamicItem`s: their custom id carries everything needed to act
(`samen:intrekken:12`, `samen-thema:12`), and the classes are registered on the client at
start-up, so a button on a message posted before a restart still works; nothing is kept per
message. Pressing one runs the command as the presser, through the adapter's runner.

The modal of `/samen inzicht` without text is answered by the adapter's interaction listener
(by its custom id prefix), not by the view store, so a submit also counts after a restart.

Every send passes `AllowedMentions.none()`. A channel or person that answers 403 (or 404) is
logged once and skipped for `Poster.pause` seconds instead of being hammered.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from bot.delivery import DeliveryError
from bot.render.discord import (
    BUTTON_PREFIX,
    MAX_ROW_BUTTONS,
    THEME_SELECT_PREFIX,
    ButtonSpec,
    Labels,
    OutMessage,
    SelectSpec,
    as_plain,
    learning_number,
    render,
)
from handlers.types import Actor, Reply, Visibility

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()

MODAL_PREFIX = "samen-modal:"
MODAL_COMMANDS = ("inzicht", "antwoord")  # the commands a modal can complete
MODAL_TEXT = "tekst"
MODAL_THEMES = "themas"
MODAL_TIMEOUT = 900.0
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}


class ComponentRunner(Protocol):
    """The adapter side of a pressed button or chosen option."""

    async def run_component(
        self, interaction: discord.Interaction, command: str, args: str
    ) -> None: ...


def _runner(interaction: discord.Interaction) -> ComponentRunner | None:
    return getattr(interaction.client, "runner", None)


class SamenButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.escape(BUTTON_PREFIX) + r"(?P<command>[a-z0-9-]{1,32}):(?P<args>[^\n]*)",
):
    """A button that runs `/samen <command> <args>` as whoever presses it."""

    def __init__(
        self,
        command: str,
        args: str,
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        row: int | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"{BUTTON_PREFIX}{command}:{args}", row=row
            )
        )
        self.command = command
        self.args = args

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> SamenButton:
        return cls(match["command"], match["args"], label=item.label or "…", style=item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        runner = _runner(interaction)
        if runner is not None:
            await runner.run_component(interaction, self.command, self.args)


class ThemeSelect(
    discord.ui.DynamicItem[discord.ui.Select],
    template=re.escape(THEME_SELECT_PREFIX) + r"(?P<number>\d{1,12})",
):
    """A select adding the chosen themes to learning N (`/samen tag N #a #b`)."""

    def __init__(
        self,
        number: str,
        options: list[discord.SelectOption],
        *,
        placeholder: str | None = None,
        row: int | None = None,
    ) -> None:
        options = options or [discord.SelectOption(label="…", value="…")]
        super().__init__(
            discord.ui.Select(
                custom_id=f"{THEME_SELECT_PREFIX}{number}",
                placeholder=placeholder,
                options=options,
                min_values=1,
                max_values=len(options),
                row=row,
            )
        )
        self.number = number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /
    ) -> ThemeSelect:
        return cls(match["number"], list(item.options), placeholder=item.placeholder)

    async def callback(self, interaction: discord.Interaction) -> None:
        runner = _runner(interaction)
        chosen = [value for value in self.item.values if value and value != "…"]
        if runner is not None and chosen:
            tags = " ".join(f"#{value}" for value in chosen)
            await runner.run_component(interaction, "tag", f"{self.number} {tags}")


DYNAMIC_ITEMS = (SamenButton, ThemeSelect)


def _button(spec: ButtonSpec, row: int) -> SamenButton:
    command, _, args = spec.custom_id[len(BUTTON_PREFIX) :].partition(":")
    return SamenButton(
        command,
        args,
        label=spec.label,
        style=STYLES.get(spec.style, discord.ButtonStyle.secondary),
        row=row,
    )


def _select(spec: SelectSpec, row: int) -> ThemeSelect:
    number = spec.custom_id[len(THEME_SELECT_PREFIX) :]
    options = [discord.SelectOption(label=label, value=value) for label, value in spec.options]
    return ThemeSelect(number, options, placeholder=spec.placeholder, row=row)


def build_view(message: OutMessage) -> discord.ui.View | None:
    """A persistent view (no timeout) for a rendered message's buttons and selects."""
    if not message.buttons and not message.selects:
        return None
    view = discord.ui.View(timeout=None)
    for index, spec in enumerate(message.buttons):
        view.add_item(_button(spec, index // MAX_ROW_BUTTONS))
    first_free = -(-len(message.buttons) // MAX_ROW_BUTTONS)
    for offset, select in enumerate(message.selects):
        view.add_item(_select(select, first_free + offset))
    return view


@dataclass(frozen=True, slots=True)
class ModalLabels:
    """The words of the capture modal (translated by the adapter)."""

    title: str = "Nieuw inzicht"
    text: str = "Wat heb je geleerd?"
    text_hint: str = "Schrijf het zo dat een andere proeftuin er iets aan heeft."
    themes: str = "Thema's (optioneel)"
    themes_hint: str = "#wonen #energie"


class CaptureModal(discord.ui.Modal):
    """A form for a learning's text and themes: `/samen inzicht` without text, or the answer
    button under a prompt (`antwoord N`). The custom id carries the command and its number."""

    def __init__(
        self, labels: ModalLabels, nonce: str, command: str = "inzicht", args: str = ""
    ) -> None:
        custom_id = f"{MODAL_PREFIX}{command}:{args}:{nonce}"
        super().__init__(title=labels.title[:45], custom_id=custom_id, timeout=MODAL_TIMEOUT)
        self.add_item(
            discord.ui.TextInput(
                label=labels.text[:45],
                custom_id=MODAL_TEXT,
                style=discord.TextStyle.paragraph,
                placeholder=labels.text_hint[:100],
                max_length=4000,
                required=True,
            )
        )
        self.add_item(
            discord.ui.TextInput(
                label=labels.themes[:45],
                custom_id=MODAL_THEMES,
                placeholder=labels.themes_hint[:100],
                max_length=300,
                required=False,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Answered by the adapter's interaction listener (works after a restart too)."""


def is_capture_modal(interaction: discord.Interaction) -> bool:
    data: Any = interaction.data or {}
    return interaction.type is discord.InteractionType.modal_submit and str(
        data.get("custom_id", "")
    ).startswith(MODAL_PREFIX)


def modal_values(data: Any) -> dict[str, str]:
    """custom_id -> value of every text input in a modal submit (action rows or labels)."""
    values: dict[str, str] = {}

    def walk(items: Any) -> None:
        for item in items or ():
            if not isinstance(item, dict):
                continue
            if "custom_id" in item and "value" in item:
                values[str(item["custom_id"])] = str(item["value"] or "")
            walk(item.get("components"))
            if isinstance(item.get("component"), dict):
                walk([item["component"]])

    walk((data or {}).get("components"))
    return values


def modal_line(data: Any) -> str:
    """The command line a submitted modal stands for: `inzicht <text> #themes` or
    `antwoord N <text> #themes`."""
    custom_id = str((data or {}).get("custom_id", ""))
    command, _, rest = custom_id[len(MODAL_PREFIX) :].partition(":")
    args = rest.partition(":")[0] if command in MODAL_COMMANDS else ""
    command = command if command in MODAL_COMMANDS else "inzicht"
    values = modal_values(data)
    text = values.get(MODAL_TEXT, "").strip()
    themes = " ".join(
        w if w.startswith("#") else f"#{w}" for w in values.get(MODAL_THEMES, "").split()
    )
    return " ".join(part for part in (command, args, text, themes) if part)


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
        await self.service.delivered(reply, message_id)

    async def _try(self, sending: Awaitable[Any]) -> bool:
        try:
            await sending
            return True
        except (DeliveryError, discord.HTTPException) as error:
            log.info("discord: not delivered: %s", error)
            return False

    # --- posts and DMs ---------------------------------------------------------------------

    async def post_replies(
        self, replies: list[Reply], *, source: discord.Message, caller: Actor
    ) -> None:
        """Replies to an event without an interaction (💡, thread reply): channel replies answer
        the source message, caller-only ones become a DM to the caller."""
        for reply in replies:
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
    ) -> str | None:
        """Post a reply in a channel (or DM channel); returns the first message's id. With
        `thread_name`, a thread is started on that message (answers to a prompt go there)."""
        key = key or f"channel:{channel_id}"
        self._check(key)
        client = self.service.client
        if client is None:
            raise DeliveryError("discord is not connected")
        channel = client.get_channel(channel_id) or client.get_partial_messageable(channel_id)
        first: str | None = None
        for message in await self.render(reply):
            ref = reference if first is None else None

            async def post(part: OutMessage, ref: Any = ref) -> Any:
                extra = {"reference": ref, "mention_author": False} if ref is not None else {}
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
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            try:
                data = await client.http.start_private_message(user_id)
            except (discord.Forbidden, discord.NotFound) as error:
                self._block(key, error)
                raise DeliveryError(f"discord {key} refused: {error.status}") from error
            channel_id = self._dm_channels[user_id] = int(data["id"])
        return await self.to_channel(channel_id, reply, key=key)
