"""Maatjes: introductions across proeftuinen by theme.

`maatje aan|uit` (`buddy on|off`) opts in or out; `maatje` alone tells your status. Once per
round (SAMEN_MAATJES_SCHEDULE, default the first Monday of the month at 10:00) the scheduler
pairs people of different proeftuinen who share a theme (schedules/buddies.py) and each of the
two gets one direct message: who the other is, the theme, and one recent learning of each that
may travel outside its proeftuin (never one of ring `proeftuin`). Leaders see what the next
round would make with `maatjes voorbeeld` (`buddies preview`), without anything being sent.

The messages are built here, for the command and for the scheduler alike; the pairing itself is
handlers/buddy_pairing.py, the queries storage/buddies.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.buddy_pairing import REPEAT_WINDOW, Participant, PastPair, Round, pair_round
from handlers.context import Context
from handlers.i18n import Translator
from handlers.registry import Kind, Param, command
from handlers.text import shorten
from handlers.types import Reply, UserError, Visibility
from storage import buddies
from storage.models import Learning, Member, Proeftuin, Theme

ON_WORDS = ("aan", "on")
OFF_WORDS = ("uit", "off")
CHOICE = Param("keuze", Kind.CHOICE, required=False, words=("aan", "uit"))
PREVIEW_WORDS = ("voorbeeld", "preview")
PREVIEW_SHOWN = 25  # pairs listed in the preview; the rest are counted
LEARNING_TEXT = 200  # characters of each learning in an introduction


def trigger(schedule: str, timezone: ZoneInfo) -> CronTrigger | None:
    """The rounds' cron in the programme's zone; None when the rounds are off."""
    return CronTrigger.from_crontab(schedule, timezone=timezone) if schedule else None


def round_key(moment: datetime, timezone: ZoneInfo) -> str:
    """A round is named by its local date: `2026-12-07`."""
    return moment.astimezone(timezone).date().isoformat()


def next_round(schedule: str, timezone: ZoneInfo, now: datetime) -> datetime | None:
    """The moment of the next round after `now` (None: rounds are off)."""
    cron = trigger(schedule, timezone)
    return cron.get_next_fire_time(None, now) if cron is not None else None


@dataclass(frozen=True, slots=True)
class Plan:
    """A round as pairing makes it, with the people it is about."""

    round: Round
    people: dict[int, buddies.Loaded]


async def plan_round(session: AsyncSession, key: str, now: datetime, cutoff: datetime) -> Plan:
    """Load who opted in by `cutoff` and who met whom, and pair them (nothing is stored).
    People whose proeftuin is not known cannot be paired: they are left over."""
    loaded = await buddies.participants(session, now, cutoff)
    past = [
        PastPair(a, b, at) for a, b, at in await buddies.past_pairs(session, now - REPEAT_WINDOW)
    ]
    known = [
        Participant(p.member_id, p.proeftuin_id, p.themes, p.platform)
        for p in loaded
        if p.proeftuin_id is not None
    ]
    made = pair_round(known, past, now, key)
    unknown = [p.member_id for p in loaded if p.proeftuin_id is None]
    result = Round(made.pairs, sorted(made.alone + unknown))
    return Plan(result, {p.member_id: p for p in loaded})


async def _proeftuin_name(session: AsyncSession, proeftuin_id: int | None, t: Translator) -> str:
    proeftuin = await session.get(Proeftuin, proeftuin_id) if proeftuin_id else None
    return proeftuin.name if proeftuin is not None else t("maatje.unknown_proeftuin")


def _when(t: Translator, schedule: str, timezone: ZoneInfo, now: datetime) -> str:
    moment = next_round(schedule, timezone, now)
    return t.day(moment) if moment is not None else t("maatje.rounds_off")


@command("maatje", "buddy", params=(CHOICE,), rank=70, family="onderwerpen", en="buddy")
async def buddy(ctx: Context) -> Reply:
    """`maatje aan|uit`: opt in or out; `maatje` alone: your status."""
    word = ctx.arg(CHOICE.name).strip().lower()
    now = ctx.command.received_at
    policy = ctx.policy
    when = _when(ctx.t, policy.maatjes_schedule, policy.timezone, now)
    if word in OFF_WORDS:
        gone = await buddies.opt_out(ctx.session, ctx.member.id)
        return _private(ctx.t("maatje.off" if gone else "maatje.was_off"))
    if word and word not in ON_WORDS:
        raise UserError("maatje.usage", usage=ctx.t("usage.maatje"))
    if not word:
        if await buddies.opted_in(ctx.session, ctx.member.id) is None:
            return _private(ctx.t("maatje.status_off"))
        key = "maatje.status_on"
    else:
        proeftuin_id = ctx.proeftuin.id if ctx.proeftuin is not None else None
        fresh = await buddies.opt_in(ctx.session, ctx.member, proeftuin_id, ctx.command.received_at)
        key = "maatje.on" if fresh else "maatje.already"
    proeftuin = await buddies.proeftuin_of(ctx.session, ctx.member.id, now)
    lines = [ctx.t(key, when=when)]
    if proeftuin is None:
        lines.append(ctx.t("maatje.no_proeftuin"))
    else:
        lines.append(ctx.t("maatje.from", proeftuin=proeftuin.name))
    return _private("\n".join(lines))


def _private(text: str) -> Reply:
    return Reply(text=text, visibility=Visibility.ONLY_CALLER)


@command(
    "maatjes",
    "buddies",
    leader_only=True,
    verb="voorbeeld",
    private_first=True,
    rank=245,
    family="beheer",
)
async def preview(ctx: Context) -> Reply:
    """`maatjes voorbeeld`: the pairs the next round would make now; nothing is sent."""
    word = ctx.command.args.strip().lower()
    if word and word not in PREVIEW_WORDS:
        raise UserError("maatjes.usage", usage=ctx.t("usage.maatjes"))
    now = ctx.command.received_at
    policy = ctx.policy
    moment = next_round(policy.maatjes_schedule, policy.timezone, now)
    key = round_key(moment or now, policy.timezone)
    async with ctx.reading() as reader:
        plan = await plan_round(reader, key, now, now)
        lines = await _preview_lines(reader, ctx.t, plan)
    if moment is None:
        title = ctx.t("maatjes.title_off")
    else:
        title = ctx.t("maatjes.title", day=ctx.t.day(moment))
    return Reply(text="\n".join(lines), title=title, visibility=Visibility.ONLY_CALLER)


async def _preview_lines(session: AsyncSession, t: Translator, plan: Plan) -> list[str]:
    if not plan.people:
        return [t("maatjes.nobody")]
    names = await _names(
        session, select(Member.id, Member.display_name).where(Member.id.in_(set(plan.people)))
    )
    gardens = await _names(session, select(Proeftuin.id, Proeftuin.name))
    slugs = await _names(session, select(Theme.id, Theme.slug))

    def who(member_id: int) -> str:
        person = plan.people[member_id]
        garden = gardens.get(person.proeftuin_id or 0, t("maatje.unknown_proeftuin"))
        return t("maatjes.person", name=names.get(member_id) or "?", proeftuin=garden)

    pairs, alone = plan.round.pairs, plan.round.alone
    lines = [
        t(
            "maatjes.summary",
            pairs=t.plural("maatjes.pairs", len(pairs)),
            alone=t.plural("maatjes.alone", len(alone)),
        )
    ]
    for pair in pairs[:PREVIEW_SHOWN]:
        theme = slugs.get(pair.theme_id, "?")
        lines.append(t("maatjes.pair", a=who(pair.a), b=who(pair.b), theme=theme))
    if len(pairs) > PREVIEW_SHOWN:
        lines.append(t("maatjes.more", count=len(pairs) - PREVIEW_SHOWN))
    if alone:
        shown = ", ".join(who(m) for m in alone[:PREVIEW_SHOWN])
        more = len(alone) - PREVIEW_SHOWN
        lines.append(t("maatjes.alone_line", names=shown + (f", … (+{more})" if more > 0 else "")))
    lines.append(t("maatjes.nothing_sent"))
    return lines


async def _names(session: AsyncSession, query: Any) -> dict[int, str]:
    """`id -> name` of a two-column query."""
    return {key: value for key, value in (await session.execute(query)).all()}


def _learning_lines(t: Translator, msgid: str, name: str, learning: Learning | None) -> list[str]:
    if learning is None:
        return []
    return [
        t(msgid, name=name, number=learning.id, proeftuin=learning.proeftuin.name),
        f"> {shorten(learning.text, LEARNING_TEXT)}",
    ]


def introduction(
    t: Translator,
    other: Member,
    other_proeftuin: str,
    theme: Theme | None,
    theirs: Learning | None,
    mine: Learning | None,
) -> Reply:
    """The direct message to one of a pair: who the other is, the theme, a learning of each
    (only ones that may travel outside their proeftuin: the caller makes sure)."""
    name = other.display_name or other.user_id
    slug = f"#{theme.slug}" if theme is not None else ""
    lines = [t("maatje.intro", name=name, proeftuin=other_proeftuin, theme=slug)]
    lines += _learning_lines(t, "maatje.intro_theirs", name, theirs)
    lines += _learning_lines(t, "maatje.intro_mine", name, mine)
    lines.append(t("maatje.intro_footer", name=name))
    shows = tuple(learning.id for learning in (theirs, mine) if learning is not None)
    return Reply(
        text="\n".join(lines),
        title=t("maatje.intro_title", name=name),
        visibility=Visibility.DIRECT,
        shows=shows,
    )


def left_over(t: Translator, why: str = "maatje.alone") -> Reply:
    """The kind direct message to somebody without a maatje this round. `why` is the text's key:
    `maatje.alone` when the round had nobody for them, `maatje.partner_left` when their maatje
    opted out after the pairing and before the introduction went out (an erased member's pair is
    deleted, so they get `maatje.alone`, unless the erasure raced the introduction)."""
    return Reply(text=t(why), title=t("maatje.alone_title"), visibility=Visibility.DIRECT)
