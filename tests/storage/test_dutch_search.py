"""Dutch-aware search (issue 17, item 0): both backends stem alike, so a query finds the same
learnings on SQLite and on PostgreSQL; revision 0005 rebuilds SQLite's index without losing a
row.

The relevance corpus: learnings written for it and queries with exactly the learnings each must
find (Dutch plurals, diminutives, compounds, English words, words still being typed). Every query
runs through `search_learnings` as `zoek` does; the expected sets are the same on both backends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Connection, insert, text

from storage.db import Database, make_engine
from storage.migrate import current_revision, downgrade, upgrade
from storage.models import Learning, Proeftuin
from storage.search import search_learnings
from storage.search_terms import index_text, stem
from storage.visibility import Viewer

CORPUS = {
    "gemeente": "De gemeente betaalt de huur van het buurthuis.",
    "gemeenten": "Drie gemeenten werken samen aan één loket voor initiatieven.",
    "gemeentes": "Gemeentes verschillen in hun regels voor subsidie.",
    "vrijwilliger": "Elke vrijwilliger krijgt een sleutel van het pand.",
    "vrijwilligers": "Vrijwilligers blijven als ze zelf mogen beslissen.",
    "bewoners": "Bewoners doen pas mee als ze elkaar kennen.",
    "bewoner": "Een bewoner uit de flat nam het initiatief.",
    "bewonersavond": "De bewonersavond trok veertig mensen.",
    "subsidies": "Subsidies aanvragen kost veel tijd.",
    "huisje": "Het huisje in de tuin wordt een werkplaats.",
    "huis": "Het huis van de wijk is elke dag open.",
    "buurtjes": "In kleine buurtjes kent iedereen elkaar.",
    "buurt": "De buurt wil een eigen energiecoöperatie.",
    "cooperaties": "Twee coöperaties delen een zonnedak.",
    "woningcorporaties": "De woningcorporaties willen meer groen.",
    "woningcorporatie": "Met de woningcorporatie maakten we afspraken over onderhoud.",
    "meetings": "Online meetings werken minder goed dan koffie.",
    "meeting": "Na de meeting schreven we alles op.",
    "funding": "Funding from the municipality arrived late.",
    "volunteers": "Volunteers organised the community garden.",
    "community": "The community decides together.",
    "fondsen": "Twee fondsen betaalden de verbouwing.",
    "fonds": "Het fonds vroeg om een verslag.",
    "kinderen": "Kinderen spelen na school in de moestuin.",
    "kind": "Elk kind krijgt een eigen plantenbak.",
    "moestuinen": "De moestuinen delen zaden met elkaar.",
    "bijeenkomsten": "De bijeenkomsten in het dorpshuis lopen goed.",
    "bijeenkomst": "Op de bijeenkomst kwamen nieuwe mensen.",
    "warmtepomp": "Een warmtepomp in de school bespaart veel.",
    "warmtepompen": "Warmtepompen zijn duur voor een vereniging.",
    "zonnepanelen": "Zonnepanelen op het dak van de sporthal.",
    "zonnepaneel": "Eén zonnepaneel was kapot.",
    "activiteiten": "De activiteiten voor ouderen trekken veel bezoekers.",
    "oudere": "Oudere buren willen een vast aanspreekpunt.",
    "ideeen": "Goede ideeën komen uit de buurt zelf.",
    "idee": "Het idee voor een repaircafé kwam van een buurvrouw.",
    "cafe": "In het café van het buurthuis drinken we koffie.",
    "gesprekjes": "Korte gesprekjes bij de voordeur werken het best.",
    "gesprek": "Een gesprek met de wethouder opende deuren.",
    "stakeholders": "We brachten alle stakeholders in kaart.",
    "bestuur": "Het bestuur zoekt nieuwe bestuursleden.",
    "besturen": "Besturen van verenigingen vergrijzen.",
    "wonen": "Wonen in de wijk wordt duurder.",
    "straatje": "Het straatje achter de kerk kreeg bloembakken.",
    "straten": "In drie straten hingen we posters op.",
    "kenniskring": "In de kenniskring deelden we onze aanpak.",
}

GEMEENTE = {"gemeente", "gemeenten", "gemeentes"}
BEWONER = {"bewoners", "bewoner", "bewonersavond"}  # the last word typed also a prefix

# query -> the learnings it must find, exactly (on both backends)
RELEVANCE: dict[str, set[str]] = {
    # Dutch plurals, both ways
    "gemeente": GEMEENTE,
    "gemeenten": GEMEENTE,
    "gemeentes": GEMEENTE,
    "Gemeenten!": GEMEENTE,
    "vrijwilligers": {"vrijwilliger", "vrijwilligers"},
    "vrijwilliger": {"vrijwilliger", "vrijwilligers"},
    "bewoners": BEWONER,
    "bewoner": BEWONER,
    "subsidie": {"subsidies", "gemeentes"},
    "subsidies": {"subsidies", "gemeentes"},
    "fondsen": {"fondsen", "fonds"},
    "fonds": {"fondsen", "fonds"},
    "kinderen": {"kinderen", "kind"},
    "moestuin": {"moestuinen", "kinderen"},
    "moestuinen": {"moestuinen", "kinderen"},
    "bijeenkomst": {"bijeenkomsten", "bijeenkomst"},
    "bijeenkomsten": {"bijeenkomsten", "bijeenkomst"},
    "warmtepompen": {"warmtepomp", "warmtepompen"},
    "zonnepaneel": {"zonnepaneel", "zonnepanelen"},
    "zonnepanelen": {"zonnepaneel", "zonnepanelen"},
    "activiteit": {"activiteiten"},
    "ouderen": {"activiteiten", "oudere"},
    "oudere": {"activiteiten", "oudere"},
    "coöperatie": {"cooperaties"},
    "cooperaties": {"cooperaties"},
    "besturen": {"bestuur", "besturen"},
    "woningcorporaties": {"woningcorporatie", "woningcorporaties"},
    "straat": {"straatje", "straten"},
    # diminutives
    "huisje": {"huisje", "huis"},
    "huisjes": {"huisje", "huis"},
    "huis": {"huisje", "huis"},
    # buurtje is buurt + je, but could be buur + tje: both are looked for ("Oudere buren")
    "buurtjes": {"buurtjes", "buurt", "ideeen", "oudere"},
    "straatje": {"straatje", "straten"},
    "gesprekje": {"gesprekjes", "gesprek"},
    "gesprekjes ": {"gesprekjes", "gesprek"},
    # compounds: the whole word, its plural, and the start of it while typing; a part that
    # is not the start of the compound does not find it (neither backend splits compounds)
    "woningcorporatie": {"woningcorporatie", "woningcorporaties"},
    "energiecoöperatie": {"buurt"},
    "buurthuis": {"gemeente", "cafe"},
    "bewonersavond": {"bewonersavond"},
    "avond bewoners": set(),
    "repaircafé": {"idee"},
    "plantenbakken": {"kind"},
    "bestuursleden": {"bestuur"},
    # English words (stemmed by the Dutch rules on both backends, so plurals in -s still meet)
    "meetings": {"meetings", "meeting"},
    "meeting": {"meetings", "meeting"},
    "volunteers": {"volunteers"},
    "community garden": {"volunteers"},
    "community": {"volunteers", "community"},
    "funding municipality": {"funding"},
    "stakeholder": {"stakeholders"},
    # words still being typed: the last one also matches the start of a word
    "bewo": BEWONER,
    "gemeent": GEMEENTE,
    "vrijwil": {"vrijwilliger", "vrijwilligers"},
    "warmtep": {"warmtepomp", "warmtepompen"},
    "zonnep": {"zonnepaneel", "zonnepanelen"},
    "coöp": {"cooperaties"},
    "energiec": {"buurt"},
    "woningc": {"woningcorporatie", "woningcorporaties"},
    # ...also where the stem is shorter than what is typed (kenniskring is indexed kenniskr)
    "kenniskri": {"kenniskring"},
    "kenniskrin": {"kenniskring"},
    "kenniskring": {"kenniskring"},
    "buurtbewoners bewo": set(),
    "elkaar ken": {"bewoners", "buurtjes"},
    "idee": {"idee", "ideeen"},
    "kind": {"kind", "kinderen"},
    "won": {"wonen", "woningcorporatie", "woningcorporaties"},
    # precision: a stem is not a prefix of another word, and stop words find nothing
    "wonen": {"wonen"},
    "de het een": set(),
    "woningcorporatie wonen": set(),
}


@pytest.fixture
async def corpus(database_url: str) -> AsyncIterator[tuple[Database, dict[int, str]]]:
    upgrade(database_url)
    db = Database(database_url)
    async with db.unit_of_work() as session:
        place = Proeftuin(name="Proeftuin A")
        session.add(place)
        await session.flush()
        ids = {}
        for key, body in CORPUS.items():
            learning = Learning(text=body, proeftuin_id=place.id, ring="kenniskring")
            session.add(learning)
            await session.flush()
            ids[learning.id] = key
    yield db, ids
    await db.close()


async def test_relevance(corpus: tuple[Database, dict[int, str]]) -> None:
    assert len(RELEVANCE) >= 50
    db, keys = corpus
    wrong = []
    async with db.reading() as session:
        for query, expected in RELEVANCE.items():
            hits = await search_learnings(session, Viewer(operator=True), query, limit=20)
            found = {keys[hit.learning_id] for hit in hits}
            if found != expected:
                missing, extra = sorted(expected - found), sorted(found - expected)
                wrong.append(f"{query!r}: missing {missing}, extra {extra}")
    assert not wrong, "\n".join(wrong)


async def test_snippets_mark_every_form(corpus: tuple[Database, dict[int, str]]) -> None:
    db, keys = corpus
    async with db.reading() as session:
        hits = await search_learnings(session, Viewer(operator=True), "gemeenten")
        marked = {keys[h.learning_id]: h.snippet for h in hits}
        hits = await search_learnings(session, Viewer(operator=True), "bewo")
        marked |= {keys[h.learning_id]: h.snippet for h in hits}
    assert "De **gemeente** betaalt" in marked["gemeente"]
    assert "Drie **gemeenten** werken" in marked["gemeenten"]
    assert "**Gemeentes** verschillen" in marked["gemeentes"]
    assert "De **bewonersavond** trok" in marked["bewonersavond"]


def test_index_text_is_what_postgresql_indexes() -> None:
    """The stems and stop words are PostgreSQL's `dutch` ones (the same Snowball algorithm)."""
    assert index_text("De gemeenten en hun Vrijwilligers, coöperaties!") == (
        "gemeent vrijwilliger cooperaties"
    )
    assert stem("gemeente") == stem("gemeenten") == "gemeent"


