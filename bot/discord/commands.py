"""The `/samen` application-command group, generated from the declarations in
`handlers.registry`: one sub-command per declared sub-command, one typed option per declared
parameter. The values a person fills in become the canonical line the router reads
(`handlers.command_line.line_for`), so a new declaration needs no Discord code.

Descriptions come from the catalog (`usage.<name>`, the part after the colon; the options'
`discord.option.*`) in the programme language, the other language as Discord localisations
(`CatalogTranslator`). Command and option names stay Dutch, as in the contract.

The tree is synced to `DISCORD_GUILD_ID` (or globally without one) only when its translated
payload changed: its SHA-256 is kept in a small state file.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str

from bot.discord.outbound import PLATFORM
from bot.discord.render import cut
from handlers import registry
from handlers.command_line import form_text, line_for, tagged
from handlers.edge import Suggestions
from handlers.i18n import catalog
from handlers.registry import Kind, Param, Spec

if TYPE_CHECKING:
    from bot.discord.interactions import Interactions as Runner  # what the commands call

log = logging.getLogger(__name__)

GROUP = "samen"
MAX_SUBCOMMANDS = 25  # Discord's limit of entries under one command or group
MAX_CHOICES = 25
MAX_CHOICE_TEXT = 100
CATCH_ALL = "meer"
CATCH_ALL_LINE = Param("regel", Kind.TEXT, max_length=4000)  # `/samen meer regel:…`
CHOSEN = (Kind.RING, Kind.CHOICE)  # offered as Discord choices
LOCALES = {
    discord.Locale.american_english: "en",
    discord.Locale.british_english: "en",
    discord.Locale.dutch: "nl",
}

Complete = Callable[[discord.Interaction, str], Coroutine[Any, Any, list[Choice[Any]]]]


# --- texts -------------------------------------------------------------------------------------


def usage_description(usage: str) -> str:
    """`'`/samen inzicht <tekst>`: bewaar een inzicht'` -> `'Bewaar een inzicht'` (≤100)."""
    text = usage.split("`: ", 1)[1] if "`: " in usage else usage.strip("`")
    text = text.strip() or "…"
    return cut(text[0].upper() + text[1:], 100)


def catalog_text(language: str, key: str, part: str = "") -> str | None:
    """A catalog entry as Discord shows it (a usage line as its description), ≤100."""
    text = catalog(language).get(key) or catalog("nl").get(key)
    if text is None:
        return None
    return usage_description(text) if part == "usage" else text[:100]


def _text(language: str, key: str, fallback: str, part: str = "") -> locale_str:
    """A locale_str in the programme language that names its catalog key for the translator."""
    return locale_str(catalog_text(language, key, part) or fallback, key=key, part=part)


class CatalogTranslator(app_commands.Translator):
    """Discord localisations from our catalogs: the language the programme does not default to."""

    def __init__(self, default_language: str) -> None:
        self.default_language = default_language

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = LOCALES.get(locale)
        key = string.extras.get("key")
        if language is None or language == self.default_language or not key:
            return None
        text = catalog_text(language, key, string.extras.get("part", ""))
        if text and context.location is app_commands.TranslationContextLocation.command_name:
            return text[:32]
        return text


# --- options from declared parameters ------------------------------------------------------------


def _required(spec: Spec | None, param: Param) -> bool:
    """Required as declared, except a text a form can ask for (`needs_text_form`, nothing else
    to fill): `/samen inzicht` without text opens the form."""
    by_form = spec is not None and form_text(spec) is param and len(spec.params) == 1
    return param.required and not by_form


def _annotation(param: Param, required: bool) -> Any:
    """The type discord.py reads as the option's: integers, yes/no, or a bounded text."""
    if param.kind is Kind.NUMBER:
        kind: Any = app_commands.Range[int, 1, 999_999_999_999]
    elif param.kind is Kind.FLAG:
        kind = bool
    else:
        kind = app_commands.Range[str, 1, param.max_length or 6000]
    return kind if required else kind | None


def _description(spec: Spec | None, param: Param, language: str) -> locale_str:
    key = f"discord.option.{spec.name if spec else CATCH_ALL}.{param.name}"
    if key not in catalog("nl"):
        key = f"discord.option.{param.name}"
    return _text(language, key, param.name)


