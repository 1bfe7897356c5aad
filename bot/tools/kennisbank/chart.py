"""The participation chart: learnings per proeftuin per ISO week, as a stable SVG plus text.

Drawn with matplotlib's object API (no pyplot, no global figure state) on the SVG canvas. The
bytes are stable for the same data: `svg.hashsalt` fixes the generated ids, `metadata` drops the
date and the version-dependent creator, and text is drawn as paths (no fonts to load). Every chart
comes with a text alternative: `alt_text` for the `<img>` and the `ParticipationTable` for a data
table next to it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")  # no display; must come before any backend is picked

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bot.tools.kennisbank.snapshot import ISO_WEEK_RE, WeekCount  # noqa: E402
from handlers.i18n import Translator  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

BAR_COLOUR = "#1f5f8b"  # 6.8:1 against white (WCAG 1.4.11 asks 3:1 for graphics)
TEXT_COLOUR = "#222222"
AXIS_COLOUR = "#595959"
MAX_TICKS = 8
STABLE_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "samen-kennisbank",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.edgecolor": AXIS_COLOUR,
    "xtick.color": AXIS_COLOUR,
    "ytick.color": AXIS_COLOUR,
    "xtick.labelcolor": TEXT_COLOUR,
    "ytick.labelcolor": TEXT_COLOUR,
}


def _monday(week: str) -> date:
    match = ISO_WEEK_RE.match(week)
    if not match:
        raise ValueError(f"not an ISO week: {week!r}")
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def _week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_span(weeks: Iterable[str]) -> tuple[str, ...]:
    """Every ISO week from the first to the last one given, gaps included, in order."""
    mondays = sorted({_monday(w) for w in weeks})
    if not mondays:
        return ()
    count = (mondays[-1] - mondays[0]).days // 7 + 1
    return tuple(_week_of(mondays[0] + timedelta(weeks=i)) for i in range(count))


@dataclass(frozen=True, slots=True)
class Chart:
    """A drawn chart: the SVG bytes and its size in CSS pixels (for the `<img>` attributes)."""

    svg: bytes
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class ParticipationTable:
    """Counts aligned on a continuous run of weeks: `counts[proeftuin][i]` is for `weeks[i]`."""

    weeks: tuple[str, ...]
    proeftuinen: tuple[str, ...]
    counts: dict[str, tuple[int, ...]]

    def total(self, proeftuin: str | None = None) -> int:
        names = self.proeftuinen if proeftuin is None else (proeftuin,)
        return sum(sum(self.counts[name]) for name in names)

    def week_totals(self) -> tuple[int, ...]:
        return tuple(
            sum(self.counts[p][i] for p in self.proeftuinen) for i in range(len(self.weeks))
        )

    def rows(self) -> list[tuple[str, tuple[int, ...]]]:
        """Table rows: a week and its count per proeftuin (in `proeftuinen` order)."""
        return [
            (week, tuple(self.counts[p][i] for p in self.proeftuinen))
            for i, week in enumerate(self.weeks)
        ]


def participation_table(
    counts: Iterable[WeekCount], proeftuinen: Sequence[str]
) -> ParticipationTable:
    """Sum the counts per proeftuin and week; proeftuinen without counts get zeros."""
    sums: dict[tuple[str, str], int] = {}
    names = list(proeftuinen)
    for item in counts:
        sums[(item.proeftuin, item.week)] = sums.get((item.proeftuin, item.week), 0) + item.count
        if item.proeftuin not in names:
            names.append(item.proeftuin)
    weeks = week_span(week for _, week in sums)
    table = {name: tuple(sums.get((name, week), 0) for week in weeks) for name in names}
    return ParticipationTable(weeks=weeks, proeftuinen=tuple(names), counts=table)


def week_label(week: str, t: Translator) -> str:
    """A week as people read it: 'week 48 van 2026' / 'week 48 of 2026'."""
    monday = _monday(week)
    year, number, _ = monday.isocalendar()
    return t("kennisbank.week", week=number, year=year)


def _tick_positions(count: int) -> list[int]:
    step = max(1, math.ceil(count / MAX_TICKS))
    return list(range(0, count, step))


def _bars(counts: Sequence[int], width: float = 0.8) -> list[list[tuple[float, float]]]:
    """Rectangles for the non-zero weeks (one collection draws far faster than a bar per week)."""
    half = width / 2
    return [
        [(i - half, 0.0), (i - half, value), (i + half, value), (i + half, 0.0)]
        for i, value in enumerate(counts)
        if value
    ]


def chart_svg(
    table: ParticipationTable, proeftuinen: Sequence[str], t: Translator, *, title: str
) -> Chart | None:
    """Bars of learnings per week, a panel per proeftuin sharing both axes; None if no data."""
    if not table.weeks or not proeftuinen:
        return None
    weeks = table.weeks
    top = max([1, *(max(table.counts[p], default=0) for p in proeftuinen)])
    several = len(proeftuinen) > 1
    panel = 1.35 if several else 2.2  # inches per panel
    top_margin, bottom_margin = (0.3 if several else 0.15), 0.7
    size = (7.5, top_margin + bottom_margin + panel * len(proeftuinen))
    with matplotlib.rc_context(STABLE_RC):
        figure = Figure(figsize=size, dpi=96)
        FigureCanvasSVG(figure)
        # Fixed margins (in inches) instead of tight_layout: as good here, and a third faster.
        figure.subplots_adjust(
            left=0.85 / size[0],
            right=1 - 0.15 / size[0],
            bottom=bottom_margin / size[1],
            top=1 - top_margin / size[1],
            hspace=0.45 if several else 0,
        )
        axes = figure.subplots(len(proeftuinen), 1, sharex=True, squeeze=False)[:, 0]
        for ax, name in zip(axes, proeftuinen, strict=True):
            ax.add_collection(
                PolyCollection(_bars(table.counts[name]), facecolors=BAR_COLOUR, linewidths=0)
            )
            ax.set_ylim(0, top * 1.1)
            ax.yaxis.get_major_locator().set_params(integer=True, nbins=3)
            if several:
                ax.set_title(name, loc="left", fontsize=9, fontweight="bold", pad=3)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ax.grid(axis="y", color="#d9d9d9", linewidth=0.6)
            ax.set_axisbelow(True)
        ticks = _tick_positions(len(weeks))
        labels = [t("kennisbank.week_tick", week=weeks[i][-2:], year=weeks[i][:4]) for i in ticks]
        axes[-1].set_xticks(ticks, labels)
        axes[-1].set_xlim(-0.6, len(weeks) - 0.4)
        axes[-1].set_xlabel(t("kennisbank.chart_x"))
        figure.supylabel(t("kennisbank.chart_y"), fontsize=9, x=0.15 / size[0])
        buffer = io.BytesIO()
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": "samen-bot kennisbank", "Title": title},
        )
    # SVG sizes are in points (1/72 inch); CSS pixels are 1/96 inch.
    return Chart(buffer.getvalue(), round(size[0] * 96), round(size[1] * 96))


def alt_text(table: ParticipationTable, proeftuinen: Sequence[str], t: Translator) -> str:
    """One sentence that says what the chart shows; the data table gives every number."""
    if not table.weeks:
        return t("kennisbank.chart_empty")
    first, last = week_label(table.weeks[0], t), week_label(table.weeks[-1], t)
    if len(proeftuinen) == 1:
        name = proeftuinen[0]
        counts = table.counts[name]
        peak = max(range(len(counts)), key=lambda i: (counts[i], -i))
        return t(
            "kennisbank.chart_alt_one",
            proeftuin=name,
            first=first,
            last=last,
            total=t.number(sum(counts)),
            peak=week_label(table.weeks[peak], t),
            peak_count=t.number(counts[peak]),
        )
    busiest = max(proeftuinen, key=lambda p: (sum(table.counts[p]), p))
    return t(
        "kennisbank.chart_alt_many",  # two or more proeftuinen
        count=len(proeftuinen),
        first=first,
        last=last,
        total=t.number(table.total()),
        busiest=busiest,
    )
