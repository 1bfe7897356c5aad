"""Meetings: bijeenkomst (schedule), agenda, ja/nee (RSVP), and the texts of meeting cards and
reminders (used by schedules/jobs.py too).

`<wanneer>` is read in the programme's time zone: ISO `2026-12-03 19:30`, or Dutch and English
phrases through dateparser ("donderdag 19:30", "volgende week dinsdag 14u", "tomorrow 10am").
dateparser is asked for the wall-clock time only; the zone is attached here with zoneinfo so a
time in the spring-forward gap is refused and one in the autumn overlap is taken as its first
occurrence (both said in the reply). Meetings are stored in UTC.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers import limits
from handlers.context import Context
from handlers.i18n import Translator
from handlers.ics import write_ics
from handlers.registry import IN_PROEFTUIN, MEETING, Kind, Param, command
from handlers.text import closest_slug, parse_number
from handlers.types import Action, Reply, UserError, Visibility
from storage import meetings, proeftuinen, themes
from storage.meetings import YES, Counts
from storage.models import Meeting

REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
FARTHEST = timedelta(days=5 * 366)  # a meeting further ahead is surely a typo in the year
AGENDA_LIMIT = 10  # meetings in `agenda`: 20 buttons, within Slack's and Discord's limits
DATEPARSER_LANGUAGES = ["nl", "en"]
WEEKDAYS = {
    **dict.fromkeys(("maandag", "ma", "monday", "mon"), 0),
    **dict.fromkeys(("dinsdag", "di", "tuesday", "tue"), 1),
    **dict.fromkeys(("woensdag", "wo", "wednesday", "wed"), 2),
    **dict.fromkeys(("donderdag", "do", "thursday", "thu"), 3),
    **dict.fromkeys(("vrijdag", "vr", "friday", "fri"), 4),
    **dict.fromkeys(("zaterdag", "za", "saturday", "sat"), 5),
    **dict.fromkeys(("zondag", "zo", "sunday", "sun"), 6),
}
ISO_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2})[:.](\d{2})\s*$")
NEXT_WEEK_RE = re.compile(r"^\s*(?:volgende\s+week|next\s+week)\s+([a-z]+)\b(.*)$", re.I)
HOUR_U_RE = re.compile(  # 14u, 14u30, 14 uur; not the duration in "in 2 uur" / "over 2 uur"
    r"(?<!\bin )(?<!\bover )\b(\d{1,2})\s*(?:u|uur|h)(?:\s*(\d{2}))?(?![\w:])", re.I
)
TIME_RE = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\b", re.I)
NEXT_PREFIX_RE = re.compile(r"^\s*volgende\s+(?=[a-z]+dag\b)", re.I)


@dataclass(frozen=True, slots=True)
class When:
    """A parsed meeting time: aware in the programme's zone, and whether the wall time occurs
    twice (autumn overlap; the first occurrence is taken)."""

    local: datetime
    ambiguous: bool

    @property
    def utc(self) -> datetime:
        return self.local.astimezone(UTC)


def _normalise(text: str) -> str:
    """`14u` -> `14:00`, `14u30` / `14 uur` -> `14:30` / `14:00`; spaces collapsed."""

    def hour(match: re.Match[str]) -> str:
        return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"

    return " ".join(HOUR_U_RE.sub(hour, text).split())


def _clock(text: str) -> tuple[int, int] | None:
    """The first time of day in `text` (`14:00`, `14.30`, `2pm`)."""
    for match in TIME_RE.finditer(text):
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if half is None and match.group(2) is None:
            continue  # a bare number is no time
        if half:
            hour = hour % 12 + (12 if half.lower() == "pm" else 0)
        if hour < 24 and minute < 60:
            return hour, minute
    return None


def _wall_time(text: str, base: datetime) -> datetime | None:
    """The naive local date and time meant by `text`, relative to the naive local `base`."""
    iso = ISO_RE.match(text)
    if iso:
        year, month, day, hour, minute = (int(g) for g in iso.groups())
        try:
            return datetime(year, month, day, hour, minute)
        except ValueError:
            return None
    next_week = NEXT_WEEK_RE.match(text)
    if next_week and next_week.group(1).lower() in WEEKDAYS:
        clock = _clock(next_week.group(2))
        if clock is None:
            return None
        monday = base.date() - timedelta(days=base.weekday()) + timedelta(days=7)
        chosen = monday + timedelta(days=WEEKDAYS[next_week.group(1).lower()])
        return datetime(chosen.year, chosen.month, chosen.day, *clock)
    import dateparser  # slow to import; only needed here

    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,  # we attach the zone ourselves (DST gap check)
        "DATE_ORDER": "DMY",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(
            NEXT_PREFIX_RE.sub("", text), languages=DATEPARSER_LANGUAGES, settings=settings
        )
    return parsed.replace(tzinfo=None, microsecond=0) if parsed else None


def parse_when(text: str, now: datetime, timezone: ZoneInfo) -> When:
    """Read a meeting time typed by a person; UserError when unclear, past or non-existent."""
    cleaned = _normalise(text)
    if not cleaned:
        raise UserError("bijeenkomst.no_when")
    if not any(ch.isdigit() for ch in cleaned):
        raise UserError("bijeenkomst.no_time", when=text)
    base = now.astimezone(timezone).replace(tzinfo=None, microsecond=0)
    wall = _wall_time(cleaned, base)
    if wall is None:
        raise UserError("bijeenkomst.bad_when", when=text)
    wall = wall.replace(second=0)
    shown = wall.strftime("%Y-%m-%d %H:%M")
    first = wall.replace(tzinfo=timezone, fold=0)
    second = wall.replace(tzinfo=timezone, fold=1)
    try:
        back = first.astimezone(UTC).astimezone(timezone).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise UserError("bijeenkomst.past", when=shown) from None  # year 1: long past
    if back != wall:
        raise UserError("bijeenkomst.gap", when=shown)
    when = When(first, first.utcoffset() != second.utcoffset())
    if when.utc <= now:
        raise UserError("bijeenkomst.past", when=shown)
    if when.utc > now + FARTHEST:
        raise UserError("bijeenkomst.too_far", when=shown)
    return when


def meeting_actions(t: Translator, meeting_id: int) -> tuple[Action, ...]:
    """The RSVP buttons every meeting message carries."""
    return (
        Action(t("button.yes"), "ja", str(meeting_id), "primary"),
        Action(t("button.no"), "nee", str(meeting_id)),
    )


def _details(t: Translator, meeting: Meeting) -> str:
    parts = []
    if meeting.theme is not None:
        parts.append(f"#{meeting.theme.slug}")
    if meeting.proeftuin is not None:
        parts.append(meeting.proeftuin.name)
    return " · ".join(parts)


def meeting_line(t: Translator, meeting: Meeting, counts: Counts) -> str:
    """`#7 · do 3 dec. 2026 19:30 · Titel · #wonen · 4 ja, 1 nee`."""
    parts = [f"#{meeting.id}", t.moment(meeting.starts_at), meeting.title]
    details = _details(t, meeting)
    if details:
        parts.append(details)
    parts.append(t("bijeenkomst.counts", yes=counts.yes, no=counts.no))
    return " · ".join(parts)


def ics_for(ctx: Context, meeting: Meeting) -> Path:
    """Write the meeting's .ics file next to the database (or in the configured data folder)."""
    bind = ctx.session.bind
    url = bind.url.render_as_string(hide_password=True) if isinstance(bind, AsyncEngine) else None
    folder = meetings.data_dir(url, ctx.policy.data_dir)
    return write_ics(meeting, ctx.policy.timezone, folder, _details(ctx.t, meeting))


