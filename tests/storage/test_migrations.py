"""Alembic migrations: empty -> head, no drift from the models, every step keeps the data."""

from __future__ import annotations

import datetime as dt
import decimal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, Table, inspect, text

from storage import migrate
from storage.db import DatabaseSetupError, make_engine
from storage.migrate import (
    UNMODELLED_COLUMNS,
    current_revision,
    downgrade,
    ensure_schema,
    head_revision,
    include_name,
    include_object,
    revisions,
    schema_state,
    upgrade,
)
from storage.models import Base

ROWS_PER_TABLE = 3

# Columns whose values must look like the domain's (the rest get generic values by type).
OVERRIDES: dict[tuple[str, str], Callable[[int], Any]] = {
    ("learnings", "ring"): lambda i: ("proeftuin", "kenniskring", "buitenwereld")[i % 3],
    ("proeftuinen", "default_ring"): lambda i: "kenniskring",
    ("members", "role"): lambda i: "deelnemer",
}

# Columns a revision deliberately drops or rewrites: {revision: {(table, column), ...}}.
CHANGED_BY: dict[str, set[tuple[str, str]]] = {}

# Tables a revision adds (a downgrade below it drops them, with their rows, by design).
ADDED_BY: dict[str, set[str]] = {"0012": {"buddy_optins", "buddy_pairs"}}


def _engine_do(url: str, work: Callable[[Connection], Any]) -> Any:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            return work(conn)
    finally:
        engine.dispose()


def _internal_tables(conn: Connection) -> set[str]:
    """Tables no model describes: Alembic's, and SQLite virtual tables with their shadows."""
    names = {migrate.VERSION_TABLE}
    if conn.dialect.name == "sqlite":
        virtual = conn.execute(
            text("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
        ).scalars()
        for name in virtual:
            names.add(name)
            names.update(t for t in inspect(conn).get_table_names() if t.startswith(f"{name}_"))
    return names


def _reflect(conn: Connection) -> MetaData:
    internal = _internal_tables(conn)
    metadata = MetaData()
    metadata.reflect(conn, only=lambda name, _: name not in internal)
    return metadata


Filled = dict[str, list[dict[str, Any]]]  # table name -> the rows inserted


def _value(table: Table, column: sa.Column[Any], i: int, filled: Filled) -> Any:
    """A value for `column` of row `i`, from the column's reflected type and constraints."""
    if (table.name, column.name) in OVERRIDES:
        return OVERRIDES[table.name, column.name](i)
    for fk in column.foreign_keys:
        parent = fk.column.table.name
        if parent == table.name or not filled.get(parent):
            return None
        return filled[parent][i % len(filled[parent])][fk.column.name]
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return i % 2 == 0
    if isinstance(kind, sa.Integer):
        return 1000 + i if column.primary_key else i
    if isinstance(kind, sa.Numeric | sa.Float):
        return 1.5 + i
    if isinstance(kind, sa.DateTime):
        moment = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC) + dt.timedelta(hours=i)
        return moment if kind.timezone else moment.replace(tzinfo=None)
    if isinstance(kind, sa.Date):
        return dt.date(2026, 3, 29) + dt.timedelta(days=i)
    if isinstance(kind, sa.Time):
        return dt.time(19, 30, i)
    if isinstance(kind, sa.Enum):
        return kind.enums[i % len(kind.enums)]
    if isinstance(kind, sa.JSON):
        return {"n": i, "tekst": "coöperatie"}
    if isinstance(kind, sa.LargeBinary):
        return bytes([i, 0, 255])
    if isinstance(kind, sa.String) and kind.length:
        return f"{i}-{table.name}-{column.name}-é"[: kind.length]
    return f"Rij {i} van {table.name}.{column.name}: de coöperatie van bewoners"


