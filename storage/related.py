"""Related learnings: those of other proeftuinen that say something alike (issue 17, item 1).

One bounded query on the full-text index finds the candidates; they are scored here, the same
way on both backends.

Terms. The learning's significant words: folded, without Dutch and English stop words (the
search's Snowball list plus `EXTRA_STOP_WORDS`), without numbers and words shorter than
`MIN_LENGTH`, at most `MAX_TERMS` (the longest first: long words say the most). Each term
matches the Snowball stems of its Dutch forms (`storage.search_terms.term_stems`), as `zoek`
does. Fewer than two terms: nothing is looked for (a single shared word says little), and no
query runs.

Candidates. A candidate shares at least two terms: the query is the OR of every pair of terms
ANDed, on SQLite FTS5's stemmed index (`text` column) and on PostgreSQL's `dutch` tsvector. The
index is walked newest first for `WALK` matches at most (so the cost is bounded whatever the
words and however the learnings are spread over the proeftuinen); on those rows the ring rule
(`storage.visibility.visible`), "not this proeftuin" and "not this learning" are checked, and
the newest `CANDIDATES` that pass are fetched with their text, their proeftuin's name and how
many themes they share with the learning. The price of the bound: where more than `WALK`
learnings share a pair of words, an older learning alike is not seen. On PostgreSQL the walk
is taken only when PostgreSQL's statistics say the pairs are common enough for it to stop soon;
otherwise every match comes from the GIN index and the newest are sorted out (`walk_is_cheaper`:
a fresh database without statistics, or rare words, walked the whole table by the primary key,
40 ms a capture at 1,500 learnings).

Score. The shared terms over the geometric mean of both learnings' numbers of significant stems
(a cosine on the sets of stems), plus `THEME_BOOST` per shared theme (two at most). A candidate
is alike when the score reaches `THRESHOLD`; the best `limit` are returned, best first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy import column as sql_column
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

from storage.models import Learning, LearningTheme, Proeftuin
from storage.search_plans import WALK_COST, Statistics, read_statistics, word_share
from storage.search_terms import STOP_WORDS, Term, fold, stem, stems, term_stems
from storage.visibility import Viewer, visible

MIN_LENGTH = 3
MAX_TERMS = 6  # 15 pairs at most
MIN_SHARED = 2
WALK = 100  # the newest matches of the index looked at
CANDIDATES = 40  # of those, the newest the caller may see, of other proeftuinen: scored
THRESHOLD = 0.4
THEME_BOOST = 0.1
LIMIT = 3

# Words that carry no subject: English function words (the index keeps them, the Dutch list
# does not know them) and common Dutch ones beyond Snowball's list.
_EXTRA_STOP_WORDS = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    get got had has have having he her here hers him his how i if in into is it its itself just
    let like made make makes many may me more most much must my no nor not now of off on once
    only or other our ours out over own really same she should so some such than that the their
    them then there these they this those through to too under until up us very was we were
    what when where which while who whom why will with would you your yours also even still get
    gets getting one two three first last next new people thing things way ways lot lots
    we wij onze jullie hun hen zij gaat gaan ging gingen wel heel erg echt goed beter best
    kunnen willen moeten mogen komt komen kwam kwamen maakt maken maakte doet deed gedaan
    krijgen krijgt kregen staat staan stond zien ziet zag zei zegt zeggen vinden vindt vond
    laten laat liet weer steeds vaak soms even eigen elke elk iedere ieder alle beide
    nieuwe nieuw eerste twee drie één een vier vijf keer jaar week maand dag tijd
    sinds toch juist ook zo al nog pas daarna daarom waardoor waarom wanneer terwijl tussen
    zonder tijdens binnen buiten boven onder achter voor na via per mee samen elkaar iets
    mensen iemand iedereen niemand dingen ding manier hele veel weinig minder meer meest
    daardoor daarmee daarbij daarna daarvoor alleen zelfs vooral eigenlijk gewoon misschien
    graag bijna helemaal precies ongeveer waar hoe welke wiens dezelfde zelfde zoals
"""
EXTRA_STOP_WORDS = frozenset(_EXTRA_STOP_WORDS.split())
IGNORED = STOP_WORDS | frozenset(fold(w) for w in EXTRA_STOP_WORDS)

