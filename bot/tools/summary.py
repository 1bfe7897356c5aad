"""Short readable tables (rich) for what the offline commands did: `init`, `seed`."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.table import Table

from handlers.i18n import Translator

if TYPE_CHECKING:
    from bot.tools.programme_apply import Outcome
    from bot.tools.seed import SeedSummary

KINDS = ("proeftuin", "channel", "digest", "theme", "leader", "setting")


def plural(t: Translator, key: str, count: int, **values: object) -> str:
    """`key.one` for 1, else `key.other`, with `count` formatted for the language."""
    return t(f"{key}.{'one' if count == 1 else 'other'}", count=t.number(count), **values)


def _console(out: TextIO) -> Console:
    # Wide enough for a theme's name and a channel id side by side when piped to a file.
    return Console(file=out, width=None if out.isatty() else 110, highlight=False)


def print_programme(outcome: Outcome, t: Translator, out: TextIO) -> None:
    """Every change on its own row; what is unchanged as one row per kind, with its count."""
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("what", "name", "change", "detail"):
        table.add_column(t(f"init.column.{column}"))
    same: Counter[str] = Counter(c.kind for c in outcome.changes if c.action == "unchanged")
    for kind in KINDS:
        for change in (c for c in outcome.changes if c.kind == kind and c.action != "unchanged"):
            table.add_row(
                t(f"init.kind.{kind}"),
                change.name,
                t(f"init.action.{change.action}"),
                change.detail,
            )
        if same[kind]:
            table.add_row(
                t(f"init.kind.{kind}"),
                plural(t, "init.count", same[kind]),
                t("init.action.unchanged"),
                "",
            )
    _console(out).print(table)


def print_seed(summary: SeedSummary, t: Translator, out: TextIO) -> None:
    """What `seed` added, as a two-column table."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(justify="left")
    table.add_column(justify="right")
    rate = summary.added / summary.seconds if summary.seconds else 0.0
    rows = [
        ("seed.row.added", t.number(summary.added)),
        ("seed.row.numbers", f"#{summary.first_id}–#{summary.last_id}" if summary.added else "-"),
        ("seed.row.theme_links", t.number(summary.theme_links)),
        (
            "seed.row.spread",
            t("seed.spread", proeftuinen=summary.proeftuinen, themes=summary.themes),
        ),
        ("seed.row.total", t.number(summary.total)),
        (
            "seed.row.time",
            t("seed.time", seconds=t.number(round(summary.seconds, 1)), rate=t.number(round(rate))),
        ),
    ]
    for key, value in rows:
        table.add_row(t(key), value)
    console = _console(out)
    console.print(table)
    if summary.created_programme:
        console.print(t("seed.created_programme"))