def meeting_card(
    t: Translator,
    meeting: Meeting,
    counts: Counts,
    ics: Path | None,
    *,
    note: str = "",
    visibility: Visibility = Visibility.CHANNEL,
) -> Reply:
    """One meeting as a reply: time, details, counts, RSVP buttons and the .ics file."""
    lines = [meeting_line(t, meeting, counts)] + ([note] if note else [])
    return Reply(
        text="\n".join(lines),
        title=t("bijeenkomst.title", number=meeting.id, title=meeting.title),
        actions=meeting_actions(t, meeting.id),
        attachments=(str(ics),) if ics else (),
        visibility=visibility,
    )


def reminder_reply(
    t: Translator, meeting: Meeting, counts: Counts, now: datetime, ics: Path | None = None
) -> Reply:
    """The reminder sent 24 h and 1 h before (the text says how long it really is from now)."""
    left = t.duration(max(meeting.starts_at - now, timedelta(minutes=1)))
    text = t(
        "bijeenkomst.reminder",
        number=meeting.id,
        title=meeting.title,
        moment=t.moment(meeting.starts_at),
        left=left,
        yes=counts.yes,
        no=counts.no,
    )
    return Reply(
        text=text,
        title=t("bijeenkomst.reminder_title", title=meeting.title),
        actions=meeting_actions(t, meeting.id),
        attachments=(str(ics),) if ics else (),
    )


