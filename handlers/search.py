"""zoek: full-text search over the learnings the caller may see here."""

from __future__ import annotations

import difflib
import re
from typing import Any

from handlers import paging
from handlers.context import Context
from handlers.registry import ANY_THEME, IN_PROEFTUIN, Kind, Param, command
from handlers.text import slugs_in
from handlers.types import Action, Reply, UserError
from handlers.views import learning_line
from storage import learnings, proeftuinen, themes
from storage.models import Proeftuin
from storage.search import search_learnings
from storage.search_count import COUNT_CAP, count_matches

PROEFTUIN_RE = re.compile(r"(?:proeftuin|pilot):\s*(.+)$", re.IGNORECASE)
PAGE_RE = re.compile(r"(?:^|\s)pagina\s+\S+\s*$", re.IGNORECASE)  # `… pagina 2`, last
RESULT_LIMIT = 10


async def find_proeftuin(ctx: Context, name: str) -> Proeftuin:
    """A proeftuin by name (dashes count as spaces); a friendly error naming the closest."""
    cleaned = " ".join(name.replace("-", " ").split())
    proeftuin = await proeftuinen.find_by_name(ctx.session, name.strip())
    if proeftuin is None:
        proeftuin = await proeftuinen.find_by_name(ctx.session, cleaned)
    if proeftuin is not None:
        return proeftuin
    names = [p.name for p in await proeftuinen.list_all(ctx.session)]
    near = difflib.get_close_matches(cleaned, names, n=1, cutoff=0.4)
    if near:
        raise UserError("error.no_such_proeftuin_near", name=name.strip(), near=near[0])
    raise UserError("error.no_such_proeftuin", name=name.strip(), known=", ".join(names))


@command(
    "zoek",
    "search",
    params=(
        Param("woorden", Kind.TEXT, required=False, max_length=300),
        ANY_THEME,
        IN_PROEFTUIN,
        paging.PAGE,
    ),
    rank=20,
)
async def search(ctx: Context) -> Reply:
    """`zoek woorden [#slug] [proeftuin:naam] [pagina N]`."""
    page_number = paging.page_number(ctx, "usage.zoek")
    args = PAGE_RE.sub("", ctx.command.args)
    proeftuin = None
    match = PROEFTUIN_RE.search(args)
    if match:
        place_name = re.sub(r"#\S+", "", match.group(1)).strip()
        args = args[: match.start()] + " " + " ".join(re.findall(r"#\S+", match.group(1)))
        proeftuin = await find_proeftuin(ctx, place_name)
    slugs = slugs_in(args)
    words = re.sub(r"(?<!\w)#\S+", " ", args).strip()
    theme = None
    if slugs:
        found = await themes.by_slugs(ctx.session, slugs[:1])
        if slugs[0] not in found:
            raise UserError("zoek.unknown_theme", slug=slugs[0])
        theme = found[slugs[0]]
    if not words and theme is None and proeftuin is None:
        raise UserError("zoek.empty")
    query_label = " ".join(
        part
        for part in (
            words,
            f"#{theme.slug}" if theme else "",
            f"proeftuin:{proeftuin.name}" if proeftuin else "",
        )
        if part
    )
    theme_id = theme.id if theme else None
    proeftuin_id = proeftuin.id if proeftuin else None
    page: paging.Page[Any]
    # The full-text query may read many rows: off the unit of work (see Context.reading).
    async with ctx.reading() as reader:
        if words:
            hits = await search_learnings(
                reader,
                ctx.viewer,
                words,
                theme_id=theme_id,
                proeftuin_id=proeftuin_id,
                limit=paging.fetch_limit(page_number, RESULT_LIMIT),
            )
            page = paging.page_of(hits, page_number, RESULT_LIMIT)
            counted, hits_at_least = hits.total, hits.at_least
            snippets = {hit.learning_id: hit.snippet for hit in page.rows}
            found_learnings = await learnings.by_ids(
                reader, ctx.viewer, [h.learning_id for h in page.rows]
            )
        else:
            visible = await learnings.list_visible(
                reader,
                ctx.viewer,
                theme_id=theme_id,
                proeftuin_id=proeftuin_id,
                limit=paging.fetch_limit(page_number, RESULT_LIMIT),
                newest_first=True,
            )
            page = paging.page_of(visible, page_number, RESULT_LIMIT)
            found_learnings = list(page.rows)
            counted, hits_at_least = None, 0
            snippets = {}
        if not found_learnings:
            if page_number > 1:
                return Reply(text=ctx.t("zoek.page_empty", page=page_number, query=query_label))
            return Reply(text=ctx.t("zoek.nothing", query=query_label))
        if page.total is not None and page.number == 1:
            header = ctx.t("zoek.header", count=page.total, query=query_label)
        else:
            total = counted
            if total is None and hits_at_least >= COUNT_CAP:
                total = hits_at_least  # more candidates than the cap: no need to count
            if total is None:
                total = await count_matches(
                    reader, ctx.viewer, words, theme_id=theme_id, proeftuin_id=proeftuin_id
                )
            shown_total = (
                ctx.t("zoek.count_over", cap=ctx.t.number(COUNT_CAP))
                if total >= COUNT_CAP
                else ctx.t.number(max(total, page.last))
            )
            header = ctx.t(
                "zoek.header_page",
                found=shown_total,
                first=page.first,
                last=page.last,
                query=query_label,
            )
        lines = [header]
        for learning in found_learnings:
            lines.append(learning_line(ctx.t, learning, snippets.get(learning.id)))
    actions: tuple[Action, ...] = ()
    if page.more:
        values = {"woorden": words, "thema": theme.slug if theme else None}
        values["proeftuin"] = proeftuin.name if proeftuin else None
        more = paging.more_action(ctx, page, values)
        lines.append(paging.more_hint(ctx, more))
        actions = (more,)
    return Reply(
        text="\n".join(lines), title=ctx.t("zoek.title", query=query_label), actions=actions
    )
