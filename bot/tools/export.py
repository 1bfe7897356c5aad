"""`samen-bot export`: learnings as Markdown, CSV or JSON, for the operator or for one ring.

Without a ring it is the operator's view (every learning). With `kenniskring`, what the
kenniskring may see (rings kenniskring and buitenwereld); with `buitenwereld`, only published
learnings: they name their proeftuin, and their author only when the author chose so
(`learnings.author_public`, as in the kennisbank) and has a name (a member known only by a
platform id stays anonymous); otherwise `author` is null. A public export has no `source_url`
(null): it links into the private chat workspace, and the kennisbank leaves it out too. Nor
does it carry platform ids in the text: a Slack or Discord mention (`<@U0123>`, `<@!42>`,
`<@&42>`) shows as `@…`, a channel as `#name` when the markup has one, else `#…`.

What people typed cannot act in the file: a CSV cell starting with `=`, `+`, `-`, `@`, a tab or
a carriage return gets a leading `'`, so a spreadsheet shows it rather than running it as a
formula; Markdown is escaped (`&`, `<`, `>` as entities, so no raw HTML), masked links show their
target (`handlers.text.unmask_links`) and no line of a learning starts a heading, list or quote.

Each learning carries its recognitions and enrichments, by the privacy decision (docs/privacy.md):
their writers never consented to publication. The operator's and the kenniskring's export list
the recognising proeftuinen (`recognised_by`, with the count `recognitions`) and every enrichment
(text, proeftuin, time; its writer's name only in the operator's export); the public export
carries only counts of proeftuinen (`recognitions`, `enrichments`), never a text or a name.

Rows are streamed in keyset-paged batches over one read transaction, so a million learnings never
sit in memory; themes, recognitions and enrichments are fetched per batch of ids. Every format
carries the same fields: `FIELDS`, plus the recognitions and enrichments (`extra_fields`).
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TextIO
from zoneinfo import ZoneInfo

from babel.dates import format_date

from handlers.i18n import Translator
from handlers.text import unmask_links, without_platform_ids
from storage import exports
from storage.db import Database
from storage.models import Ring
from storage.rings import EnrichmentNote
from storage.visibility import Viewer

ExportFormat = Literal["md", "csv", "json"]
FORMATS: tuple[ExportFormat, ...] = ("md", "csv", "json")
FIELDS = (
    "id",
    "text",
    "proeftuin",
    "themes",
    "ring",
    "author",
    "created_at",
    "source_url",
    "prompt_id",
    "meeting_id",
)
# CSV columns after FIELDS: counts for everyone, names and texts only inside the programme.
PUBLIC_EXTRA = ("recognitions", "enrichments")
INTERNAL_EXTRA = ("recognitions", "recognised_by", "enrichments", "enrichment_notes")
BATCH_SIZE = 1_000  # rows per query (and per IN list of the theme query)
MARKDOWN_SPECIAL_START = ("#", ">", "-", "*", "+", "=", "|", "`", "~")
# Slack and Discord markup naming a user, role or channel by its platform id.
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One learning as exported."""

    id: int
    text: str
    proeftuin: str
    themes: tuple[str, ...]
    ring: str
    author: str | None
    created_at: datetime
    source_url: str | None
    prompt_id: int | None
    meeting_id: int | None = None  # the meeting it was harvested from (`oogst`)
    scope: Ring | None = None  # whose export: the operator's (None) or a ring's
    recognised_by: tuple[str, ...] = ()  # names of the recognising proeftuinen (not public)
    recognitions: int = 0  # how many proeftuinen recognised it
    enrichments: tuple[EnrichmentNote, ...] = ()  # not public
    enriched_by: int = 0  # how many proeftuinen enriched it

    @property
    def public(self) -> bool:
        return self.scope is Ring.BUITENWERELD

    def enrichment_dict(self, note: EnrichmentNote, timezone: ZoneInfo) -> dict[str, Any]:
        """One enrichment as exported: the writer's name only in the operator's export."""
        value: dict[str, Any] = {
            "text": note.text,
            "proeftuin": note.proeftuin,
            "created_at": note.created_at.astimezone(timezone).isoformat(timespec="seconds"),
        }
        if self.scope is None:
            value["author"] = note.author
        return value

    def as_dict(self, timezone: ZoneInfo) -> dict[str, Any]:
        """The JSON object of this learning."""
        value = self._fields(timezone)
        value["recognitions"] = self.recognitions
        if self.public:  # only counts: the writers never consented to publication
            value["enrichments"] = self.enriched_by
        else:
            value["recognised_by"] = list(self.recognised_by)
            value["enrichments"] = [self.enrichment_dict(n, timezone) for n in self.enrichments]
        return value

    def csv_dict(self, timezone: ZoneInfo) -> dict[str, Any]:
        """The CSV row of this learning: lists joined, enrichments as counts plus (inside the
        programme) one cell of notes, `proeftuin (time[, writer]): text`, a blank line apart."""
        value = self._fields(timezone)
        value["themes"] = " ".join(self.themes)
        value["recognitions"] = self.recognitions
        value["enrichments"] = self.enriched_by
        if not self.public:
            value["recognised_by"] = "; ".join(self.recognised_by)
            notes = []
            for note in self.enrichments:
                about = [note.created_at.astimezone(timezone).isoformat(timespec="seconds")]
                if self.scope is None and note.author:  # none once the writer was erased
                    about.append(note.author)
                notes.append(f"{note.proeftuin} ({', '.join(about)}): {note.text}")
            value["enrichment_notes"] = "\n\n".join(notes)
        return value

    def _fields(self, timezone: ZoneInfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "proeftuin": self.proeftuin,
            "themes": list(self.themes),
            "ring": self.ring,
            "author": self.author,
            "created_at": self.created_at.astimezone(timezone).isoformat(timespec="seconds"),
            "source_url": self.source_url,
            "prompt_id": self.prompt_id,
            "meeting_id": self.meeting_id,
        }


