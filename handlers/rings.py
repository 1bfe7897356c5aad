"""Knowledge travelling between proeftuinen: herken, verrijk, volg and ontvolg."""

from __future__ import annotations

from handlers import limits
from handlers.context import Context
from handlers.registry import ANY_THEME, LEARNING, THEME, Kind, Param, command
from handlers.text import has_words, parse_number, shorten, tags, theme_words
from handlers.types import Reply, UserError, Visibility
from storage import learnings, rings, themes
from storage.models import Learning


async def _visible_learning(ctx: Context, word: str, usage_key: str) -> Learning:
    number = parse_number(word, ctx.t(usage_key))
    learning = await learnings.get_visible(ctx.session, ctx.viewer, number)
    if learning is None:
        raise UserError("error.no_such_learning", number=number)
    return learning


@command("herken", "recognise", "recognize", params=(LEARNING,), rank=40, family="inzichten")
async def recognise(ctx: Context) -> Reply:
    """'Ook bij ons': the caller's proeftuin recognises learning N."""
    proeftuin = ctx.require_proeftuin()
    learning = await _visible_learning(ctx, ctx.arg(LEARNING.name), "usage.herken")
    if learning.proeftuin_id == proeftuin.id:
        raise UserError("herken.own", number=learning.id, proeftuin=proeftuin.name)
    added = await rings.recognise(ctx.session, learning, proeftuin, ctx.member)
    names = ", ".join(sorted(r.proeftuin.name for r in learning.recognitions))
    key = "herken.done" if added else "herken.already"
    return Reply(
        text=ctx.t(
            key,
            number=learning.id,
            proeftuin=proeftuin.name,
            by=ctx.t.plural("count.proeftuin", len(learning.recognitions)),
            names=names,
        )
    )


@command(
    "verrijk",
    "enrich",
    params=(LEARNING, Param("tekst", Kind.TEXT, max_length=limits.ENRICHMENT_TEXT)),
    needs_text_form=True,
    rank=50,
    family="inzichten",
)
async def enrich(ctx: Context) -> Reply:
    """Add a note, link or counter-example from the caller's proeftuin to learning N."""
    text = ctx.arg("tekst").strip()
    proeftuin = ctx.require_proeftuin(text)
    learning = await _visible_learning(ctx, ctx.arg(LEARNING.name), "usage.verrijk")
    if not text or not has_words(text):
        raise UserError("verrijk.empty", number=learning.id, text=text)
    limits.check(text, limits.ENRICHMENT_TEXT, "limit.enrichment", number=learning.id)
    await rings.enrich(ctx.session, learning, proeftuin, ctx.member, text)
    return Reply(
        text=ctx.t(
            "verrijk.done",
            number=learning.id,
            proeftuin=proeftuin.name,
            count=len(learning.enrichments),
            text=shorten(text),
        )
    )


@command("volg", "follow", params=(ANY_THEME,), rank=60, family="onderwerpen")
async def follow(ctx: Context) -> Reply:
    """Follow themes; without a theme, list what the caller follows."""
    wanted = theme_words(ctx.arg(ANY_THEME.name))
    if not wanted:
        followed = await rings.follows_of(ctx.session, ctx.member)
        if not followed:
            return Reply(text=ctx.t("volg.none"), visibility=Visibility.ONLY_CALLER)
        return Reply(
            text=ctx.t("volg.list", tags=tags(f.theme for f in followed)),
            visibility=Visibility.ONLY_CALLER,
        )
    known = await themes.by_slugs(ctx.session, wanted)
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise UserError("volg.unknown", slug=unknown[0])
    archived = [s for s, th in known.items() if th.archived_at is not None]
    if archived:
        raise UserError("theme.archived", slug=archived[0])
    proeftuin_id = ctx.proeftuin.id if ctx.proeftuin else None
    for theme in known.values():
        await rings.follow(ctx.session, ctx.member, theme, proeftuin_id)
    return Reply(
        text=ctx.t("volg.done", tags=tags(known.values())), visibility=Visibility.ONLY_CALLER
    )


@command("ontvolg", "unfollow", params=(THEME,), rank=61, family="onderwerpen")
async def unfollow(ctx: Context) -> Reply:
    """Stop following themes."""
    wanted = theme_words(ctx.arg(THEME.name))
    if not wanted:
        raise UserError("ontvolg.usage")
    known = await themes.by_slugs(ctx.session, wanted)
    stopped = [t for t in known.values() if await rings.unfollow(ctx.session, ctx.member, t)]
    key = "ontvolg.done" if stopped else "ontvolg.nothing"
    return Reply(
        text=ctx.t(key, tags=tags(stopped) or " ".join(f"#{s}" for s in wanted)),
        visibility=Visibility.ONLY_CALLER,
    )
