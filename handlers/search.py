"""zoek: full-text search over the learnings the caller may see here."""

from __future__ import annotations

import difflib
import re

from handlers.context import Context
from handlers.registry import ANY_THEME, IN_PROEFTUIN, Kind, Param, command
from handlers.text import slugs_in
from handlers.types import Reply, UserError
from handlers.views import learning_line
from storage import learnings, proeftuinen, themes
from storage.models import Proeftuin
from storage.search import search_learnings

PROEFTUIN_RE = re.compile(r"(?:proeftuin|pilot):\s*(.+)$", re.IGNORECASE)
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
    params=(Param("woorden", Kind.TEXT, required=False, max_length=300), ANY_THEME, IN_PROEFTUIN),
    rank=20,
)
async def search(ctx: Context) -> Reply:
    """`zoek woorden [#slug] [proeftuin:naam]`."""
    args = ctx.command.args
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
    # The full-text query may read many rows: off the unit of work (see Context.reading).
    async with ctx.reading() as reader:
        if words:
            hits = await search_learnings(
                reader,
                ctx.viewer,
                words,
                theme_id=theme_id,
                proeftuin_id=proeftuin_id,
                limit=RESULT_LIMIT,
            )
            snippets = {hit.learning_id: hit.snippet for hit in hits}
            found_learnings = await learnings.by_ids(
                reader, ctx.viewer, [h.learning_id for h in hits]
            )
        else:
            found_learnings = await learnings.list_visible(
                reader,
                ctx.viewer,
                theme_id=theme_id,
                proeftuin_id=proeftuin_id,
                limit=RESULT_LIMIT,
                newest_first=True,
            )
            snippets = {}
        if not found_learnings:
            return Reply(text=ctx.t("zoek.nothing", query=query_label))
        lines = [ctx.t("zoek.header", count=len(found_learnings), query=query_label)]
        for learning in found_learnings:
            lines.append(learning_line(ctx.t, learning, snippets.get(learning.id)))
    return Reply(text="\n".join(lines), title=ctx.t("zoek.title", query=query_label))