def fill_every_table(conn: Connection) -> Filled:
    """Insert ROWS_PER_TABLE rows into every table of the current schema; return them."""
    filled: Filled = {}
    for table in _reflect(conn).sorted_tables:
        rows = []
        for i in range(ROWS_PER_TABLE):
            row = {
                c.name: _value(table, c, i, filled)
                for c in table.columns
                if c.computed is None
                and c.identity is None
                and (table.name, c.name) not in UNMODELLED_COLUMNS  # kept by triggers
            }
            rows.append(row)
        conn.execute(table.insert(), rows)
        filled[table.name] = rows
    return filled


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def assert_rows_kept(conn: Connection, filled: Filled, changed: set[tuple[str, str]]) -> None:
    metadata = _reflect(conn)
    for name, rows in filled.items():
        assert name in metadata.tables, f"table {name} disappeared"
        table = metadata.tables[name]
        key = [c.name for c in table.primary_key.columns]
        stored = {
            tuple(r[k] for k in key): r for r in conn.execute(table.select()).mappings().all()
        }
        assert len(stored) == len(rows), f"{name}: {len(stored)} rows, expected {len(rows)}"
        for row in rows:
            now = stored[tuple(row[k] for k in key)]
            for column, value in row.items():
                if (name, column) in changed or column not in now:
                    continue
                assert _comparable(now[column]) == _comparable(value), f"{name}.{column}"


def test_empty_database_upgrades_to_head(database_url: str) -> None:
    assert current_revision(database_url) is None
    assert schema_state(database_url) == "empty"
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    assert schema_state(database_url) == "current"


def test_head_matches_the_models(database_url: str) -> None:
    upgrade(database_url)

    def diff(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_name": include_name,
                "include_object": include_object,
                "compare_type": True,
            },
        )
        return compare_metadata(context, Base.metadata)

    assert _engine_do(database_url, diff) == []


def test_head_has_full_text_search(database_url: str) -> None:
    upgrade(database_url)

    def objects(conn: Connection) -> set[str]:
        if conn.dialect.name == "sqlite":
            return set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
        columns = {c["name"] for c in inspect(conn).get_columns("learnings")}
        indexes = {i["name"] for i in inspect(conn).get_indexes("learnings")}
        return columns | {i for i in indexes if i}

    found = _engine_do(database_url, objects)
    if database_url.startswith("sqlite"):
        assert {
            "learnings_fts",
            "learnings_fts_ai",
            "learnings_fts_bd",  # before the delete, while its themes are there (0006)
            "learnings_fts_au",
            "learning_themes_fts_ai",
            "learning_themes_fts_ad",
        } <= found
    else:
        assert {
            "search_vector",
            "ix_learnings_search_vector",
            "ix_learnings_search_words_facets",
        } <= found


@pytest.mark.parametrize("revision", revisions())
def test_each_revision_keeps_every_row(database_url: str, revision: str) -> None:
    previous = migrate._script().get_revision(revision).down_revision
    assert previous is None or isinstance(previous, str), "merge revisions: extend this test"
    if previous is not None:
        upgrade(database_url, previous)
    filled = _engine_do(database_url, fill_every_table)
    upgrade(database_url, revision)
    _engine_do(
        database_url, lambda conn: assert_rows_kept(conn, filled, CHANGED_BY.get(revision, set()))
    )
    assert current_revision(database_url) == revision


def test_row_factory_fills_every_table_at_head(database_url: str) -> None:
    """The step test above only fills tables that exist before a revision: prove it at head."""
    upgrade(database_url)
    filled = _engine_do(database_url, fill_every_table)
    assert set(filled) == set(Base.metadata.tables)
    _engine_do(database_url, lambda conn: assert_rows_kept(conn, filled, set()))


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    upgrade(database_url)
    downgrade(database_url, "base")
    assert schema_state(database_url) == "empty"
    left = _engine_do(database_url, lambda conn: set(inspect(conn).get_table_names()))
    assert left <= {migrate.VERSION_TABLE}
    upgrade(database_url)
    assert schema_state(database_url) == "current"
    filled = _engine_do(database_url, fill_every_table)
    assert len(filled["learnings"]) == ROWS_PER_TABLE


def test_ensure_schema_on_an_empty_database(database_url: str) -> None:
    with pytest.raises(DatabaseSetupError, match="samen-bot db upgrade"):
        ensure_schema(database_url, auto_upgrade=False)
    assert schema_state(database_url) == "empty"
    ensure_schema(database_url, auto_upgrade=True)
    assert schema_state(database_url) == "current"
    ensure_schema(database_url, auto_upgrade=False)  # current: nothing to do, no error


def test_head_revision_constant_is_alembics_head() -> None:
    assert migrate.HEAD_REVISION == head_revision() == revisions()[-1]