def _choices(param: Param, language: str) -> list[Choice[str]]:
    """Rings and choices as Discord choices, labelled from the catalog."""
    prefix = "ring" if param.kind is Kind.RING else "choice"
    return [Choice(name=_text(language, f"{prefix}.{v}", v), value=v) for v in param.choices]


async def suggested(
    param: Param, suggestions: Suggestions, platform: str, channel_id: str, typed: str
) -> list[Choice[Any]]:
    """Autocomplete for a parameter: learnings the channel may see, proeftuinen, themes (for
    several themes the last word is completed and the others kept)."""
    pairs: list[tuple[Any, str]]  # (value, label)
    if param.kind is Kind.NUMBER:
        pairs = await suggestions.learnings(platform, channel_id, typed)
    elif param.kind is Kind.PROEFTUIN:
        wanted = typed.strip().lower()
        pairs = [(n, n) for n in await suggestions.proeftuinen() if wanted in n.lower()]
    else:
        words = typed.split()
        last = "" if typed.endswith(" ") or not words else words.pop().lstrip("#").lower()
        found = [(s, n) for s, n in await suggestions.themes() if last in s or last in n.lower()]
        found.sort(key=lambda item: not item[0].startswith(last))  # prefix matches first
        if param.kind is Kind.THEME:
            pairs = [(s, f"#{s} ({n})") for s, n in found]
        else:
            done = tagged(" ".join(words))
            values = [(f"{done} #{s}".strip(), n) for s, n in found if f"#{s}" not in done.split()]
            pairs = [(v, f"{v} ({n})") for v, n in values if len(v) <= MAX_CHOICE_TEXT]
    return [Choice(name=cut(label, MAX_CHOICE_TEXT), value=value) for value, label in pairs][
        :MAX_CHOICES
    ]


def _completes(param: Param) -> bool:
    if param.kind is Kind.NUMBER:
        return param.refers == "learning"
    return param.kind in (Kind.THEME, Kind.THEMES, Kind.PROEFTUIN)


def _autocomplete(param: Param, runner: Runner) -> Complete:
    async def complete(interaction: discord.Interaction, current: str) -> list[Choice[Any]]:
        channel = interaction.channel
        parent = channel.parent_id if isinstance(channel, discord.Thread) else None
        where = str(parent or interaction.channel_id)
        try:
            return await suggested(param, runner.suggestions, PLATFORM, where, str(current or ""))
        except Exception:
            log.exception("autocomplete for %s failed", param.name)
            return []
        finally:
            runner.answered(interaction)  # discord.py sends the choices right after

    return complete


def _callback(spec: Spec | None, runner: Runner, language: str) -> Callable[..., Any]:
    """A callback whose signature discord.py reads as the sub-command's options (`spec` None:
    the catch-all, which takes a whole line)."""
    params = spec.params if spec else (CATCH_ALL_LINE,)

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        if spec is None:
            word, args = registry.split_line(str(values.get(CATCH_ALL_LINE.name, "")))
            await runner.run_slash(interaction, word, args)
        else:
            await runner.run_slash(interaction, spec.name, line_for(spec, values))

    signature = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for param in sorted(params, key=lambda p: not _required(spec, p)):
        required = _required(spec, param)
        signature.append(
            inspect.Parameter(
                param.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(param, required),
                default=inspect.Parameter.empty if required else None,
            )
        )
    callback.__signature__ = inspect.Signature(signature)  # type: ignore[attr-defined]
    name = spec.name if spec else CATCH_ALL
    callback.__name__ = callback.__qualname__ = f"samen_{name.replace('-', '_')}"
    descriptions = {p.name: _description(spec, p, language) for p in params}
    described: Callable[..., Any] = app_commands.describe(**descriptions)(callback)
    completing: dict[str, Complete] = {
        p.name: _autocomplete(p, runner) for p in params if _completes(p)
    }
    if completing:
        described = app_commands.autocomplete(**completing)(described)
    chosen = {p.name: _choices(p, language) for p in params if p.kind in CHOSEN}
    if chosen:
        described = app_commands.choices(**chosen)(described)
    return described


# --- the tree ------------------------------------------------------------------------------------


