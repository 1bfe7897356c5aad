"""`samen-bot init FILE`: the programme file is checked before anything changes, applied through
the repositories on both backends, idempotently, and round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.tools.programme_apply import CurrentSettings, apply_programme, write_env
from bot.tools.programme_current import current_programme
from bot.tools.programme_file import EXAMPLE, Programme, ProgrammeError, read_programme
from handlers.i18n import Translator
from storage import proeftuinen, themes
from storage.db import Database
from storage.models import ChannelLink, Member, Proeftuin, Role, Theme

ROOT = Path(__file__).resolve().parents[2]
NL = Translator("nl")
EN = Translator("en")
NO_SETTINGS = CurrentSettings(leaders=frozenset(), digest_channels=(), default_ring="kenniskring")
SMALL = """\
naam = "Proef"

[kenniskring]
kanalen = ["slack:C0KENNIS"]

[[leider]]
naam = "Floor Ziegler"
accounts = ["slack:U0FLOOR", "console:floor"]

[[proeftuin]]
naam = "Buurtkamer Zuiderwijk"
kanalen = ["slack:C0ZUID", "console:zuid"]
standaard_ring = "proeftuin"

[[proeftuin]]
naam = "De Loods"
kanalen = ["discord:123456789012345678"]

[[thema]]
slug = "wonen"
naam = "Wonen"
trefwoorden = ["Huur", "woning"]
"""


def write(tmp_path: Path, text: str, name: str = "programma.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def counts(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Proeftuin, ChannelLink, Theme, Member)
        }


def test_the_example_is_the_bundled_file_and_reads_as_the_seven_proeftuinen() -> None:
    docs = ROOT / "docs" / "programma.example.toml"
    assert docs.read_bytes() == EXAMPLE.read_bytes()
    plan = read_programme(docs, NL)
    assert len(plan.proeftuinen) == 7 and len(plan.themes) == 12
    assert [leader.name for leader in plan.leaders] == ["Floor Ziegler", "Teun Gautier"]
    assert plan.digest_channels == (("console", "kenniskring"),)
    assert plan.default_ring == "kenniskring"
    assert all(site.channels for site in plan.proeftuinen)
    assert all(len(theme.keywords) >= 5 for theme in plan.themes)


async def test_init_creates_the_programme_once(database: Database, tmp_path: Path) -> None:
    plan = read_programme(write(tmp_path, SMALL), NL)

    first = await apply_programme(database, plan, NO_SETTINGS)
    after_first = await counts(database)
    second = await apply_programme(database, plan, NO_SETTINGS)

    assert first.changed == 2 + 3 + 1 + 2  # proeftuinen, channels, theme, leader accounts
    assert second.changed == 0
    assert {c.action for c in second.changes} == {"unchanged"}
    assert (
        await counts(database)
        == after_first
        == {
            "proeftuinen": 2,
            "channel_links": 3,
            "themes": 1,
            "members": 2,
        }
    )
    async with database.unit_of_work() as session:
        zuid = await proeftuinen.for_channel(session, "console", "zuid")
        assert zuid is not None and zuid.default_ring == "proeftuin"
        wonen = (await themes.by_slugs(session, ["wonen"]))["wonen"]
        assert wonen.keyword_list == ["huur", "woning"]
        floor = await session.scalar(select(Member).where(Member.user_id == "U0FLOOR"))
        assert floor is not None and floor.display_name == "Floor Ziegler"
        assert floor.role == Role.LEIDER.value
    # The settings the file names are not in the environment: init says what to set.
    assert second.env_lines == [
        "SAMEN_LEADERS=slack:U0FLOOR,console:floor",
        "SAMEN_DIGEST_CHANNEL=slack:C0KENNIS",
    ]
    settled = CurrentSettings(
        leaders=frozenset({"slack:U0FLOOR", "console:floor"}),
        digest_channels=(("slack", "C0KENNIS"),),
        default_ring="kenniskring",
    )
    assert (await apply_programme(database, plan, settled)).env_lines == []


async def test_init_round_trips_through_the_stored_structure(
    database: Database, tmp_path: Path
) -> None:
    """init, then the programme as stored written as a file (init --current), then init of that
    file changes nothing."""
    plan = read_programme(EXAMPLE, NL)
    await apply_programme(database, plan, NO_SETTINGS)

    settings = CurrentSettings(
        leaders=frozenset({"console:floor", "console:teun"}),
        digest_channels=(("console", "kenniskring"),),
        default_ring="kenniskring",
    )
    text = await current_programme(database, settings, NL)
    exported = read_programme(write(tmp_path, text, "terug.toml"), NL)

    assert {(s.name, s.channels) for s in exported.proeftuinen} == {
        (s.name, s.channels) for s in plan.proeftuinen
    }
    assert set(exported.themes) == set(plan.themes)
    assert exported.digest_channels == plan.digest_channels
    assert {(p.name, p.accounts) for p in exported.leaders} == {
        (p.name, p.accounts) for p in plan.leaders
    }
    again = await apply_programme(database, exported, settings)
    assert again.changed == 0 and again.env_lines == []


async def test_init_updates_moves_and_a_dry_run_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    async with database.unit_of_work() as session:
        elders, _ = await proeftuinen.get_or_create(session, "Elders")
        await proeftuinen.link_channel(session, "slack", "C0ZUID", elders)
        await themes.create(session, "wonen", "Woningen", "huis")
    plan = read_programme(write(tmp_path, SMALL), NL)
    before = await counts(database)

    dry = await apply_programme(database, plan, NO_SETTINGS, dry_run=True)

    assert await counts(database) == before
    actions = {(c.kind, c.name): (c.action, c.detail) for c in dry.changes}
    assert actions[("channel", "slack:C0ZUID")] == ("moved", "Elders → Buurtkamer Zuiderwijk")
    assert actions[("theme", "#wonen")] == ("updated", "Wonen")
    async with database.unit_of_work() as session:
        still = await proeftuinen.for_channel(session, "slack", "C0ZUID")
        assert still is not None and still.name == "Elders"

    done = await apply_programme(database, plan, NO_SETTINGS)
    assert done.changed == dry.changed
    async with database.unit_of_work() as session:
        moved = await proeftuinen.for_channel(session, "slack", "C0ZUID")
        assert moved is not None and moved.name == "Buurtkamer Zuiderwijk"
        assert (await themes.by_slugs(session, ["wonen"]))["wonen"].name == "Wonen"
        # Nothing that is not in the file is removed.
        assert await proeftuinen.find_by_name(session, "Elders") is not None


BAD = [
    # (what is wrong, file text, line, words the message must have)
    ("toml syntax", 'naam = "Proef\n', 1, ["TOML"]),
    ("unknown key", '[[proeftuin]]\nnaam = "A"\nkanaal = ["slack:C1"]\n', 3, ["`kanalen`"]),
    ("missing name", '[[proeftuin]]\nkanalen = ["slack:C1"]\n', 1, ['naam = "']),
    ("no platform", '[[proeftuin]]\nnaam = "A"\nkanalen = ["C0123"]\n', 3, ['"slack:C0123ABCD"']),
    ("slack name", '[[proeftuin]]\nnaam = "A"\nkanalen = [\n  "slack:#zuid",\n]\n', 4, ["id"]),
    ("discord id", '[[proeftuin]]\nnaam = "A"\nkanalen = ["discord:zuid"]\n', 3, ["discord:"]),
    ("ring", 'standaard_ring = "buitenwereld"\n[[thema]]\nslug="a"\nnaam="A"\n', 1, ["proeftuin"]),
    ("slug", '[[thema]]\nslug = "Wonen Zorg"\nnaam = "W"\n', 2, ['slug = "wonen-zorg"']),
    (
        "duplicate",
        '[[thema]]\nslug = "a"\nnaam = "A"\n\n[[thema]]\nslug = "a"\nnaam = "B"\n',
        6,
        ["[[thema]] 1"],
    ),
    (
        "channel twice",
        '[kenniskring]\nkanalen = ["slack:C1"]\n'
        '[[proeftuin]]\nnaam = "A"\nkanalen = ["slack:C1"]\n',
        5,
        ["kenniskring"],
    ),
    ("too long", f'[[proeftuin]]\nnaam = "{"x" * 81}"\n', 2, ["80"]),
    ("empty", 'naam = "Leeg"\n', 1, ["[[proeftuin]]"]),
    ("leader", '[[leider]]\nnaam = "F"\n[[thema]]\nslug="a"\nnaam="A"\n', 1, ["accounts = ["]),
]


@pytest.mark.parametrize(("what", "text", "line", "words"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_with_its_line_and_what_to_write(
    tmp_path: Path, what: str, text: str, line: int, words: list[str]
) -> None:
    path = write(tmp_path, text)
    for t in (NL, EN):
        with pytest.raises(ProgrammeError) as caught:
            read_programme(path, t)
        message = str(caught.value)
        assert message.startswith(f"{path}:{line}: "), (what, message)
        assert "\n" not in message and "{" not in message.replace("{x", "")
        for word in words:
            assert word in message, (what, t.language, message)


def test_keywords_may_be_one_string_and_console_channels_a_hash(tmp_path: Path) -> None:
    plan: Programme = read_programme(
        write(
            tmp_path,
            '[[proeftuin]]\nnaam = "A"\nkanalen = "console:#a"\n'
            '[[thema]]\nslug = "#zorg"\nnaam = "Zorg"\ntrefwoorden = "Zorg, welzijn"\n',
        ),
        NL,
    )
    assert plan.proeftuinen[0].channels == (("console", "a"),)
    assert plan.themes[0].slug == "zorg" and plan.themes[0].keywords == ("zorg", "welzijn")


def test_write_env_sets_the_keys_and_keeps_the_rest(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# mijn instellingen\nSLACK_BOT_TOKEN=xoxb-1\nSAMEN_LEADERS=slack:U0OUD\n")
    lines = ["SAMEN_LEADERS=slack:U0FLOOR", "SAMEN_DIGEST_CHANNEL=slack:C0KENNIS"]

    assert write_env(env, lines) == ["SAMEN_LEADERS", "SAMEN_DIGEST_CHANNEL"]
    assert env.read_text().splitlines() == [
        "# mijn instellingen",
        "SLACK_BOT_TOKEN=xoxb-1",
        "SAMEN_LEADERS=slack:U0FLOOR",
        "SAMEN_DIGEST_CHANNEL=slack:C0KENNIS",
    ]
    assert write_env(env, lines) == []
    assert write_env(tmp_path / "nieuw.env", lines[:1]) == ["SAMEN_LEADERS"]
