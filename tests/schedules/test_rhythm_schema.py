"""Revision 0002_rhythm on a database with data: learnings, their themes and the full-text index
survive; `learnings.prompt_id` is a real foreign key (ON DELETE SET NULL); the downgrade keeps
every learning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine
from storage.migrate import downgrade, upgrade
from tests.conftest import PG_URL, fresh_pg_database


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/schema.db"
        return
    url, drop = fresh_pg_database()
    yield url
    drop()


def matching(conn: object, word: str) -> set[int]:
    if conn.dialect.name == "sqlite":  # type: ignore[attr-defined]
        sql = "SELECT rowid FROM learnings_fts WHERE learnings_fts MATCH samen_stem(:q)"
    else:
        sql = "SELECT id FROM learnings WHERE search_vector @@ plainto_tsquery('dutch', :q)"
    return set(conn.execute(text(sql), {"q": word}).scalars())  # type: ignore[attr-defined]


def test_upgrade_keeps_data_and_adds_a_real_foreign_key(empty_url: str) -> None:
    upgrade(empty_url, "0001_core")
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO proeftuinen (id, name, created_at) VALUES (1, 'A', :t)"),
                {"t": now},
            )
            conn.execute(
                text(
                    "INSERT INTO themes (id, slug, name, keywords, created_at)"
                    " VALUES (1, 'wonen', 'Wonen', '', :t)"
                ),
                {"t": now},
            )
            for i in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO learnings (id, text, proeftuin_id, ring, platform, created_at)"
                        " VALUES (:i, :x, 1, 'kenniskring', 'console', :t)"
                    ),
                    {"i": i, "x": f"Zonnepanelen op dak {i}", "t": now},
                )
                conn.execute(text("INSERT INTO learning_themes VALUES (:i, 1)"), {"i": i})
        upgrade(empty_url)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM learning_themes")).scalar() == 2
            assert matching(conn, "zonnepanelen") == {1, 2}
            conn.execute(
                text("INSERT INTO prompts (id, question, created_at) VALUES (5, 'Wat?', :t)"),
                {"t": now},
            )
            conn.execute(text("UPDATE learnings SET prompt_id = 5 WHERE id = 1"))
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            conn.execute(text("DELETE FROM prompts WHERE id = 5"))
            assert (
                conn.execute(text("SELECT prompt_id FROM learnings WHERE id = 1")).scalar() is None
            )
            conn.execute(text("UPDATE learnings SET text = 'Warmtenet in de wijk' WHERE id = 2"))
            assert matching(conn, "warmtenet") == {2}
        with pytest.raises(IntegrityError), engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            conn.execute(text("UPDATE learnings SET prompt_id = 999 WHERE id = 1"))
        downgrade(empty_url, "0001_core")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM learnings")).scalar() == 2
            assert matching(conn, "warmtenet") == {2}
    finally:
        engine.dispose()
