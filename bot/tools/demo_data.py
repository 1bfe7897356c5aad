"""The demo programme as plain data: the 7 proeftuinen and 12 themes of the bundled programme
file (programma.toml), members; the ~90 learnings themselves are in demo_learnings.toml beside
this file.

The proeftuinen are fictional resident initiatives; Floor Ziegler and Teun Gautier are the
programme's project leaders. `bot.tools.demo` turns this data into rows; nothing here touches
storage.
Texts read the way participants write in their channel: concrete, short, sometimes tagged.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

from storage.models import Ring

PLATFORM = "console"
DIGEST_CHANNEL = "kenniskring"  # the kenniskring's own channel: linked to no proeftuin


class DemoProeftuin(NamedTuple):
    key: str
    name: str
    channel: str  # console channel id linked to it


class DemoTheme(NamedTuple):
    slug: str
    name: str
    keywords: str  # comma-separated, lower case


class DemoMember(NamedTuple):
    user_id: str  # console user id
    display_name: str
    proeftuin: str | None  # key of their home proeftuin; None for the project leaders


class DemoLearning(NamedTuple):
    proeftuin: str  # key
    author: str  # user id
    text: str
    themes: tuple[str, ...] = ()  # tagged afterwards, besides the #slugs in the text
    ring: Ring = Ring.KENNISKRING
    named: bool = False  # published (buitenwereld) with the author's name, by their choice


def _programme() -> tuple[tuple[DemoProeftuin, ...], tuple[DemoTheme, ...]]:
    """The proeftuinen and themes of the bundled programme file (bot/tools/programma.toml, the
    same as docs/programma.example.toml): the demo is that programme plus invented learnings.
    A proeftuin's key is its console channel without `proeftuin-`."""
    from bot.tools.programme_file import EXAMPLE, read_programme
    from handlers.i18n import Translator

    plan = read_programme(EXAMPLE, Translator("nl"))
    sites = []
    for site in plan.proeftuinen:
        channel = next(c for p, c in site.channels if p == PLATFORM)
        sites.append(DemoProeftuin(channel.removeprefix("proeftuin-"), site.name, channel))
    topics = tuple(DemoTheme(t.slug, t.name, ", ".join(t.keywords)) for t in plan.themes)
    return tuple(sites), topics


PROEFTUINEN, THEMES = _programme()

MEMBERS: tuple[DemoMember, ...] = (
    DemoMember("floor", "Floor Ziegler", None),
    DemoMember("teun", "Teun Gautier", None),
    DemoMember("amira", "Amira El Idrissi", "zuiderwijk"),
    DemoMember("henk", "Henk Mulder", "zuiderwijk"),
    DemoMember("sanne", "Sanne de Boer", "oostwind"),
    DemoMember("mehmet", "Mehmet Kaya", "oostwind"),
    DemoMember("lotte", "Lotte Visser", "hooiberg"),
    DemoMember("kwame", "Kwame Mensah", "hooiberg"),
    DemoMember("ineke", "Ineke Hoekstra", "dorpsgoed"),
    DemoMember("gerrit", "Gerrit Wiersma", "dorpsgoed"),
    DemoMember("fatima", "Fatima Ouali", "kroonwijk"),
    DemoMember("ruben", "Ruben de Graaf", "kroonwijk"),
    DemoMember("marjolein", "Marjolein Smit", "hofje"),
    DemoMember("daan", "Daan Peeters", "hofje"),
    DemoMember("priya", "Priya Ramdin", "de-loods"),
    DemoMember("bram", "Bram Jansen", "de-loods"),
)

LEARNINGS_FILE = Path(__file__).with_name("demo_learnings.toml")


def _load_learnings() -> tuple[DemoLearning, ...]:
    """The demo learnings, kept as data in demo_learnings.toml."""
    with LEARNINGS_FILE.open("rb") as handle:
        rows = tomllib.load(handle)["learning"]
    return tuple(
        DemoLearning(
            proeftuin=row["proeftuin"],
            author=row["author"],
            text=row["text"],
            themes=tuple(row.get("themes", ())),
            ring=Ring(row.get("ring", Ring.KENNISKRING.value)),
            named=bool(row.get("named", False)),
        )
        for row in rows
    )


LEARNINGS: tuple[DemoLearning, ...] = _load_learnings()
