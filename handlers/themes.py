"""Themes: listing them with counts (themas) and adding one (thema nieuw)."""

from __future__ import annotations

from handlers import limits, paging
from handlers.context import Context
from handlers.registry import Kind, Param, command
from handlers.text import VALID_SLUG_RE
from handlers.types import Action, Field, Reply, UserError
from storage import themes

NEW_WORDS = ("nieuw", "add", "new")


THEMES_PAGE = 25  # a page of themes: Discord shows at most 25 fields


@command("themas", "themes", "thema's", params=(paging.PAGE,), rank=90, family="onderwerpen")
async def list_themes(ctx: Context) -> Reply:
    """Every theme with the number of learnings the caller may see, 25 to a page."""
    number = paging.page_number(ctx, "usage.themas")
    async with ctx.reading() as reader:  # counts every tagged learning: off the unit of work
        rows = await themes.counts(reader, ctx.viewer)
    if not rows:
        return Reply(text=ctx.t("themas.none"))
    page = paging.page_of(rows, number, THEMES_PAGE)
    if not page.rows:
        return Reply(text=ctx.t("themas.page_empty", page=number, themes=len(rows)))
    header = ctx.t("themas.header", themes=ctx.t.plural("count.thema", len(rows)))
    if number > 1 or page.more:
        header += " " + ctx.t("paging.shown", first=page.first, last=page.last)
    lines = [header]
    for theme, count in page.rows:
        lines.append(
            ctx.t("themas.line", slug=theme.slug, name=theme.name, count=ctx.t.number(count))
        )
    actions: tuple[Action, ...] = ()
    if page.more:
        more = paging.more_action(ctx, page, {})
        lines.append(paging.more_hint(ctx, more))
        actions = (more,)
    return Reply(
        text="\n".join(lines),
        title=ctx.t("themas.title"),
        fields=tuple(Field(f"#{th.slug}", f"{th.name}: {ctx.t.number(n)}") for th, n in page.rows),
        actions=actions,
    )


@command(
    "thema",
    "theme",
    leader_only=True,
    verb="nieuw",
    params=(
        Param("slug", Kind.TEXT, max_length=limits.THEME_SLUG),
        Param("naam", Kind.TEXT, max_length=limits.THEME_NAME),
        Param(
            "trefwoorden", Kind.TEXT, required=False, max_length=limits.THEME_KEYWORDS, prefix="| "
        ),
    ),
    invalidates=("themes",),
    rank=210,
    family="onderwerpen",
)
async def add_theme(ctx: Context) -> Reply:
    """`thema nieuw <slug> <naam> [| trefwoord, trefwoord]`: add a theme."""
    usage = ctx.t("usage.thema")
    verb, _, rest = ctx.command.args.partition(" ")
    if verb.lower() not in NEW_WORDS:
        raise UserError("thema.usage", usage=usage)
    head, _, keywords = rest.partition("|")
    slug_word, _, name = head.strip().partition(" ")
    slug = slug_word.lstrip("#").lower()
    if not slug or not name.strip():
        raise UserError("thema.usage", usage=usage)
    limits.check(slug, limits.THEME_SLUG, "limit.theme_slug")
    if not VALID_SLUG_RE.match(slug):
        raise UserError("thema.bad_slug", slug=slug_word, usage=usage)
    limits.check(name.strip(), limits.THEME_NAME, "limit.theme_name")
    existing = await themes.by_slugs(ctx.session, [slug])
    if slug in existing:
        raise UserError("thema.exists", slug=slug, name=existing[slug].name)
    clean_keywords = ", ".join(k.strip().lower() for k in keywords.split(",") if k.strip())
    limits.check(clean_keywords, limits.THEME_KEYWORDS, "limit.theme_keywords")
    theme = await themes.create(ctx.session, slug, name.strip(), clean_keywords)
    return Reply(
        text=ctx.t(
            "thema.added",
            slug=theme.slug,
            name=theme.name,
            keywords=clean_keywords or ctx.t("word.none"),
        )
    )
