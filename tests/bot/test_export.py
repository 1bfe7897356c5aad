"""`export_learnings`: Markdown, CSV and JSON that parse back, and the ring rule per export."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot.tools.demo import build_demo
from bot.tools.demo_data import LEARNINGS, PROEFTUINEN
from bot.tools.export import (
    FIELDS,
    FORMATS,
    INTERNAL_EXTRA,
    PUBLIC_EXTRA,
    ExportFormat,
    export_learnings,
    iter_rows,
)
from handlers.context import Policy
from handlers.router import Router
from storage import learnings, members, proeftuinen, rings, themes
from storage.db import Database
from storage.models import Enrichment, Learning, Ring
from tests.conftest import LEADER, Chat, make_policy

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NAMED_AUTHORS = {"Mehmet Kaya", "Priya Ramdin"}  # demo_data: published with `named=True`
TRICKY = 'Quote "zo", komma, en\nnieuwe regel: # geen kop\n- geen lijst'


@pytest.fixture
async def demo(database: Database, policy: Policy) -> Database:
    """The demo programme, plus an anonymised learning with a source link and tricky text."""
    await build_demo(database, policy, now=NOW)
    async with database.unit_of_work() as session:
        place = await proeftuinen.find_by_name(session, PROEFTUINEN[0].name)
        assert place is not None
        author = await members.find(session, "console", "amira")
        wonen = await themes.by_slugs(session, ["wonen", "zorg"])
        await learnings.add(
            session,
            text=TRICKY,
            proeftuin=place,
            author=author,
            ring=Ring.BUITENWERELD.value,
            themes=list(wonen.values()),
            source_url="https://example.org/samen/bericht?id=1&x=2",
            created_at=NOW - timedelta(hours=1),
        )
        first = await session.scalar(select(func.min(Learning.id)))
        await session.execute(update(Learning).where(Learning.id == first).values(author_id=None))
    return database


async def export(database: Database, fmt: str, ring: Ring | None, language: str = "nl") -> str:
    out = io.StringIO()
    written = await export_learnings(
        database,
        cast(ExportFormat, fmt),
        ring,
        out,
        language=language,
        timezone=AMSTERDAM,
        now=NOW,  # type: ignore[arg-type]
    )
    value = out.getvalue()
    if fmt == "json":
        assert written == len(json.loads(value))
    if fmt == "csv":
        assert written == len(list(csv.DictReader(io.StringIO(value))))
    return value


async def ring_counts(database: Database) -> Counter[str]:
    async with database.unit_of_work() as session:
        rows = await session.execute(select(Learning.ring, func.count()).group_by(Learning.ring))
        return Counter(dict(rows.all()))


async def test_json_operator_export_has_everything(demo: Database) -> None:
    rows = json.loads(await export(demo, "json", None))

    assert len(rows) == len(LEARNINGS) + 1
    assert all(set(FIELDS) <= set(row) for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert {row["ring"] for row in rows} == {"proeftuin", "kenniskring", "buitenwereld"}
    assert {row["proeftuin"] for row in rows} == {p.name for p in PROEFTUINEN}
    assert rows[0]["author"] is None  # anonymised
    assert sum(1 for row in rows if row["author"]) == len(rows) - 1
    assert all(row["prompt_id"] is None for row in rows)
    for row in rows:
        moment = datetime.fromisoformat(row["created_at"])
        assert moment.utcoffset() is not None
        assert moment.utcoffset() == moment.astimezone(AMSTERDAM).utcoffset()
        assert isinstance(row["themes"], list)
        assert all(isinstance(slug, str) and not slug.startswith("#") for slug in row["themes"])
    tricky = next(row for row in rows if row["text"] == TRICKY)
    assert tricky["themes"] == ["wonen", "zorg"]
    assert tricky["source_url"] == "https://example.org/samen/bericht?id=1&x=2"
    assert tricky["author"] == "Amira El Idrissi"


async def test_json_kenniskring_export_leaves_out_ring_proeftuin(demo: Database) -> None:
    rows = json.loads(await export(demo, "json", Ring.KENNISKRING))
    counts = await ring_counts(demo)

    assert len(rows) == counts["kenniskring"] + counts["buitenwereld"]
    assert "proeftuin" not in {row["ring"] for row in rows}
    assert any(row["author"] for row in rows)


async def test_json_buitenwereld_export_names_authors_only_by_choice(demo: Database) -> None:
    rows = json.loads(await export(demo, "json", Ring.BUITENWERELD))
    counts = await ring_counts(demo)

    assert len(rows) == counts["buitenwereld"] > 0
    assert {row["ring"] for row in rows} == {"buitenwereld"}
    assert all(row["proeftuin"] for row in rows)
    named = {row["author"] for row in rows if row["author"] is not None}
    assert named == NAMED_AUTHORS  # the authors who chose to be named; the rest anonymous
    assert sum(1 for row in rows if row["author"] is None) == len(rows) - len(NAMED_AUTHORS)
    tricky = next(row for row in rows if row["text"] == TRICKY)
    assert tricky["author"] is None  # published, but Amira did not choose to be named


async def test_csv_parses_back(demo: Database) -> None:
    for ring in (None, Ring.KENNISKRING, Ring.BUITENWERELD):
        value = await export(demo, "csv", ring)
        reader = csv.DictReader(io.StringIO(value))
        rows = list(reader)
        extra = PUBLIC_EXTRA if ring is Ring.BUITENWERELD else INTERNAL_EXTRA
        assert tuple(reader.fieldnames or ()) == FIELDS + extra
        if ring is Ring.KENNISKRING:
            assert "proeftuin" not in {row["ring"] for row in rows}
        if ring is Ring.BUITENWERELD:
            assert {row["ring"] for row in rows} == {"buitenwereld"}
            assert {row["author"] for row in rows} == {"", *NAMED_AUTHORS}
    rows = list(csv.DictReader(io.StringIO(await export(demo, "csv", None))))
    assert len(rows) == len(LEARNINGS) + 1
    tricky = next(row for row in rows if row["text"] == TRICKY)
    assert tricky["themes"] == "wonen zorg"
    assert datetime.fromisoformat(tricky["created_at"]).utcoffset() is not None
    assert all(datetime.fromisoformat(row["created_at"]).tzinfo for row in rows)


async def test_markdown_dutch_grouped_by_week(demo: Database) -> None:
    value = await export(demo, "md", Ring.KENNISKRING)

    assert value.startswith("# Inzichten van Programma SAMEN\n")
    assert "Geëxporteerd op 27 nov" in value
    assert value.count("\n## Week ") == 5
    assert "## Week 48 van 2026 (23 nov – 29 nov)" in value
    assert f"Aantal inzichten: {sum(1 for i in LEARNINGS if i.ring != Ring.PROEFTUIN) + 1}" in value
    assert "Thema's: #wonen #zorg" in value
    assert "Door: Amira El Idrissi" in value and "Door: anoniem" in value
    assert "[bron](<https://example.org/samen/bericht?id=1&x=2>)" in value
    # The learning's own lines cannot become headings or list items.
    assert "\nnieuwe regel: # geen kop\n\\- geen lijst\n" in value
    for item in LEARNINGS:
        first_words = item.text[:60]
        assert (first_words in value) == (item.ring is not Ring.PROEFTUIN), item.text


async def test_markdown_english_and_anonymous_for_buitenwereld(demo: Database) -> None:
    value = await export(demo, "md", Ring.BUITENWERELD, language="en")

    assert value.startswith("# Learnings of Programma SAMEN\n")
    assert "## Week 48 of 2026 (23 Nov – 29 Nov)" in value
    assert "Ring: buitenwereld" in value
    assert value.count("By: ") == len(NAMED_AUTHORS) and "Door:" not in value
    assert all(f"By: {name}" in value for name in NAMED_AUTHORS)
    assert "Amira" not in value and "anonymous" not in value
    published = sum(1 for i in LEARNINGS if i.ring is Ring.BUITENWERELD) + 1
    assert value.count("\n### #") == published


async def test_empty_exports(database: Database) -> None:
    assert json.loads(await export(database, "json", None)) == []
    assert await export(database, "csv", None) == ",".join(FIELDS + INTERNAL_EXTRA) + "\r\n"
    public = await export(database, "csv", Ring.BUITENWERELD)
    assert public == ",".join(FIELDS + PUBLIC_EXTRA) + "\r\n"
    assert "Er zijn (nog) geen inzichten" in await export(database, "md", None)


async def test_export_of_ring_proeftuin_is_refused(database: Database) -> None:
    with pytest.raises(ValueError):
        await export_learnings(database, "json", Ring.PROEFTUIN, io.StringIO(), timezone=AMSTERDAM)


async def test_rows_stream_in_batches_without_gaps_or_repeats(demo: Database) -> None:
    """Keyset paging by number and by time, also when many learnings share one moment."""
    async with demo.unit_of_work() as session:
        place = await proeftuinen.find_by_name(session, PROEFTUINEN[1].name)
        assert place is not None
        for n in range(9):
            await learnings.add(
                session,
                text=f"Zelfde moment {n}",
                proeftuin=place,
                author=None,
                ring="kenniskring",
                created_at=NOW - timedelta(days=2),
            )
        expected = list(await session.scalars(select(Learning.id).order_by(Learning.id)))
        by_time = list(
            await session.scalars(select(Learning.id).order_by(Learning.created_at, Learning.id))
        )
    assert [row.id async for row in iter_rows(demo, None, batch_size=4)] == expected
    assert [row.id async for row in iter_rows(demo, None, by_time=True, batch_size=4)] == by_time
    assert len(expected) == len(LEARNINGS) + 10


# --- hostile cells, raw HTML and what a public export may show ---------------------------------

FORMULA = '=HYPERLINK("https://evil.example","klik")'
HTML = "<script>alert(1)</script> en <b>vet</b> & [https://gemeente.nl](https://evil.example)"
WORKSPACE_LINK = "https://samen.slack.com/archives/C0PRIVATE/p1700000000000100"
MENTIONS = "Vraag <@U0SECRET> of <@!123456789012345678> (<@&42>), zie <#C0PRIVATE|intern> en <#987>"


@pytest.fixture
async def hostile(database: Database) -> Database:
    """Published learnings with a formula, raw HTML and a masked link; one by an author who
    chose to be named but has no display name (only a platform id), one by an author who did
    not choose to be named; every one with a link into the workspace."""
    async with database.unit_of_work() as session:
        place, _ = await proeftuinen.get_or_create(session, "@Zuid")
        no_name = await members.upsert(session, "slack", "U0SECRET", "", "deelnemer")
        secret = await members.upsert(session, "slack", "U0OTHER", "Geheime Naam", "deelnemer")
        named = await members.upsert(session, "slack", "U0NAMED", "+Noor", "deelnemer")
        for text, author, public in [
            (FORMULA, no_name, True),
            (HTML, secret, False),
            ("-1 stem telde dubbel\ttab", named, True),
            ("\r=1+1", named, True),
            (MENTIONS, named, True),
        ]:
            learning = await learnings.add(
                session,
                text=text,
                proeftuin=place,
                author=author,
                ring=Ring.BUITENWERELD.value,
                source_url=WORKSPACE_LINK,
                created_at=NOW - timedelta(hours=2),
            )
            learning.author_public = public
            await rings.enrich(session, learning, place, secret, FORMULA + " " + HTML)
    return database


async def test_csv_cells_cannot_be_formulas(hostile: Database) -> None:
    for ring in (None, Ring.KENNISKRING, Ring.BUITENWERELD):
        rows = list(csv.DictReader(io.StringIO(await export(hostile, "csv", ring))))
        assert rows
        for row in rows:
            for name, value in row.items():
                if name in ("id", "prompt_id", "created_at") or not value:
                    continue
                assert value[0] not in "=+-@\t\r", (name, value)
        texts = {row["text"] for row in rows}
        assert "'" + FORMULA in texts  # quoted, not changed: the words are all there
        assert "'-1 stem telde dubbel\ttab" in texts and "'\r=1+1" in texts
        assert {row["proeftuin"] for row in rows} == {"'@Zuid"}
        if ring is not Ring.BUITENWERELD:  # the notes cell starts with the proeftuin's name
            assert all(row["enrichment_notes"].startswith("'@Zuid (") for row in rows)
            assert all(FORMULA in row["enrichment_notes"] for row in rows)


async def test_markdown_export_has_no_raw_html_or_masked_links(hostile: Database) -> None:
    for ring in (None, Ring.BUITENWERELD):
        value = await export(hostile, "md", ring)
        assert "<script" not in value and "<b>" not in value
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in value
        assert "](https://evil.example)" not in value
        assert "https://gemeente.nl (https://evil.example)" in value
        assert value.count("&lt;script&gt;") == 1 + (5 if ring is None else 0)  # + the notes


async def test_public_exports_carry_no_workspace_link_platform_id_or_unconsented_name(
    hostile: Database,
) -> None:
    for fmt in ("json", "csv", "md"):
        value = await export(hostile, fmt, Ring.BUITENWERELD)
        assert "samen.slack.com" not in value and "C0PRIVATE" not in value, fmt
        assert "U0SECRET" not in value and "U0OTHER" not in value, fmt
        assert "Geheime Naam" not in value, fmt
        assert "Noor" in value, fmt  # chose to be named
        for platform_id in ("123456789012345678", "<@&42>", "<#987>"):
            assert platform_id not in value, (fmt, platform_id)
        assert "Vraag @… of @… (@…), zie #intern en #…" in value, fmt
    rows = json.loads(await export(hostile, "json", Ring.BUITENWERELD))
    assert all(row["source_url"] is None for row in rows)
    assert {row["author"] for row in rows} == {None, "+Noor"}


async def test_operator_export_keeps_links_and_names(hostile: Database) -> None:
    rows = json.loads(await export(hostile, "json", None))
    assert {row["source_url"] for row in rows} == {WORKSPACE_LINK}
    assert {row["author"] for row in rows} == {"U0SECRET", "Geheime Naam", "+Noor"}
    assert WORKSPACE_LINK in await export(hostile, "md", None)
    assert MENTIONS in {row["text"] for row in rows}  # the operator sees what was stored


# --- recognitions and enrichments: texts and names inside the programme, counts in public -------

SHARED_NOTE = "Bij ons werkte een buurtapp beter dan de nieuwsbrief"
PUBLIC_NOTE = "Zie ook het raadsbesluit van maart over wijkbudgetten"
HIDDEN_NOTE = "Geheime aanvulling bij een inzicht van een eigen proeftuin"
NOTES = (SHARED_NOTE, PUBLIC_NOTE, HIDDEN_NOTE)
WRITER = "Vera Verrijker"


@pytest.fixture
async def enriched(demo: Database) -> dict[Ring, int]:
    """The first learning of each ring gets three enrichments from two proeftuinen (one by a
    writer who was erased since) and recognitions from three proeftuinen."""
    async with demo.unit_of_work() as session:
        places = []
        for item in PROEFTUINEN[1:4]:
            place = await proeftuinen.find_by_name(session, item.name)
            assert place is not None
            places.append(place)
        writer = await members.upsert(session, "console", "vera", WRITER, "deelnemer")
        gone = await members.upsert(session, "console", "weg", "Wordt Gewist", "deelnemer")
        ids: dict[Ring, int] = {}
        for ring, note in (
            (Ring.KENNISKRING, SHARED_NOTE),
            (Ring.BUITENWERELD, PUBLIC_NOTE),
            (Ring.PROEFTUIN, HIDDEN_NOTE),
        ):
            first = await session.scalar(
                select(func.min(Learning.id)).where(Learning.ring == ring.value)
            )
            assert first is not None
            ids[ring] = first
            learning = await session.get(Learning, first)
            assert learning is not None
            await rings.enrich(session, learning, places[0], writer, note)
            await rings.enrich(session, learning, places[0], writer, note + " (vervolg)")
            await rings.enrich(session, learning, places[1], gone, note + " (gewist)")
            for place in places:
                await rings.recognise(session, learning, place, writer)
        await session.execute(
            update(Enrichment).where(Enrichment.author_id == gone.id).values(author_id=None)
        )
    return ids


@pytest.mark.parametrize("fmt", FORMATS)
async def test_each_export_shows_exactly_the_enrichments_it_may(
    demo: Database, enriched: dict[Ring, int], fmt: str
) -> None:
    operator = await export(demo, fmt, None)
    assert all(note in operator for note in NOTES), fmt
    assert WRITER in operator, fmt

    kenniskring = await export(demo, fmt, Ring.KENNISKRING)
    assert SHARED_NOTE in kenniskring and PUBLIC_NOTE in kenniskring, fmt
    assert HIDDEN_NOTE not in kenniskring, fmt  # its learning stays in its proeftuin
    assert WRITER not in kenniskring and "Wordt Gewist" not in kenniskring, fmt

    public = await export(demo, fmt, Ring.BUITENWERELD)
    assert not any(note in public for note in NOTES), fmt
    assert WRITER not in public and "Wordt Gewist" not in public, fmt
    assert "Vera" not in public and "verrijker" not in public.lower(), fmt


async def test_json_enrichments_and_recognitions_per_ring(
    demo: Database, enriched: dict[Ring, int]
) -> None:
    recognisers = sorted(p.name for p in PROEFTUINEN[1:4])
    rows = {row["id"]: row for row in json.loads(await export(demo, "json", None))}
    assert all(set(FIELDS) <= set(row) for row in rows.values())
    for learning_id in enriched.values():
        row = rows[learning_id]
        assert row["recognised_by"] == recognisers and row["recognitions"] == 3
        assert [n["proeftuin"] for n in row["enrichments"]] == [
            PROEFTUINEN[1].name,
            PROEFTUINEN[1].name,
            PROEFTUINEN[2].name,
        ]
        assert [n["author"] for n in row["enrichments"]] == [WRITER, WRITER, None]
        for note in row["enrichments"]:
            assert set(note) == {"text", "proeftuin", "created_at", "author"}
            assert datetime.fromisoformat(note["created_at"]).utcoffset() is not None
    untouched = next(row for i, row in rows.items() if i not in enriched.values())
    assert untouched["recognised_by"] == [] and untouched["recognitions"] == 0
    assert untouched["enrichments"] == []

    rows = {row["id"]: row for row in json.loads(await export(demo, "json", Ring.KENNISKRING))}
    assert enriched[Ring.PROEFTUIN] not in rows
    for ring in (Ring.KENNISKRING, Ring.BUITENWERELD):
        row = rows[enriched[ring]]
        assert row["recognised_by"] == recognisers and row["recognitions"] == 3
        assert len(row["enrichments"]) == 3
        assert all(set(note) == {"text", "proeftuin", "created_at"} for note in row["enrichments"])

    rows = {row["id"]: row for row in json.loads(await export(demo, "json", Ring.BUITENWERELD))}
    assert set(enriched.values()) & set(rows) == {enriched[Ring.BUITENWERELD]}
    row = rows[enriched[Ring.BUITENWERELD]]
    assert "recognised_by" not in row
    assert row["recognitions"] == 3 and row["enrichments"] == 2  # proeftuinen, not notes
    assert all(isinstance(r["enrichments"], int) for r in rows.values())
    assert all(set(FIELDS) <= set(r) for r in rows.values())


async def test_csv_enrichment_columns_per_ring(demo: Database, enriched: dict[Ring, int]) -> None:
    rows = {
        int(row["id"]): row
        for row in csv.DictReader(io.StringIO(await export(demo, "csv", Ring.KENNISKRING)))
    }
    row = rows[enriched[Ring.KENNISKRING]]
    assert row["recognitions"] == "3" and row["enrichments"] == "2"
    assert row["recognised_by"] == "; ".join(sorted(p.name for p in PROEFTUINEN[1:4]))
    notes = row["enrichment_notes"].split("\n\n")
    assert len(notes) == 3
    assert notes[0].startswith(f"{PROEFTUINEN[1].name} (") and notes[0].endswith(SHARED_NOTE)

    operator = {
        int(row["id"]): row for row in csv.DictReader(io.StringIO(await export(demo, "csv", None)))
    }
    assert f", {WRITER}): {SHARED_NOTE}" in operator[enriched[Ring.KENNISKRING]]["enrichment_notes"]

    public = list(csv.DictReader(io.StringIO(await export(demo, "csv", Ring.BUITENWERELD))))
    row = next(r for r in public if int(r["id"]) == enriched[Ring.BUITENWERELD])
    assert row["recognitions"] == "3" and row["enrichments"] == "2"
    assert "recognised_by" not in row and "enrichment_notes" not in row


async def test_markdown_enrichments_as_quotes_and_public_counts(
    demo: Database, enriched: dict[Ring, int]
) -> None:
    operator = await export(demo, "md", None)
    assert f"\n> {SHARED_NOTE}\n" in operator
    assert f"> **{PROEFTUINEN[1].name}** · " in operator
    assert f" · {WRITER}\n" in operator and " · anoniem\n> " in operator
    assert "Verrijkingen:" in operator and "Herkend door: " in operator

    kenniskring = await export(demo, "md", Ring.KENNISKRING, language="en")
    assert f"\n> {SHARED_NOTE}\n" in kenniskring and "Enrichments:" in kenniskring
    assert f"> **{PROEFTUINEN[1].name}** · " in kenniskring
    assert "Recognised by: " + ", ".join(sorted(p.name for p in PROEFTUINEN[1:4])) in kenniskring

    public = await export(demo, "md", Ring.BUITENWERELD)
    assert "*Herkend door 3 proeftuinen*" in public
    assert "*Verrijkt door 2 andere proeftuinen." in public
    assert "\n> " not in public and "Verrijkingen:" not in public


async def test_enrichment_text_cannot_break_the_markdown(demo: Database) -> None:
    async with demo.unit_of_work() as session:
        learning = await session.get(Learning, await session.scalar(select(func.min(Learning.id))))
        assert learning is not None
        place = await proeftuinen.find_by_name(session, PROEFTUINEN[2].name)
        assert place is not None
        writer = await members.upsert(session, "console", "vera", WRITER, "deelnemer")
        await rings.enrich(session, learning, place, writer, "# kop\n- lijst\n<b>vet</b>")
    value = await export(demo, "md", None)
    assert "\n> \\# kop\n> \\- lijst\n> &lt;b&gt;vet&lt;/b&gt;\n" in value


async def test_a_harvested_learning_names_its_meeting(database: Database) -> None:
    chat = Chat(Router(database, make_policy()))
    await chat.say("koppel Proeftuin A", user=LEADER, channel="a")
    await chat.say("bijeenkomst Samen leren | 2030-01-10 19:30", user=LEADER, channel="a")
    await chat.say("inzicht Gewoon een inzicht", channel="a")
    await chat.say("oogst 1 Bellen werkt beter dan mailen", channel="a")
    rows = json.loads(await export(database, "json", None))
    assert [(row["text"], row["meeting_id"]) for row in rows] == [
        ("Gewoon een inzicht", None),
        ("Bellen werkt beter dan mailen", 1),
    ]
    table = list(csv.DictReader(io.StringIO(await export(database, "csv", Ring.KENNISKRING))))
    assert [row["meeting_id"] for row in table] == ["", "1"]
