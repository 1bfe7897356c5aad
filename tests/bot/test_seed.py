"""`seed_learnings`: many learnings in bulk, with themes, a matching full-text index and ids that
leave room for the bot, on both backends."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from bot.tools.demo import build_demo
from bot.tools.seed import COMMON_WORDS, SEED_WEEKS, seed_learnings
from handlers.context import Policy
from storage import learnings, proeftuinen
from storage.db import Database, make_engine
from storage.models import Learning, LearningTheme, Proeftuin, Theme

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


def scalar(url: str, sql: str, **params: object) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def all_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_seed_adds_learnings_with_themes(migrated_url: str) -> None:
    done: list[int] = []
    summary = seed_learnings(migrated_url, 2_500, batch_size=1_000, progress=done.append, now=NOW)

    assert done == [1_000, 2_000, 2_500]
    assert summary.added == 2_500 and summary.total == 2_500
    assert (summary.first_id, summary.last_id) == (1, 2_500)
    assert summary.created_programme and summary.proeftuinen == 7 and summary.themes == 12
    assert scalar(migrated_url, "SELECT count(*) FROM proeftuinen") == 7
    assert scalar(migrated_url, "SELECT count(*) FROM themes") == 12
    assert scalar(migrated_url, "SELECT count(*) FROM learnings") == 2_500
    assert scalar(migrated_url, "SELECT count(*) FROM learning_themes") == summary.theme_links

    per_learning = Counter(
        dict(all_rows(migrated_url, "SELECT learning_id, count(*) FROM learning_themes GROUP BY 1"))
    )
    assert max(per_learning.values()) <= 3
    assert 0.6 < len(per_learning) / 2_500 < 0.95  # most have a theme, some none
    proeftuin_spread = Counter(
        dict(all_rows(migrated_url, "SELECT proeftuin_id, count(*) FROM learnings GROUP BY 1"))
    )
    assert len(proeftuin_spread) == 7 and min(proeftuin_spread.values()) > 200
    rings = Counter(
        dict(all_rows(migrated_url, "SELECT ring, count(*) FROM learnings GROUP BY ring"))
    )
    assert rings["kenniskring"] > 0.7 * 2_500
    assert rings["proeftuin"] > 0 and rings["buitenwereld"] > 0


async def test_seed_spreads_over_26_weeks(migrated_url: str) -> None:
    seed_learnings(migrated_url, 3_000, now=NOW)
    database = Database(migrated_url)
    try:
        async with database.unit_of_work() as session:
            oldest = await session.scalar(select(func.min(Learning.created_at)))
            newest = await session.scalar(select(func.max(Learning.created_at)))
            first = await session.get(Learning, 1)
            assert first is not None and first.text and first.proeftuin is not None
    finally:
        await database.close()
    assert oldest is not None and newest is not None
    assert NOW - timedelta(weeks=SEED_WEEKS) <= oldest < NOW - timedelta(weeks=SEED_WEEKS - 1)
    assert NOW - timedelta(days=1) < newest <= NOW


def test_seed_texts_are_dutch_with_common_words(migrated_url: str) -> None:
    seed_learnings(migrated_url, 3_000, random_seed=7)
    texts = [row[0] for row in all_rows(migrated_url, "SELECT text FROM learnings")]
    assert len(set(texts)) > 1_000
    for word in COMMON_WORDS:
        share = sum(1 for t in texts if re.search(rf"\b{word}\b", t)) / len(texts)
        assert 0.3 < share < 0.55, (word, share)
    assert any("#" in t for t in texts)


def test_seed_is_repeatable(migrated_url: str) -> None:
    seed_learnings(migrated_url, 300, random_seed=5, now=NOW)
    seed_learnings(migrated_url, 300, random_seed=5, now=NOW)
    rows = all_rows(migrated_url, "SELECT id, text FROM learnings ORDER BY id")
    assert [t for _, t in rows[:300]] == [t for _, t in rows[300:]]
    assert [i for i, _ in rows] == list(range(1, 601))


def test_seed_nothing(migrated_url: str) -> None:
    done: list[int] = []
    summary = seed_learnings(migrated_url, 0, progress=done.append)
    assert summary.added == 0 and summary.first_id is None and done == []


def test_seed_full_text_index_matches(migrated_url: str) -> None:
    seed_learnings(migrated_url, 4_000, batch_size=1_500)
    texts = [row[0] for row in all_rows(migrated_url, "SELECT text FROM learnings")]
    sqlite = migrated_url.startswith("sqlite")
    if sqlite:
        trigger_before = scalar(
            migrated_url, "SELECT sql FROM sqlite_master WHERE name = 'learnings_fts_ai'"
        )
        assert trigger_before and "learnings_fts" in str(trigger_before)
    for word in (*COMMON_WORDS, "vrijwilligers", "fonds", "kenniskring"):
        expected = sum(1 for t in texts if re.search(rf"\b{word}\b", t, re.IGNORECASE))
        if sqlite:
            found = scalar(
                migrated_url,
                "SELECT count(*) FROM learnings_fts WHERE learnings_fts MATCH samen_stem(:word)",
                word=word,
            )
        else:
            found = scalar(
                migrated_url,
                "SELECT count(*) FROM learnings "
                "WHERE search_vector @@ plainto_tsquery('dutch', :w)",
                w=word,
            )
        assert found == expected, word
        assert expected > 0, word
    if sqlite:
        engine = make_engine(migrated_url)
        with engine.begin() as conn:  # raises if the index and the table disagree
            conn.exec_driver_sql(
                "INSERT INTO learnings_fts(learnings_fts) VALUES ('integrity-check')"
            )
        engine.dispose()
        names = {
            row[0]
            for row in all_rows(migrated_url, "SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        assert {"learnings_fts_ai", "learnings_fts_bd", "learning_themes_fts_ai"} <= names


async def test_seed_after_demo_leaves_room_for_the_bot(migrated_url: str, policy: Policy) -> None:
    """Seeding an existing programme adds no proeftuinen, continues the ids, uses the members as
    authors, and the bot's next learning still gets a free id and is found by full-text search."""
    database = Database(migrated_url)
    try:
        demo = await build_demo(database, policy, now=NOW)
        summary = seed_learnings(migrated_url, 1_200, batch_size=500, now=NOW)
        assert not summary.created_programme
        assert summary.first_id == demo.learnings_total + 1
        assert summary.total == demo.learnings_total + 1_200
        async with database.unit_of_work() as session:
            assert await session.scalar(select(func.count()).select_from(Proeftuin)) == 7
            assert await session.scalar(select(func.count()).select_from(Theme)) == 12
            authored = await session.scalar(
                select(func.count())
                .select_from(Learning)
                .where(Learning.id >= summary.first_id, Learning.author_id.is_not(None))
            )
            assert authored and authored > 900
            place = (await proeftuinen.list_all(session))[0]
            added = await learnings.add(
                session,
                text="Na het seeden: zeldzaamwoord in een gewoon inzicht",
                proeftuin=place,
                author=None,
                ring="kenniskring",
            )
            assert added.id == summary.total + 1
        async with database.unit_of_work() as session:
            if database.dialect == "sqlite":
                hits = await session.scalar(
                    text(
                        "SELECT count(*) FROM learnings_fts "
                        "WHERE learnings_fts MATCH samen_stem('zeldzaamwoord')"
                    )
                )
            else:
                hits = await session.scalar(
                    text(
                        "SELECT count(*) FROM learnings "
                        "WHERE search_vector @@ plainto_tsquery('dutch', 'zeldzaamwoord')"
                    )
                )
            assert hits == 1
            links = await session.scalar(select(func.count()).select_from(LearningTheme))
            assert links and links > summary.theme_links
    finally:
        await database.close()
