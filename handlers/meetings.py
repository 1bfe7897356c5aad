"""Meetings: bijeenkomst (schedule), agenda, ja/nee (RSVP), and the texts of meeting cards and
reminders (used by schedules/reminders.py too).

`<wanneer>` is read in the programme's time zone by handlers/when.py (Dutch and English phrases,
ISO dates, the DST gap and overlap). Meetings are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers import limits, paging
from handlers.context import Context
from handlers.i18n import Translator
from handlers.ics import write_ics
from handlers.registry import IN_PROEFTUIN, MEETING, Kind, Param, command
from handlers.text import closest_slug, parse_number, shorten
from handlers.types import Action, Reply, UserError, Visibility
from handlers.when import parse_when as parse_when  # also read by callers of handlers.meetings
from storage import files, harvest, meetings, proeftuinen, themes
from storage.meetings import YES, Counts
from storage.models import Meeting

REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
AGENDA_LIMIT = 10  # meetings in `agenda`: 20 buttons, within Slack's and Discord's limits
RECENT = timedelta(days=14)  # `agenda` also shows the meetings of the last two weeks ...
RECENT_LIMIT = 3  # ... at most this many, each with what was harvested from it (`oogst`)


def meeting_actions(t: Translator, meeting_id: int) -> tuple[Action, ...]:
    """The RSVP buttons every meeting message carries."""
    return (
        Action(t("button.yes"), "ja", str(meeting_id), "primary"),
        Action(t("button.no"), "nee", str(meeting_id)),
    )


def meeting_details(t: Translator, meeting: Meeting) -> str:
    parts = []
    if meeting.theme is not None:
        parts.append(f"#{meeting.theme.slug}")
    if meeting.proeftuin is not None:
        parts.append(meeting.proeftuin.name)
    return " · ".join(parts)


def meeting_line(t: Translator, meeting: Meeting, counts: Counts) -> str:
    """`#7 · do 3 dec. 2026 19:30 · Titel · #wonen · 4 ja, 1 nee`."""
    parts = [f"#{meeting.id}", t.moment(meeting.starts_at), meeting.title]
    details = meeting_details(t, meeting)
    if details:
        parts.append(details)
    parts.append(t("bijeenkomst.counts", yes=counts.yes, no=counts.no))
    return " · ".join(parts)


def ics_for(ctx: Context, meeting: Meeting) -> Path:
    """Write the meeting's .ics file next to the database (or in the configured data folder)."""
    bind = ctx.session.bind
    url = bind.url.render_as_string(hide_password=True) if isinstance(bind, AsyncEngine) else None
    folder = files.data_dir(url, ctx.policy.data_dir)
    return write_ics(meeting, ctx.policy.timezone, folder, meeting_details(ctx.t, meeting))


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
            if near is None:
                raise UserError("bijeenkomst.unknown_theme_plain", slug=slug)
            raise UserError("bijeenkomst.unknown_theme", slug=slug, near=near)
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


@command("agenda", "meetings", params=(paging.PAGE,), rank=70, family="bijeenkomsten")
async def agenda(ctx: Context) -> Reply:
    """Upcoming meetings with their RSVP counts, a page at a time: a line per meeting, a pair
    of RSVP buttons per meeting, every meeting's .ics file, and "Meer" when more follow."""
    number = paging.page_number(ctx, "usage.agenda")
    limit = paging.fetch_limit(number, AGENDA_LIMIT)
    upcoming = await meetings.upcoming(ctx.session, ctx.command.received_at, limit=limit)
    page = paging.page_of(upcoming, number, AGENDA_LIMIT)
    found = list(page.rows)
    recent = await _recent(ctx) if number == 1 else []
    if not found:
        key = "agenda.page_empty" if number > 1 else "agenda.none"
        return Reply(
            text="\n".join([ctx.t(key, page=number), *recent]),
            visibility=Visibility.ONLY_CALLER,
        )
    counts = await meetings.counts(ctx.session, [m.id for m in found])
    if page.total is not None and number == 1:
        lines = [ctx.t.plural("agenda.header", len(found))]
    else:
        total = await meetings.count_upcoming(ctx.session, ctx.command.received_at)
        lines = [ctx.t("agenda.header_page", first=page.first, last=page.last, total=total)]
    lines += [f"• {meeting_line(ctx.t, m, counts[m.id])}" for m in found]
    lines += recent
    actions = [
        Action(f"{label} #{m.id}", word, str(m.id), style)
        for m in found
        for label, word, style in (
            (ctx.t("button.yes"), "ja", "primary"),
            (ctx.t("button.no"), "nee", "default"),
        )
    ]
    if page.more:
        more = paging.more_action(ctx, page, {})
        lines.append(paging.more_hint(ctx, more))
        actions.append(more)
    return Reply(
        text="\n".join(lines),
        title=ctx.t("agenda.title"),
        actions=tuple(actions),
        attachments=tuple(str(ics_for(ctx, m)) for m in found),
        visibility=Visibility.ONLY_CALLER,
    )


async def _recent(ctx: Context) -> list[str]:
    """Meetings of the last `RECENT` days with what was harvested from them (what the caller
    may see here), for `agenda`'s first page; nothing when there were none."""
    now = ctx.command.received_at
    past = await harvest.started_before(ctx.session, now, now - RECENT, RECENT_LIMIT)
    if not past:
        return []
    counts = await meetings.counts(ctx.session, [m.id for m in past])
    found = await harvest.learnings_of(ctx.session, ctx.viewer, [m.id for m in past], 3)
    lines = [ctx.t("agenda.recent")]
    for meeting in past:
        lines.append(f"• {meeting_line(ctx.t, meeting, counts[meeting.id])}")
        lines += [
            "   " + ctx.t("oogst.line", number=x.id, proeftuin=x.proeftuin.name,
                          text=shorten(x.text, 160))
            for x in found[meeting.id]
        ]  # fmt: skip
        if not found[meeting.id]:
            lines.append("   " + ctx.t("agenda.no_harvest", number=meeting.id))
    return lines


async def _answer(ctx: Context, answer: str) -> Reply:
    usage = ctx.t("usage.ja" if answer == YES else "usage.nee")
    number = parse_number(ctx.arg(MEETING.name), usage, "rsvp.no_such_meeting")
    meeting = await meetings.get(ctx.session, number)
    if meeting is None:
        raise UserError("rsvp.no_such_meeting", number=number)
    if meeting.cancelled_at is not None:
        raise UserError("rsvp.cancelled", number=number, title=meeting.title)
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
