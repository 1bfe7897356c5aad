"""Full-text search over learnings: SQLite FTS5 or PostgreSQL tsvector, behind one function.

The query is bounded: of the learnings that match every word and that the viewer may see (the
ring rule, plus the optional theme and proeftuin filters), only the newest `CANDIDATES` are
ranked and the best `limit` returned. A word in 40% of a million learnings so costs a walk over
a few thousand index entries instead of ranking 400,000 rows; for a programme's knowledge,
recency is a fair tie-break.

The filters are in the index (revision 0006): on SQLite `#thema` and `proeftuin:` are tokens of
the FTS5 table's `facets` column, ANDed with the words, so FTS5 intersects them while it walks
its matches newest first; on PostgreSQL `learnings.search_facets` is indexed with the tsvector
in one GIN index (revision 0009), and the statistics choose between a walk of the newest rows,
the index, and (a common word with filters that let few through) an index-only walk of the rows
passing the filters (revisions 0011 and 0013) before their words are checked. A filtered query ranks
`FILTERED_CANDIDATES`.

Ranking. PostgreSQL: ts_rank. SQLite: bm25 when every word is rare; bm25 first counts every row
holding each word of the query (20-40 ms for a word in 400,000 rows), so a query with a common
word, a word still being typed or a filter ranks its candidates with `samen_rank` instead
(`storage.search_terms.approximate_rank`: occurrences, saturated and length-normalised as bm25
does). When the viewer sees most learnings, the bm25 statement ranks the newest matches first
and checks the ring of the best few only; it falls back to the full one when those hold too
few visible.

Words are ANDed and Dutch stop words ignored; the last word also matches as a prefix (someone
still typing): on SQLite expanded over the index's vocabulary into exact words, and not at all
when its own stem is common (`COMMON_WORD` occurrences or more). How the typed words become
terms, query text and snippets is in `storage.search_terms`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Literal

from sqlalchemy import (
    CompoundSelect,
    Select,
)
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Ring
from storage.search_plans import postgresql_way, read_statistics
from storage.search_statements import (
    FILTERED_CANDIDATES,
    PG_CANDIDATES,
    SEARCH_PARAMETERS,
    Form,
    postgresql_statement,
    sqlite_approximate_statement,
    sqlite_sample_statement,
    sqlite_statement,
)
from storage.search_terms import (
    Term,
    fts5_query,
    marked_snippet,
    proeftuin_token,
    query_terms,
    snippet,
    term_stems,
    theme_token,
    tsquery_parts,
)
from storage.sqlite_reader import named_rows, run_sqlite
from storage.visibility import Viewer

COMMON_WORD = 2000  # SQLite: a last word whose stem occurs this often is matched as typed
MAX_EXPANSION = 32  # SQLite: a prefix matching more indexed words is left to FTS5's prefix query
SAMPLE_FACTOR = 4  # SQLite: the best limit * SAMPLE_FACTOR candidates get their ring looked up


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One learning found: its id, how well it matched, and the words around the match."""

    learning_id: int
    score: float  # higher is better
    snippet: str  # ~160 characters around the first match, matched words wrapped in ** **


class Hits(list[SearchHit]):
    """The learnings found, best first; `total` is how many match in all when the search
    counted them on the way, `at_least` a lower bound when it found more candidates than
    `storage.search_count.COUNT_CAP` (with neither, `storage.search_count` counts)."""

    total: int | None = None
    at_least: int = 0


async def search_learnings(
    session: AsyncSession,
    viewer: Viewer,
    words: str,
    *,
    theme_id: int | None = None,
    proeftuin_id: int | None = None,
    limit: int = 10,
) -> Hits:
    """The learnings `viewer` may see that contain all `words`, best first.

    Never raises on what a user typed: operators, quotes and symbols are not passed on; words
    that leave nothing to search for give an empty list.
    """
    terms = query_terms(words)
    if not terms or limit <= 0:
        return Hits()
    connection = await session.connection()
    params: dict[str, Any] = {"limit": limit, "theme_id": theme_id, "proeftuin_id": proeftuin_id}
    shape = (viewer, theme_id is not None, proeftuin_id is not None)
    if connection.dialect.name == "postgresql":
        return await _search_postgresql(connection, shape, terms, params)
    return await _search_sqlite(connection, shape, terms, params)


_Shape = tuple[Viewer, bool, bool]  # the viewer, and whether a theme / proeftuin filter is set
_Kind = Literal["sample", "full", "approx", "walk", "bitmap", "prefilter"]


async def _search_sqlite(
    connection: AsyncConnection, shape: _Shape, terms: list[Term], params: dict[str, Any]
) -> Hits:
    # The words' look-up in the index's vocabulary and the search itself run together on the
    # connection's thread: one hand-off from the event loop instead of two.
    search = partial(_search_sqlite_here, connection.dialect, shape, terms, params)
    return _hits(await run_sqlite(connection, search), terms)


