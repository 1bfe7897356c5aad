"""The `/samen` application-command group, generated from `handlers.registry.COMMANDS`.

One sub-command per registered sub-command, its typed options made from the command's declared
parameters (`handlers.registry`: `inzicht tekst`, `tag nummer themas`, `deel nummer ring`, …);
their values become the argument line the router parses through `handlers.command_line.line_for`,
so a new handler with its declaration needs no Discord code.

Descriptions come from the `usage.<name>` catalog entries (the part after the colon), in the
programme language, with the other language as Discord localisations through `CatalogTranslator`
(discord.py's `locale_str` + `app_commands.Translator`). Command and option names stay Dutch,
as in the contract, because many Dutch participants run Discord in English.

The tree is synced to `DISCORD_GUILD_ID` (or globally without one) only when its translated
payload changed: its SHA-256 is kept in a small state file.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str

from handlers import registry
from handlers.command_line import form_text, line_for, tagged
from handlers.i18n import catalog
from handlers.registry import Kind
from storage import learnings, proeftuinen, themes
from storage.db import Database
from storage.visibility import Viewer

log = logging.getLogger(__name__)

GROUP = "samen"
MAX_SUBCOMMANDS = 25
CATCH_ALL = "meer"
LOCALES = {
    discord.Locale.american_english: "en",
    discord.Locale.british_english: "en",
    discord.Locale.dutch: "nl",
}


class Runner(Protocol):
    """What the generated callbacks call: the adapter's interaction flows."""

    suggestions: Suggestions
    acks: Any

    async def run_slash(self, interaction: discord.Interaction, name: str, args: str) -> None: ...

    async def run_capture_menu(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Opt:
    """One option of a sub-command, made from a declared parameter (`options_for`)."""

    name: str
    kind: type = str  # str | int | bool
    required: bool = True
    complete: str | None = None  # learning | theme | themes | proeftuin
    choices: tuple[tuple[str, str], ...] = ()  # (catalog key of the label, value)
    max_length: int | None = None
    description_key: str = ""  # catalog key of its description


COMPLETE = {Kind.THEME: "theme", Kind.THEMES: "themes", Kind.PROEFTUIN: "proeftuin"}
CATCH_ALL_OPTIONS = (Opt("regel", max_length=4000),)


def _option(spec: registry.Spec, param: registry.Param) -> Opt:
    """A declared parameter as a Discord option: numbers as integers (a learning's with
    autocomplete), flags as yes/no, rings and choices as choices, themes and proeftuinen
    completed; a text a form can ask for (`needs_text_form`, nothing else to fill) optional."""
    kind: type = {Kind.NUMBER: int, Kind.FLAG: bool}.get(param.kind, str)
    complete = COMPLETE.get(param.kind)
    if param.kind is Kind.NUMBER and param.refers == "learning":
        complete = "learning"
    choices: tuple[tuple[str, str], ...] = ()
    if param.kind is Kind.RING:
        choices = tuple((f"ring.{ring}", ring) for ring in param.choices)
    elif param.kind is Kind.CHOICE:
        choices = tuple((f"choice.{word}", word) for word in param.choices)
    by_form = form_text(spec) is param and len(spec.params) == 1
    key = f"discord.option.{spec.name}.{param.name}"
    if key not in catalog("nl"):
        key = f"discord.option.{param.name}"
    return Opt(
        param.name,
        kind,
        param.required and not by_form,
        complete,
        choices,
        param.max_length,
        key,
    )


def options_for(spec: registry.Spec) -> tuple[Opt, ...]:
    """The options of a sub-command, from its declaration."""
    return tuple(_option(spec, param) for param in spec.params)


def usage_description(usage: str) -> str:
    """`'`/samen inzicht <tekst>`: bewaar een inzicht'` -> `'Bewaar een inzicht'` (≤100)."""
    text = usage.split("`: ", 1)[1] if "`: " in usage else usage.strip("`")
    text = text.strip() or "…"
    text = text[0].upper() + text[1:]
    return text if len(text) <= 100 else text[:99] + "…"


def catalog_text(language: str, key: str, part: str = "") -> str | None:
    text = catalog(language).get(key) or (catalog("nl").get(key) if language != "nl" else None)
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


class Suggestions:
    """Autocomplete data: themes, proeftuinen (cached briefly) and learnings visible here.

    A direct, read-only use of the store by the adapter: autocomplete must answer within
    Discord's 3 seconds and has no command to route through the handlers.
    """

    def __init__(self, database: Database, ttl: float = 30.0) -> None:
        self.database = database
        self.ttl = ttl
        self._cache: dict[str, tuple[float, list[Any]]] = {}

    def forget(self) -> None:
        self._cache.clear()

    async def _cached(self, key: str, load: Callable[[], Awaitable[list[Any]]]) -> list[Any]:
        hit = self._cache.get(key)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        value = await load()
        self._cache[key] = (time.monotonic(), value)
        return value

    async def themes(self) -> list[tuple[str, str]]:
        async def load() -> list[tuple[str, str]]:
            async with self.database.reading() as session:
                return [(t.slug, t.name) for t in await themes.list_all(session)]

        return await self._cached("themes", load)

    async def proeftuinen(self) -> list[str]:
        async def load() -> list[str]:
            async with self.database.reading() as session:
                return [p.name for p in await proeftuinen.list_all(session)]

        return await self._cached("proeftuinen", load)

    async def learnings(self, channel_id: str, current: str) -> list[tuple[int, str]]:
        """(number, label) of learnings visible in this channel that match what was typed."""
        typed = current.strip().lstrip("#").lower()
        async with self.database.reading() as session:
            proeftuin = await proeftuinen.for_channel(session, "discord", channel_id)
            viewer = Viewer(proeftuin_id=proeftuin.id if proeftuin else None)
            rows = await learnings.list_visible(session, viewer, limit=200, newest_first=True)
            if typed.isdigit() and not any(str(r.id) == typed for r in rows):
                exact = await learnings.get_visible(session, viewer, int(typed))
                rows = [exact, *rows] if exact else rows
        found = []
        for row in rows:
            if not typed or str(row.id).startswith(typed) or typed in row.text.lower():
                label = " ".join(f"#{row.id} · {row.proeftuin.name} · {row.text}".split())
                found.append((row.id, label if len(label) <= 100 else label[:99] + "…"))
        return found[:25]


def _choices_for(opt: Opt, language: str) -> list[Choice[str]]:
    return [Choice(name=_text(language, key, value), value=value) for key, value in opt.choices]


def _autocomplete(opt: Opt, runner: Runner) -> Callable[..., Awaitable[list[Choice[Any]]]]:
    async def complete(interaction: discord.Interaction, current: str) -> list[Choice[Any]]:
        try:
            return await _suggest(opt, runner.suggestions, interaction, str(current or ""))
        except Exception:
            log.exception("autocomplete for %s failed", opt.name)
            return []
        finally:
            runner.acks.answered(interaction.id)  # discord.py sends the choices right after

    return complete


async def _suggest(
    opt: Opt, suggestions: Suggestions, interaction: discord.Interaction, current: str
) -> list[Choice[Any]]:
    if opt.complete == "learning":
        channel = interaction.channel
        parent = channel.parent_id if isinstance(channel, discord.Thread) else None
        rows = await suggestions.learnings(str(parent or interaction.channel_id), current)
        return [Choice(name=label, value=number) for number, label in rows]
    if opt.complete == "proeftuin":
        names = [n[:100] for n in await suggestions.proeftuinen()]
        return [Choice(name=n, value=n) for n in names if current.strip().lower() in n.lower()][:25]
    words = current.split()
    last = "" if current.endswith(" ") or not words else words.pop().lstrip("#").lower()
    found = [(s, n) for s, n in await suggestions.themes() if last in s or last in n.lower()]
    found.sort(key=lambda item: not item[0].startswith(last))  # prefix matches first
    if opt.complete == "theme":
        return [Choice(name=f"#{s} ({n})"[:100], value=s) for s, n in found][:25]
    done = tagged(" ".join(words))  # several themes: complete the last word, keep the others
    values = [(f"{done} #{s}".strip(), n) for s, n in found if f"#{s}" not in done.split()]
    return [Choice(name=f"{v} ({n})"[:100], value=v) for v, n in values if len(v) <= 100][:25]


def _annotation(opt: Opt) -> Any:
    if opt.kind is int:
        return app_commands.Range[int, 1, 999_999_999_999]
    if opt.kind is bool:
        return bool
    return app_commands.Range[str, 1, opt.max_length or 6000]


def _callback(
    name: str, options: tuple[Opt, ...], runner: Runner, language: str
) -> Callable[..., Any]:
    """A callback whose signature discord.py reads as the sub-command's options."""

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        spec = registry.COMMANDS.get(name)
        if spec is None:  # the catch-all: a whole line
            word, args = registry.split_line(str(values.get("regel", "")))
            await runner.run_slash(interaction, word, args)
            return
        await runner.run_slash(interaction, name, line_for(spec, values))

    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for opt in sorted(options, key=lambda o: not o.required):
        annotation = _annotation(opt)
        params.append(
            inspect.Parameter(
                opt.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=annotation if opt.required else annotation | None,
                default=inspect.Parameter.empty if opt.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = f"samen_{name.replace('-', '_')}"
    described = app_commands.describe(
        **{o.name: _text(language, o.description_key, o.name) for o in options}
    )(callback)
    completing = {o.name: _autocomplete(o, runner) for o in options if o.complete}
    if completing:
        described = app_commands.autocomplete(**completing)(described)
    chosen = {o.name: _choices_for(o, language) for o in options if o.choices}
    if chosen:
        described = app_commands.choices(**chosen)(described)
    return described


def layout() -> dict[str, list[str]]:
    """The tree under `/samen`, from the declarations: `{"": top-level sub-commands, family:
    its sub-commands}`. All flat while they fit in Discord's 25; beyond that every declared
    family becomes a group (`/samen inzichten tag`), so the limit holds 25 families of 25; what
    still does not fit ends in the catch-all `meer`, which takes a whole line."""
    names = list(registry.COMMANDS)
    if len(names) <= MAX_SUBCOMMANDS:
        return {"": names}
    specs = registry.COMMANDS
    tree: dict[str, list[str]] = {"": []}
    for name in sorted(names, key=lambda n: (specs[n].leader_only, specs[n].rank)):
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
    options: tuple[Opt, ...]
    if spec is None:
        options, description = CATCH_ALL_OPTIONS, _text(language, "discord.catch_all", name)
    else:
        options = options_for(spec)
        description = _text(language, spec.usage_key, name, part="usage")
    return app_commands.Command(
        name=name,
        description=description,
        callback=_callback(name, options, runner, language),
        parent=parent,
    )


def build_group(runner: Runner, language: str) -> app_commands.Group:
    """The `/samen` group: a sub-command per declared sub-command, in groups by family when
    there are more than Discord takes (`layout`)."""
    group = app_commands.Group(
        name=GROUP,
        description=_text(language, "discord.group.description", "Programma SAMEN"),
    )
    tree = layout()
    for name in tree[""]:
        group.add_command(_subcommand(name, runner, language, group))
    for family, members in tree.items():
        if not family:
            continue
        sub = app_commands.Group(
            name=family,
            description=_text(language, f"discord.family.{family}", family),
            parent=group,
        )
        for name in members:
            sub.add_command(_subcommand(name, runner, language, sub))
    return group


def build_capture_menu(runner: Runner, language: str) -> app_commands.ContextMenu:
    """The message context-menu command "Bewaar als inzicht"."""

    async def capture(interaction: discord.Interaction, message: discord.Message) -> None:
        await runner.run_capture_menu(interaction, message)

    return app_commands.ContextMenu(
        name=_text(language, "discord.menu.capture", "Bewaar als inzicht"), callback=capture
    )


async def install(
    tree: app_commands.CommandTree, runner: Runner, language: str, guild: discord.Object | None
) -> None:
    """Put the group and the context menu on the tree, with the catalog translator."""
    tree.clear_commands(guild=guild)
    tree.add_command(build_group(runner, language), guild=guild)
    tree.add_command(build_capture_menu(runner, language), guild=guild)
    await tree.set_translator(CatalogTranslator(language))


async def tree_digest(tree: app_commands.CommandTree, guild: discord.Object | None) -> str:
    """SHA-256 of the translated payload Discord would receive."""
    translator = tree.translator
    payload = []
    for command in tree.get_commands(guild=guild):
        if translator is not None:
            payload.append(await command.get_translated_payload(tree, translator))
        else:
            payload.append(command.to_dict(tree))
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree, guild: discord.Object | None, state_file: Path
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
