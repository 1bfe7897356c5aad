"""Tidying what the programme set up, for leaders: hernoem (rename), voeg-samen (merge),
archiveer (archive) and heropen (reopen), for a proeftuin by its name or a theme by `#slug`.

A merge cannot be undone, so it first says what it will move and asks for `bevestig`.
"""

from __future__ import annotations

from handlers import limits
from handlers.context import Context
from handlers.registry import Kind, Param, command
from handlers.search import find_proeftuin
from handlers.text import VALID_SLUG_RE, closest_slug
from handlers.types import Reply, UserError, Visibility
from storage import curation, learnings, proeftuinen, themes
from storage.models import Proeftuin, Theme

CONFIRM = Param("bevestig", Kind.FLAG, required=False, words=("bevestig", "confirm"))
OLD = Param("oud", Kind.TEXT, max_length=limits.PROEFTUIN_NAME + 1)
NEW = Param("nieuw", Kind.TEXT, max_length=limits.PROEFTUIN_NAME + limits.THEME_SLUG + 2)
SOURCE = Param("van", Kind.TEXT, max_length=limits.PROEFTUIN_NAME + 1)
TARGET = Param("naar", Kind.TEXT, max_length=limits.PROEFTUIN_NAME + 1)
WHICH = Param("naam", Kind.TEXT, max_length=limits.PROEFTUIN_NAME + 1)
CHANGES = ("themes", "proeftuinen")


async def find(ctx: Context, word: str) -> Proeftuin | Theme:
    """A theme for `#slug`, else a proeftuin by name; archived ones too. A friendly error that
    names the closest otherwise."""
    word = " ".join(word.split())
    if not word.startswith("#"):
        return await find_proeftuin(ctx, word)
    slug = word.lstrip("#").lower()
    theme = (await themes.by_slugs(ctx.session, [slug])).get(slug)
    if theme is not None:
        return theme
    near = closest_slug(slug, [t.slug for t in await themes.list_all(ctx.session)])
    raise UserError("tag.unknown_near" if near else "tag.unknown", slug=slug, near=near or "")


def shown(row: Proeftuin | Theme) -> str:
    """How a proeftuin or theme is named in a reply."""
    return f"#{row.slug} ({row.name})" if isinstance(row, Theme) else row.name


def _needs(ctx: Context, usage_key: str, *params: Param) -> list[str]:
    values = [" ".join(ctx.arg(p.name).split()) for p in params]
    if not all(values):
        raise UserError("curation.usage", usage=ctx.t(usage_key))
    return values


@command(
    "hernoem",
    "rename",
    leader_only=True,
    params=(OLD, NEW),
    sep=" | ",
    invalidates=CHANGES,
    rank=250,
    family="beheer",
)
async def rename(ctx: Context) -> Reply:
    """`hernoem <naam> | <nieuwe naam>` or `hernoem #slug | [#nieuwe-slug] [nieuwe naam]`."""
    old, new = _needs(ctx, "usage.hernoem", OLD, NEW)
    row = await find(ctx, old)
    before = shown(row)
    if isinstance(row, Theme):
        first, _, rest = new.partition(" ")
        slug = first.lstrip("#").lower() if first.startswith("#") else row.slug
        name = (rest if first.startswith("#") else new).strip() or row.name
        limits.check(slug, limits.THEME_SLUG, "limit.theme_slug")
        limits.check(name, limits.THEME_NAME, "limit.theme_name")
        if not VALID_SLUG_RE.match(slug):
            raise UserError("thema.bad_slug", slug=first, usage=ctx.t("usage.hernoem"))
        taken = (await themes.by_slugs(ctx.session, [slug])).get(slug)
        if taken is not None and taken.id != row.id:
            raise UserError("hernoem.taken", name=f"#{slug}", old=old)
        await curation.rename_theme(ctx.session, row, slug, name)
    else:
        limits.check(new, limits.PROEFTUIN_NAME, "limit.proeftuin_name")
        taken_by = await proeftuinen.find_by_name(ctx.session, new)
        if taken_by is not None and taken_by.id != row.id:
            raise UserError("hernoem.taken", name=taken_by.name, old=row.name)
        await curation.rename_proeftuin(ctx.session, row, new)
    return Reply(text=ctx.t("hernoem.done", before=before, after=shown(row)))


@command(
    "voeg-samen",
    "merge",
    "samenvoegen",
    leader_only=True,
    params=(CONFIRM, SOURCE, TARGET),
    sep=" | ",
    invalidates=CHANGES,
    rank=251,
    family="beheer",
)
async def merge(ctx: Context) -> Reply:
    """`voeg-samen <van> | <naar>`: what `van` holds moves to `naar`, and `van` goes; asks for
    `bevestig` first."""
    source_word, target_word = _needs(ctx, "usage.voeg-samen", SOURCE, TARGET)
    source, target = await find(ctx, source_word), await find(ctx, target_word)
    if type(source) is not type(target):
        raise UserError("voeg-samen.kinds", source=shown(source), target=shown(target))
    if source.id == target.id:
        raise UserError("voeg-samen.same", name=shown(source))
    if not ctx.given(CONFIRM.name):
        count = await learnings.count_for(ctx.session, source)
        return Reply(
            text=ctx.t(
                "voeg-samen.ask",
                source=shown(source),
                target=shown(target),
                learnings=ctx.t.plural("count.inzicht", count),
                command=f"/samen {ctx.command.name} bevestig {source_word} | {target_word}",
            ),
            visibility=Visibility.ONLY_CALLER,
        )
    names = {"source": shown(source), "target": shown(target)}  # the rows expire in the merge
    if isinstance(source, Theme) and isinstance(target, Theme):
        moved = await curation.merge_themes(ctx.session, source, target)
    elif isinstance(source, Proeftuin) and isinstance(target, Proeftuin):
        moved = await curation.merge_proeftuinen(ctx.session, source, target)
    learnings_moved = ctx.t.plural("count.inzicht", moved)
    return Reply(text=ctx.t("voeg-samen.done", learnings=learnings_moved, **names))


@command(
    "archiveer",
    "archive",
    leader_only=True,
    params=(WHICH,),
    invalidates=CHANGES,
    rank=252,
    family="beheer",
)
async def archive(ctx: Context) -> Reply:
    """`archiveer <naam>` or `archiveer #slug`: keep it, with its learnings, out of lists."""
    (word,) = _needs(ctx, "usage.archiveer", WHICH)
    row = await find(ctx, word)
    if row.archived_at is not None:
        return Reply(text=ctx.t("archiveer.already", name=shown(row)))
    await curation.set_archived(ctx.session, row, ctx.command.received_at)
    key = "archiveer.theme" if isinstance(row, Theme) else "archiveer.proeftuin"
    return Reply(text=ctx.t(key, name=shown(row), word=word))


@command(
    "heropen",
    "reopen",
    leader_only=True,
    params=(WHICH,),
    invalidates=CHANGES,
    rank=253,
    family="beheer",
)
async def reopen(ctx: Context) -> Reply:
    """`heropen <naam>` or `heropen #slug`: active again."""
    (word,) = _needs(ctx, "usage.heropen", WHICH)
    row = await find(ctx, word)
    if row.archived_at is None:
        return Reply(text=ctx.t("heropen.already", name=shown(row)))
    await curation.set_archived(ctx.session, row, None)
    return Reply(text=ctx.t("heropen.done", name=shown(row)))