def test_start_up_check_at_head_does_not_load_alembic(database_url: str) -> None:
    upgrade(database_url)
    check = (
        "import sys; from storage.migrate import ensure_schema; "
        f"ensure_schema({database_url!r}, auto_upgrade=False); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_ensure_schema_on_a_database_behind(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = revisions()
    if len(known) > 1:
        older, head = known[-2], known[-1]
        upgrade(database_url, older)
    else:  # one revision so far: pretend a newer one exists
        older, head = known[0], "9998_next"
        upgrade(database_url)
        monkeypatch.setattr(migrate, "head_revision", lambda: head)
        monkeypatch.setattr(migrate, "HEAD_REVISION", head)
        monkeypatch.setattr(migrate, "revisions", lambda: [*known, head])
    assert schema_state(database_url) == "behind"
    with pytest.raises(DatabaseSetupError) as error:
        ensure_schema(database_url, auto_upgrade=False)
    message = str(error.value)
    assert "\n" not in message
    assert "samen-bot db upgrade" in message
    assert older in message and head in message
    if len(known) > 1:
        ensure_schema(database_url, auto_upgrade=True)
        assert schema_state(database_url) == "current"


def test_ensure_schema_refuses_a_database_ahead(database_url: str) -> None:
    upgrade(database_url)
    _engine_do(
        database_url,
        lambda conn: conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'")),
    )
    assert schema_state(database_url) == "ahead"
    for auto_upgrade in (False, True):
        with pytest.raises(DatabaseSetupError, match="9999_future") as error:
            ensure_schema(database_url, auto_upgrade=auto_upgrade)
        assert "\n" not in str(error.value)


def _matching(conn: Connection, word: str) -> set[int]:
    if conn.dialect.name == "sqlite":
        # The index holds stemmed words (revision 0005); samen_stem stems the query alike.
        sql = "SELECT rowid FROM learnings_fts WHERE learnings_fts MATCH samen_stem(:q)"
    else:
        sql = "SELECT id FROM learnings WHERE search_vector @@ plainto_tsquery('dutch', :q)"
    return set(conn.execute(text(sql), {"q": word}).scalars())


def test_full_text_index_follows_inserts_updates_and_deletes(database_url: str) -> None:
    upgrade(database_url)
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def work(conn: Connection) -> None:
        conn.execute(
            text(
                "INSERT INTO proeftuinen (id, name, created_at) VALUES (1, 'A', :t), (2, 'B', :t)"
            ),
            {"t": now},
        )
        insert = text(
            "INSERT INTO learnings (id, text, proeftuin_id, ring, platform, created_at)"
            " VALUES (:id, :text, :p, 'kenniskring', 'console', :t)"
        )
        conn.execute(insert, {"id": 1, "text": "Zonnepanelen op het buurthuis", "p": 1, "t": now})
        conn.execute(insert, {"id": 2, "text": "Huurders willen zonnepanelen", "p": 2, "t": now})
        conn.execute(insert, {"id": 3, "text": "Een warmtepomp in de school", "p": 2, "t": now})
        assert _matching(conn, "zonnepanelen") == {1, 2}
        assert _matching(conn, "warmtepomp") == {3}

        conn.execute(text("UPDATE learnings SET text = 'Een warmtenet in de wijk' WHERE id = 3"))
        assert _matching(conn, "warmtepomp") == set()
        assert _matching(conn, "warmtenet") == {3}
        conn.execute(text("UPDATE learnings SET ring = 'proeftuin' WHERE id = 3"))  # not text
        assert _matching(conn, "warmtenet") == {3}

        conn.execute(text("DELETE FROM learnings WHERE id = 1"))
        assert _matching(conn, "zonnepanelen") == {2}
        conn.execute(text("DELETE FROM proeftuinen WHERE id = 2"))  # cascades to its learnings
        assert _matching(conn, "zonnepanelen") == set()
        assert _matching(conn, "warmtenet") == set()
        if conn.dialect.name == "sqlite":  # the index matches the content table exactly
            conn.execute(
                text("INSERT INTO learnings_fts(learnings_fts, rank) VALUES ('integrity-check', 1)")
            )

    _engine_do(database_url, work)


# --- Revision 0004: numbers are never reused; what hangs on a learning goes with it ---------

NUMBERED = ("learnings", "meetings", "prompts")


def _insert_without_id(conn: Connection, table_name: str, filled: Filled) -> int:
    """Insert a row like the first stored one, leaving the number to the database."""
    table = _reflect(conn).tables[table_name]
    row = {k: v for k, v in filled[table_name][0].items() if k != "id"}
    if "source_event_id" in row:
        row["source_event_id"] = None  # unique
    return int(conn.execute(table.insert().values(row).returning(table.c.id)).scalar_one())


def _triggers_and_indexes(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL"
        )
        return set(conn.execute(text(sql)).scalars())
    found: set[str] = set()
    for name in inspect(conn).get_table_names():
        found |= {str(i["name"]) for i in inspect(conn).get_indexes(name)}
    return found


def test_previous_head_with_rows_upgrades_and_never_reuses_numbers(database_url: str) -> None:
    upgrade(database_url, "0003_rings")
    filled = _engine_do(database_url, fill_every_table)
    before = _engine_do(database_url, _triggers_and_indexes)
    upgrade(database_url, "0004")
    assert current_revision(database_url) == "0004"
    _engine_do(database_url, lambda conn: assert_rows_kept(conn, filled, set()))
    assert _engine_do(database_url, _triggers_and_indexes) == before
    highest = {name: max(row["id"] for row in filled[name]) for name in NUMBERED}

    def use_and_withdraw(conn: Connection) -> dict[str, int]:
        given = {}
        for name in NUMBERED:
            first = _insert_without_id(conn, name, filled)
            assert first > highest[name], name
            conn.execute(text(f"DELETE FROM {name} WHERE id = :id"), {"id": first})
            given[name] = first
        return given

    withdrawn = _engine_do(database_url, use_and_withdraw)

    def use_again(conn: Connection) -> None:
        for name in NUMBERED:
            assert _insert_without_id(conn, name, filled) > withdrawn[name], name
        # The old rows still are found by full-text search, the new one too, and the index
        # matches its content table exactly.
        old = {row["id"] for row in filled["learnings"]}
        assert old <= _matching(conn, "coöperatie")
        if conn.dialect.name == "sqlite":
            conn.execute(
                text("INSERT INTO learnings_fts(learnings_fts, rank) VALUES ('integrity-check', 1)")
            )

    _engine_do(database_url, use_again)


def test_numbers_named_in_effect_keys_are_not_given_out(database_url: str) -> None:
    """A notice, reminder or follow-up already sent for number N stays N's: after a withdrawn
    newest learning, meeting or prompt, the ledger's keys are the only trace of the number."""
    upgrade(database_url, "0003_rings")
    filled = _engine_do(database_url, fill_every_table)
    moment = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    keys = {
        "learnings": "notice:1:5000:slack:U9",
        "meetings": "reminder:24h:meeting:6000:slack:C9",
        "prompts": "followup:prompt:7000:proeftuin:1:slack:C9",
    }

    def add_keys(conn: Connection) -> None:
        for key in keys.values():
            conn.execute(
                text(
                    "INSERT INTO effects (key, kind, status, attempts, progress, created_at)"
                    " VALUES (:key, 'notice', 'done', 1, 1, :t)"
                ),
                {"key": key, "t": moment},
            )

    _engine_do(database_url, add_keys)
    upgrade(database_url)
    floors = {"learnings": 5000, "meetings": 6000, "prompts": 7000}
    given = _engine_do(
        database_url,
        lambda conn: {name: _insert_without_id(conn, name, filled) for name in NUMBERED},
    )
    assert all(given[name] > floors[name] for name in NUMBERED), given


def _break_recognitions_cascade(conn: Connection) -> None:
    """Make recognitions' reference to learnings say nothing ON DELETE, as a hand-made
    database might."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "ALTER TABLE recognitions DROP CONSTRAINT fk_recognitions_learning_id_learnings;"
                " ALTER TABLE recognitions ADD CONSTRAINT fk_recognitions_learning_id_learnings"
                " FOREIGN KEY (learning_id) REFERENCES learnings (id)"
            )
        )
        return
    sql = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'recognitions'")
    ).scalar_one()
    plain = sql.replace("REFERENCES learnings (id) ON DELETE CASCADE", "REFERENCES learnings (id)")
    assert plain != sql
    version = conn.execute(text("PRAGMA schema_version")).scalar_one()
    conn.execute(text("PRAGMA writable_schema = ON"))
    conn.execute(
        text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'recognitions'"),
        {"sql": plain},
    )
    conn.execute(text(f"PRAGMA schema_version = {version + 1}"))
    conn.execute(text("PRAGMA writable_schema = OFF"))


def _learnings_references(conn: Connection) -> dict[str, str]:
    found = {}
    for name in inspect(conn).get_table_names():
        for fk in inspect(conn).get_foreign_keys(name):
            if fk["referred_table"] == "learnings":
                found[name] = str((fk.get("options") or {}).get("ondelete") or "").upper()
    return found


def test_upgrade_makes_every_reference_to_learnings_cascade(database_url: str) -> None:
    upgrade(database_url, "0003_rings")
    filled = _engine_do(database_url, fill_every_table)
    _engine_do(database_url, _break_recognitions_cascade)
    assert _engine_do(database_url, _learnings_references)["recognitions"] == ""
    upgrade(database_url)
    references = _engine_do(database_url, _learnings_references)
    assert {"learning_themes", "recognitions", "enrichments", "follow_notices"} <= set(references)
    assert set(references.values()) == {"CASCADE"}
    _engine_do(database_url, lambda conn: assert_rows_kept(conn, filled, set()))

    def withdraw(conn: Connection) -> None:
        learning_id = filled["recognitions"][0]["learning_id"]
        conn.execute(text("DELETE FROM learnings WHERE id = :id"), {"id": learning_id})
        left = conn.execute(
            text("SELECT COUNT(*) FROM recognitions WHERE learning_id = :id"), {"id": learning_id}
        ).scalar_one()
        assert left == 0

    _engine_do(database_url, withdraw)


def test_downgrade_from_0004_keeps_every_row(database_url: str) -> None:
    upgrade(database_url)
    filled = _engine_do(database_url, fill_every_table)
    downgrade(database_url, "0003_rings")
    # Tables added after 0004 go with the downgrade (their rows too); every other row stays.
    added = set().union(*ADDED_BY.values())
    filled = {name: rows for name, rows in filled.items() if name not in added}
    _engine_do(database_url, lambda conn: assert_rows_kept(conn, filled, set()))
    upgrade(database_url)
    # Below 0007 nothing is archived: coming back up, every proeftuin and theme is active.
    archive_marks = {("proeftuinen", "archived_at"), ("themes", "archived_at")}
    # Below 0008 no learning is linked to a meeting: coming back up, none is.
    unlinked = archive_marks | {("learnings", "meeting_id")}
    # Below 0010 no meeting was changed: coming back up, each goes ahead at sequence 0.
    unlinked |= {("meetings", "cancelled_at"), ("meetings", "sequence"), ("meetings", "updated_at")}
    _engine_do(database_url, lambda conn: assert_rows_kept(conn, filled, unlinked))


def test_upgrade_forgets_what_hung_on_learnings_already_gone(database_url: str) -> None:
    """A learning deleted on a connection without foreign keys (an old sqlite3 shell, a bug)
    left its recognitions and tags behind: 0004 removes them, as the cascade would have, and
    keeps every other row."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL always enforces foreign keys")
    upgrade(database_url, "0003_rings")
    filled = _engine_do(database_url, fill_every_table)
    gone = filled["recognitions"][0]["learning_id"]
    path = database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as shell:  # foreign keys off, as sqlite3 starts
        shell.execute("DELETE FROM learnings WHERE id = ?", (gone,))
        shell.commit()
        assert shell.execute("PRAGMA foreign_key_check").fetchall()
    upgrade(database_url, "0004")
    assert current_revision(database_url) == "0004"

    def check(conn: Connection) -> None:
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        for table in ("recognitions", "enrichments", "follow_notices", "learning_themes"):
            left = conn.execute(
                text(f"SELECT COUNT(*) FROM {table} WHERE learning_id = :id"), {"id": gone}
            ).scalar_one()
            assert left == 0, table
            kept = [r for r in filled[table] if r["learning_id"] != gone]
            assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == len(kept)
        assert conn.execute(text("SELECT COUNT(*) FROM learnings")).scalar_one() == (
            len(filled["learnings"]) - 1
        )

    _engine_do(database_url, check)
