"""PostgreSQL's two ways to the newest learnings sharing a pair of words with a new one (walk
the primary key, or every match from the GIN index) find the same, and the statistics choose:
without statistics, or with rare words, the index (a walk then went through the whole table)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, text

from storage import related
from storage.models import Learning, Ring
from storage.related import related_learnings, walk_is_cheaper
from storage.search_plans import Statistics
from storage.visibility import Viewer
from tests.storage.test_search import Programme, store  # noqa: F401  (the fixture)

WORDS = ("vrijwilligers", "gemeente", "subsidie", "wijkteam", "energiecoach", "tochtstrips")


def test_the_statistics_choose_the_walk_only_for_common_pairs() -> None:
    common = Statistics(1_000_000, {"vrijwilliger": 0.4, "gemeent": 0.4}, {})
    assert walk_is_cheaper(common, ["vrijwilligers", "gemeente"])
    assert not walk_is_cheaper(common, ["vrijwilligers", "tochtstrips"])  # one rare word
    assert not walk_is_cheaper(Statistics(0, {}, {}), ["vrijwilligers", "gemeente"])  # none yet
    small = Statistics(300, {"vrijwilliger": 0.4, "gemeent": 0.4}, {})
    assert not walk_is_cheaper(small, ["vrijwilligers", "gemeente"])  # fewer than WALK match


async def test_both_ways_find_the_same(
    store: Programme,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = store
    if not p.db.engine.url.drivername.startswith("postgresql"):
        pytest.skip("PostgreSQL's plans; SQLite walks FTS5's index newest first")
    rng = random.Random(11)
    rows = [
        {
            "text": "Onze " + " en ".join(rng.sample(WORDS, 3)) + " werken samen in de wijk.",
            "proeftuin_id": rng.choice((p.a, p.b)),
            "ring": rng.choice((Ring.KENNISKRING.value, Ring.PROEFTUIN.value)),
        }
        for _ in range(300)
    ]
    async with p.db.unit_of_work() as session:
        await session.execute(insert(Learning), rows)
    async with p.db.unit_of_work() as session:
        await session.execute(text("ANALYZE learnings"))
    new = "Met de vrijwilligers en de gemeente regelden we subsidie voor het wijkteam"
    found: dict[bool, list[int]] = {}
    for walk in (True, False):
        monkeypatch.setattr(related, "walk_is_cheaper", lambda *_, w=walk: w)
        async with p.db.reading() as session:
            offers = await related_learnings(
                session, Viewer(proeftuin_id=p.a), new, exclude_proeftuin_id=p.a, limit=50
            )
        assert offers and all(o.proeftuin_id == p.b for o in offers)
        found[walk] = [o.learning_id for o in offers]
    assert found[True] == found[False]


async def test_prepared_statements_are_planned_for_their_own_words(
    store: Programme,  # noqa: F811
) -> None:
    """psycopg prepares a statement on the server after five executions; PostgreSQL's generic
    plan for it could not see the words (a walk of every row, 25 ms instead of 1 ms at 1,000
    learnings). Every execution is planned for its own values (`storage.db._custom_plans`)."""
    p = store
    if not p.db.engine.url.drivername.startswith("postgresql"):
        pytest.skip("PostgreSQL's plan cache; SQLite prepares nothing across calls")
    rng = random.Random(5)
    rows = [
        {
            "text": "Onze " + " en ".join(rng.sample(WORDS, 3)) + " werken samen in de wijk.",
            "proeftuin_id": p.a,
            "ring": Ring.KENNISKRING.value,
        }
        for _ in range(300)
    ]
    async with p.db.unit_of_work() as session:
        await session.execute(insert(Learning), rows)
    new = "Met de vrijwilligers en de gemeente regelden we subsidie voor het wijkteam"
    async with p.db.reading() as session:
        for _ in range(12):
            await related_learnings(
                session, Viewer(proeftuin_id=p.a), new, exclude_proeftuin_id=p.a
            )
        plans = (
            await session.execute(
                text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%newest%'"
                )
            )
        ).all()
    assert plans, "psycopg prepared the related-learnings statement"
    assert all(generic == 0 and custom > 0 for generic, custom in plans)
