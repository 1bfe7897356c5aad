"""Meeting changes: `annuleer N` (cancel) and `verzet N <wanneer>` (move), for leaders, and the
notice the people who said `ja` get of either.

A cancelled meeting stays in the table (the agenda feed carries it as STATUS:CANCELLED) but
leaves `agenda`, reminders, the harvest and the digest; RSVPs to it are refused. A moved
meeting keeps its RSVPs; its reminders follow the new time. Every change raises the meeting's
iCalendar SEQUENCE.

Who said `ja` is told once per change through the effect ledger (`change:meeting:7:2:slack:U9`):
the outbox of `serve` sends it, built again at send time, so a person who changed to `nee`
meanwhile, or a change overtaken by a newer one, gets nothing. On the console, which has no
scheduler, the notice is part of the command's answer and marked done in the ledger at once.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from handlers import limits
from handlers.context import Context
from handlers.i18n import Translator
from handlers.meetings import ics_for, meeting_actions
from handlers.registry import MEETING, Kind, Param, command
from handlers.text import parse_number, shorten
from handlers.types import Reply, Target, UserError, Visibility
from handlers.when import parse_when
from storage import effects, harvest, meetings
from storage.effect_keys import change_key
from storage.models import Meeting

CHANGE_WINDOW = timedelta(days=2)  # a notice not sent within this (bot down) is not sent late
WHEN = Param("wanneer", Kind.WHEN, max_length=limits.MEETING_WHEN)


def change_notice(t: Translator, meeting: Meeting) -> Reply:
    """What someone who said `ja` is told: cancelled, or moved (with RSVP buttons)."""
    values = {"number": meeting.id, "title": meeting.title, "moment": t.moment(meeting.starts_at)}
    if meeting.cancelled_at is not None:
        return Reply(
            text=t("wijziging.cancelled_notice", **values),
            title=t("wijziging.cancelled_title", title=shorten(meeting.title, 80)),
            visibility=Visibility.DIRECT,
        )
    return Reply(
        text=t("wijziging.moved_notice", **values),
        title=t("wijziging.moved_title", title=shorten(meeting.title, 80)),
        actions=meeting_actions(t, meeting.id),
        visibility=Visibility.DIRECT,
    )


async def _changeable(ctx: Context, usage_key: str) -> Meeting:
    """The meeting the command names, if a leader may still change it."""
    number = parse_number(ctx.arg(MEETING.name), ctx.t(usage_key), "wijziging.no_such_meeting")
    meeting = await meetings.get(ctx.session, number)
    if meeting is None:
        raise UserError("wijziging.no_such_meeting", number=number)
    title = shorten(meeting.title, 100)
    if meeting.cancelled_at is not None:
        raise UserError("wijziging.already_cancelled", number=number, title=title)
    if meeting.starts_at <= ctx.command.received_at:
        raise UserError("wijziging.started", number=number, title=title)
    return meeting


async def _tell(ctx: Context, meeting: Meeting) -> tuple[str, list[Reply]]:
    """Queue the notice of this change for everybody who said `ja` (the caller excepted);
    console people get it in this answer. Returns the line for the leader and those replies."""
    now = ctx.command.received_at
    came = (await harvest.came(ctx.session, [meeting.id]))[meeting.id]
    people = [m for m in came if m.id != ctx.member.id]
    delivered: list[Reply] = []
    notice: Reply | None = None
    for member in people:
        key = change_key(meeting.id, meeting.sequence, member.platform, member.user_id)
        if member.platform == "console":
            if await effects.mark_done_now(ctx.session, key, "change", now):
                notice = notice or change_notice(ctx.t, meeting)
                target = Target(member.platform, user_id=member.user_id)
                delivered.append(dataclasses.replace(notice, to=target))
            continue
        await effects.queue(
            ctx.session, key, "change", now, due_at=now, expires_at=now + CHANGE_WINDOW
        )
    line = ctx.t("wijziging.told", count=len(people)) if people else ctx.t("wijziging.told_none")
    return line, delivered


@command("annuleer", "cancel", leader_only=True, params=(MEETING,), rank=232,
         family="bijeenkomsten")  # fmt: skip
async def cancel(ctx: Context) -> list[Reply]:
    """`annuleer N`: meeting N does not take place; who said `ja` is told."""
    meeting = await _changeable(ctx, "usage.annuleer")
    start = meeting.starts_at
    await meetings.cancel(ctx.session, meeting, ctx.command.received_at)
    told, delivered = await _tell(ctx, meeting)
    text = ctx.t(
        "annuleer.done", number=meeting.id, title=meeting.title, moment=ctx.t.moment(start)
    )
    return [Reply(text=f"{text}\n{told}"), *delivered]


@command("verzet", "move", leader_only=True, params=(MEETING, WHEN), rank=231,
         family="bijeenkomsten")  # fmt: skip
async def move(ctx: Context) -> list[Reply]:
    """`verzet N <wanneer>`: meeting N moves; its reminders follow, who said `ja` is told."""
    meeting = await _changeable(ctx, "usage.verzet")
    typed = ctx.arg(WHEN.name).strip()
    if not typed:
        raise UserError("wijziging.no_when", number=meeting.id)
    if len(typed) > limits.MEETING_WHEN:  # no date is that long: do not parse it
        raise UserError("bijeenkomst.bad_when", when=limits.echo(typed, 60))
    when = parse_when(typed, ctx.command.received_at, ctx.policy.timezone)
    before = meeting.starts_at
    if when.utc == before:
        raise UserError(
            "wijziging.same_moment",
            number=meeting.id,
            title=shorten(meeting.title, 100),
            moment=ctx.t.moment(before),
        )
    await meetings.move(ctx.session, meeting, when.utc, ctx.command.received_at)
    told, delivered = await _tell(ctx, meeting)
    lines = [
        ctx.t(
            "verzet.done",
            number=meeting.id,
            title=meeting.title,
            moment=ctx.t.moment(meeting.starts_at),
            before=ctx.t.moment(before),
        ),
        told,
    ]
    if when.ambiguous:
        lines.append(ctx.t("bijeenkomst.ambiguous", offset=when.local.isoformat()[-6:]))
    moved = Reply(
        text="\n".join(lines),
        actions=meeting_actions(ctx.t, meeting.id),
        attachments=(str(ics_for(ctx, meeting)),),
    )
    return [moved, *delivered]
