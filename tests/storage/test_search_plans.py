"""PostgreSQL's two ways to find the newest matches (a walk of the newest rows, or every match
from the GIN index over words and facets) find the same learnings, and the statistics choose the
one that touches fewer rows (issue 18: `zoek` with `#thema` and `proeftuin:`)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage import search
from storage.models import Learning, LearningTheme, Ring
from storage.search import Statistics, search_learnings, walk_is_cheaper
from storage.search_terms import query_terms
from storage.visibility import Viewer
from tests.storage.test_search import Programme, store  # noqa: F401  (the fixture)

WORDS = ("bewoners", "gemeente", "huur", "fonds", "tuin", "energie")


def test_the_statistics_choose_the_cheaper_way() -> None:
    """At a million learnings, a word in 40% of them: walk without a filter or with one, the
    index with both filters (1.5% pass) or a rare word."""
    stats = Statistics(1_000_000, {"bewoner": 0.4, "gemeent": 0.4}, {-1: 0.143, 10: 0.11})
    common = query_terms("bewoners")
    assert walk_is_cheaper(stats, common, [])
    assert walk_is_cheaper(stats, common, [-1])
    assert walk_is_cheaper(stats, common, [10])
    assert not walk_is_cheaper(stats, common, [-1, 10])
    assert not walk_is_cheaper(stats, query_terms("zeldzaamwoord"), [])
    assert not walk_is_cheaper(stats, common, [-3])  # a facet the statistics do not know
    assert walk_is_cheaper(stats, query_terms("bewo"), [])  # a prefix of a common word
    # a small programme: the index is as cheap as anything
    small = Statistics(2_000, {"bewoner": 0.4}, {-1: 0.1})
    assert not walk_is_cheaper(small, common, [-1])


async def test_both_ways_find_the_same(
    store: Programme,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = store
    if not p.db.engine.url.drivername.startswith("postgresql"):
        pytest.skip("PostgreSQL's plans; SQLite's facets are in FTS5 (test_search.py)")
    rng = random.Random(7)
    rows = []
    for _ in range(600):
        picked = rng.sample(WORDS, 3)
        rows.append(
            {
                "text": f"De {picked[0]} en de {picked[1]} over {picked[2]} in de buurt.",
                "proeftuin_id": rng.choice((p.a, p.b)),
                "ring": rng.choice((Ring.KENNISKRING.value, Ring.PROEFTUIN.value)),
            }
        )
    async with p.db.unit_of_work() as session:
        ids = (await session.scalars(insert(Learning).returning(Learning.id), rows)).all()
        tags = [{"learning_id": i, "theme_id": p.wonen} for i in ids if rng.random() < 0.3]
        await session.execute(insert(LearningTheme), tags)
    async with p.db.unit_of_work() as session:
        await session.execute(text("ANALYZE learnings"))
    queries: list[tuple[str, dict[str, int]]] = [
        ("bewoners", {}),
        ("bewoners", {"proeftuin_id": p.b}),
        ("gemeente huur", {"theme_id": p.wonen}),
        ("bewo", {"theme_id": p.wonen, "proeftuin_id": p.a}),
    ]
    for viewer in (Viewer(proeftuin_id=p.a), Viewer.for_ring(Ring.KENNISKRING)):
        for words, filters in queries:
            found: dict[bool, list[int]] = {}
            for walk in (True, False):
                monkeypatch.setattr(search, "walk_is_cheaper", lambda *_, w=walk: w)
                async with p.db.reading() as session:
                    hits = await search_learnings(session, viewer, words, limit=500, **filters)
                    matching = await _matching(session, viewer, words, filters)
                assert all("**" in h.snippet for h in hits)
                # the index's way counts every match on the way; a walk stops early
                assert hits.total == (None if walk else len(matching))
                found[walk] = [h.learning_id for h in hits]
            # fewer than the candidates match: both rank every match, the same way
            assert 0 < len(matching) < 300, (words, filters)
            assert found[True] == found[False]
            assert set(found[True]) == matching, (words, filters)


async def _matching(
    session: AsyncSession, viewer: Viewer, words: str, filters: dict[str, int]
) -> set[int]:
    """Every learning that holds the words (as PostgreSQL stems them), passes the filters and
    that `viewer` may see, found without the search's statements."""
    from storage.search_terms import tsquery_parts

    parts = tsquery_parts(query_terms(words))
    last = "(to_tsquery('dutch', :last) || to_tsquery('simple', :last_prefix))"
    query = " && ".join(
        [
            *(["to_tsquery('dutch', :rest)"] if parts["rest"] else []),
            *([last] if "last" in parts else []),
        ]
    )
    sql = f"SELECT id, proeftuin_id, ring FROM learnings WHERE search_vector @@ ({query})"
    rows = (await session.execute(text(sql), parts)).all()
    theme = filters.get("theme_id")
    tagged: set[int] = set()
    if theme is not None:
        tagged = set(
            (
                await session.scalars(
                    text("SELECT learning_id FROM learning_themes WHERE theme_id = :t"),
                    {"t": theme},
                )
            ).all()
        )
    found: set[int] = set()
    for learning_id, proeftuin_id, ring in rows:
        if "proeftuin_id" in filters and proeftuin_id != filters["proeftuin_id"]:
            continue
        if theme is not None and learning_id not in tagged:
            continue
        if ring == Ring.PROEFTUIN.value and viewer.proeftuin_id != proeftuin_id:
            continue
        found.add(learning_id)
    return found
