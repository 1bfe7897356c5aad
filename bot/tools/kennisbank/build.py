"""`build_kennisbank`: render a `Snapshot` into a static, accessible website in a folder.

Layout of the output folder (every link in it is relative, so it works from any folder or path):

    index.html  zoeken.html  deelname.html  feed.xml  zoekindex.js
    inzicht/<id>.html           one page per published learning
    thema/<slug>.html           a theme, 50 learnings a page (thema/<slug>.2.html, …)
    proeftuin/<name>.html       a proeftuin, its participation chart and learnings, paginated
    grafiek/*.svg               participation charts
    static/                     stylesheet and search script

A build is deterministic (the same snapshot gives the same bytes) and incremental: a file is only
rewritten when its bytes change, and files of learnings, themes or pages that no longer exist are
removed. The folder must be new, empty (hidden entries such as .git aside) or an earlier
kennisbank (it holds `.samen-kennisbank`); other files in it are left alone, and only the folders
above (inzicht/, thema/, proeftuin/, grafiek/, static/) are ever cleaned.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bot.tools.kennisbank.chart import Chart, alt_text, chart_svg, week_label
from bot.tools.kennisbank.feed import FEED_SIZE, atom_feed
from bot.tools.kennisbank.site import Site, prepare
from bot.tools.kennisbank.snapshot import Snapshot
from handlers.i18n import Translator

HERE = Path(__file__).parent
STATIC = HERE / "static"
MARKER = ".samen-kennisbank"
MARKER_TEXT = (
    b"This folder is written by `samen-bot kennisbank`; a rebuild replaces its pages and\n"
    b"removes pages of learnings that are no longer published.\n"
)
MANAGED_DIRS = ("inzicht", "thema", "proeftuin", "grafiek", "static")
RECENT = 10
EXCERPT = 280


class OutputError(RuntimeError):
    """The output folder cannot be used (it holds other files)."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did: HTML pages and all files in the site, their bytes, and the writes."""

    pages: int  # HTML pages in the site
    files: int  # all files in the site (pages, feed, index, charts, static files)
    bytes: int  # total size of those files
    written: int  # files created or rewritten because their bytes changed
    unchanged: int  # files left alone because their bytes were the same
    removed: int  # stale files deleted (learnings no longer published, vanished pages)
    seconds: float


@cache
def environment() -> Environment:
    """One compiled Jinja2 environment for every build (templates are compiled once)."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


class _Writer:
    """Writes files under a root only when their bytes differ; remembers what the site holds."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.produced: set[str] = set()
        self.written = self.unchanged = self.bytes = self.pages = 0
        self._dirs: set[Path] = set()

    def put(self, relative: str, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        if relative in self.produced:
            raise RuntimeError(f"two files of the kennisbank share the path {relative}")
        self.produced.add(relative)
        self.bytes += len(data)
        self.pages += relative.endswith(".html")
        path = self.root / relative
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                self.unchanged += 1
                return
        except FileNotFoundError:
            pass
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)  # atomic: a web server never serves half a page
        self.written += 1

    def remove_stale(self) -> int:
        """Delete files in the managed folders that this build did not produce."""
        removed = 0
        for leftover in self.root.glob(".*.tmp"):  # from a build that was interrupted
            leftover.unlink()
        for folder in MANAGED_DIRS:
            for directory, _, names in os.walk(self.root / folder):
                for name in names:
                    path = Path(directory, name)
                    if path.relative_to(self.root).as_posix() not in self.produced:
                        path.unlink()
                        removed += 1
        return removed


def _check_output(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output} is a file, not a folder")
    if not output.is_dir() or (output / MARKER).exists():
        return
    # Hidden entries (.git, .nojekyll, .well-known) are fine: hosts and tools keep them there.
    if any(not entry.name.startswith(".") for entry in output.iterdir()):
        raise OutputError(
            f"{output} is not empty and holds no kennisbank; choose a new or empty folder"
        )


