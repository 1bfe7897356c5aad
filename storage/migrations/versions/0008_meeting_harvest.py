"""Meeting harvest: learnings.meeting_id links a learning to the meeting it was harvested from.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

After a meeting everybody who came is asked what they take with them (`oogst`); the answer is a
learning of their proeftuin, linked to the meeting (and tagged with its theme). One nullable
column with a foreign key that is set to NULL when the meeting is deleted, and its index. Every
existing learning keeps NULL.

As in 0002 (learnings.prompt_id): on PostgreSQL the column and its named foreign key are added in
place. SQLite adds a column only with an inline, unnamed reference, and rebuilding `learnings`
would cascade into the tables that refer to it and drop the full-text triggers; so the column is
added with ALTER TABLE (all NULL, so the reference holds trivially) and the stored table text is
restated with the same reference as the named constraint the models declare (SQLite's documented
writable_schema procedure). The downgrade removes that text the same way and drops the column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INLINE_FK = "meeting_id INTEGER REFERENCES meetings (id) ON DELETE SET NULL"
TABLE_FK = (
    "CONSTRAINT fk_learnings_meeting_id_meetings"
    " FOREIGN KEY(meeting_id) REFERENCES meetings (id) ON DELETE SET NULL"
)


def _sqlite_table_sql() -> str:
    return str(
        op.get_bind()
        .exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'learnings'"
        )
        .scalar_one()
    )


def _sqlite_set_table_sql(sql: str) -> None:
    """Replace the stored CREATE TABLE text of `learnings` with an equivalent one (only the
    text of a constraint moves)."""
    conn = op.get_bind()
    version = int(conn.exec_driver_sql("PRAGMA schema_version").scalar_one())
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        conn.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'learnings'",
            (sql,),
        )
        conn.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    check = conn.exec_driver_sql("PRAGMA quick_check").scalar_one()
    if check != "ok":
        raise RuntimeError(f"SQLite schema check failed after changing learnings: {check}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE learnings ADD COLUMN {INLINE_FK}")
        sql = _sqlite_table_sql()
        if INLINE_FK not in sql:
            raise RuntimeError("unexpected learnings definition after ADD COLUMN")
        body = sql.replace(INLINE_FK, "meeting_id INTEGER").rstrip()
        if not body.endswith(")"):
            raise RuntimeError("unexpected learnings definition")
        _sqlite_set_table_sql(body[:-1].rstrip() + f", \n\t{TABLE_FK}\n)")
    else:
        op.add_column("learnings", sa.Column("meeting_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_learnings_meeting_id_meetings"),
            "learnings",
            "meetings",
            ["meeting_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(op.f("ix_learnings_meeting_id"), "learnings", ["meeting_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_learnings_meeting_id"), table_name="learnings")
    if op.get_bind().dialect.name == "sqlite":
        sql = _sqlite_table_sql()
        for fragment in (f", \n\t{TABLE_FK}", f", {TABLE_FK}", TABLE_FK):
            if fragment in sql:
                _sqlite_set_table_sql(sql.replace(fragment, "", 1))
                break
        op.execute("ALTER TABLE learnings DROP COLUMN meeting_id")
    else:
        op.drop_constraint(
            op.f("fk_learnings_meeting_id_meetings"), "learnings", type_="foreignkey"
        )
        op.drop_column("learnings", "meeting_id")
