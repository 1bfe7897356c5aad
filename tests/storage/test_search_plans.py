"""PostgreSQL's three ways to find the newest matches (a walk of the newest rows, every match
from the GIN index over words and facets, or an index-only walk of the rows passing the filters
before their words are checked) find the same learnings, and the statistics choose the one that
touches fewer rows (issue 18: `zoek` with `#thema` and `proeftuin:`)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage import search
from storage.models import Learning, LearningTheme, Ring
from storage.search import search_learnings
from storage.search_plans import Statistics, postgresql_way, walk_is_cheaper
from storage.search_terms import query_terms
from storage.visibility import Viewer
from tests.storage.test_search import Programme, store  # noqa: F401  (the fixture)

WORDS = ("bewoners", "gemeente", "huur", "fonds", "tuin", "energie")


def test_the_statistics_choose_the_cheaper_way() -> None:
    """At a million learnings, a word in 40% of them: walk rather than take every match from the
    index, without a filter, with one or with both (1.5% pass); the index for a rare word."""
    stats = Statistics(1_000_000, {"bewoner": 0.4, "gemeent": 0.4}, {-1: 0.143, 10: 0.11})
    common = query_terms("bewoners")
    assert walk_is_cheaper(stats, common, [])
    assert walk_is_cheaper(stats, common, [-1])
    assert walk_is_cheaper(stats, common, [10])
    assert walk_is_cheaper(stats, common, [-1, 10])  # than the index (the prefilter beats both)
    assert not walk_is_cheaper(stats, query_terms("zeldzaamwoord"), [])
    assert not walk_is_cheaper(stats, common, [-3])  # a facet the statistics do not know
    assert walk_is_cheaper(stats, query_terms("bewo"), [])  # a prefix of a common word
    # a small programme: the index is as cheap as anything
    small = Statistics(2_000, {"bewoner": 0.4}, {-1: 0.1})
    assert not walk_is_cheaper(small, common, [-1])


def test_a_common_word_with_both_filters_prefilters() -> None:
    """The three ways at a million learnings (measured on the search benchmark's database:
    `bewoners #wonen proeftuin:X` walked 62 ms, took 110 ms from the GIN index, 17 ms
    prefiltered); the prefilter fetches twice the rows the word needs."""
    stats = Statistics(1_000_000, {"bewoner": 0.4, "gemeent": 0.4}, {-1: 0.143, 10: 0.11})
    common = query_terms("bewoners")
    assert postgresql_way(stats, common, []) == ("walk", 0)
    assert postgresql_way(stats, common, [10]) == ("walk", 0)
    assert postgresql_way(stats, common, [-1]) == ("walk", 0)
    way, pre = postgresql_way(stats, common, [-1, 10])
    assert way == "prefilter" and pre == round(2 * 151 / 0.4)
    assert postgresql_way(stats, query_terms("bewo"), [-1, 10])[0] == "prefilter"
    assert postgresql_way(stats, query_terms("zeldzaamwoord"), [-1, 10]) == ("bitmap", 0)
    assert postgresql_way(stats, common, [-1, -3]) == ("bitmap", 0)  # an unknown facet
    small = Statistics(2_000, {"bewoner": 0.4}, {-1: 0.1, 10: 0.1})
    assert postgresql_way(small, common, [-1, 10]) == ("bitmap", 0)


def test_two_common_words_with_both_filters_prefilter() -> None:
    """`bewoners gemeente #ruimte proeftuin:X` at a million learnings (the search benchmark's
    database): the GIN index read a million posting entries to find 2,500 matches (39-50 ms);
    the prefilter walked only the proeftuin's own entries (revision 0013) and took 11-13 ms.
    The statistics now count both: the entries the index reads, the entries a prefilter walks."""
    stats = Statistics(1_000_000, {"bewoner": 0.4, "gemeent": 0.4}, {-1: 0.143, 10: 0.11})
    two = query_terms("bewoners gemeente")
    way, pre = postgresql_way(stats, two, [-1, 10])
    assert way == "prefilter" and pre == round(2 * 151 / (0.4 * 0.4))
    # a theme alone lets 11% through: the newest rows are walked, as before
    assert postgresql_way(stats, two, [10]) == ("walk", 0)


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
    ways = [("walk", 0), ("bitmap", 0), ("prefilter", 10_000), ("prefilter", 5)]
    for viewer in (Viewer(proeftuin_id=p.a), Viewer.for_ring(Ring.KENNISKRING)):
        for words, filters in queries:
            found: dict[tuple[str, int], list[int]] = {}
            for way in ways:
                if way[0] == "prefilter" and not filters:
                    continue  # the prefilter is for searches with filters
                monkeypatch.setattr(search, "postgresql_way", lambda *_, w=way: w)
                async with p.db.reading() as session:
                    hits = await search_learnings(session, viewer, words, limit=500, **filters)
                    matching = await _matching(session, viewer, words, filters)
                assert all("**" in h.snippet for h in hits)
                # fewer match than the candidates: each way knows the total (a walk that ended
                # early, a prefilter that let every passing row through or fell back to the
                # index when it did not: pre_limit 5)
                assert hits.total == len(matching), (way, words, filters)
                found[way] = [h.learning_id for h in hits]
            # fewer than the candidates match: every way ranks every match, the same way
            assert 0 < len(matching) < (150 if filters else 500), (words, filters)
            assert all(ids == found[("walk", 0)] for ids in found.values()), (words, filters)
            assert set(found[("walk", 0)]) == matching, (words, filters)


async def test_the_prefilter_walks_only_the_proeftuins_own_entries(
    store: Programme,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With `proeftuin:` the rows passing the filters come from `ix_learnings_proeftuin_id_id`
    (revision 0013), that proeftuin's entries newest first, not from a walk of every row."""
    p = store
    if not p.db.engine.url.drivername.startswith("postgresql"):
        pytest.skip("PostgreSQL's plans; SQLite's facets are in FTS5 (test_search.py)")
    plans: list[str] = []
    run = search._run

    async def explained(
        connection: AsyncConnection,
        kind: Any,
        shape: Any,
        params: dict[str, Any],
        form: Any = (True, False),
    ) -> Any:
        prepared = search._prepare(connection.dialect, kind, *shape, form)
        # the table is small here: plan it as if walking rows or bitmaps cost the earth
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        await connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        plan = await connection.exec_driver_sql(
            "EXPLAIN " + prepared.sql, prepared.arguments(params)
        )
        plans.append("\n".join(row[0] for row in plan))
        return await run(connection, kind, shape, params, form)

    monkeypatch.setattr(search, "_run", explained)
    monkeypatch.setattr(search, "postgresql_way", lambda *_: ("prefilter", 100))
    async with p.db.reading() as session:
        await search_learnings(
            session, Viewer(proeftuin_id=p.a), "bewoners", theme_id=p.wonen, proeftuin_id=p.a
        )
    assert "ix_learnings_proeftuin_id_id" in plans[0], plans[0]


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
