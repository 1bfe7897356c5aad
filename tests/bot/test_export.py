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
from bot.tools.export import FIELDS, ExportFormat, export_learnings, iter_rows
from handlers.context import Policy
from storage import learnings, members, proeftuinen, themes
from storage.db import Database
from storage.models import Learning, Ring

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
        assert tuple(reader.fieldnames or ()) == FIELDS
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
    assert await export(database, "csv", None) == ",".join(FIELDS) + "\r\n"
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


async def test_markdown_export_has_no_raw_html_or_masked_links(hostile: Database) -> None:
    for ring in (None, Ring.BUITENWERELD):
        value = await export(hostile, "md", ring)
        assert "<script" not in value and "<b>" not in value
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in value
        assert "](https://evil.example)" not in value
        assert "https://gemeente.nl (https://evil.example)" in value


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