def extra_fields(ring: Ring | None) -> tuple[str, ...]:
    """The CSV columns after FIELDS in the export for `ring`."""
    return PUBLIC_EXTRA if ring is Ring.BUITENWERELD else INTERNAL_EXTRA


def viewer_for(ring: Ring | None) -> Viewer:
    """Whose view an export shows: the operator's, or that of a ring."""
    if ring is None:
        return Viewer(operator=True)
    if ring is Ring.PROEFTUIN:
        raise ValueError("export per ring: kenniskring or buitenwereld (no ring: everything)")
    return Viewer.for_ring(ring)


async def iter_rows(
    database: Database,
    ring: Ring | None,
    *,
    by_time: bool = False,
    batch_size: int = BATCH_SIZE,
) -> AsyncIterator[ExportRow]:
    """The learnings `ring` may see (all without a ring), by number or by time, in batches."""
    public = ring is Ring.BUITENWERELD
    batches = exports.learning_batches(
        database, viewer_for(ring), public=public, by_time=by_time, batch_size=batch_size
    )
    async for batch in batches:
        for row in batch.rows:
            names = batch.recognisers.get(row.id, [])
            enrichments = batch.notes.get(row.id, [])
            yield ExportRow(
                id=row.id,
                text=without_platform_ids(row.text) if public else row.text,
                proeftuin=row.proeftuin,
                themes=tuple(batch.slugs.get(row.id, ())),
                ring=row.ring,
                author=row.author,
                created_at=row.created_at,
                source_url=row.source_url,
                prompt_id=row.prompt_id,
                meeting_id=row.meeting_id,
                scope=ring,
                recognised_by=() if public else tuple(names),
                recognitions=len(set(names)),
                enrichments=() if public else tuple(enrichments),
                enriched_by=len({n.proeftuin for n in enrichments}),
            )


async def export_learnings(
    database: Database,
    fmt: ExportFormat,
    ring: Ring | None,
    out: TextIO,
    *,
    language: str = "nl",
    timezone: ZoneInfo,
    now: datetime | None = None,
) -> int:
    """Write the learnings `ring` may see (all of them without a ring) to `out`; returns the
    number of learnings written."""
    if fmt == "json":
        return await _json(database, ring, out, timezone)
    if fmt == "csv":
        return await _csv(database, ring, out, timezone)
    if fmt == "md":
        t = Translator(language, timezone)
        return await _markdown(database, ring, out, t, now or datetime.now(UTC))
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


