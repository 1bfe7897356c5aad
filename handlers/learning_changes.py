"""Changing a learning after it was saved: tag and untag its themes, intrekken (withdraw it for
good) and deel (set its ring; the buitenwereld only with the author's consent)."""

from __future__ import annotations

from handlers import consent
from handlers.context import Context
from handlers.learnings import RING_PARAM, RING_WORDS, find_changeable, follow_notices
from handlers.registry import AUTHOR_LEADER, LEARNING, THEMES, command
from handlers.text import (
    closest_slug,
    tags,
    theme_words,
)
from handlers.types import Reply, UserError
from storage import learnings, themes
from storage.models import Ring


async def _retag(ctx: Context, adding: bool) -> list[Reply]:
    usage = ctx.t("usage.tag" if adding else "usage.untag")
    learning = await find_changeable(ctx, ctx.arg(LEARNING.name), usage)
    wanted = theme_words(ctx.arg(THEMES.name))
    if not wanted:
        raise UserError("tag.no_slugs", usage=usage)
    known = await themes.by_slugs(ctx.session, wanted)
    unknown = [s for s in wanted if s not in known]
    archived = [s for s, th in known.items() if adding and th.archived_at is not None]
    known = {s: th for s, th in known.items() if s not in archived}
    notices: list[Reply] = []
    if adding:
        changed = await learnings.add_themes(ctx.session, learning, known.values())
        if changed:
            notices = await follow_notices(ctx, learning)
    else:
        changed = await learnings.remove_themes(ctx.session, learning, known.values())
    lines = [
        ctx.t(
            "tag.done" if adding else "untag.done",
            number=learning.id,
            changed=tags(changed) or ctx.t("word.nothing"),
            tags=tags(learning.themes) or ctx.t("word.none"),
        )
    ]
    all_slugs = [th.slug for th in await themes.list_all(ctx.session)] if unknown else []
    for slug in unknown:
        near = closest_slug(slug, all_slugs)
        key = "tag.unknown_near" if near else "tag.unknown"
        lines.append(ctx.t(key, slug=slug, near=near or ""))
    lines += [ctx.t("theme.archived", slug=slug) for slug in archived]
    return [Reply(text="\n".join(lines)), *notices]


@command(
    "tag",
    params=(LEARNING, THEMES),
    who=AUTHOR_LEADER,
    learning_buttons=True,
    rank=30,
    family="inzichten",
)
async def tag(ctx: Context) -> list[Reply]:
    """Add themes to a learning."""
    return await _retag(ctx, adding=True)


@command("untag", params=(LEARNING, THEMES), who=AUTHOR_LEADER, rank=31, family="inzichten")
async def untag(ctx: Context) -> list[Reply]:
    """Remove themes from a learning."""
    return await _retag(ctx, adding=False)


@command(
    "intrekken",
    "withdraw",
    params=(LEARNING,),
    who=AUTHOR_LEADER,
    learning_buttons=True,
    rank=110,
    family="inzichten",
)
async def withdraw(ctx: Context) -> Reply:
    """Delete a learning for good."""
    learning = await find_changeable(ctx, ctx.arg(LEARNING.name), ctx.t("usage.intrekken"))
    number = learning.id
    await learnings.delete_for_good(ctx.session, learning)
    return Reply(text=ctx.t("intrekken.done", number=number))


@command(
    "deel",
    "share",
    params=(LEARNING, RING_PARAM, consent.NAMED),
    who=AUTHOR_LEADER,
    rank=100,
    family="inzichten",
)
async def share(ctx: Context) -> Reply | list[Reply]:
    """Set the ring of a learning; the buitenwereld only with the author's consent."""
    usage = ctx.t("usage.deel")
    if not ctx.given(RING_PARAM.name):
        raise UserError("deel.usage", usage=usage)
    learning = await find_changeable(ctx, ctx.arg(LEARNING.name), usage)
    ring = RING_WORDS.get(ctx.arg(RING_PARAM.name).lower())
    if ring is None:
        raise UserError("deel.bad_ring", word=ctx.arg(RING_PARAM.name), usage=usage)
    is_author = learning.author_id == ctx.member.id
    if learning.ring == ring.value and not (ring is Ring.BUITENWERELD and is_author):
        return Reply(text=ctx.t("deel.unchanged", number=learning.id, ring=ctx.t(f"ring.{ring}")))
    if ring is Ring.BUITENWERELD:
        if is_author:
            named = ctx.given(consent.NAMED.name)
            consent.publish(learning, named=named, now=ctx.command.received_at)
            await ctx.session.flush()
            key = "consent.published_named" if named else "consent.published"
            return Reply(text=ctx.t(key, number=learning.id, proeftuin=learning.proeftuin.name))
        if learning.author is None:
            raise UserError("deel.author_unknown", number=learning.id)
        learning.publish_requested_at = ctx.command.received_at
        await ctx.session.flush()
        return [
            Reply(
                text=ctx.t(
                    "deel.asked_author", number=learning.id, author=learning.author.display_name
                )
            ),
            consent.consent_request(ctx, learning),
        ]
    widened = learning.ring == Ring.PROEFTUIN.value
    learning.ring = ring.value
    learning.published_at = None  # not the buitenwereld: every branch for it returned above
    await ctx.session.flush()
    reply = Reply(
        text=ctx.t(f"deel.done.{ring.value}", number=learning.id, proeftuin=learning.proeftuin.name)
    )
    if widened:
        return [reply, *await follow_notices(ctx, learning)]
    return reply
