"""Every `/samen` sub-command through the real discord.py client and the fake Discord: typed
options, ephemeral where only the caller should see it, the modal, autocomplete, leader-only
refusals (also in DMs), a repeated delivery handled once, and the command tree synced once."""

from __future__ import annotations

import dataclasses
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.discord.commands import CATCH_ALL, build_group, layout, subcommand_names
from handlers import registry
from handlers.i18n import Translator
from handlers.router import load_handlers
from tests.discord.conftest import LEADER, Bot

load_handlers()
SAMPLES: dict[str, dict[str, Any]] = {
    "koppel": {"proeftuin": "Proeftuin C"},
    "inzicht": {"tekst": "Huurders willen eerst zekerheid over de huur #wonen"},
    "tag": {"nummer": 1, "themas": "energie"},
    "untag": {"nummer": 1, "themas": "#wonen"},
    "intrekken": {"nummer": 1},
    "herken": {"nummer": 1},
    "akkoord": {"nummer": 1},
    "weiger": {"nummer": 1},
    "verrijk": {"nummer": 1, "tekst": "Bij ons ook, zie de notulen"},
    "volg": {"thema": "wonen"},
    "ontvolg": {"thema": "wonen"},
    "thema": {"slug": "zorg", "naam": "Zorg", "trefwoorden": "thuiszorg, mantelzorg"},
    "zoek": {"woorden": "huur"},
    "deel": {"nummer": 1, "ring": "proeftuin"},
    "bijeenkomst": {"titel": "Kennissessie", "wanneer": "2030-12-03 19:30", "thema": "wonen"},
    "ja": {"nummer": 1},
    "nee": {"nummer": 1},
    "vraag": {"vraag": "Wat leerden jullie deze maand over huur?"},
    "antwoord": {"nummer": 1, "tekst": "Dat huurders meer tijd nodig hebben"},
    "oogst": {"nummer": 1, "tekst": "Dat bellen beter werkt dan mailen"},
    "annuleer": {"nummer": 1},
    "verzet": {"nummer": 1, "wanneer": "2030-12-10 19:30"},
    "lijkt": {"nummer": 1},
    "hernoem": {"oud": "#wonen", "nieuw": "Wonen en huis"},
    "voeg-samen": {"van": "#energie", "naar": "#wonen"},
    "archiveer": {"naam": "#energie"},
    "heropen": {"naam": "#energie"},
}
ERROR = Translator("nl")("error.internal")


async def _prepare(bot: Bot, sub: str) -> None:
    """Learning #1 by Anna in Proeftuin A; meeting #1 / prompt #1 where the command needs one."""
    await bot.run("anna", "proeftuin-a", "inzicht", tekst="Huur eerst regelen, dan de rest #wonen")
    if sub in ("ja", "nee", "oogst", "annuleer", "verzet") and "bijeenkomst" in registry.COMMANDS:
        await bot.run(
            LEADER, "proeftuin-a", "bijeenkomst", titel="Sessie", wanneer="2030-12-03 19:30"
        )
    if sub == "antwoord" and "vraag" in registry.COMMANDS:
        await bot.run(LEADER, "proeftuin-a", "vraag", vraag="Wat werkt bij jullie?")


@pytest.mark.parametrize("sub", sorted(registry.COMMANDS))
async def test_every_subcommand_answers(programme: Bot, sub: str) -> None:
    bot = programme
    await _prepare(bot, sub)
    who = LEADER if registry.COMMANDS[sub].leader_only else "anna"
    record = await bot.run(who, "proeftuin-a", sub, **SAMPLES.get(sub, {}))
    assert record.response_type in (4, 5, 9), record.callback
    shown = record.text() or ("modal" if record.response_type == 9 else "")
    dms = "\n".join(str(m.get("content")) for m in bot.fake.dms(who))
    assert shown or dms, f"/samen {sub} left nothing to read"
    assert ERROR not in shown + dms
    refused = [c for c in bot.fake.calls if c.status >= 400]
    assert not refused, [(c.method, c.path, c.status, c.body) for c in refused]


async def test_capture_reply_is_an_embed_with_undo_button_and_theme_select(programme: Bot) -> None:
    record = await programme.run(
        "anna", "proeftuin-a", "inzicht", tekst="Zonnepanelen op huurwoningen #energie"
    )
    ((ephemeral, message),) = record.shown()
    assert not ephemeral
    embed = message["embeds"][0]
    assert embed["title"] == "Inzicht #1"
    assert "#energie" in record.text()
    ids = {c["custom_id"] for c in record.components()}
    assert "samen:intrekken:1" in ids
    select = next(c for c in record.components() if c["custom_id"] == "samen-thema:1")
    assert [o["value"] for o in select["options"]] == ["wonen"]  # #energie is already on it
    chosen = await programme.fake.choose("anna", select, ["wonen"])
    await programme.fake.wait_done(chosen)
    (learning,) = await programme.learnings()
    assert sorted(t.slug for t in learning.themes) == ["energie", "wonen"]