ROWS = [
    "Drie gemeenten werken samen.",
    "Vrijwilligers blijven als ze zelf mogen beslissen.",
    "Een tweede coöperatie start.",
]


def _matching(url: str, word: str) -> set[int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            sql = "SELECT rowid FROM learnings_fts WHERE learnings_fts MATCH :q"
            return set(conn.execute(text(sql), {"q": word}).scalars())
    finally:
        engine.dispose()


def test_revision_0005_rebuilds_the_index_and_keeps_every_row(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL stemmed from revision 0001 on; 0005 changes nothing there")
    upgrade(database_url, "0004")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO proeftuinen (id, name, created_at) VALUES (1, 'A', '2026-12-01')"
        )
        conn.execute(
            insert(Learning),
            [
                {"id": i, "text": body, "proeftuin_id": 1, "ring": "kenniskring"}
                for i, body in enumerate(ROWS, start=1)
            ],
        )
    assert _matching(database_url, "gemeenten") == {1}
    assert _matching(database_url, "gemeent") == set()  # unstemmed before 0005
    upgrade(database_url, "0005")
    assert current_revision(database_url) == "0005"
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT id, text FROM learnings ORDER BY id").all() == [
            (i, body) for i, body in enumerate(ROWS, start=1)
        ]
        conn.exec_driver_sql("INSERT INTO learnings_fts(learnings_fts) VALUES ('integrity-check')")
        # the triggers keep the stemmed index in step
        conn.exec_driver_sql("UPDATE learnings SET text = 'Twee gemeentes' WHERE id = 3")
        conn.exec_driver_sql("DELETE FROM learnings WHERE id = 2")
        conn.exec_driver_sql("INSERT INTO learnings_fts(learnings_fts) VALUES ('integrity-check')")
    assert _matching(database_url, "gemeent") == {1}
    assert _matching(database_url, "gemeentes") == {3}
    assert _matching(database_url, "vrijwilliger") == set()
    downgrade(database_url, "0004")
    assert _matching(database_url, "gemeenten") == {1}
    assert _matching(database_url, "gemeentes") == {3}
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO learnings_fts(learnings_fts) VALUES ('integrity-check')")
        assert conn.exec_driver_sql("SELECT count(*) FROM learnings").scalar() == 2
    engine.dispose()


