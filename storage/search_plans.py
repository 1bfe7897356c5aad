"""How a search finds its newest matches on PostgreSQL, chosen from the statistics PostgreSQL
keeps of the learnings (`pg_stats`' most common words and facets, `pg_class`' row count): walk the
newest rows, take every match from the GIN index, or (a common word with filters that let few
through) an index-only walk of the rows passing the filters before their words are checked
(`storage.search_statements`). `zoek` (`storage.search`), its count (`storage.search_count`) and
related learnings (`storage.related`) choose the same way.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.search_statements import FILTERED_CANDIDATES, PG_CANDIDATES
from storage.search_terms import Term, term_stems, typed_stems

WALK_COST = 10.0  # PostgreSQL: a row fetched by a bitmap costs about this many rows walked
GIN_ENTRY = 0.06  # an entry of a word's or facet's posting list read by the bitmap (rows walked)
PREFILTER_FETCH = 9.0  # a row fetched by its id after the index-only walk (rows walked)
PREFILTER_ENTRY = 0.16  # an entry of ix_learnings_id_facets walked and checked (rows walked)
PREFILTER_MARGIN = 2.0  # the rows passing the filters fetched: this times what the words need
MAX_PREFILTER = 20_000
_STATISTICS_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class Statistics:
    """What PostgreSQL's statistics say of the learnings (`pg_stats`, `pg_class`)."""

    rows: float  # about how many learnings there are
    words: dict[str, float]  # the share of the learnings holding each of the most common words
    facets: dict[int, float]  # the same of the most common facets (a proeftuin, a theme)


_statistics: dict[str, tuple[float, Statistics]] = {}


async def postgresql_walk(
    connection: AsyncConnection, terms: list[Term], facets: list[int], wanted: int | None = None
) -> bool:
    """Whether to walk the newest rows until enough match, or to take every match from the GIN
    index and sort those: whichever touches fewer rows, by the statistics PostgreSQL keeps of the
    tsvector's most common words and the facets' most common values (read at most every ten
    minutes). A word or facet missing from those is rare: the index then. Walking costs
    `wanted / share` rows, the index `rows * share`, each fetched row about WALK_COST walked.
    (The planner would choose the walk for rare words too, whose share it can only guess: ~0.3%
    a word in a vocabulary as uniform as the benchmark's, so a rare word meant walking every
    row; and a bitmap of every match of a common word when a filter made it look cheap.)"""
    return walk_is_cheaper(await read_statistics(connection), terms, facets, wanted)


def _shares(stats: Statistics, terms: list[Term], facets: list[int]) -> tuple[float, float]:
    """The share of the learnings holding all the words, and passing all the facets."""
    words = 1.0
    for term in terms:
        words *= word_share(stats, term)  # the union of its forms: at most the sum of theirs
    passing = 1.0
    for facet in facets:
        passing *= stats.facets.get(facet, 0.0)
    return words, passing


def _bitmap_cost(stats: Statistics, terms: list[Term], facets: list[int], share: float) -> float:
    """The GIN index's way, in rows walked: every match fetched (WALK_COST each), and before
    that the posting lists of every word and facet read and intersected (GIN_ENTRY an entry;
    two words in 40% of a million learnings are 800,000 entries, most of the cost when the
    filters leave few matches)."""
    entries = sum(word_share(stats, term) for term in terms)
    entries += sum(stats.facets.get(facet, 0.0) for facet in facets)
    return stats.rows * (WALK_COST * share + GIN_ENTRY * entries)


def walk_is_cheaper(
    stats: Statistics, terms: list[Term], facets: list[int], wanted: int | None = None
) -> bool:
    """`postgresql_walk`'s choice from the statistics: the walk when `wanted / share` rows
    cost less than `rows * share` fetched from the index (each about WALK_COST walked);
    `wanted` is the candidates a search ranks unless given (a count's cap)."""
    words, passing = _shares(stats, terms, facets)
    share = words * passing
    if share <= 0.0:
        return False
    if wanted is None:
        wanted = FILTERED_CANDIDATES if facets else PG_CANDIDATES
    return wanted / share <= _bitmap_cost(stats, terms, facets, share)


Way = Literal["walk", "bitmap", "prefilter"]


def postgresql_way(stats: Statistics, terms: list[Term], facets: list[int]) -> tuple[Way, int]:
    """How a search finds its newest matches on PostgreSQL (`search_statements`), and for a
    prefilter how many of the rows passing the filters it fetches: the cheapest by the
    statistics, in rows walked. A walk costs `wanted / share`; the index `rows * share` rows
    fetched (WALK_COST each) after reading the posting lists (`_bitmap_cost`); a prefilter
    walks `pre / passing` entries of a covering index (with `proeftuin:`, only that proeftuin's
    entries: revision 0013) and fetches `pre` rows, `pre` being PREFILTER_MARGIN times the rows
    the words need. A word or facet the statistics do not list is rare: the index."""
    words, passing = _shares(stats, terms, facets)
    share = words * passing
    if share <= 0.0:
        return "bitmap", 0
    wanted = FILTERED_CANDIDATES if facets else PG_CANDIDATES
    costs: dict[Way, float] = {
        "walk": wanted / share,
        "bitmap": _bitmap_cost(stats, terms, facets, share),
    }
    pre = 0
    if facets:
        pre = min(MAX_PREFILTER, round(PREFILTER_MARGIN * (wanted + 1) / words))
        # With `proeftuin:` (its facet is minus its id) only that proeftuin's entries are
        # walked, and of those the other filters let this share through.
        own = next((stats.facets[f] for f in facets if f < 0), 1.0)
        costs["prefilter"] = PREFILTER_FETCH * pre + PREFILTER_ENTRY * pre * own / passing
    way = min(costs, key=costs.__getitem__)  # the first listed on a tie: the walk
    return way, (pre if way == "prefilter" else 0)


def word_share(stats: Statistics, term: Term) -> float:
    """The share of the learnings holding `term` (any of its forms), by the statistics: 0 for a
    word they do not list (a rare one)."""
    forms = set(term_stems(term.text))
    if term.prefix:
        forms |= {w for w in stats.words if w.startswith(term.text)}
        forms |= set(typed_stems(term.text))
    return min(sum(stats.words.get(form, 0.0) for form in forms), 1.0)


async def read_statistics(connection: AsyncConnection) -> Statistics:
    """What PostgreSQL's statistics say of the learnings, read at most every ten minutes."""
    key = str(connection.engine.url)
    now = time.monotonic()
    cached = _statistics.get(key)
    if cached is not None and now - cached[0] <= _STATISTICS_SECONDS:
        return cached[1]
    rows: Sequence[Any] = (await connection.exec_driver_sql(_STATISTICS)).all()
    words: dict[str, float] = {}
    facets: dict[int, float] = {}
    total = 0.0
    for row in rows:
        column, elements, shares, tuples = row
        total = max(total, float(tuples or 0.0))
        pairs = zip(elements or [], shares or [], strict=False)
        if column == "search_vector":
            words = {str(w): float(f) for w, f in pairs}
        elif column == "search_facets":
            facets = {int(v): float(f) for v, f in pairs}
    stats = Statistics(total, words, facets)
    _statistics[key] = (now, stats)
    return stats


_STATISTICS = (
    "SELECT s.attname, s.most_common_elems::text::text[], s.most_common_elem_freqs,"
    " c.reltuples FROM pg_stats AS s JOIN pg_class AS c ON c.relname = s.tablename"
    " WHERE s.tablename = 'learnings' AND s.schemaname = current_schema()"
    " AND s.attname IN ('search_vector', 'search_facets')"
)
