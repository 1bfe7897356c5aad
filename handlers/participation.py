"""Participation at a glance, for leaders: `deelname [weken]` answers with a chart (PNG, one
panel per proeftuin, a stacked bar per week) and a short text beside it for screen readers: per
proeftuin its totals, and which proeftuinen were quiet. Also the weekly private note to the
leaders naming the quiet proeftuinen (sent by schedules/quiet_proeftuinen.py), with one button
per proeftuin that sends it a suggested prompt.

What counts follows the place (the ring rule): in the kenniskring or a direct message only what
the kenniskring may see; in a proeftuin's channel also that proeftuin's own ring-`proeftuin`
learnings. The weekly note counts what the kenniskring may see, as the digest does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from handlers.context import Context
from handlers.i18n import Translator
from handlers.participation_chart import chart_png
from handlers.registry import Kind, Param, command
from handlers.text import parse_number
from handlers.types import Action, Reply, UserError, Visibility
from storage import files
from storage import participation as store
from storage.participation import KINDS, Row
from storage.weeks import Week, week_of

DEFAULT_WEEKS = 8
MAX_WEEKS = 104
FOLDER = "deelname"
MAX_BUTTONS = 5  # suggested prompts in the weekly note: within Slack's and Discord's limits
WEEKS = Param("weken", Kind.NUMBER, required=False, refers="weeks")


def last_weeks(now: datetime, count: int, timezone: ZoneInfo) -> list[Week]:
    """The `count` ISO weeks up to and including the one of `now`, oldest first."""
    weeks = [week_of(now, timezone)]
    while len(weeks) < count:
        weeks.insert(0, week_of(weeks[0].start - timedelta(days=1), timezone))
    return weeks


def totals_line(t: Translator, row: Row) -> str:
    """`Proeftuin A: 3 inzichten, 1 antwoord, 0 herkenningen, 2 verrijkingen`."""
    total = row.total
    parts = [t.plural(f"deelname.count.{kind}", getattr(total, kind)) for kind in KINDS]
    line = t("deelname.row", proeftuin=row.name, counts=", ".join(parts))
    quiet = row.quiet_weeks()
    if quiet >= len(row.weeks):
        return line + " " + t("deelname.row_quiet_all")
    if quiet:
        return line + " " + t.plural("deelname.row_quiet", quiet)
    return line


def summary(t: Translator, rows: Sequence[Row], weeks: Sequence[Week], quiet_after: int) -> str:
    """The text beside the chart: the period, a line per proeftuin, who was quiet."""
    lines = [
        t(
            "deelname.header",
            weeks=t.plural("deelname.count.weeks", len(weeks)),
            first=t.day(weeks[0].start),
            last=t.day(weeks[-1].end - timedelta(seconds=1)),
        )
    ]
    lines += [f"• {totals_line(t, row)}" for row in rows]
    quiet = store.quiet(rows, min(quiet_after, len(weeks)))
    if quiet:
        lines.append(
            t(
                "deelname.quiet",
                weeks=t.plural("deelname.count.weeks", min(quiet_after, len(weeks))),
                proeftuinen=", ".join(row.name for row in quiet),
            )
        )
    elif rows:
        lines.append(t("deelname.none_quiet"))
    return "\n".join(lines)


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def chart_folder(session: AsyncSession, configured: str) -> Path:
    """Where charts go: `deelname/` in the data folder (beside the .ics files)."""
    bind = session.bind
    url = bind.url.render_as_string(hide_password=True) if isinstance(bind, AsyncEngine) else None
    return files.data_dir(url, configured) / FOLDER


@command(
    "deelname",
    "participation",
    leader_only=True,
    params=(WEEKS,),
    rank=245,
    family="beheer",
)
async def participation(ctx: Context) -> Reply:
    """`deelname [weken]`: a chart of every proeftuin's activity per week, with its text."""
    usage = ctx.t("usage.deelname")
    count = DEFAULT_WEEKS
    if ctx.given(WEEKS.name):
        count = parse_number(ctx.arg(WEEKS.name), usage, "deelname.bad_weeks")
        if not 1 <= count <= MAX_WEEKS:
            raise UserError("deelname.bad_weeks", number=count)
    weeks = last_weeks(ctx.command.received_at, count, ctx.policy.timezone)
    viewer = ctx.viewer  # in a direct message: what the kenniskring may see
    async with ctx.reading() as reader:
        rows = await store.table(reader, weeks, viewer)
    if not rows:
        raise UserError("deelname.no_proeftuinen")
    title = ctx.t("deelname.title", first=weeks[0].label, last=weeks[-1].label)
    scope = f"p{viewer.proeftuin_id}" if viewer.proeftuin_id else "kring"
    name = f"deelname-{weeks[-1].label}-{count}w-{scope}.png"
    folder = chart_folder(ctx.session, ctx.policy.data_dir)

    def draw() -> Path:
        return _write(folder, name, chart_png(ctx.t, rows, weeks, title))

    path = await asyncio.to_thread(draw)  # matplotlib takes a while: not on the event loop
    return Reply(
        text=summary(ctx.t, rows, weeks, ctx.policy.quiet_weeks),
        title=title,
        attachments=(str(path),),
        visibility=Visibility.ONLY_CALLER,
    )


def suggested_prompt(t: Translator, name: str) -> Action:
    """The button that asks a quiet proeftuin the suggested question (`vraag … proeftuin:X`)."""
    question = t("deelname.suggested_question")
    label = t("button.ask_quiet", proeftuin=name if len(name) <= 40 else name[:39] + "…")
    return Action(label, "vraag", f"{question} proeftuin:{name}", "primary")


def quiet_note(t: Translator, quiet: Sequence[Row], weeks: int) -> Reply | None:
    """The weekly private note to a leader: the quiet proeftuinen and a button for each (the
    first few) to send them the suggested question; None when nobody was quiet."""
    if not quiet:
        return None
    text = t(
        "deelname.quiet_note",
        weeks=t.plural("deelname.count.weeks", weeks),
        proeftuinen=", ".join(row.name for row in quiet),
        question=t("deelname.suggested_question"),
    )
    return Reply(
        text=text,
        title=t("deelname.quiet_title"),
        actions=tuple(suggested_prompt(t, row.name) for row in quiet[:MAX_BUTTONS]),
        visibility=Visibility.DIRECT,
    )
