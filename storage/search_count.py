"""How many learnings a search finds, counted up to a cap, so `zoek` can say "18 gevonden,
1–10 getoond" without walking every match of a common word: the same words, filters and ring
rule as `storage.search`, with nothing ranked and no snippet made."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import search
from storage.search_plans import postgresql_walk
from storage.search_statements import FTS, FTS_REF, LEARNINGS, filters_for, postgresql_filters
from storage.search_terms import proeftuin_token, query_terms, theme_token, tsquery_parts
from storage.visibility import Viewer, visible

# "meer dan 100 gevonden" beyond this. Below the candidates a search ranks (storage.search), so
# a search that found as many candidates as it wanted knows it is past the cap without a count.
COUNT_CAP = 100


async def count_matches(
    session: AsyncSession,
    viewer: Viewer,
    words: str,
    *,
    theme_id: int | None = None,
    proeftuin_id: int | None = None,
    cap: int = COUNT_CAP,
) -> int:
    """The learnings `viewer` may see that `search.search_learnings` would find for `words`
    (or, without words, that the filters let through), counted up to `cap`."""
    params: dict[str, Any] = {"theme_id": theme_id, "proeftuin_id": proeftuin_id}
    filters = filters_for(viewer, theme_id is not None, proeftuin_id is not None)
    terms = query_terms(words) if words.strip() else []
    if words.strip() and not terms:
        return 0
    inner: Select[Any]
    if not terms:
        inner = select(literal(1)).select_from(LEARNINGS).where(*filters)
    else:
        connection = await session.connection()
        if connection.dialect.name == "postgresql":
            parts = tsquery_parts(terms)
            params |= parts
            params["facets"] = [
                *([-proeftuin_id] if proeftuin_id is not None else []),
                *([theme_id] if theme_id is not None else []),
            ]
            form = (bool(parts["rest"]), "last" in parts)
            # Functions that no index serves (a walk that stops at the cap), or the GIN index,
            # whichever touches fewer rows (the query's words are a parameter the planner
            # cannot see, so it is told).
            walk = await postgresql_walk(connection, terms, params["facets"], cap)
            found = postgresql_filters(form, bool(params["facets"]), walk, viewer)
            inner = select(literal(1)).select_from(LEARNINGS).where(*found)
        else:
            expression, _ = await search.sqlite_match(connection, terms)
            facets = [
                *([f'"{proeftuin_token(proeftuin_id)}"'] if proeftuin_id is not None else []),
                *([f'"{theme_token(theme_id)}"'] if theme_id is not None else []),
            ]
            match = f"text : ({expression})"
            if facets:
                match += f" AND facets : ({' AND '.join(facets)})"
            joined = FTS.join(LEARNINGS, LEARNINGS.c.id == FTS.c.rowid)
            inner = (
                select(literal(1))
                .select_from(joined)
                .where(FTS_REF.op("MATCH")(bindparam("match", match)), visible(viewer))
            )
    counted = select(func.count()).select_from(inner.limit(cap).subquery())
    return int(await session.scalar(counted, params) or 0)
