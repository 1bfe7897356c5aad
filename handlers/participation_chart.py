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
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

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
            # One collection of rectangles per kind, not a patch per bar: 7 x 104 weeks x 4
            # kinds as separate bars take seconds to draw.
            values = [getattr(w, kind) for w in row.weeks]
            boxes = [
                [(x - 0.4, low), (x - 0.4, low + v), (x + 0.4, low + v), (x + 0.4, low)]
                for x, low, v in zip(positions, bottom, values, strict=True)
                if v
            ]
            if boxes:
                ax.add_collection(PolyCollection(boxes, facecolors=COLOURS[kind], linewidths=0))
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_xlim(-0.6, len(weeks) - 0.4)
        ax.set_title(row.name, fontsize=10, loc="left")
        ax.set_xticks(positions[::step], labels[::step], fontsize=8)
        ax.set_ylim(0, max(top, 1) * 1.1)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="y", labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles = [Patch(facecolor=COLOURS[kind], label=t(f"deelname.kind.{kind}")) for kind in KINDS]
    figure.legend(handles=handles, loc="lower center", ncols=len(KINDS), fontsize=9)
    # Fixed margins: tight_layout measures every label and costs more than the drawing.
    figure.subplots_adjust(
        left=0.05,
        right=0.98,
        top=1 - 0.9 / figure.get_figheight(),
        bottom=0.7 / figure.get_figheight(),
        hspace=0.55,
        wspace=0.12,
    )
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