async def test_inzicht_without_text_opens_the_modal(programme: Bot) -> None:
    record = await programme.run("anna", "proeftuin-a", "inzicht")
    assert record.response_type == 9
    modal = record.callback["data"]  # type: ignore[index]
    inputs = [c["components"][0]["custom_id"] for c in modal["components"]]
    assert inputs == ["tekst", "themas"]
    submitted = await programme.fake.submit_modal(
        "anna",
        "proeftuin-a",
        modal["custom_id"],
        {"tekst": "Bewoners eerst laten praten werkt", "themas": "wonen"},
    )
    await programme.fake.wait_done(submitted)
    assert "Inzicht #1" in submitted.text()
    (learning,) = await programme.learnings()
    assert learning.text.startswith("Bewoners eerst") and [t.slug for t in learning.themes] == [
        "wonen"
    ]


async def test_help_is_ephemeral_and_a_refusal_after_a_public_defer_too(programme: Bot) -> None:
    helped = await programme.run("anna", "proeftuin-a", "help")
    assert [eph for eph, _ in helped.shown()] == [True]
    assert helped.callback == {"type": 5, "data": {"flags": 64}}
    refused = await programme.run("anna", "proeftuin-a", "tag", nummer=99, themas="wonen")
    assert refused.callback == {"type": 5}  # deferred publicly: most answers are for everyone
    assert refused.deleted, "the public 'thinking…' message must go"
    assert [eph for eph, _ in refused.shown()] == [True]
    assert "#99" in refused.text(ephemeral=True)


async def test_my_data_arrives_as_a_dm(programme: Bot) -> None:
    await programme.run("anna", "proeftuin-a", "inzicht", tekst="Samen koken verbindt buren")
    record = await programme.run("anna", "proeftuin-a", "mijn-gegevens")
    assert record.text(ephemeral=True) == "Ik heb je een privébericht gestuurd."
    (dm,) = programme.fake.dms("anna")
    assert "Samen koken verbindt buren" in str(dm["embeds"][0]["description"])


async def test_leader_only_refused_for_participants_and_allowed_to_leaders_in_dms(
    programme: Bot,
) -> None:
    """A participant's leader command is refused privately before anything is deferred; a
    leader's works in a DM too, as on Slack and in the console (the router decides)."""
    before = len(programme.calls("POST", "/callback"))
    refused = await programme.run("anna", "proeftuin-b", "koppel", proeftuin="Proeftuin A")
    assert refused.response_type == 4 and refused.callback["data"]["flags"] == 64  # type: ignore[index]
    assert "projectleiders" in refused.text()
    assert len(programme.calls("POST", "/callback")) == before + 1  # no defer, no DB work
    refused_dm = await programme.run("anna", "dm", "thema", slug="stiekem", naam="Stiekem")
    assert "projectleiders" in refused_dm.text()
    in_dm = await programme.run(LEADER, "dm", "thema", slug="geheim", naam="Geheim")
    assert "#geheim" in in_dm.text()
    themes = await programme.run("anna", "proeftuin-a", "themas")
    assert "#geheim" in themes.text() and "stiekem" not in themes.text()


async def test_the_same_interaction_delivered_twice_is_handled_once(programme: Bot) -> None:
    record = await programme.fake.slash("anna", "proeftuin-a", "inzicht", tekst="Een keer #wonen")
    await programme.fake.wait_done(record)
    await programme.fake.deliver(record.payload)  # Discord re-sends the same event
    check = await programme.run("anna", "proeftuin-a", "help")  # a later one still works
    assert check.done
    assert len(await programme.learnings()) == 1
    callbacks = [c for c in programme.calls("POST", "/callback") if record.payload["id"] in c.path]
    assert len(callbacks) == 1 and callbacks[0].status == 200


async def test_autocomplete_suggests_themes_proeftuinen_and_numbers(programme: Bot) -> None:
    await programme.run("anna", "proeftuin-a", "inzicht", tekst="Huurders eerst #wonen")
    await programme.run("bob", "proeftuin-b", "inzicht", tekst="Energiecoaches helpen #energie")
    fake = programme.fake
    themes = await fake.autocomplete("anna", "proeftuin-a", "zoek", "thema", thema="ene")
    assert [c["value"] for c in themes] == ["energie"]
    several = await fake.autocomplete(
        "anna", "proeftuin-a", "tag", "themas", nummer=1, themas="#wonen e"
    )
    assert [c["value"] for c in several] == ["#wonen #energie"]
    places = await fake.autocomplete(LEADER, "kenniskring", "koppel", "proeftuin", proeftuin="b")
    assert [c["value"] for c in places] == ["Proeftuin B"]
    numbers = await fake.autocomplete("anna", "proeftuin-a", "intrekken", "nummer", nummer="")
    assert [c["value"] for c in numbers] == [2, 1]
    assert numbers[0]["name"].startswith("#2 · Proeftuin B · Energiecoaches")


