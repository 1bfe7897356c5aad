"""Rhythm: meetings, RSVPs, prompts and where they were posted, the effect ledger;
learnings.prompt_id links an answer to its prompt.

Revision ID: 0002_rhythm
Revises: 0001_core
Create Date: 2026-11-27

Keeps every row: only new tables and one new nullable column. On PostgreSQL the column and its
named foreign key are added in place. SQLite can only add a column with an inline reference, and
ALTER TABLE there cannot name it; rebuilding `learnings` would cascade into the tables that refer
to it and drop the full-text triggers. So the column is added with ALTER TABLE (all NULL, so the
reference holds trivially), and the stored table text is then restated with the same reference as
the named table constraint the models declare, by SQLite's documented writable_schema procedure.
The downgrade removes that constraint text the same way and drops the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002_rhythm"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, parent: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete=ondelete
    )


INLINE_FK = "prompt_id INTEGER REFERENCES prompts (id) ON DELETE SET NULL"
TABLE_FK = (
    "CONSTRAINT fk_learnings_prompt_id_prompts"
    " FOREIGN KEY(prompt_id) REFERENCES prompts (id) ON DELETE SET NULL"
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
    """Replace the stored CREATE TABLE text of `learnings` with an equivalent one (SQLite's
    documented writable_schema procedure; only the text of a constraint moves)."""
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


def _sqlite_add_prompt_id() -> None:
    """Add the column with an inline reference (all NULL, so nothing can violate it), then
    restate that reference as the named table constraint the models declare."""
    op.execute(f"ALTER TABLE learnings ADD COLUMN {INLINE_FK}")
    sql = _sqlite_table_sql()
    if INLINE_FK not in sql:
        raise RuntimeError("unexpected learnings definition after ADD COLUMN")
    body = sql.replace(INLINE_FK, "prompt_id INTEGER").rstrip()
    if not body.endswith(")"):
        raise RuntimeError("unexpected learnings definition")
    _sqlite_set_table_sql(body[:-1].rstrip() + f", \n\t{TABLE_FK}\n)")


def _sqlite_drop_prompt_id() -> None:
    """Remove the foreign key from the stored definition (allowed by SQLite's procedure), then
    drop the column, which SQLite refuses while a foreign key names it."""
    sql = _sqlite_table_sql()
    for fragment in (f", \n\t{TABLE_FK}", f", {TABLE_FK}", TABLE_FK):
        if fragment in sql:
            _sqlite_set_table_sql(sql.replace(fragment, "", 1))
            break
    op.execute("ALTER TABLE learnings DROP COLUMN prompt_id")


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", _utc(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("proeftuin_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        _fk("meetings", "theme_id", "themes", "SET NULL"),
        _fk("meetings", "proeftuin_id", "proeftuinen", "SET NULL"),
        _fk("meetings", "created_by_id", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index(op.f("ix_meetings_starts_at"), "meetings", ["starts_at"])
    op.create_table(
        "rsvps",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("answered_at", _utc(), nullable=False),
        _fk("rsvps", "meeting_id", "meetings", "CASCADE"),
        _fk("rsvps", "member_id", "members", "CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "member_id", name=op.f("pk_rsvps")),
    )
    op.create_index(op.f("ix_rsvps_member_id"), "rsvps", ["member_id"])
    op.create_table(
        "prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("proeftuin_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        _fk("prompts", "proeftuin_id", "proeftuinen", "SET NULL"),
        _fk("prompts", "created_by_id", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompts")),
    )
    op.create_index(op.f("ix_prompts_created_at"), "prompts", ["created_at"])
    op.create_table(
        "prompt_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=False),
        sa.Column("proeftuin_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("posted_at", _utc(), nullable=False),
        _fk("prompt_posts", "prompt_id", "prompts", "CASCADE"),
        _fk("prompt_posts", "proeftuin_id", "proeftuinen", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_posts")),
    )
    op.create_index(op.f("ix_prompt_posts_prompt_id"), "prompt_posts", ["prompt_id"])
    op.create_index("ix_prompt_posts_message", "prompt_posts", ["platform", "message_id"])
    op.create_table(
        "effects",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("due_at", _utc(), nullable=True),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("next_attempt_at", _utc(), nullable=True),
        sa.Column("claimed_at", _utc(), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("done_at", _utc(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_effects")),
    )
    op.create_index("ix_effects_status_next_attempt_at", "effects", ["status", "next_attempt_at"])

    if op.get_bind().dialect.name == "sqlite":
        _sqlite_add_prompt_id()
    else:
        op.add_column("learnings", sa.Column("prompt_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_learnings_prompt_id_prompts"),
            "learnings",
            "prompts",
            ["prompt_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(op.f("ix_learnings_prompt_id"), "learnings", ["prompt_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_learnings_prompt_id"), table_name="learnings")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_drop_prompt_id()
    else:
        op.drop_constraint(op.f("fk_learnings_prompt_id_prompts"), "learnings", type_="foreignkey")
        op.drop_column("learnings", "prompt_id")
    op.drop_index("ix_effects_status_next_attempt_at", table_name="effects")
    op.drop_table("effects")
    op.drop_index("ix_prompt_posts_message", table_name="prompt_posts")
    op.drop_index(op.f("ix_prompt_posts_prompt_id"), table_name="prompt_posts")
    op.drop_table("prompt_posts")
    op.drop_index(op.f("ix_prompts_created_at"), table_name="prompts")
    op.drop_table("prompts")
    op.drop_index(op.f("ix_rsvps_member_id"), table_name="rsvps")
    op.drop_table("rsvps")
    op.drop_index(op.f("ix_meetings_starts_at"), table_name="meetings")
    op.drop_table("meetings")