_TOKEN = re.compile(r"[^\W_]+")
_TAG = re.compile(r"(?<!\w)#\S+")  # `#thema` words: the themes count as themes, not as words


def _words(text: str) -> list[str]:
    return [
        t
        for t in _TOKEN.findall(fold(_TAG.sub(" ", text)))
        if len(t) >= MIN_LENGTH and not t.isdigit() and t not in IGNORED
    ]


@dataclass(frozen=True, slots=True)
class Related:
    """A learning alike: its number, text, proeftuin, how alike (0..), and the words it shares
    (folded, as in the learning asked about)."""

    learning_id: int
    text: str
    proeftuin_id: int
    proeftuin: str
    score: float
    shared: tuple[str, ...]


def significant_words(text: str, most: int | None = MAX_TERMS) -> list[str]:
    """The folded words of `text` that say something (see the module's note), at most `most`,
    the longest first."""
    seen = dict.fromkeys(token[:64] for token in _words(text))
    words = sorted(seen, key=len, reverse=True)
    return words if most is None else words[:most]


@lru_cache(maxsize=4096)
def _stem_set(text: str) -> frozenset[str]:
    """The stems of a text's significant words (cached: the newest learnings are scored again
    and again)."""
    return frozenset(stems(_words(text)))


def has_significant_words(text: str) -> bool:
    """Whether `text` has enough words to look for learnings alike (no query otherwise)."""
    return len(significant_words(text)) >= MIN_SHARED


def similarity(
    words: Sequence[str], other_text: str, shared_themes: int = 0
) -> tuple[float, tuple[str, ...]]:
    """How alike `other_text` is to a learning whose significant words are `words`
    (`significant_words(text, None)`), and the words they share."""
    other = _stem_set(other_text)
    shared = tuple(w for w in words if other.intersection(term_stems(w)))
    if len(shared) < MIN_SHARED or not other:
        return 0.0, shared
    score = len(shared) / math.sqrt(len(words) * len(other))
    return score + THEME_BOOST * min(shared_themes, 2), shared


async def related_learnings(
    session: AsyncSession,
    viewer: Viewer,
    text: str,
    *,
    exclude_proeftuin_id: int | None,
    exclude_learning_id: int | None = None,
    theme_ids: Iterable[int] = (),
    limit: int = LIMIT,
) -> list[Related]:
    """Up to `limit` learnings that `viewer` may see, of proeftuinen other than
    `exclude_proeftuin_id`, that say something like `text` (tagged `theme_ids`), best first.
    Runs one query, none when `text` has fewer than two significant words (PostgreSQL also
    reads its statistics, at most every ten minutes)."""
    terms = significant_words(text)
    if len(terms) < MIN_SHARED or limit <= 0:
        return []
    themes = sorted(set(theme_ids))
    params_themes = {"themes": themes} if themes else {}
    connection = await session.connection()
    params: dict[str, Any] = {
        "own": exclude_proeftuin_id if exclude_proeftuin_id is not None else -1,
        "learning": exclude_learning_id if exclude_learning_id is not None else -1,
    }
    postgresql = connection.dialect.name == "postgresql"
    walk = True
    if postgresql:
        params["query"] = _tsquery(terms)
        walk = walk_is_cheaper(await read_statistics(connection), terms)
    else:
        params["query"] = _fts5_query(terms)
    params |= params_themes
    statement = _statement(viewer, bool(themes), postgresql, walk)
    rows = (await session.execute(statement, params)).all()
    words = significant_words(text, None)
    found = []
    for row in rows:
        score, shared = similarity(words, row.text, int(row.themes or 0))
        if score >= THRESHOLD:
            found.append(Related(row.id, row.text, row.proeftuin_id, row.name, score, shared))
    found.sort(key=lambda r: (-r.score, -r.learning_id))
    return found[:limit]