def build_kennisbank(
    snapshot: Snapshot, output: Path, *, base_url: str | None = None
) -> BuildReport:
    """Write the kennisbank of `snapshot` into `output` and report what changed.

    Raises PublicationError (before writing anything) when the snapshot holds a learning that is
    not of ring buitenwereld, and OutputError when `output` holds files that are not ours.
    `base_url` (optional) makes the feed's links absolute; pages always link relatively.
    """
    started = time.perf_counter()
    site = prepare(snapshot)
    output = Path(output)
    _check_output(output)
    output.mkdir(parents=True, exist_ok=True)
    writer = _Writer(output)
    writer.put(MARKER, MARKER_TEXT)
    _Renderer(site, snapshot, writer, base_url).render_all()
    for path in sorted(STATIC.iterdir()):
        if path.is_file():
            writer.put(f"static/{path.name}", path.read_bytes())
    removed = writer.remove_stale()
    return BuildReport(
        pages=writer.pages,
        files=len(writer.produced),
        bytes=writer.bytes,
        written=writer.written,
        unchanged=writer.unchanged,
        removed=removed,
        seconds=round(time.perf_counter() - started, 3),
    )


class _Renderer:
    """Renders every page of one site; shared parts (header, footer, cards) are rendered once."""

    def __init__(self, site: Site, snapshot: Snapshot, writer: _Writer, base_url: str | None):
        self.site, self.writer, self.base_url = site, writer, base_url
        self.t = Translator(snapshot.language, ZoneInfo(snapshot.timezone))
        self.env = environment()
        self.helpers = self._helpers()
        # Template modules expose their macros as attributes mypy cannot see.
        chrome: Any = self.env.get_template("_chrome.html.j2").make_module(self.helpers)
        self.chrome = {
            (root, search): (Markup(chrome.header(root, search)), Markup(chrome.footer(root)))
            for root in ("", "../")
            for search in (True, False)
        }
        cards: Any = self.env.get_template("_cards.html.j2").make_module(self.helpers)
        self.card = cards.card

    def _helpers(self) -> dict[str, Any]:
        t, site, timezone = self.t, self.site, self.t.timezone

        @lru_cache(maxsize=8192)
        def formatted(local: date) -> tuple[str, str]:
            return local.isoformat(), t.day(local)

        def local_day(moment: datetime) -> tuple[str, str]:
            return formatted(moment.astimezone(timezone).date())

        fixed: dict[str, str] = {}

        def text(key: str, **values: Any) -> str:
            """t(key, …), remembered for messages without values (most of a page's words)."""
            if values:
                return t(key, **values)
            if key not in fixed:
                fixed[key] = t(key)
            return fixed[key]

        def plural(key: str, count: int) -> str:
            return t(f"{key}_{'one' if count == 1 else 'many'}", count=t.number(count))

        def excerpt(text: str) -> str:
            if len(text) <= EXCERPT:
                return text
            cut = text[: EXCERPT - 1].rsplit(None, 1)[0] if " " in text[:EXCERPT] else text
            return cut[: EXCERPT - 1].rstrip(" ,.;:") + "…"

        return {
            "t": text,
            "lang": t.language,
            "n": t.number,
            "day": lambda moment: local_day(moment)[1],
            "iso_day": lambda moment: local_day(moment)[0],
            "plural": plural,
            "counted": t.plural,  # `counted("count.proeftuin", 3)`: "3 proeftuinen"
            "excerpt": excerpt,
            "theme_stem": site.theme_stems.__getitem__,
            "proeftuin_stem": site.proeftuin_stems.__getitem__,
            "proeftuin_known": site.proeftuin_stems.__contains__,
        }

    def page(self, template: str, path: str, *, search: bool = True, **values: Any) -> None:
        root = "../" if "/" in path else ""
        header, footer = self.chrome[(root, search)]
        html = self.env.get_template(template).render(
            self.helpers, root=root, header=header, footer=footer, **values
        )
        self.writer.put(path, html)

    def render_all(self) -> None:
        site, t = self.site, self.t
        overview = self._overview_chart()
        cards = {learning.id: Markup(self.card(learning, "../")) for learning in site.learnings}
        self.page(
            "index.html.j2",
            "index.html",
            recent=[Markup(self.card(item, "")) for item in site.learnings[:RECENT]],
            learning_count=len(site.learnings),
            themes=site.themes,
            proeftuinen=site.proeftuinen,
            chart=overview,
        )
        self.page("search.html.j2", "zoeken.html", search=False)
        self.page("participation.html.j2", "deelname.html", chart=overview)
        for learning in site.learnings:
            self.page(
                "learning.html.j2",
                f"inzicht/{learning.id}.html",
                learning=learning,
                source=learning.source_url,
                recognised=learning.recognitions,
                enrichments=learning.enrichments,
            )
        for theme in site.themes:
            summary = f"#{theme.key} · " + self.helpers["plural"](
                "kennisbank.learning_count", len(theme.learnings)
            )
            for page in theme.pages():
                self.page(
                    "listing.html.j2",
                    f"thema/{page.file}",
                    heading=t("kennisbank.theme_title", name=theme.name),
                    summary=summary,
                    page=page,
                    cards=[cards[item.id] for item in page.slice(theme.learnings)],
                )
        for proeftuin in site.proeftuinen:
            chart = self._proeftuin_chart(proeftuin.name, proeftuin.stem)
            summary = self.helpers["plural"]("kennisbank.learning_count", len(proeftuin.learnings))
            for page in proeftuin.pages():
                self.page(
                    "proeftuin.html.j2",
                    f"proeftuin/{page.file}",
                    heading=proeftuin.name,
                    summary=t("kennisbank.proeftuin_summary", learnings=summary),
                    page=page,
                    cards=[cards[item.id] for item in page.slice(proeftuin.learnings)],
                    chart=chart,
                    stem=proeftuin.stem,
                    name=proeftuin.name,
                )
        self._feed_and_index()

    def _overview_chart(self) -> dict[str, Any] | None:
        table, t = self.site.participation, self.t
        names = table.proeftuinen
        drawn = chart_svg(table, names, t, title=t("kennisbank.participation_title"))
        if drawn is None:
            return None
        self.writer.put("grafiek/deelname.svg", drawn.svg)
        totals = table.week_totals()
        rows = [
            (week_label(week, t), counts, totals[i])
            for i, (week, counts) in enumerate(table.rows())
        ]
        return self._chart_values(drawn, alt_text(table, names, t), columns=names, rows=rows)

    def _proeftuin_chart(self, name: str, stem: str) -> dict[str, Any] | None:
        table, t = self.site.participation, self.t
        if table.total(name) == 0:
            return None
        drawn = chart_svg(table, [name], t, title=t("kennisbank.table_caption_one", proeftuin=name))
        assert drawn is not None  # the table has weeks: the total is not zero
        self.writer.put(f"grafiek/{stem}.svg", drawn.svg)
        rows = [
            (week_label(week, t), count)
            for week, count in zip(table.weeks, table.counts[name], strict=True)
        ]
        return self._chart_values(drawn, alt_text(table, [name], t), rows=rows)

    @staticmethod
    def _chart_values(drawn: Chart, alt: str, **values: Any) -> dict[str, Any]:
        return {"alt": alt, "width": drawn.width, "height": drawn.height, **values}

    def _feed_and_index(self) -> None:
        site, t = self.site, self.t
        self.writer.put(
            "feed.xml",
            atom_feed(
                site.learnings,
                title=t("kennisbank.feed_title"),
                subtitle=t("kennisbank.site_description"),
                publisher=t("kennisbank.publisher"),
                language=t.language,
                entry_title={
                    item.id: t(
                        "kennisbank.feed_entry_title", number=item.id, proeftuin=item.proeftuin
                    )
                    for item in site.learnings[:FEED_SIZE]
                },
                base_url=self.base_url,
            ),
        )
        day = self.helpers["day"]
        items = [
            [
                item.id,
                item.text,
                item.proeftuin,
                ", ".join(th.name for th in item.themes),
                day(item.published_at),
            ]
            for item in site.learnings
        ]
        payload = json.dumps({"items": items}, ensure_ascii=False, separators=(",", ":"))
        payload = payload.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        self.writer.put("zoekindex.js", f"window.SAMEN_ZOEKINDEX = {payload};\n")
