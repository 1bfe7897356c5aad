"""The three rings in motion: recognitions, enrichments, theme follows and their notices, and
the author's consent to publish (consent_at, published_at, author_public, publish_requested_at).

Revision ID: 0003_rings
Revises: 0002_rhythm
Create Date: 2026-11-27

Keeps every row: new tables, and new columns on learnings that are nullable or have a server
default (plain ALTER TABLE ADD COLUMN on both SQLite and PostgreSQL, no table rebuild).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_rings"
down_revision: str | Sequence[str] | None = "0002_rhythm"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEARNING_COLUMNS = ("consent_at", "published_at", "publish_requested_at")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, parent: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete=ondelete
    )


def upgrade() -> None:
    for column in LEARNING_COLUMNS:
        op.add_column("learnings", sa.Column(column, _utc(), nullable=True))
    op.add_column(
        "learnings",
        sa.Column("author_public", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "recognitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learning_id", sa.Integer(), nullable=False),
        sa.Column("proeftuin_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        _fk("recognitions", "learning_id", "learnings", "CASCADE"),
        _fk("recognitions", "proeftuin_id", "proeftuinen", "CASCADE"),
        _fk("recognitions", "member_id", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognitions")),
        sa.UniqueConstraint(
            "learning_id", "proeftuin_id", name=op.f("uq_recognitions_learning_id_proeftuin_id")
        ),
    )
    op.create_index(op.f("ix_recognitions_proeftuin_id"), "recognitions", ["proeftuin_id"])
    op.create_index(op.f("ix_recognitions_created_at"), "recognitions", ["created_at"])
    op.create_table(
        "enrichments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learning_id", sa.Integer(), nullable=False),
        sa.Column("proeftuin_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        _fk("enrichments", "learning_id", "learnings", "CASCADE"),
        _fk("enrichments", "proeftuin_id", "proeftuinen", "CASCADE"),
        _fk("enrichments", "author_id", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrichments")),
    )
    op.create_index(op.f("ix_enrichments_learning_id"), "enrichments", ["learning_id"])
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("proeftuin_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        _fk("follows", "member_id", "members", "CASCADE"),
        _fk("follows", "theme_id", "themes", "CASCADE"),
        _fk("follows", "proeftuin_id", "proeftuinen", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("member_id", "theme_id", name=op.f("uq_follows_member_id_theme_id")),
    )
    op.create_index(op.f("ix_follows_theme_id"), "follows", ["theme_id"])
    op.create_table(
        "follow_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("learning_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        _fk("follow_notices", "member_id", "members", "CASCADE"),
        _fk("follow_notices", "learning_id", "learnings", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_notices")),
        sa.UniqueConstraint(
            "member_id", "learning_id", name=op.f("uq_follow_notices_member_id_learning_id")
        ),
    )
    op.create_index(op.f("ix_follow_notices_learning_id"), "follow_notices", ["learning_id"])
    op.create_index(op.f("ix_follow_notices_sent_at"), "follow_notices", ["sent_at"])


def downgrade() -> None:
    op.drop_table("follow_notices")
    op.drop_table("follows")
    op.drop_table("enrichments")
    op.drop_table("recognitions")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild of learnings would drop its FTS triggers.
    for column in ("author_public", *LEARNING_COLUMNS):
        op.drop_column("learnings", column)