def walk_is_cheaper(stats: Statistics, terms: Sequence[str]) -> bool:
    """PostgreSQL: walk the newest rows for `WALK` matches when that touches fewer rows than
    taking every match of the pairs from the GIN index (each about `WALK_COST` rows walked)."""
    shares = [word_share(stats, Term(term, False)) for term in terms]
    share = min(sum(a * b for a, b in combinations(shares, 2)), 1.0)
    if share <= 0.0:
        return False  # rare words, or no statistics yet: the index
    return WALK / share <= WALK_COST * stats.rows * share


def _fts5_query(terms: Sequence[str]) -> str:
    """Every pair of terms ANDed, the pairs ORed, over the stemmed `text` column. Each term by
    its own stem only: the other forms (`word_forms`) would multiply the index look-ups by
    three or four (about 1 ms instead of 0.4 ms a query); scoring counts them all the same."""
    return (
        "text : ("
        + " OR ".join(f'("{stem(a)}" AND "{stem(b)}")' for a, b in combinations(terms, 2))
        + ")"
    )


def _tsquery(terms: Sequence[str]) -> str:
    """The same pairs for PostgreSQL's `to_tsquery('dutch', …)`, which stems the words."""
    return " | ".join(f"('{a}' & '{b}')" for a, b in combinations(terms, 2))


_learnings = Learning.__table__
_fts = table("learnings_fts", sql_column("rowid", Integer))


@lru_cache(maxsize=256)
def _statement(viewer: Viewer, has_themes: bool, postgresql: bool, walk: bool = True) -> Any:
    """The query, built once per viewer, theme shape, dialect and way (SQLAlchemy then finds its
    compiled form in its cache); the values travel as bound parameters. `walk` (PostgreSQL):
    ordered by the primary key, which the planner walks; otherwise by `id + 0`, which no index
    gives, so it takes the matches from the GIN index and sorts them."""
    query = bindparam("query", type_=String)
    shared_themes: ColumnElement[Any]
    if has_themes:
        shared_themes = (
            select(func.count())
            .select_from(LearningTheme.__table__)
            .where(
                LearningTheme.learning_id == _learnings.c.id,
                LearningTheme.theme_id.in_(bindparam("themes", expanding=True)),
            )
            .scalar_subquery()
        )
    else:
        shared_themes = literal(0)
    columns = (
        _learnings.c.id,
        _learnings.c.text,
        _learnings.c.proeftuin_id,
        Proeftuin.__table__.c.name,
        shared_themes.label("themes"),
    )
    filters = [
        visible(viewer),
        _learnings.c.proeftuin_id != bindparam("own", type_=Integer),
        _learnings.c.id != bindparam("learning", type_=Integer),
    ]
    proeftuinen = Proeftuin.__table__
    # The newest WALK matches, whoever they are of: a bounded walk whatever the programme
    # (one proeftuin with most of the learnings included); the ring, the proeftuin and the
    # learning itself are checked on those rows, of which the newest CANDIDATES are scored.
    if postgresql:
        from sqlalchemy.dialects.postgresql import TSQUERY

        matches = literal_column("learnings.search_vector").op("@@")(
            func.to_tsquery(literal_column("'dutch'::regconfig"), query, type_=TSQUERY)
        )
        newest = (
            select(_learnings.c.id.label("id"))
            .where(matches)
            .order_by(_learnings.c.id.desc() if walk else (_learnings.c.id + 0).desc())
            .limit(WALK)
            .subquery("newest")
        )
    else:
        fts: ColumnClause[Any] = literal_column("learnings_fts")
        newest = (
            select(_fts.c.rowid.label("id"))
            .where(fts.op("MATCH")(query))
            .order_by(_fts.c.rowid.desc())
            .limit(WALK)
            .subquery("newest")
        )
    return (
        select(*columns)
        .join_from(newest, _learnings, _learnings.c.id == newest.c.id)
        .join(proeftuinen, proeftuinen.c.id == _learnings.c.proeftuin_id)
        .where(*filters)
        .order_by(_learnings.c.id.desc())
        .limit(CANDIDATES)
    )
