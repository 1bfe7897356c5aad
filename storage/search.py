"""Full-text search over learnings: SQLite FTS5 or PostgreSQL tsvector, behind one function.

The query is bounded: of the learnings that match every word and that the viewer may see (the
ring rule, plus the optional theme and proeftuin filters, all applied in SQL), only the newest
`CANDIDATES` are ranked (bm25 on SQLite, ts_rank on PostgreSQL) and the best `limit` returned.
A word in 40% of a million learnings so costs a walk over a few thousand index entries instead of
ranking 400,000 rows; for a programme's knowledge, recency is a fair tie-break.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

from storage.models import Learning, LearningTheme
from storage.visibility import Viewer, visible

CANDIDATES = 1500  # newest visible matches that get ranked
MAX_TERMS = 12  # words beyond this are ignored (each one narrows the result anyway)
MAX_TERM_LENGTH = 64
MIN_PREFIX_LENGTH = 3  # the last word matches as a prefix from this length on
SNIPPET_WIDTH = 160

_TOKEN = re.compile(r"[^\W_]+")  # letters and digits, as the FTS5 unicode61 tokenizer sees words
_LEXEME = re.compile(r"'((?:[^']|'')*)'")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SearchHit:
    learning_id: int
    score: float  # higher is better
    snippet: str  # ~160 characters around the first match, matched words wrapped in ** **


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    prefix: bool

    def matches(self, folded_word: str) -> bool:
        return folded_word.startswith(self.text) if self.prefix else folded_word == self.text


def fold(text: str) -> str:
    """Lower case without diacritics: 'Coöperatie' -> 'cooperatie' (what both indexes do)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_terms(words: str) -> list[_Term]:
    """The user's words as safe search terms: letters and digits only, folded, de-duplicated."""
    seen: list[str] = []
    for token in _TOKEN.findall(fold(words)):
        token = token[:MAX_TERM_LENGTH]
        if token not in seen:
            seen.append(token)
        if len(seen) == MAX_TERMS:
            break
    return [
        _Term(t, prefix=(i == len(seen) - 1 and len(t) >= MIN_PREFIX_LENGTH))
        for i, t in enumerate(seen)
    ]


def fts5_query(terms: list[_Term]) -> str:
    """An FTS5 MATCH expression: every term a quoted string (no operators possible), ANDed."""
    return " ".join(f'"{t.text}"*' if t.prefix else f'"{t.text}"' for t in terms)


def tsquery_text(terms: list[_Term]) -> str:
    """A to_tsquery expression: quoted lexemes ANDed, the last one as prefix."""
    return " & ".join(f"'{t.text}':*" if t.prefix else f"'{t.text}'" for t in terms)


async def search_learnings(
    session: AsyncSession,
    viewer: Viewer,
    words: str,
    *,
    theme_id: int | None = None,
    proeftuin_id: int | None = None,
    limit: int = 10,
) -> list[SearchHit]:
    """The learnings `viewer` may see that contain all `words`, best first.

    Never raises on what a user typed: operators, quotes and symbols are not passed on; words
    that leave nothing to search for give an empty list.
    """
    terms = query_terms(words)
    if not terms or limit <= 0:
        return []
    params: dict[str, Any] = {"limit": limit, "theme_id": theme_id, "proeftuin_id": proeftuin_id}
    has_theme, has_proeftuin = theme_id is not None, proeftuin_id is not None
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # Let PostgreSQL stem the words (Dutch) and drop stop words; nothing left, nothing found.
        normalised = str(await connection.scalar(_TSQUERY, {"q": tsquery_text(terms)}) or "")
        lexemes = [m.replace("''", "'") for m in _LEXEME.findall(normalised)]
        if not lexemes:
            return []
        statement = _postgresql_statement(viewer, has_theme, has_proeftuin)
        rows = await connection.execute(statement, {**params, "tsquery": normalised})
        return _hits(rows.all(), [_Term(lexeme, prefix=True) for lexeme in lexemes])
    statement = _sqlite_statement(viewer, has_theme, has_proeftuin)
    rows = await connection.execute(statement, {**params, "q": fts5_query(terms)})
    return _hits(rows.all(), terms)


