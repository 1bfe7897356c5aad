"""Related learnings (issue 17, item 1): learnings of other proeftuinen that say something
alike, within the caller's ring, on both backends.

The precision figures are printed (`pytest -s -k precision`): over the written pairs (the
score alone), and through the index (every corpus learning asks for its three most alike).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import combinations

import pytest
from sqlalchemy import event, select

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Learning, LearningTheme, Proeftuin, Ring, Theme
from storage.related import THRESHOLD, related_learnings, significant_words, similarity
from storage.visibility import Viewer
from tests.storage.related_corpus import (
    ALIKE_TEXTS,
    HARD,
    NOT_ALIKE_TEXTS,
    TOPICS,
    alike_pairs,
    text_of,
)


def _alike(a: str, b: str) -> bool:
    return similarity(significant_words(a, None), b)[0] >= THRESHOLD


def test_significant_words_leave_out_stop_words_and_numbers() -> None:
    words = significant_words("De gemeente en the volunteers: we gaan in 2026 echt samen verder")
    assert set(words) == {"gemeente", "volunteers", "verder"}
    assert significant_words("de en het is in of and the") == []


def test_precision_over_the_written_pairs() -> None:
    alike = [(text_of(a), text_of(b)) for a, b in alike_pairs()] + list(ALIKE_TEXTS)
    different = [(text_of(a), text_of(b)) for a, b in HARD] + list(NOT_ALIKE_TEXTS)
    assert len(alike) + len(different) >= 60
    found = sum(_alike(a, b) for a, b in alike)
    wrong = sum(_alike(a, b) for a, b in different)
    precision = found / (found + wrong)
    recall = found / len(alike)
    print(
        f"\nrelated, written pairs: {len(alike)} alike, {len(different)} not alike; "
        f"precision {precision:.2f} ({found} of {found + wrong} said alike), recall {recall:.2f}"
    )
    # Measured: precision 0.83, recall 0.97 (THRESHOLD 0.4). The misses of precision are the
    # NOT_ALIKE_TEXTS: the same words making another point, which words alone cannot tell.
    assert precision >= 0.8
    assert recall >= 0.95


@pytest.fixture
async def programme(database_url: str) -> AsyncIterator[tuple[Database, dict[int, str]]]:
    """Every corpus text as a learning: a topic's n-th text in proeftuin n, each written pair's
    texts in proeftuinen 0 and 1; all in the kenniskring. Labels: `topic` or `pair:i`."""
    upgrade(database_url)
    db = Database(database_url)
    labels: dict[int, str] = {}
    async with db.unit_of_work() as session:
        places = [Proeftuin(name=f"Proeftuin {n}") for n in range(3)]
        session.add_all(places)
        await session.flush()
        texts: list[tuple[str, int, str]] = []
        for topic, items in TOPICS.items():
            texts += [(text, n, topic) for n, text in enumerate(items)]
        for i, (a, b) in enumerate(ALIKE_TEXTS):
            texts += [(a, 0, f"alike:{i}"), (b, 1, f"alike:{i}")]
        for i, (a, b) in enumerate(NOT_ALIKE_TEXTS):
            texts += [(a, 0, f"not:{i}:a"), (b, 1, f"not:{i}:b")]
        for text, n, label in texts:
            learning = Learning(text=text, proeftuin_id=places[n].id, ring="kenniskring")
            session.add(learning)
            await session.flush()
            labels[learning.id] = label
    yield db, labels
    await db.close()


async def test_precision_through_the_index(
    programme: tuple[Database, dict[int, str]],
) -> None:
    db, labels = programme
    hits = right = expected = found = 0
    async with db.reading() as session:
        rows = {row.id: row for row in (await session.scalars(select(Learning))).all()}
        for learning_id, label in labels.items():
            row = rows[learning_id]
            related = await related_learnings(
                session,
                Viewer(proeftuin_id=row.proeftuin_id),
                row.text,
                exclude_proeftuin_id=row.proeftuin_id,
                exclude_learning_id=learning_id,
            )
            assert len(related) <= 3
            assert all(r.proeftuin_id != row.proeftuin_id for r in related)
            partners = [
                i
                for i, other in labels.items()
                if other == label and i != learning_id and rows[i].proeftuin_id != row.proeftuin_id
            ]
            expected += min(len(partners), 3)
            hits += len(related)
            right += sum(labels[r.learning_id] == label for r in related)
            found += sum(r.learning_id in partners for r in related)
    precision = right / hits
    recall = found / expected
    print(
        f"\nrelated through the index ({db.dialect}): {len(labels)} learnings asked, "
        f"{hits} suggested, precision {precision:.2f}, recall {recall:.2f}"
    )
    # Measured: precision 0.74, recall 0.94 on both backends (the wrong ones: mostly the
    # written NOT_ALIKE_TEXTS and what shares their words). A floor, not a target.
    assert precision >= 0.7
    assert recall >= 0.9


async def test_never_the_own_proeftuin_nor_outside_the_ring(database_url: str) -> None:
    upgrade(database_url)
    db = Database(database_url)
    text = "Vrijwilligers blijven langer als ze zelf hun taken mogen kiezen."
    try:
        async with db.unit_of_work() as session:
            a, b, c = (Proeftuin(name=n) for n in ("A", "B", "C"))
            theme = Theme(slug="vrijwilligers", name="Vrijwilligers")
            session.add_all([a, b, c, theme])
            await session.flush()
            rows = {
                "own": Learning(text=text, proeftuin_id=a.id, ring="kenniskring"),
                "b_private": Learning(text=text, proeftuin_id=b.id, ring="proeftuin"),
                "b_shared": Learning(
                    text="Wie als vrijwilliger zelf een taak kiest, blijft langer.",
                    proeftuin_id=b.id,
                    ring="kenniskring",
                ),
                "c_public": Learning(
                    text="Vrijwilligers kiezen zelf hun taken en blijven langer.",
                    proeftuin_id=c.id,
                    ring="buitenwereld",
                ),
                "c_other": Learning(
                    text="De gemeente verzekert vrijwilligers.",
                    proeftuin_id=c.id,
                    ring="kenniskring",
                ),
            }
            session.add_all(rows.values())
            await session.flush()
            session.add(LearningTheme(learning_id=rows["c_public"].id, theme_id=theme.id))
        ids = {name: learning.id for name, learning in rows.items()}
        async with db.reading() as session:
            for viewer, expect in (
                (Viewer(proeftuin_id=a.id), ["c_public", "b_shared"]),
                (Viewer(), ["c_public", "b_shared"]),
                (Viewer.for_ring(Ring.BUITENWERELD), ["c_public"]),
            ):
                found = await related_learnings(
                    session, viewer, text, exclude_proeftuin_id=a.id, theme_ids=[theme.id]
                )
                assert [r.learning_id for r in found] == [ids[n] for n in expect], viewer
            # from B's channel, B's own (even its private one) never; A's is offered
            found = await related_learnings(
                session, Viewer(proeftuin_id=b.id), text, exclude_proeftuin_id=b.id
            )
            assert {r.learning_id for r in found} == {ids["own"], ids["c_public"]}
    finally:
        await db.close()


async def test_one_query_and_none_without_significant_words(database_url: str) -> None:
    upgrade(database_url)
    db = Database(database_url)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.unit_of_work() as session:
            place = Proeftuin(name="A")
            session.add(place)
            await session.flush()
            statements.clear()
            assert (
                await related_learnings(
                    session,
                    Viewer(),
                    "Dat is het, en wij gaan door!",
                    exclude_proeftuin_id=place.id,
                )
                == []
            )
            assert statements == []
            for _ in range(2):
                statements.clear()
                await related_learnings(
                    session, Viewer(), "Vrijwilligers kiezen taken", exclude_proeftuin_id=place.id
                )
            # PostgreSQL also reads its statistics, at most every ten minutes (the first call)
            assert len(statements) == 1
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        await db.close()


def test_every_pair_of_a_topic_is_written_once() -> None:
    assert len(alike_pairs()) == sum(len(list(combinations(t, 2))) for t in TOPICS.values())