async def test_commands_are_synced_once_and_again_only_when_changed(bot: Bot) -> None:
    puts = bot.calls("PUT", "/commands")
    assert len(puts) == 1 and puts[0].status == 200
    synced = bot.fake.commands[bot.fake.guild_id]
    group = next(c for c in synced if c["name"] == "samen")
    assert [o["name"] for o in group["options"]] == subcommand_names()
    reachable = {o["name"] for o in group["options"] if o["type"] == 1} | {
        inner["name"] for o in group["options"] if o["type"] == 2 for inner in o["options"]
    }
    assert reachable == set(registry.COMMANDS)  # flat, or in groups by family beyond 25
    assert group["description_localizations"]["en-US"].startswith("Programme SAMEN")
    inzicht = next(o for o in group["options"] if o["name"] == "inzicht")
    assert inzicht["description"] == "Bewaar een inzicht"
    assert inzicht["description_localizations"]["en-GB"] == "Save a learning"
    assert any(c["type"] == 3 and c["name"] == "Bewaar als inzicht" for c in synced)
    await bot.restart()
    assert len(bot.calls("PUT", "/commands")) == 1, "an unchanged tree is not synced again"
    for state in bot.state_dir.glob("discord-commands-*"):
        state.write_text("stale\n")
    await bot.restart()
    assert len(bot.calls("PUT", "/commands")) == 2


@pytest.mark.skipif("agenda" not in registry.COMMANDS, reason="meetings not registered")
async def test_agenda_attaches_the_ics_file(programme: Bot) -> None:
    await programme.run(
        LEADER, "proeftuin-a", "bijeenkomst", titel="Sessie", wanneer="2030-12-03 19:30"
    )
    record = await programme.run("anna", "proeftuin-a", "agenda")
    assert "Sessie" in record.text()
    uploads = [c for c in programme.fake.calls if c.files and record.payload["token"] in c.path]
    assert uploads and all(name.endswith(".ics") for c in uploads for name in c.files)


def test_more_than_25_subcommands_go_in_groups_by_family(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 26th sub-command turns the declared families into groups (`/samen inzichten tag`):
    every sub-command keeps its own typed options, and none needs the catch-all."""
    extra = {
        f"extra{n}": dataclasses.replace(
            registry.COMMANDS["help"], name=f"extra{n}", family="extra"
        )
        for n in range(3)
    }
    monkeypatch.setattr(registry, "COMMANDS", {**registry.COMMANDS, **extra})
    group = build_group(object(), "nl")  # type: ignore[arg-type]
    top = [command.name for command in group.commands]
    assert top == subcommand_names() and len(top) <= 25 and CATCH_ALL not in top
    assert top[:3] == ["inzicht", "zoek", "help"]  # no family: they stay on top
    leaves: dict[str, Any] = {}
    for entry in group.commands:
        if isinstance(entry, app_commands.Group):
            leaves |= {command.name: command for command in entry.commands}
        else:
            leaves[entry.name] = entry
    assert set(leaves) == set(registry.COMMANDS)
    inzichten = group.get_command("inzichten")
    assert isinstance(inzichten, app_commands.Group)
    tag = inzichten.get_command("tag")
    assert tag is not None and [p.name for p in tag.parameters] == ["nummer", "themas"]  # type: ignore[union-attr]
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    payload = group.to_dict(tree)  # what Discord would get: groups are type 2, in them type 1
    kinds = {o["name"]: o["type"] for o in payload["options"]}
    assert kinds["inzicht"] == 1 and kinds["inzichten"] == 2 and kinds["extra"] == 2


def test_what_does_not_fit_ends_in_a_catch_all(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = {f"extra{n}": registry.COMMANDS["help"] for n in range(30)}  # no family
    monkeypatch.setattr(registry, "COMMANDS", {**registry.COMMANDS, **extra})
    group = build_group(object(), "nl")  # type: ignore[arg-type]
    names = [command.name for command in group.commands]
    assert len(names) == 25 and CATCH_ALL in names
    assert [p.name for p in group.get_command(CATCH_ALL).parameters] == ["regel"]  # type: ignore[union-attr]


def test_a_new_declared_subcommand_gets_its_typed_option() -> None:
    """tests/handlers/extra_command.py: one declaration and one function make a 26th
    sub-command; Discord shows it with its typed option, the families in groups."""
    import importlib
    import sys

    module = "tests.handlers.extra_command"
    sys.modules.pop(module, None)
    name = importlib.import_module(module).NAME
    try:
        group = build_group(object(), "nl")  # type: ignore[arg-type]
        echo = group.get_command(name)
        assert echo is not None and [p.name for p in echo.parameters] == ["woord"]  # type: ignore[union-attr]
        assert CATCH_ALL not in subcommand_names() and "inzichten" in subcommand_names()
    finally:
        registry.unregister(name)
        sys.modules.pop(module, None)
    assert name not in {n for names in layout().values() for n in names}