# The statements are built once per viewer and filter shape (building one costs more than
# running it); values travel as bound parameters. The viewer is part of the key, so the ring
# condition inside is always the caller's own.

_learnings = Learning.__table__
_learning_themes = LearningTheme.__table__
_fts = table("learnings_fts", sql_column("rowid", Integer))
_fts_ref: ColumnClause[Any] = literal_column("learnings_fts")
_vector: ColumnClause[Any] = literal_column("learnings.search_vector")
_tsquery = cast(bindparam("tsquery", type_=String), TSQUERY)
_TSQUERY = select(
    cast(
        func.to_tsquery(literal_column("'dutch'::regconfig"), bindparam("q", type_=String)), String
    )
)


def _filters(viewer: Viewer, has_theme: bool, has_proeftuin: bool) -> list[ColumnElement[bool]]:
    filters = [visible(viewer)]
    if has_proeftuin:
        filters.append(_learnings.c.proeftuin_id == bindparam("proeftuin_id", type_=Integer))
    if has_theme:
        filters.append(
            exists().where(
                _learning_themes.c.learning_id == _learnings.c.id,
                _learning_themes.c.theme_id == bindparam("theme_id", type_=Integer),
            )
        )
    return filters


@lru_cache(maxsize=512)
def _sqlite_statement(viewer: Viewer, has_theme: bool, has_proeftuin: bool) -> Select[Any]:
    # FTS5 walks its matches newest first (ORDER BY rowid DESC is consumed by the index, so the
    # LIMIT stops the walk); bm25 is computed for the candidates only.
    candidates = (
        select(_fts.c.rowid.label("id"), (-func.bm25(_fts_ref)).label("score"))
        .select_from(_fts.join(_learnings, _learnings.c.id == _fts.c.rowid))
        .where(
            _fts_ref.op("MATCH")(bindparam("q", type_=String)),
            *_filters(viewer, has_theme, has_proeftuin),
        )
        .order_by(_fts.c.rowid.desc())
        .limit(CANDIDATES)
        .subquery("candidates")
    )
    return _best(candidates)


@lru_cache(maxsize=512)
def _postgresql_statement(viewer: Viewer, has_theme: bool, has_proeftuin: bool) -> Select[Any]:
    candidates = (
        select(_learnings.c.id)
        .where(_vector.op("@@")(_tsquery), *_filters(viewer, has_theme, has_proeftuin))
        .order_by(_learnings.c.id.desc())
        .limit(CANDIDATES)
        .subquery("candidates")
    )
    ranked = (
        select(candidates.c.id, func.ts_rank(_vector, _tsquery).label("score"))
        .join_from(candidates, _learnings, _learnings.c.id == candidates.c.id)
        .subquery("ranked")
    )
    return _best(ranked)


def _best(ranked: Subquery) -> Select[Any]:
    """The top `:limit` rows of an (id, score) subquery, with their text."""
    top = (
        select(ranked.c.id, ranked.c.score)
        .order_by(ranked.c.score.desc(), ranked.c.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .subquery("top")
    )
    return (
        select(top.c.id, top.c.score, _learnings.c.text)
        .join_from(top, _learnings, _learnings.c.id == top.c.id)
        .order_by(top.c.score.desc(), top.c.id.desc())
    )


def _hits(rows: Any, terms: list[_Term]) -> list[SearchHit]:
    return [
        SearchHit(learning_id=row.id, score=float(row.score), snippet=snippet(row.text, terms))
        for row in rows
    ]


def snippet(text: str, terms: list[_Term], width: int = SNIPPET_WIDTH) -> str:
    """About `width` characters of `text` around the first matched word, matches in ** **."""
    text = _SPACE.sub(" ", text).strip()
    matches = [m for m in _TOKEN.finditer(text) if any(t.matches(fold(m.group())) for t in terms)]
    first = matches[0].start() if matches else 0
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    if start > 0:  # do not cut a word in two
        space = text.find(" ", start, first + 1 if matches else end)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", max(start, (matches[0].end() if matches else start)), end)
        end = space if space != -1 else end
    pieces: list[str] = []
    position = start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(text[position : match.start()])
        pieces.append(f"**{match.group()}**")
        position = match.end()
    pieces.append(text[position:end])
    return ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else "")
