"""The weekly digest: rendering (one header reply, one per theme, prompts, meetings) and the
leader's `digest` command (preview; `digest plaats` posts through the effect ledger).

Rendering splits into replies of at most `PART_LIMIT` characters so no single message is huge;
adapters split further where their platform needs it. The data comes from
storage/digest_queries.py, always as the kenniskring sees it.

`digest plaats` never sends from inside the command: for `console:` digest channels it returns
the digest as replies addressed there (and records them done in the same unit of work); for
Slack and Discord channels it queues the effect in the ledger, and the scheduler's outbox job in
`samen-bot serve` posts it (within seconds, exactly once per week and channel, also when several
processes run). A week already posted says so instead of posting twice.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.i18n import Translator
from handlers.registry import Kind, Param, command
from handlers.text import shorten
from handlers.types import Reply, Target, UserError, Visibility
from storage import effect_queries, effects
from storage.digest_queries import Item, WeekDigest, build_week_digest
from storage.effect_keys import digest_key
from storage.weeks import Week, parse_week, week_of

PART_LIMIT = 2800  # characters per reply (Slack: 3,000 a section)
ITEM_LIMIT = 300  # characters of one learning's text
POST_WORDS = ("plaats", "post", "posten", "plaatsen")
RETRY_WINDOW = timedelta(days=7)  # a queued digest is retried until the next one is due


def _item_line(t: Translator, item: Item, *, with_themes: bool = False) -> str:
    parts = [f"#{item.id}", item.proeftuin]
    if with_themes and item.themes:
        parts.append(", ".join(f"#{s}" for s in item.themes))
    if item.recognised_by:
        parts.append(
            t(
                "digest.recognised",
                count=len(item.recognised_by),
                names=", ".join(item.recognised_by),
            )
        )
    line = "• " + " · ".join(parts) + f" — {shorten(item.text, ITEM_LIMIT)}"
    if item.source_url:
        line += " " + t("digest.source", url=item.source_url)
    for proeftuin, text in item.enrichments:
        line += "\n   ↳ " + t("views.enrichment", proeftuin=proeftuin, text=shorten(text, 160))
    return line


def _parts(t: Translator, title: str, lines: list[str]) -> list[Reply]:
    """Replies of at most PART_LIMIT characters; later ones are titled '(vervolg)'."""
    replies: list[Reply] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = line if len(line) <= PART_LIMIT else shorten(line, PART_LIMIT)
        if chunk and size + len(line) + 1 > PART_LIMIT:
            replies.append(Reply(text="\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        replies.append(Reply(text="\n".join(chunk)))
    return [
        dataclasses.replace(reply, title=title if i == 0 else t("digest.continued", title=title))
        for i, reply in enumerate(replies)
    ]


def _header(t: Translator, digest: WeekDigest) -> Reply:
    week = digest.week
    lines = [
        t.plural(
            "digest.summary",
            len(digest.per_proeftuin),
            learnings=t.plural("count.inzicht", digest.total),
        )
    ]
    if digest.per_proeftuin:
        counts = " · ".join(f"{name} {t.number(n)}" for name, n in digest.per_proeftuin)
        lines.append(t("digest.per_proeftuin", counts=counts))
    if digest.quiet:
        lines.append(t("digest.quiet", names=", ".join(digest.quiet)))
    if digest.shared_themes:
        shared = "; ".join(f"#{slug}: {', '.join(names)}" for slug, names in digest.shared_themes)
        lines.append(t("digest.shared", themes=shared))
    return Reply(
        text="\n".join(lines),
        title=t(
            "digest.title",
            week=week.number,
            year=week.year,
            first=t.day(week.first_day),
            last=t.day(week.last_day),
        ),
    )


def render_digest(t: Translator, digest: WeekDigest, now: datetime | None = None) -> list[Reply]:
    """The digest as replies: header, one part per theme, prompts, upcoming meetings. An empty
    week that has not ended by `now` is quiet so far, not a quiet week past."""
    week = digest.week
    if digest.empty:
        ongoing = now is not None and now < week.end
        return [
            Reply(
                text=t(
                    "digest.empty_ongoing" if ongoing else "digest.empty",
                    week=week.number,
                    year=week.year,
                ),
                title=t(
                    "digest.title",
                    week=week.number,
                    year=week.year,
                    first=t.day(week.first_day),
                    last=t.day(week.last_day),
                ),
            )
        ]
    replies = [_header(t, digest)]
    for section in digest.sections:
        if section.slug is None:
            title = t("digest.untagged")
        else:
            title = f"#{section.slug} · {section.name}" if section.name else f"#{section.slug}"
        places = section.proeftuinen
        lines = []
        if len(places) > 1:
            lines.append(t("digest.theme_also", first=places[0], others=", ".join(places[1:])))
        lines += [_item_line(t, item) for item in section.items]
        replies += _parts(t, title, lines)
    if digest.recognised:
        lines = [_item_line(t, item) for item in digest.recognised]
        replies += _parts(t, t("digest.recognised_title"), lines)
    if digest.prompts:
        lines = []
        for prompt in digest.prompts:
            lines.append(t("digest.prompt", number=prompt.id, question=shorten(prompt.question)))
            lines += [_item_line(t, item, with_themes=True) for item in prompt.answers]
            if not prompt.answers:
                lines.append(t("digest.prompt_no_answers"))
            if prompt.waiting:
                lines.append(t("digest.prompt_waiting", names=", ".join(prompt.waiting)))
        replies += _parts(t, t("digest.prompts_title"), lines)
    if digest.harvests:
        lines = [
            t(
                "digest.harvest_meeting",
                number=h.id,
                title=shorten(h.title, 120),
                moment=t.moment(h.starts_at),
                learnings=", ".join(f"#{i.id} ({i.proeftuin})" for i in h.items),
            )
            for h in digest.harvests
        ]
        replies += _parts(t, t("digest.harvest_title"), lines)
    if digest.meetings:
        lines = []
        for m in digest.meetings:
            details = " · ".join(x for x in (f"#{m.theme}" if m.theme else "", m.proeftuin) if x)
            parts = [f"#{m.id}", t.moment(m.starts_at), m.title] + ([details] if details else [])
            parts.append(t("bijeenkomst.counts", yes=m.yes, no=m.no))
            lines.append("• " + " · ".join(parts))
        lines.append(t("digest.meetings_hint"))
        replies += _parts(t, t("digest.meetings_title"), lines)
    return replies


async def digest_replies(
    session: AsyncSession, t: Translator, timezone: ZoneInfo, week: Week, now: datetime
) -> list[Reply]:
    """Build and render the digest of `week` (the kenniskring's view)."""
    return render_digest(t, await build_week_digest(session, week, timezone, now), now)


def _week(ctx: Context, words: list[str]) -> Week:
    if not words:
        return week_of(ctx.command.received_at, ctx.policy.timezone)
    try:
        return parse_week(words[0], ctx.policy.timezone)
    except ValueError:
        raise UserError("digest.bad_week", word=words[0], usage=ctx.t("usage.digest")) from None


@command(
    "digest",
    leader_only=True,
    params=(
        Param("plaatsen", Kind.FLAG, required=False, words=POST_WORDS),
        Param("week", Kind.TEXT, required=False, max_length=10),
    ),
    rank=240,
    family="beheer",
)
async def digest(ctx: Context) -> list[Reply]:
    """`digest [week]` previews for the caller; `digest plaats [week]` posts to the digest
    channels (once per week and channel, through the ledger)."""
    posting = ctx.given("plaatsen")
    week = _week(ctx, ctx.arg("week").split())
    now = ctx.command.received_at
    tz = ctx.policy.timezone
    if not posting:
        async with ctx.reading() as reader:
            replies = await digest_replies(reader, ctx.t, tz, week, now)
        return [dataclasses.replace(r, visibility=Visibility.ONLY_CALLER) for r in replies]
    if not ctx.policy.digest_channels:
        raise UserError("digest.no_channels")
    lines: list[str] = []
    delivered: list[Reply] = []
    rendered: list[Reply] | None = None
    for platform, channel in ctx.policy.digest_channels:
        key = digest_key(week.label, platform, channel)
        where = f"{platform}:{channel}"
        if platform == "console":
            fresh = await effects.mark_done_now(ctx.session, key, "digest", now)
            if fresh:
                if rendered is None:
                    rendered = await digest_replies(ctx.session, ctx.t, tz, week, now)
                target = Target(platform, channel_id=channel)
                delivered += [dataclasses.replace(r, to=target) for r in rendered]
                lines.append(ctx.t("digest.posted_here", channel=where))
                continue
        elif await effects.queue(
            ctx.session, key, "digest", now, due_at=now, expires_at=now + RETRY_WINDOW
        ):
            lines.append(ctx.t("digest.queued", channel=where))
            continue
        row = await effect_queries.get(ctx.session, key)
        status = row.status if row is not None else effects.DONE
        moment = row.done_at or row.created_at if row is not None else now
        lines.append(ctx.t(f"digest.status.{status}", channel=where, moment=ctx.t.moment(moment)))
    confirmation = Reply(
        text=ctx.t("digest.post_header", week=week.number, year=week.year)
        + "\n"
        + "\n".join(lines),
        visibility=Visibility.ONLY_CALLER,
    )
    return [confirmation, *delivered]