def _facet_sets(url: str) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Per facet token: the learnings the index finds by it, and those the tables say."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                return _pg_facet_sets(conn)
            truth: dict[str, set[int]] = {}
            for learning, place in conn.exec_driver_sql("SELECT id, proeftuin_id FROM learnings"):
                truth.setdefault(f"p{place}", set()).add(learning)
            for learning, theme in conn.exec_driver_sql("SELECT * FROM learning_themes"):
                truth.setdefault(f"t{theme}", set()).add(learning)
            indexed = {}
            for token in [*truth, "p1", "p2", "t1", "t2", "t3"]:
                indexed[token] = set(
                    conn.execute(
                        text("SELECT rowid FROM learnings_fts WHERE learnings_fts MATCH :q"),
                        {"q": f'facets : "{token}"'},
                    ).scalars()
                )
                truth.setdefault(token, set())
            check = "INSERT INTO learnings_fts(learnings_fts) VALUES ('integrity-check')"
            conn.exec_driver_sql(check)
            return indexed, truth
    finally:
        engine.dispose()


def _pg_facet_sets(conn: Connection) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    truth: dict[str, set[int]] = {}
    indexed: dict[str, set[int]] = {}
    for learning, place, facets in conn.exec_driver_sql(
        "SELECT id, proeftuin_id, search_facets FROM learnings"
    ):
        truth.setdefault(f"p{place}", set()).add(learning)
        for facet in facets:
            key = f"p{-facet}" if facet < 0 else f"t{facet}"
            indexed.setdefault(key, set()).add(learning)
    for learning, theme in conn.exec_driver_sql("SELECT * FROM learning_themes"):
        truth.setdefault(f"t{theme}", set()).add(learning)
    return indexed, truth


