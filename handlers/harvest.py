"""Meeting harvest: after a meeting, everybody who said `ja` is asked once "Wat neem je mee uit
<titel>?" (schedules/meeting_harvest.py); `oogst N <tekst>` (or the button under that question,
a form on Slack and Discord) saves the answer as a learning linked to the meeting and tagged with
its theme.

When a meeting has ended: meetings have a start and no end, so the question goes `HARVEST_AFTER`
(1 hour) after the start, long enough for most bijeenkomsten and soon enough to remember. `oogst`
itself is accepted for any meeting at any time (someone may write down what they take with them
during the meeting or days later); the reply names the meeting, and its undo button takes it back.

The learning belongs to the meeting's proeftuin, else to the proeftuin of the channel it is typed
in; in a direct message about a meeting of no proeftuin it is refused kindly, with where to type it.
"""

from __future__ import annotations

from datetime import timedelta

from handlers import limits
from handlers.context import Context
from handlers.i18n import Translator
from handlers.learnings import already_saved, follow_notices, store_learning
from handlers.registry import MEETING, Kind, Param, command
from handlers.text import has_words, parse_number, shorten, tags
from handlers.types import Action, Reply, UserError, Visibility
from storage import learnings as learning_store
from storage import meetings
from storage.models import Meeting

HARVEST_AFTER = timedelta(hours=1)  # a meeting counts as ended this long after its start
HARVEST_COMMAND = "oogst"


def harvest_action(t: Translator, meeting_id: int) -> Action:
    """The button under the question: a form for the answer on Slack and Discord."""
    return Action(t("button.harvest"), HARVEST_COMMAND, str(meeting_id), "primary")


def harvest_question(t: Translator, meeting: Meeting) -> Reply:
    """The one direct message after a meeting to somebody who said `ja`."""
    return Reply(
        text=t(
            "oogst.question",
            number=meeting.id,
            title=meeting.title,
            moment=t.moment(meeting.starts_at),
        ),
        title=t("oogst.question_title", title=shorten(meeting.title, 80)),
        actions=(harvest_action(t, meeting.id),),
        visibility=Visibility.DIRECT,
    )


def harvest_lines(t: Translator, found: list[tuple[int, str, str]]) -> list[str]:
    """`↳ #12 · Proeftuin A: tekst…` for learnings harvested from a meeting."""
    return [
        t("oogst.line", number=number, proeftuin=proeftuin, text=shorten(text, 160))
        for number, proeftuin, text in found
    ]


@command(
    "oogst",
    "harvest",
    params=(MEETING, Param("tekst", Kind.TEXT, max_length=limits.LEARNING_TEXT)),
    needs_text_form=True,
    rank=85,
    family="bijeenkomsten",
)
async def harvest(ctx: Context) -> Reply | list[Reply]:
    """`oogst <N> <tekst>`: what you take with you from meeting N, saved as a learning."""
    usage = ctx.t("usage.oogst")
    number = parse_number(ctx.arg(MEETING.name), usage, "rsvp.no_such_meeting")
    meeting = await meetings.get(ctx.session, number)
    if meeting is None:
        raise UserError("rsvp.no_such_meeting", number=number)
    if meeting.cancelled_at is not None:
        raise UserError("oogst.cancelled", number=number, title=shorten(meeting.title, 100))
    text = ctx.arg("tekst").strip()
    limits.check(text, limits.LEARNING_TEXT, "limit.learning")  # before any reply echoes it
    if not text or not has_words(text):
        raise UserError("oogst.empty", number=meeting.id, title=shorten(meeting.title, 100))
    proeftuin = meeting.proeftuin or ctx.proeftuin
    if proeftuin is None:
        raise UserError("oogst.no_proeftuin", number=meeting.id, text=shorten(text, 300))
    duplicate = await already_saved(ctx)
    if duplicate is not None:
        return duplicate
    learning, _unknown, _followed = await store_learning(ctx, text, proeftuin, ctx.member)
    learning.meeting_id = meeting.id
    if meeting.theme is not None and meeting.theme.archived_at is None:
        await learning_store.add_themes(ctx.session, learning, [meeting.theme])
    await ctx.session.flush()
    ctx.concerns(learning)  # a private learning of another proeftuin than this channel's
    lines = [
        ctx.t(
            "oogst.saved",
            number=learning.id,
            meeting=meeting.id,
            title=meeting.title,
            proeftuin=proeftuin.name,
            ring=ctx.t(f"ring.{learning.ring}"),
        ),
        f"> {shorten(learning.text)}",
    ]
    if learning.themes:
        lines.append(ctx.t("inzicht.themes", tags=tags(learning.themes)))
    saved = Reply(
        text="\n".join(lines),
        title=ctx.t("oogst.title", title=shorten(meeting.title, 80)),
        actions=(Action(ctx.t("button.undo"), "intrekken", str(learning.id), "danger"),),
    )
    return [saved, *(await follow_notices(ctx, learning))]