def _options(ctx: Context, parts: list[str]) -> tuple[str | None, str | None]:
    slug = name = None
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if part.startswith("#"):
            slug = part[1:].strip().lower()
        elif part.lower().startswith("proeftuin:"):
            name = part.split(":", 1)[1].strip()
        else:
            raise UserError("bijeenkomst.bad_option", option=part, usage=ctx.t("usage.bijeenkomst"))
    return slug, name


@command(
    "bijeenkomst",
    "meeting",
    leader_only=True,
    params=(
        Param("titel", Kind.TEXT, max_length=limits.MEETING_TITLE),
        Param("wanneer", Kind.WHEN, max_length=limits.MEETING_WHEN),
        Param("thema", Kind.THEME, required=False, max_length=limits.THEME_SLUG + 1),
        IN_PROEFTUIN,
    ),
    sep=" | ",
    rank=230,
    family="bijeenkomsten",
)
async def schedule(ctx: Context) -> Reply:
    """`bijeenkomst titel | wanneer [| #slug] [| proeftuin:naam]`: schedule a meeting."""
    usage = ctx.t("usage.bijeenkomst")
    parts = ctx.command.args.split("|")
    title = " ".join(parts[0].split())
    if not title or len(parts) < 2:
        raise UserError("bijeenkomst.usage", usage=usage)
    limits.check(title, limits.MEETING_TITLE, "limit.meeting_title")
    if len(parts[1].strip()) > limits.MEETING_WHEN:  # no date is that long: do not parse it
        raise UserError("bijeenkomst.bad_when", when=limits.echo(parts[1].strip(), 60))
    when = parse_when(parts[1], ctx.command.received_at, ctx.policy.timezone)
    slug, name = _options(ctx, parts[2:])
    theme = proeftuin = None
    if slug:
        theme = (await themes.by_slugs(ctx.session, [slug])).get(slug)
        if theme is None:
            known = [th.slug for th in await themes.list_all(ctx.session)]
            near = closest_slug(slug, known)
            raise UserError("bijeenkomst.unknown_theme", slug=slug, near=near or "…")
    if name:
        proeftuin = await proeftuinen.find_by_name(ctx.session, name)
        if proeftuin is None:
            known_names = ", ".join(p.name for p in await proeftuinen.list_all(ctx.session))
            raise UserError("error.no_such_proeftuin", name=name, known=known_names or "—")
    meeting = await meetings.create(
        ctx.session,
        title=title,
        starts_at=when.utc,
        platform=ctx.command.place.platform,
        channel_id=ctx.command.place.channel_id,
        theme=theme,
        proeftuin=proeftuin,
        created_by=ctx.member,
        created_at=ctx.command.received_at,
    )
    notes = [
        ctx.t(
            "bijeenkomst.where_proeftuin" if proeftuin else "bijeenkomst.where_here",
            proeftuin=proeftuin.name if proeftuin else "",
        )
    ]
    if when.ambiguous:
        notes.append(ctx.t("bijeenkomst.ambiguous", offset=when.local.isoformat()[-6:]))
    card = meeting_card(ctx.t, meeting, Counts(), ics_for(ctx, meeting), note="\n".join(notes))
    return Reply(
        text=ctx.t("bijeenkomst.saved", number=meeting.id) + "\n" + card.text,
        title=card.title,
        actions=card.actions,
        attachments=card.attachments,
    )