def layout() -> dict[str, list[str]]:
    """The tree under `/samen`, from the declarations: `{"": top-level sub-commands, family:
    its sub-commands}`. All flat while they fit in Discord's 25; beyond that every declared
    family becomes a group (`/samen inzichten tag`), so the limit holds 25 families of 25; what
    still does not fit ends in the catch-all `meer`, which takes a whole line."""
    specs = registry.COMMANDS
    if len(specs) <= MAX_SUBCOMMANDS:
        return {"": list(specs)}
    tree: dict[str, list[str]] = {"": []}
    for name in sorted(specs, key=lambda n: (specs[n].leader_only, specs[n].rank)):
        tree.setdefault(specs[name].family, []).append(name)
    for family, members in list(tree.items()):
        if family and len(members) == 1:  # a family of one stays a plain sub-command
            tree[""].append(members[0])
            del tree[family]
        elif family:
            tree[family] = members[:MAX_SUBCOMMANDS]
    groups = [f for f in tree if f]
    if len(tree[""]) + len(groups) > MAX_SUBCOMMANDS:
        room = max(MAX_SUBCOMMANDS - 1 - len(groups), 0)
        tree[""] = [*tree[""][:room], CATCH_ALL]
        for family in groups[MAX_SUBCOMMANDS - 1 :]:
            del tree[family]
    return tree


def subcommand_names() -> list[str]:
    """The entries directly under `/samen`: sub-commands, then groups (see `layout`)."""
    tree = layout()
    return [*tree[""], *(family for family in tree if family)]


def _subcommand(
    name: str, runner: Runner, language: str, parent: app_commands.Group
) -> app_commands.Command[Any, ..., Any]:
    spec = registry.COMMANDS.get(name) if name != CATCH_ALL else None
    if spec is None:
        description = _text(language, "discord.catch_all", name)
    else:
        description = _text(language, spec.usage_key, name, part="usage")
    return app_commands.Command(
        name=name,
        description=description,
        callback=_callback(spec, runner, language),
        parent=parent,
    )


def build_group(runner: Runner, language: str) -> app_commands.Group:
    """The `/samen` group: a sub-command per declared sub-command, in groups by family when
    there are more than Discord takes (`layout`)."""
    group = app_commands.Group(
        name=GROUP, description=_text(language, "discord.group.description", "Programma SAMEN")
    )
    for family, members in layout().items():
        parent = group
        if family:
            description = _text(language, f"discord.family.{family}", family)
            parent = app_commands.Group(name=family, description=description, parent=group)
        for name in members:
            parent.add_command(_subcommand(name, runner, language, parent))
    return group


def build_capture_menu(runner: Runner, language: str) -> app_commands.ContextMenu:
    """The message context-menu command "Bewaar als inzicht"."""

    async def capture(interaction: discord.Interaction, message: discord.Message) -> None:
        await runner.run_capture_menu(interaction, message)

    return app_commands.ContextMenu(
        name=_text(language, "discord.menu.capture", "Bewaar als inzicht"), callback=capture
    )


async def install(
    tree: app_commands.CommandTree[Any],
    runner: Runner,
    language: str,
    guild: discord.Object | None,
) -> None:
    """Put the group and the context menu on the tree, with the catalog translator."""
    tree.clear_commands(guild=guild)
    tree.add_command(build_group(runner, language), guild=guild)
    tree.add_command(build_capture_menu(runner, language), guild=guild)
    await tree.set_translator(CatalogTranslator(language))


async def tree_digest(tree: app_commands.CommandTree[Any], guild: discord.Object | None) -> str:
    """SHA-256 of the translated payload Discord would receive."""
    translator = tree.translator
    payload = [
        await command.get_translated_payload(tree, translator)
        if translator
        else command.to_dict(tree)
        for command in tree.get_commands(guild=guild)
    ]
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any], guild: discord.Object | None, state_file: Path
) -> bool:
    """Sync the tree to Discord unless the same payload was synced before; True when synced."""
    digest = await tree_digest(tree, guild)
    known = await asyncio.to_thread(
        lambda: state_file.read_text().strip() if state_file.exists() else ""
    )
    if known == digest:
        log.info("discord commands unchanged; not syncing")
        return False
    await tree.sync(guild=guild)

    def remember() -> None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(digest + "\n")

    await asyncio.to_thread(remember)
    log.info("discord commands synced to %s", f"guild {guild.id}" if guild else "all guilds")
    return True