def _search_sqlite_here(
    dialect: Dialect,
    shape: _Shape,
    terms: list[Term],
    params: dict[str, Any],
    conn: sqlite3.Connection,
) -> Sequence[Any]:
    # The words in the `text` column; `#thema` and `proeftuin:` as tokens of the `facets`
    # column (revision 0006), so FTS5 intersects them itself, newest first.
    facets = []
    if params["proeftuin_id"] is not None:
        facets.append(f'"{proeftuin_token(params["proeftuin_id"])}"')
    if params["theme_id"] is not None:
        facets.append(f'"{theme_token(params["theme_id"])}"')
    words, heavy = sqlite_match_here(conn, terms)
    match = f"text : ({words})"
    if facets:
        match += f" AND facets : ({' AND '.join(facets)})"
    params = params | {"match": match, "sample": params["limit"] * SAMPLE_FACTOR}

    def run(kind: _Kind) -> list[Any]:
        prepared = _prepare(dialect, kind, *shape, (True, False))
        return named_rows(conn.execute(prepared.sql, prepared.arguments(params)))

    if heavy or facets:
        # bm25 would first count every row holding each of the query's terms (a common word:
        # 400,000 at a million learnings, 20-40 ms); rank the newest candidates by how often
        # and how densely they hold the words instead (`samen_rank`).
        params["needles"] = " ".join(term_stems(t.text)[0] for t in terms)
        return run("approx")
    viewer = shape[0]
    if viewer.ring_floor is not Ring.BUITENWERELD:
        # The viewer probably sees most matches: try the quick statement first.
        rows = run("sample")
        sampled = next(int(row.score) for row in rows if row.id is None)
        found = sorted((row for row in rows if row.id is not None), key=_best_first)
        if len(found) >= params["limit"] or sampled < params["sample"]:
            return found
    return run("full")


async def sqlite_match(connection: AsyncConnection, terms: list[Term]) -> tuple[str, bool]:
    """`sqlite_match_here`, on the connection's thread."""
    return await run_sqlite(connection, partial(sqlite_match_here, terms=terms))


def sqlite_match_here(conn: sqlite3.Connection, terms: list[Term]) -> tuple[str, bool]:
    """The FTS5 expression for `terms`, and whether a common word is in it. A last word still
    being typed also matches the indexed words it starts: looked up in the index's vocabulary
    (up to `MAX_EXPANSION` of them, which FTS5 then reads as exact terms, newest first), or left
    to FTS5's prefix query when there are more. When the word's own stem is common, it is taken
    as typed (no prefix). Runs on `conn`'s own thread (`storage.sqlite_reader.run_sqlite`)."""
    last = terms[-1]
    common = False
    others = tuple(term_stems(t.text)[0] for t in terms[:-1])
    # How often the other words occur: asked within the same statement as the last word's
    # look-up when there is one.
    counts = f"SELECT max(n) FROM ({' UNION ALL '.join([_COUNT] * len(others))})"
    if not last.prefix:
        if others:
            found = conn.execute(counts, others).fetchone()[0]
            common = int(found or 0) >= COMMON_WORD
        if not common:
            stems = (term_stems(last.text)[0],)
            found = conn.execute(_COUNT, stems).fetchone()[0]
            common = int(found or 0) >= COMMON_WORD
        return fts5_query(terms), common
    text = last.text
    upper = text[:-1] + chr(ord(text[-1]) + 1)  # the first string after every word `text…`
    statement = _VOCABULARY
    parameters: tuple[str | int, ...] = (text, upper, upper, MAX_EXPANSION + 1, term_stems(text)[0])
    if others:  # a row ('', how often the most common other word occurs)
        statement += f"UNION ALL SELECT '', ({counts})\n"
        parameters += others
    rows: Sequence[Any] = conn.execute(statement, parameters).fetchall()
    common = any(row[0] == "" and (row[1] or 0) >= COMMON_WORD for row in rows)
    rows = [row for row in rows if row[0] != ""]
    if any(row[1] is not None and row[1] >= COMMON_WORD for row in rows):
        return fts5_query(terms, prefix=False), True
    expansion = [str(row[0]) for row in rows if row[0] is not None]
    if len(expansion) > MAX_EXPANSION:
        return fts5_query(terms), True
    # A word the expansion adds may be common (`bewo` -> `bewoner`): rank without bm25 then.
    return fts5_query(terms, expansion=expansion), common or bool(expansion)


_COUNT = (
    "SELECT count(*) AS n FROM"
    f" (SELECT 1 FROM learnings_fts_vocab WHERE term = ? LIMIT {COMMON_WORD})"
)