@command("agenda", "meetings", rank=70, family="bijeenkomsten")
async def agenda(ctx: Context) -> Reply:
    """Upcoming meetings with their RSVP counts, in one reply: a line per meeting, a pair of
    RSVP buttons per meeting, and every meeting's .ics file."""
    found = await meetings.upcoming(ctx.session, ctx.command.received_at, limit=AGENDA_LIMIT)
    if not found:
        return Reply(text=ctx.t("agenda.none"), visibility=Visibility.ONLY_CALLER)
    counts = await meetings.counts(ctx.session, [m.id for m in found])
    lines = [ctx.t("agenda.header", count=len(found))]
    lines += [f"• {meeting_line(ctx.t, m, counts[m.id])}" for m in found]
    actions = [
        Action(f"{label} #{m.id}", word, str(m.id), style)
        for m in found
        for label, word, style in (
            (ctx.t("button.yes"), "ja", "primary"),
            (ctx.t("button.no"), "nee", "default"),
        )
    ]
    return Reply(
        text="\n".join(lines),
        title=ctx.t("agenda.title"),
        actions=tuple(actions),
        attachments=tuple(str(ics_for(ctx, m)) for m in found),
        visibility=Visibility.ONLY_CALLER,
    )


async def _answer(ctx: Context, answer: str) -> Reply:
    usage = ctx.t("usage.ja" if answer == YES else "usage.nee")
    word = ctx.command.args.split(" ")[0] if ctx.command.args else ""
    number = parse_number(word, usage, "rsvp.no_such_meeting")
    meeting = await meetings.get(ctx.session, number)
    if meeting is None:
        raise UserError("rsvp.no_such_meeting", number=number)
    if meeting.starts_at <= ctx.command.received_at:
        raise UserError("rsvp.started", number=number, title=meeting.title)
    previous = await meetings.rsvp(
        ctx.session, meeting, ctx.member, answer, ctx.command.received_at
    )
    counts = (await meetings.counts(ctx.session, [meeting.id]))[meeting.id]
    if previous == answer:
        key = "rsvp.same"
    elif previous is None:
        key = "rsvp.yes" if answer == YES else "rsvp.no"
    else:
        key = "rsvp.changed_yes" if answer == YES else "rsvp.changed_no"
    text = ctx.t(
        key,
        number=meeting.id,
        title=meeting.title,
        moment=ctx.t.moment(meeting.starts_at),
        yes=counts.yes,
        no=counts.no,
    )
    return Reply(
        text=text, actions=meeting_actions(ctx.t, meeting.id), visibility=Visibility.ONLY_CALLER
    )


@command("ja", "yes", params=(MEETING,), rank=80, family="bijeenkomsten")
async def rsvp_yes(ctx: Context) -> Reply:
    """`ja N`: I come to meeting N."""
    return await _answer(ctx, YES)


@command("nee", "no", params=(MEETING,), rank=81, family="bijeenkomsten")
async def rsvp_no(ctx: Context) -> Reply:
    """`nee N`: I do not come to meeting N."""
    return await _answer(ctx, meetings.NO)
