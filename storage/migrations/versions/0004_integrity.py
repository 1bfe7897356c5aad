"""Integrity: numbers are never handed out twice, and what hangs on a learning goes with it.

Revision ID: 0004
Revises: 0003_rings
Create Date: 2026-12-02

Numbers. People quote the numbers of learnings, meetings and prompts (`intrekken 93`, `ja 4`)
and the effect ledger's keys carry them (`notice:4:120:…`, `reminder:24h:meeting:7:…`), so a
number must never come back. SQLite's plain INTEGER PRIMARY KEY hands out max(id) + 1, so
withdrawing the newest learning gave its number to the next one. SQLite rebuilds `learnings`,
`meetings` and `prompts` with AUTOINCREMENT (SQLite's documented twelve-step procedure, foreign
keys off so dropping the old table cascades nowhere), keeping every row, index and trigger
(the full-text triggers on learnings; the FTS5 index itself refers to learnings by name and
rowid, which the rebuild keeps). Its sqlite_sequence starts above the highest number in the
table or in an effect key; PostgreSQL's sequences already never go back, and are only moved up
to the same floor (rows inserted with explicit ids do not advance them).

Foreign keys. Every foreign key that refers to learnings must say ON DELETE CASCADE (revisions
0001 and 0003 declared it so); a database where one does not (made by hand or by an earlier
build) gets it here: SQLite rebuilds that table the same way, PostgreSQL replaces the constraint.
On SQLite, rows that still refer to a learning no longer there (deleted on a connection without
foreign keys) are removed first, as the cascade would have; the foreign key check after the
rebuild then must find nothing it did not find before.

The downgrade takes AUTOINCREMENT out again (the cascades stay: 0003 declares them too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003_rings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBERED = ("learnings", "meetings", "prompts")

# Numbers the effect ledger's keys carry (see storage/effect_keys.py), by table.
KEY_NUMBERS: dict[str, re.Pattern[str]] = {
    "learnings": re.compile(r"^notice:\d+:(\d+):"),
    "meetings": re.compile(r"^reminder:[^:]*:meeting:(\d+):"),
    "prompts": re.compile(r"^followup:prompt:(\d+):"),
}

_PLAIN_ID = re.compile(r"\bid INTEGER NOT NULL,")
_AUTO_ID = re.compile(r"\bid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,")
_LEARNINGS_REFERENCE = re.compile(
    r"REFERENCES\s+\"?learnings\"?\s*\(\s*\"?id\"?\s*\)(?!\s+ON\s+DELETE)", re.IGNORECASE
)
_LEARNINGS_REFERENCE_WRONG = re.compile(
    r"(REFERENCES\s+\"?learnings\"?\s*\(\s*\"?id\"?\s*\))\s+ON\s+DELETE\s+"
    r"(SET\s+NULL|SET\s+DEFAULT|RESTRICT|NO\s+ACTION)",
    re.IGNORECASE,
)


# --- numbers in effect keys ---------------------------------------------------------------


def _floors(conn: sa.Connection) -> dict[str, int]:
    """The highest number of each numbered table: in the table, or named by an effect key."""
    floors = {
        name: int(conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {name}").scalar_one())
        for name in NUMBERED
    }
    keys = conn.execute(
        sa.text(
            "SELECT key FROM effects WHERE key LIKE :notice OR key LIKE :reminder"
            " OR key LIKE :followup"
        ),
        {"notice": "notice:%", "reminder": "reminder:%", "followup": "followup:%"},
    ).scalars()
    for key in keys:
        for name, pattern in KEY_NUMBERS.items():
            found = pattern.match(str(key))
            if found:
                floors[name] = max(floors[name], int(found.group(1)))
    return floors


# --- SQLite: rebuild a table with a changed definition -------------------------------------


def _table_sql(conn: sa.Connection, name: str) -> str:
    return str(
        conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).scalar_one()
    )


def _rebuild(conn: sa.Connection, name: str, new_sql: str) -> None:
    """Replace table `name` by one made with `new_sql` (its CREATE TABLE text), keeping its
    rows, indexes and triggers. Foreign keys must be off and a transaction open."""
    temporary = f"{name}__0004"
    create = re.sub(
        rf"^CREATE TABLE\s+\"?{name}\"?\s*\(", f'CREATE TABLE "{temporary}" (', new_sql, count=1
    )
    if create == new_sql:
        raise RuntimeError(f"unexpected definition of {name}: {new_sql[:80]!r}")
    dependants = list(
        conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger')"
            " AND sql IS NOT NULL ORDER BY type, name",
            (name,),
        ).scalars()
    )
    columns = ", ".join(
        f'"{row[1]}"' for row in conn.exec_driver_sql(f'PRAGMA table_info("{name}")')
    )
    before = int(conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{name}"').scalar_one())
    conn.exec_driver_sql(create)
    conn.exec_driver_sql(
        f'INSERT INTO "{temporary}" ({columns}) SELECT {columns} FROM "{name}" ORDER BY rowid'
    )
    after = int(conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{temporary}"').scalar_one())
    if after != before:
        raise RuntimeError(f"{name}: {after} rows copied of {before}")
    conn.exec_driver_sql(f'DROP TABLE "{name}"')
    conn.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{name}"')
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (temporary,))
    for sql in dependants:
        conn.exec_driver_sql(str(sql))


def _sqlite_rebuilding(work: Callable[[sa.Connection], None]) -> None:
    """Run `work` in one transaction with foreign keys off (outside Alembic's transaction:
    SQLite ignores the pragma inside one), then check every foreign key before committing."""
    context = op.get_context()
    with context.autocommit_block():
        conn = op.get_bind()
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        if conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() != 0:
            # Inside a transaction SQLite ignores the pragma, and dropping a table would then
            # delete every row that refers to it.
            raise RuntimeError("revision 0004 could not turn SQLite's foreign keys off")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                before = set(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
                work(conn)
                after = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                broken = [row for row in after if row not in before]
                if broken:
                    raise RuntimeError(f"foreign keys broken by revision 0004: {broken[:5]}")
                check = conn.exec_driver_sql("PRAGMA quick_check").scalar_one()
                if check != "ok":
                    raise RuntimeError(f"SQLite schema check failed in revision 0004: {check}")
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")


def _with_autoincrement(name: str, sql: str) -> str:
    """`id INTEGER NOT NULL, … CONSTRAINT pk_x PRIMARY KEY (id)` as SQLAlchemy writes it with
    sqlite_autoincrement: `id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, …`."""
    new, found = _PLAIN_ID.subn("id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", sql, count=1)
    pk = rf"CONSTRAINT\s+\"?pk_{name}\"?\s+PRIMARY KEY\s*\(\s*\"?id\"?\s*\)"
    new, dropped = re.subn(rf"{pk}\s*,\s*", "", new, count=1)
    if not dropped:
        new, dropped = re.subn(rf",\s*{pk}\s*", "", new, count=1)
    if not (found and dropped):
        raise RuntimeError(f"unexpected definition of {name}: {sql!r}")
    return new


def _without_autoincrement(name: str, sql: str) -> str:
    new, found = _AUTO_ID.subn("id INTEGER NOT NULL,", sql, count=1)
    body = new.rstrip()
    if not found or not body.endswith(")"):
        raise RuntimeError(f"unexpected definition of {name}: {sql!r}")
    return body[:-1].rstrip() + f", \n\tCONSTRAINT pk_{name} PRIMARY KEY (id)\n)"


def _cascading(sql: str) -> str:
    """The definition with every reference to learnings saying ON DELETE CASCADE."""
    sql = _LEARNINGS_REFERENCE_WRONG.sub(r"\1 ON DELETE CASCADE", sql)
    return _LEARNINGS_REFERENCE.sub(lambda m: f"{m.group(0)} ON DELETE CASCADE", sql)


def _sqlite_children_of_learnings(conn: sa.Connection) -> list[str]:
    rows = conn.exec_driver_sql(
        "SELECT m.name FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f"
        " WHERE m.type = 'table' AND f.\"table\" = 'learnings' GROUP BY m.name ORDER BY m.name"
    )
    return [str(name) for name in rows.scalars()]


def _sqlite_forget_orphans(conn: sa.Connection, children: list[str]) -> None:
    """Delete rows that refer to a learning no longer there: left by a withdrawal on a
    connection without foreign keys, they are what ON DELETE CASCADE would have removed."""
    for name in children:
        for row in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{name}")').mappings():
            if row["table"] == "learnings":
                column = row["from"]
                conn.exec_driver_sql(
                    f'DELETE FROM "{name}" WHERE "{column}" IS NOT NULL'
                    f' AND "{column}" NOT IN (SELECT id FROM learnings)'
                )


def _sqlite_upgrade(conn: sa.Connection) -> None:
    children = _sqlite_children_of_learnings(conn)
    _sqlite_forget_orphans(conn, children)
    floors = _floors(conn)
    for name in NUMBERED:
        sql = _table_sql(conn, name)
        if "AUTOINCREMENT" not in sql.upper():
            _rebuild(conn, name, _with_autoincrement(name, sql))
        # The copy above left the highest id in sqlite_sequence; numbers in effect keys count too.
        conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (name,))
        conn.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, floors[name])
        )
    for name in children:
        sql = _table_sql(conn, name)
        if _cascading(sql) != sql:
            _rebuild(conn, name, _cascading(sql))


def _sqlite_downgrade(conn: sa.Connection) -> None:
    for name in NUMBERED:
        sql = _table_sql(conn, name)
        if "AUTOINCREMENT" in sql.upper():
            _rebuild(conn, name, _without_autoincrement(name, sql))
        conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (name,))


# --- PostgreSQL -----------------------------------------------------------------------------


def _postgresql_upgrade(conn: sa.Connection) -> None:
    for name, floor in _floors(conn).items():
        sequence = conn.exec_driver_sql(
            "SELECT pg_get_serial_sequence(%(table)s, 'id')", {"table": name}
        ).scalar_one()
        if sequence is None:  # pragma: no cover - every numbered table has one (SERIAL)
            raise RuntimeError(f"{name}.id has no sequence")
        last, called = conn.exec_driver_sql(f"SELECT last_value, is_called FROM {sequence}").one()
        given = int(last) if called else int(last) - 1
        if floor > given:
            conn.exec_driver_sql(
                "SELECT setval(%(sequence)s, %(floor)s, true)",
                {"sequence": sequence, "floor": floor},
            )
    inspector = sa.inspect(conn)
    for name in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(name):
            ondelete = str((fk.get("options") or {}).get("ondelete") or "").upper()
            if fk["referred_table"] != "learnings" or ondelete == "CASCADE":
                continue
            constraint = fk["name"] or f"fk_{name}_{fk['constrained_columns'][0]}_learnings"
            if fk["name"]:
                op.drop_constraint(constraint, name, type_="foreignkey")
            op.create_foreign_key(
                constraint,
                name,
                "learnings",
                fk["constrained_columns"],
                fk["referred_columns"],
                ondelete="CASCADE",
            )


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _sqlite_rebuilding(_sqlite_upgrade)
    elif conn.dialect.name == "postgresql":
        _postgresql_upgrade(conn)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuilding(_sqlite_downgrade)