# The indexed words from the first parameter up to (not including) the second, at most the
# fourth many, one index seek each (fts5vocab takes bounds on `term`; `|| char(1)` skips every
# instance of the word before), and how often the stem (fifth) occurs, counted to COMMON_WORD.
_VOCABULARY = f"""
WITH RECURSIVE expansion(term, n) AS (
    SELECT (SELECT term FROM learnings_fts_vocab WHERE term >= ? AND term < ? LIMIT 1), 1
    UNION ALL
    SELECT (
        SELECT v.term FROM learnings_fts_vocab AS v
        WHERE v.term >= expansion.term || char(1) AND v.term < ? LIMIT 1
    ), n + 1
    FROM expansion WHERE expansion.term IS NOT NULL AND n < ?
)
SELECT term, NULL FROM expansion WHERE term IS NOT NULL
UNION ALL
SELECT NULL, (
    SELECT count(*) FROM (SELECT 1 FROM learnings_fts_vocab WHERE term = ? LIMIT {COMMON_WORD})
)
"""


async def _search_postgresql(
    connection: AsyncConnection, shape: _Shape, terms: list[Term], params: dict[str, Any]
) -> Hits:
    # PostgreSQL stems the words inside the statement; stop words only: nothing is found.
    parts = tsquery_parts(terms)
    params |= parts
    form = (bool(parts["rest"]), "last" in parts)
    params["facets"] = [
        *([-params["proeftuin_id"]] if params["proeftuin_id"] is not None else []),
        *([params["theme_id"]] if params["theme_id"] is not None else []),
    ]
    stats = await read_statistics(connection)
    way, pre_limit = postgresql_way(stats, terms, params["facets"])
    wanted = FILTERED_CANDIDATES if params["facets"] else PG_CANDIDATES
    params["pre_limit"] = pre_limit
    rows = await _run(connection, way, shape, params, form)
    found = int(rows[0].total) if rows else 0
    if way == "prefilter" and found < wanted and (not rows or rows[0].walked >= pre_limit):
        # The words were rarer among the rows the filters let through than the statistics
        # said: those rows were not all there is. The index's way finds every match.
        way = "bitmap"
        rows = await _run(connection, way, shape, params, form)
        found = int(rows[0].total) if rows else 0
    hits = Hits(SearchHit(row.id, float(row.score), marked_snippet(row.text)) for row in rows)
    if way == "bitmap" or found < wanted:
        hits.total = found  # every match counted, or a walk that found fewer than it wanted
    else:
        hits.at_least = found
    return hits


async def _run(
    connection: AsyncConnection,
    kind: _Kind,
    shape: _Shape,
    params: dict[str, Any],
    form: Form = (True, False),
) -> Sequence[Row[Any]]:
    prepared = _prepare(connection.dialect, kind, *shape, form)
    result = await connection.exec_driver_sql(prepared.sql, prepared.arguments(params))
    return result.all()


def _best_first(row: Any) -> tuple[float, int]:
    return (-row.score, -row.id)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A search statement compiled for one dialect and viewer: SQL text and how to fill it in."""

    sql: str
    fixed: dict[str, Any]  # the values visible(viewer) bound
    order: tuple[str, ...] | None  # parameter names by position (qmark), None for named styles

    def arguments(self, values: dict[str, Any]) -> Any:
        merged = self.fixed | values
        return merged if self.order is None else tuple(merged[name] for name in self.order)


@lru_cache(maxsize=512)
def _prepare(
    dialect: Dialect,
    kind: _Kind,
    viewer: Viewer,
    has_theme: bool,
    has_proeftuin: bool,
    form: Form,
) -> _Prepared:
    """Search runs often and its statement is fixed per viewer: compile it once, not per call.
    `form` is the shape of PostgreSQL's query (see `storage.search_statements.tsquery`)."""
    statement: Select[Any] | CompoundSelect[Any]
    if dialect.name == "postgresql":
        statement = postgresql_statement(viewer, has_theme, has_proeftuin, form, kind)
    elif kind == "sample":
        statement = sqlite_sample_statement(viewer, has_theme, has_proeftuin)
    elif kind == "approx":
        statement = sqlite_approximate_statement(viewer, has_theme, has_proeftuin)
    else:
        statement = sqlite_statement(viewer, has_theme, has_proeftuin)
    compiled = statement.compile(dialect=dialect)
    # Expands the ring IN (…) once; our own parameters get their values at every call.
    state = compiled.construct_expanded_state(dict.fromkeys(SEARCH_PARAMETERS))
    fixed = {k: v for k, v in state.parameters.items() if k not in SEARCH_PARAMETERS}
    order = None if state.positiontup is None else tuple(state.positiontup)
    return _Prepared(state.statement, fixed, order)


def _hits(rows: Any, terms: list[Term]) -> Hits:
    return Hits(
        SearchHit(learning_id=row.id, score=float(row.score), snippet=snippet(row.text, terms))
        for row in rows
    )
