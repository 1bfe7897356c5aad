"""The demo programme as plain data: 7 proeftuinen, 12 themes, members; the ~90 learnings
themselves are in demo_learnings.toml beside this file.

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


PROEFTUINEN: tuple[DemoProeftuin, ...] = (
    DemoProeftuin("zuiderwijk", "Buurtkamer Zuiderwijk", "proeftuin-zuiderwijk"),
    DemoProeftuin("oostwind", "Energiecoöperatie Oostwind", "proeftuin-oostwind"),
    DemoProeftuin("hooiberg", "Voedseltuin De Hooiberg", "proeftuin-hooiberg"),
    DemoProeftuin("dorpsgoed", "Zorgcoöperatie Dorpsgoed", "proeftuin-dorpsgoed"),
    DemoProeftuin("kroonwijk", "Bewonersbedrijf Kroonwijk", "proeftuin-kroonwijk"),
    DemoProeftuin("hofje", "Wooninitiatief Hofje van Morgen", "proeftuin-hofje"),
    DemoProeftuin("loods", "Buurtwerkplaats De Loods", "proeftuin-de-loods"),
)

THEMES: tuple[DemoTheme, ...] = (
    DemoTheme(
        "financiering",
        "Financiering en fondsen",
        "geld, subsidie, fonds, fondsen, begroting, financiering, inkomsten, crowdfunding, "
        "lening, verdienmodel, businesscase",
    ),
    DemoTheme(
        "samenwerking-gemeente",
        "Samenwerking met de gemeente",
        "gemeente, wethouder, ambtenaar, ambtenaren, beleid, gemeenteraad, aanbesteding, "
        "right to challenge, loket",
    ),
    DemoTheme(
        "vrijwilligers",
        "Vrijwilligers",
        "vrijwilliger, vrijwilligers, vrijwilligersvergoeding, werven, overbelasting, "
        "coördinator, rooster",
    ),
    DemoTheme(
        "eigenaarschap",
        "Eigenaarschap en zeggenschap",
        "eigenaarschap, zeggenschap, leden, ledenvergadering, ledenraad, bestuur, draagvlak, "
        "meebeslissen, inspraak",
    ),
    DemoTheme(
        "impact",
        "Impact en verantwoording",
        "impact, verantwoording, verantwoorden, meten, rapportage, resultaten, effect, "
        "maatschappelijke waarde, monitoring, theory of change",
    ),
    DemoTheme(
        "continuiteit",
        "Continuïteit",
        "continuïteit, continuiteit, structureel, bestendigen, opvolging, overdracht, "
        "overdragen, meerjarig, langjarig",
    ),
    DemoTheme(
        "ruimte",
        "Ruimte en vastgoed",
        "ruimte, gebouw, pand, huur, huurovereenkomst, vastgoed, grond, locatie, erfpacht, "
        "maatschappelijk vastgoed",
    ),
    DemoTheme(
        "regels",
        "Regels en bureaucratie",
        "regels, regelgeving, vergunning, bureaucratie, avg, verzekering, aansprakelijkheid, "
        "statuten, btw, bestemmingsplan",
    ),
    DemoTheme(
        "netwerk",
        "Netwerk en kennisdeling",
        "netwerk, uitwisseling, uitwisselen, kennisdeling, kenniskring, partners, werkbezoek, "
        "samen optrekken",
    ),
    DemoTheme(
        "wonen",
        "Wonen",
        "wonen, woning, woningen, woningcorporatie, corporatie, huurders, wooncoöperatie, cpo, "
        "hofje",
    ),
    DemoTheme(
        "zorg",
        "Zorg en welzijn",
        "zorg, welzijn, wmo, mantelzorg, mantelzorgers, eenzaamheid, ouderen, dagbesteding, "
        "zorgverzekeraar, huisarts",
    ),
    DemoTheme(
        "energie",
        "Energie",
        "energie, zonnepanelen, zonnedak, warmte, warmtepomp, isolatie, energiearmoede, "
        "energiecoach, energiecoaches, postcoderoos, netbeheerder",
    ),
)

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
    DemoMember("priya", "Priya Ramdin", "loods"),
    DemoMember("bram", "Bram Jansen", "loods"),
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
