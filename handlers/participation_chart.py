"""The participation chart as a PNG: one small panel per proeftuin, a stacked bar per week
(learnings, answers to prompts, recognitions, enrichments). Drawn with matplotlib's object API
on the Agg canvas (no pyplot, no global figure state, no display)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display; must come before any backend is picked

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from handlers.i18n import Translator  # noqa: E402
from storage.participation import KINDS, Row  # noqa: E402
from storage.weeks import Week  # noqa: E402

# Colour-blind safe (Okabe-Ito), each at least 3:1 against white.
COLOURS = {
    "learnings": "#0072B2",
    "answers": "#009E73",
    "recognitions": "#D55E00",
    "enrichments": "#CC79A7",
}
COLUMNS = 2
MAX_TICKS = 8


def chart_png(t: Translator, rows: Sequence[Row], weeks: Sequence[Week], title: str) -> bytes:
    """The chart's PNG bytes (a panel saying so when there are no proeftuinen)."""
    panels = max(len(rows), 1)
    columns = min(COLUMNS, panels)
    lines = math.ceil(panels / columns)
    figure = Figure(figsize=(6.0 * columns, 2.4 * lines + 1.0), dpi=100)
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=13)
    labels = [f"W{week.number:02d}" for week in weeks]
    step = max(1, math.ceil(len(weeks) / MAX_TICKS))
    top = max((w.total for row in rows for w in row.weeks), default=0)
    axes = figure.subplots(lines, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(rows):
            ax.set_axis_off()
            continue
        row = rows[index]
        positions = list(range(len(weeks)))
        bottom = [0] * len(weeks)
        for kind in KINDS:
            values = [getattr(w, kind) for w in row.weeks]
            ax.bar(
                positions,
                values,
                bottom=bottom,
                color=COLOURS[kind],
                label=t(f"deelname.kind.{kind}"),
                width=0.8,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title(row.name, fontsize=10, loc="left")
        ax.set_xticks(positions[::step], labels[::step], fontsize=8)
        ax.set_ylim(0, max(top, 1) * 1.1)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="y", labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles, names = axes.flat[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, names, loc="lower center", ncols=len(KINDS), fontsize=9)
    figure.tight_layout(rect=(0, 0.06, 1, 0.95))
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