def test_revision_0006_keeps_filters_in_the_index_in_step(database_url: str) -> None:
    """The proeftuin and theme tokens follow every change: tag, untag, a moved link, a deleted
    theme, a learning moved to another proeftuin, a deleted learning, a deleted proeftuin."""
    upgrade(database_url, "0005")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO proeftuinen (id, name, created_at) VALUES (1, 'A', '2026-12-01'),"
            " (2, 'B', '2026-12-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO themes (id, slug, name, keywords, created_at) VALUES"
            " (1, 'a', 'A', '', '2026-12-01'), (2, 'b', 'B', '', '2026-12-01'),"
            " (3, 'c', 'C', '', '2026-12-01')"
        )
        conn.execute(
            insert(Learning),
            [
                {"id": i, "text": f"Bewoners {i}", "proeftuin_id": 1 + i % 2, "ring": "kenniskring"}
                for i in range(1, 7)
            ],
        )
        conn.exec_driver_sql("INSERT INTO learning_themes VALUES (1, 1), (2, 1), (2, 2)")
    upgrade(database_url)  # 0006 indexes what is there
    indexed, truth = _facet_sets(database_url)
    assert indexed == truth and truth["t1"] == {1, 2}
    steps = [
        "INSERT INTO learning_themes VALUES (3, 1), (3, 2), (3, 3)",
        "DELETE FROM learning_themes WHERE learning_id = 3 AND theme_id = 2",
        "UPDATE learning_themes SET theme_id = 2 WHERE learning_id = 1 AND theme_id = 1",
        "UPDATE learning_themes SET learning_id = 4 WHERE learning_id = 2 AND theme_id = 2",
        "UPDATE learnings SET proeftuin_id = 2, text = 'Gemeente' WHERE id = 3",
        "UPDATE learnings SET ring = 'proeftuin' WHERE id = 4",
        "DELETE FROM themes WHERE id = 3",
        "DELETE FROM learnings WHERE id = 2",
        "DELETE FROM proeftuinen WHERE id = 1",
    ]
    for step in steps:
        with engine.begin() as conn:
            conn.exec_driver_sql(step)
        indexed, truth = _facet_sets(database_url)
        assert indexed == truth, step
    if database_url.startswith("sqlite"):
        assert _matching(database_url, "text : gemeent") == {3}
    engine.dispose()
