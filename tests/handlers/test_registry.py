"""One declaration per command: every sub-command declares its parameters, its line can be
written from typed values and read back as the router reads it, help and the README's table are
generated from the declarations, and a new sub-command is one declaration and one function."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers import registry
from handlers.command_line import command_line, line_for, syntax, values_of
from handlers.help import command_table
from handlers.registry import Kind, Param, Spec
from handlers.router import Router, load_handlers
from handlers.types import Actor, Place
from tests.conftest import LEADER, Chat

load_handlers()
WITHOUT_PARAMS = {"help", "mijn-gegevens", "maatjes"}
SAMPLE = {
    Kind.NUMBER: 12,
    Kind.TEXT: "Huurders willen eerst zekerheid",
    Kind.THEMES: "wonen #energie",
    Kind.THEME: "wonen",
    Kind.PROEFTUIN: "Proeftuin Noord",
    Kind.WHEN: "donderdag 19:30",
    Kind.FLAG: True,
}
ONE_WORD = {"slug": "zorg", "week": "2026-W48"}


def sample(param: Param) -> object:
    if param.name in ONE_WORD:
        return ONE_WORD[param.name]
    if param.kind in (Kind.RING, Kind.CHOICE):
        return param.choices[-1]
    return SAMPLE[param.kind]


def canonical(spec: Spec, values: dict[str, object]) -> dict[str, object]:
    """The values as `values_of` gives them back: themes as `#slug` words."""
    out: dict[str, object] = {}
    for param in spec.params:
        value = values.get(param.name)
        if value in (None, "", False):
            continue
        if param.kind in (Kind.THEME, Kind.THEMES):
            value = " ".join(w if w.startswith("#") else f"#{w}" for w in str(value).split())
        out[param.name] = value
    return out


def test_every_command_is_declared() -> None:
    assert {n for n, s in registry.COMMANDS.items() if not s.params} == WITHOUT_PARAMS
    for spec in registry.COMMANDS.values():
        assert spec.who in ("all", "author", "author, leader", "leader"), spec.name
        assert spec.leader_only == (spec.who == "leader"), spec.name
        assert spec.invalidates <= {"themes", "proeftuinen"}, spec.name
        names = [p.name for p in spec.params]
        assert len(names) == len(set(names)), spec.name
        for param in spec.params:
            if param.kind in (Kind.TEXT, Kind.WHEN, Kind.PROEFTUIN, Kind.THEME, Kind.THEMES):
                assert param.max_length, (spec.name, param.name)
            if param.kind in (Kind.CHOICE, Kind.FLAG):
                assert param.words, (spec.name, param.name)
            if param.kind is Kind.NUMBER:
                assert param.refers in ("learning", "meeting", "prompt", "page", "weeks"), spec.name
    # what the adapters used to list by hand
    assert {s.name for s in registry.COMMANDS.values() if s.private_first} >= {
        "help",
        "mijn-gegevens",
        "vergeet-mij",
    }
    assert {s.name for s in registry.COMMANDS.values() if s.needs_text_form} == {
        "inzicht",
        "antwoord",
        "verrijk",
        "oogst",
    }
    # families (Discord groups them when there are more than 25): never a command's own word
    assert {n for n, s in registry.COMMANDS.items() if not s.family} == {"inzicht", "zoek", "help"}
    assert all(registry.resolve(family) is None for family in registry.families())
    assert registry.invalidating("theme") == {"themes"}
    assert registry.invalidating("link") == {"proeftuinen"}
    assert registry.invalidating("inzicht") == frozenset()


@pytest.fixture
def router_only(tmp_path: Path) -> Router:
    from handlers.context import Policy
    from storage.db import Database

    return Router(Database(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"), Policy())


@pytest.mark.parametrize("name", sorted(registry.COMMANDS))
@pytest.mark.parametrize("fill", ["all", "required"])
@pytest.mark.parametrize("word", ["name", "english"])
def test_line_for_round_trips_through_the_router(
    router_only: Router, name: str, fill: str, word: str
) -> None:
    spec = registry.COMMANDS[name]
    values = {p.name: sample(p) for p in spec.params if fill == "all" or p.required}
    line = line_for(spec, values)
    typed = spec.name if word == "name" else spec.english
    command = router_only.make_command(
        f"/samen {typed} {line}", Actor("console", "anna"), Place("console", "a")
    )
    assert command.name == spec.name
    assert command.args == line
    assert values_of(spec, command.args) == canonical(spec, values)
    assert line_for(spec, values_of(spec, line)) == line


def test_lines_read_as_people_type_them() -> None:
    specs = registry.COMMANDS
    assert line_for(specs["tag"], {"nummer": 3, "themas": "wonen #zorg"}) == "3 #wonen #zorg"
    meeting = {"titel": "Sessie", "wanneer": "morgen 10:00", "proeftuin": "B"}
    assert line_for(specs["bijeenkomst"], meeting) == "Sessie | morgen 10:00 | proeftuin:B"
    assert (
        line_for(specs["thema"], {"slug": "zorg", "naam": "Zorg en welzijn", "trefwoorden": "a, b"})
        == "nieuw zorg Zorg en welzijn | a, b"
    )
    assert line_for(specs["zoek"], {"woorden": "huur", "proeftuin": "Proeftuin A"}) == (
        "huur proeftuin:Proeftuin A"
    )
    assert line_for(specs["digest"], {"plaatsen": True}) == "plaats"
    assert line_for(specs["vergeet-mij"], {"bevestig": False}) == ""
    assert values_of(specs["vraag"], "Wat werkt? proeftuin:Proeftuin A") == {
        "vraag": "Wat werkt?",
        "proeftuin": "Proeftuin A",
    }
    assert values_of(specs["deel"], "4 buitenwereld naam") == {
        "nummer": 4,
        "ring": "buitenwereld",
        "naam": True,
    }
    assert syntax(specs["bijeenkomst"]) == (
        "bijeenkomst <titel> | <wanneer> [| #thema] [| proeftuin:<naam>]"
    )


async def test_generated_lines_are_what_the_handlers_take(programme: Chat) -> None:
    specs = registry.COMMANDS
    added = command_line(specs["thema"], {"slug": "zorg", "naam": "Zorg", "trefwoorden": "zorg"})
    assert "#zorg" in await programme.text(added, user=LEADER)
    meeting = command_line(
        specs["bijeenkomst"],
        {"titel": "Sessie", "wanneer": "2030-12-03 19:30", "thema": "wonen"},
    )
    assert "Sessie" in await programme.text(meeting, user=LEADER)
    await programme.say("inzicht Huur eerst regelen #wonen")
    found = await programme.text(command_line(specs["zoek"], {"woorden": "huur", "thema": "wonen"}))
    assert "1 gevonden" in found and "eerst regelen" in found


def test_the_readme_table_is_generated() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    assert command_table() in readme


async def test_help_lists_by_use_and_leaders_after(programme: Chat) -> None:
    def order(text: str) -> list[str]:
        words = []
        for line in text.splitlines():
            if line.startswith("• `/samen "):
                words.append(line.removeprefix("• `/samen ").split(" ")[0].rstrip("`"))
        return words

    participant = order(await programme.text("help", user="anna"))
    assert participant[:5] == ["inzicht", "zoek", "tag", "untag", "herken"]
    assert "koppel" not in participant
    leader = order(await programme.text("help", user=LEADER))
    assert leader[: len(participant)] == participant
    assert set(leader[len(participant) :]) == {
        "koppel",
        "thema",
        "vraag",
        "bijeenkomst",
        "verzet",
        "annuleer",
        "digest",
        "deelname",
        "maatjes",
        "hernoem",
        "voeg-samen",
        "archiveer",
        "heropen",
    }


@pytest.fixture
def extra_command() -> Iterator[Spec]:
    """The test-only sub-command of tests/handlers/extra_command.py, registered for one test."""
    module = "tests.handlers.extra_command"
    sys.modules.pop(module, None)
    name = importlib.import_module(module).NAME
    try:
        yield registry.COMMANDS[name]
    finally:
        registry.unregister(name)
        sys.modules.pop(module, None)
    assert registry.resolve(name) is None and registry.resolve("echo-test") is None


async def test_a_new_subcommand_is_one_declaration(extra_command: Spec, programme: Chat) -> None:
    spec = extra_command
    assert registry.resolve("echo-test") is spec
    assert [p.name for p in spec.params] == ["woord"]
    assert line_for(spec, {"woord": "hallo"}) == "hallo"
    assert "echo: hallo" in await programme.text("echo-test hallo")
    help_text = await programme.text("help", user="anna")
    assert "`/samen echo-proef <woord>`" in help_text
    assert help_text.index("echo-proef") < help_text.index("/samen tag")  # rank 15: after zoek
    assert "| `echo-proef <woord>` (`echo-test`) | all |" in command_table()


def test_forms_buttons_and_selects_follow_the_declarations() -> None:
    from handlers.command_line import add_theme_args, form_for, form_text, learning_number
    from handlers.types import Action

    opened = [form_for(*line) for line in [("inzicht", ""), ("answer", "5"), ("verrijk", "#5")]]
    assert [spec.name if spec else None for spec in opened] == ["inzicht", "antwoord", "verrijk"]
    for line in [("inzicht", "tekst"), ("verrijk", "x"), ("verrijk", "5 tekst"), ("tag", "5")]:
        assert form_for(*line) is None, line
    verrijk = form_text(registry.COMMANDS["verrijk"])
    assert verrijk is not None and verrijk.max_length == 2000
    undo = Action("Ongedaan", "intrekken", "7", "danger")
    assert learning_number([Action("Ja", "ja", "3"), undo]) == "7"
    assert learning_number([Action("Akkoord", "akkoord", "3")]) is None
    assert add_theme_args(12, "wonen") == "12 #wonen"