async def _json(database: Database, ring: Ring | None, out: TextIO, tz: ZoneInfo) -> int:
    count = 0
    out.write("[")
    async for row in iter_rows(database, ring):
        out.write(",\n" if count else "\n")
        out.write(json.dumps(row.as_dict(tz), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


async def _csv(database: Database, ring: Ring | None, out: TextIO, tz: ZoneInfo) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS + extra_fields(ring))
    writer.writeheader()
    count = 0
    async for row in iter_rows(database, ring):
        values = row.csv_dict(tz)
        writer.writerow({name: _csv_cell(value) for name, value in values.items()})
        count += 1
    return count


def _csv_cell(value: object) -> object:
    """A CSV value a spreadsheet shows as typed: text that could start a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def _markdown_inline(text: str) -> str:
    """User text inside a Markdown line: HTML shown as text, masked links showing their target."""
    return html.escape(unmask_links(text), quote=False)


def _markdown_url(url: str) -> str:
    """A URL safe inside `<…>` in Markdown."""
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def _markdown_text(text: str) -> str:
    """A learning's text as Markdown paragraphs: no raw HTML, no masked link, and no line may
    start a heading, list or quote."""
    lines = []
    for line in _markdown_inline(text).strip().splitlines():
        stripped = line.lstrip()
        if stripped.startswith(MARKDOWN_SPECIAL_START) or _numbered(stripped):
            line = "\\" + stripped
        lines.append(line)
    return "\n".join(lines)


def _numbered(line: str) -> bool:
    digits = len(line) - len(line.lstrip("0123456789"))
    return 0 < digits < len(line) and line[digits] in ".)"


def _markdown_rings(row: ExportRow, t: Translator) -> str:
    """The recognitions and enrichments under a learning: publicly only counts, inside the
    programme the recognising proeftuinen and each enrichment as a quote, escaped like a
    learning's text, its writer named only in the operator's export."""

    def plural(key: str, count: int) -> str:
        return t(f"{key}_{'one' if count == 1 else 'many'}", count=t.number(count))

    parts = []
    if row.public:
        if row.recognitions:
            said = plural("kennisbank.recognised_count", row.recognitions)
            parts.append(f"\n*{said[:1].upper()}{said[1:]}*\n")
        if row.enriched_by:
            parts.append(f"\n*{plural('kennisbank.enriched_by', row.enriched_by)}*\n")
        return "".join(parts)
    if row.recognised_by:
        names = ", ".join(_markdown_inline(name) for name in row.recognised_by)
        parts.append(f"\n*{t('kennisbank.recognitions_heading')}: {names}*\n")
    if row.enrichments:
        parts.append(f"\n{t('kennisbank.enrichments_heading')}:\n")
    for note in row.enrichments:
        about = [f"**{_markdown_inline(note.proeftuin)}**", t.moment(note.created_at)]
        if row.scope is None:
            about.append(_markdown_inline(note.author) if note.author else t("word.anonymous"))
        lines = [" · ".join(about), *_markdown_text(note.text).splitlines()]
        parts.append("\n" + "".join(f"> {line}".rstrip() + "\n" for line in lines))
    return "".join(parts)


def _week_heading(t: Translator, day: date) -> str:
    year, week, _ = day.isocalendar()
    monday = day - timedelta(days=day.weekday())
    start, end = (
        format_date(d, "d MMM", locale=t.language) for d in (monday, monday + timedelta(days=6))
    )
    return t("export.week", week=week, year=year, start=start, end=end)


async def _markdown(
    database: Database, ring: Ring | None, out: TextIO, t: Translator, now: datetime
) -> int:
    scope = "all" if ring is None else ring.value
    out.write(f"# {t('export.title')}\n\n")
    out.write(f"{t(f'export.scope.{scope}')} {t('export.generated', date=t.day(now))}\n")
    count = 0
    week: tuple[int, int] | None = None
    async for row in iter_rows(database, ring, by_time=True):
        local = row.created_at.astimezone(t.timezone)
        this_week = local.isocalendar()[:2]
        if this_week != week:
            week = this_week
            out.write(f"\n## {_week_heading(t, local.date())}\n")
        details = [
            f"{t('field.themes')}: {' '.join('#' + s for s in row.themes) or t('word.none')}",
            f"{t('field.ring')}: {t(f'ring.{row.ring}')}",
        ]
        if row.author or ring is not Ring.BUITENWERELD:  # published: named only by choice
            author = _markdown_inline(row.author) if row.author else t("word.anonymous")
            details.append(f"{t('field.author')}: {author}")
        details.append(t.moment(row.created_at))
        if row.source_url:
            details.append(f"[{t('export.source')}](<{_markdown_url(row.source_url)}>)")
        heading = f"#{row.id} · {_markdown_inline(row.proeftuin)}"
        out.write(f"\n### {heading}\n\n{_markdown_text(row.text)}\n\n")
        out.write(f"*{' · '.join(details)}*\n")
        out.write(_markdown_rings(row, t))
        count += 1
    out.write(f"\n---\n\n{t('export.count', count=count) if count else t('export.empty')}\n")
    return count
