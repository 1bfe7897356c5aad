"""Discord components: persistent buttons, the "add a theme" select, and the text form.

Buttons and selects are `DynamicItem`s: their custom id carries everything needed to act
(`samen:intrekken:12`, `samen-thema:12`) and the classes are registered on the client at
start-up, so a button posted before a restart still works; nothing is kept per message.
Pressing one runs the command as the presser, through the adapter. A submitted form is
answered by the adapter's interaction listener (by its custom id prefix), not by the view
store, so a submit also counts after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.discord.render import (
    BUTTON_PREFIX,
    MAX_ROW_BUTTONS,
    THEME_SELECT_PREFIX,
    ButtonSpec,
    OutMessage,
    SelectSpec,
)
from handlers import limits
from handlers.command_line import ADD_THEME, CAPTURE, add_theme_args, form_for, tagged

if TYPE_CHECKING:
    from bot.discord.interactions import Interactions

MODAL_PREFIX = "samen-modal:"
MODAL_TEXT = "tekst"
MODAL_THEMES = "themas"
MODAL_TIMEOUT = 900.0


def _runner(interaction: discord.Interaction) -> Interactions | None:
    """The adapter's interaction flows, which run a pressed button's command."""
    return getattr(interaction.client, "runner", None)


class SamenButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.escape(BUTTON_PREFIX) + r"(?P<command>[a-z0-9-]{1,32}):(?P<args>[^\n]*)",
):
    """A button that runs `/samen <command> <args>`, read from its custom id, as whoever
    presses it."""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SamenButton:
        return cls(cast("discord.ui.Button[Any]", item))  # the template only matches ours

    async def callback(self, interaction: discord.Interaction) -> None:
        command, _, args = self.custom_id[len(BUTTON_PREFIX) :].partition(":")
        runner = _runner(interaction)
        if runner is not None:
            await runner.run_component(interaction, command, args)


class ThemeSelect(
    discord.ui.DynamicItem[discord.ui.Select],
    template=re.escape(THEME_SELECT_PREFIX) + r"(?P<number>\d{1,12})",
):
    """A select adding the chosen themes to learning N (`/samen tag N #a #b`), N read from
    its custom id."""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ThemeSelect:
        return cls(cast("discord.ui.Select[Any]", item))  # the template only matches ours

    async def callback(self, interaction: discord.Interaction) -> None:
        number = self.custom_id[len(THEME_SELECT_PREFIX) :]
        chosen = [value for value in self.item.values if value]
        runner = _runner(interaction)
        if runner is not None and chosen:
            args = add_theme_args(number, " ".join(chosen))
            await runner.run_component(interaction, ADD_THEME, args)


DYNAMIC_ITEMS = (SamenButton, ThemeSelect)


def _button(spec: ButtonSpec, row: int) -> SamenButton:
    style = discord.ButtonStyle[spec.style]  # primary | secondary | success | danger
    return SamenButton(
        discord.ui.Button(label=spec.label, style=style, custom_id=spec.custom_id, row=row)
    )


def _select(spec: SelectSpec, row: int) -> ThemeSelect:
    options = [discord.SelectOption(label=label, value=value) for label, value in spec.options]
    select = discord.ui.Select[Any](
        custom_id=spec.custom_id,
        placeholder=spec.placeholder,
        options=options,
        max_values=len(options),
        row=row,
    )
    return ThemeSelect(select)


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


class CaptureModal(discord.ui.Modal):
    """A form for a long text and its themes (`needs_text_form`): `/samen inzicht` without
    text, or the answer button under a prompt (`antwoord N`). Its custom id carries the
    sub-command and the arguments given so far; the adapter's interaction listener answers
    the submit (by the id's prefix), so a submit counts after a restart too."""

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Answered by the adapter's interaction listener."""


def capture_modal(t: Callable[..., str], nonce: str, command: str, args: str) -> CaptureModal:
    """The form for `command` given `args` (a number: the form of an answer to it)."""
    args = args.strip()
    title = t("discord.modal.answer_title", number=args) if args else t("discord.modal.title")
    modal = CaptureModal(
        title=title[:45], custom_id=f"{MODAL_PREFIX}{command}:{args}:{nonce}", timeout=MODAL_TIMEOUT
    )
    text = discord.ui.TextInput[CaptureModal](
        label=t("discord.modal.text")[:45],
        custom_id=MODAL_TEXT,
        style=discord.TextStyle.paragraph,
        placeholder=t("discord.modal.text_hint")[:100],
        max_length=limits.LEARNING_TEXT,
    )
    themes = discord.ui.TextInput[CaptureModal](
        label=t("discord.modal.themes")[:45],
        custom_id=MODAL_THEMES,
        placeholder=t("discord.modal.themes_hint")[:100],
        max_length=300,
        required=False,
    )
    modal.add_item(text)
    modal.add_item(themes)
    return modal


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
    """The command line a submitted form stands for: its sub-command and arguments with the
    text and the themes filled in (`inzicht <text> #themes`, `antwoord N <text> #themes`)."""
    custom_id = str((data or {}).get("custom_id", ""))
    command, _, rest = custom_id[len(MODAL_PREFIX) :].partition(":")
    args = rest.partition(":")[0]
    if form_for(command, args) is None:  # not a form we open: a plain capture
        command, args = CAPTURE, ""
    values = modal_values(data)
    text = values.get(MODAL_TEXT, "").strip()
    themes = tagged(values.get(MODAL_THEMES, ""))
    return " ".join(part for part in (command, args, text, themes) if part)
