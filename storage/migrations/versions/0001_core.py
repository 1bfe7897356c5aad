"""Core tables: proeftuinen, channels, members, themes, learnings, event ledger; full-text search.

Revision ID: 0001_core
Revises:
Create Date: 2026-01-05

Full-text search lives outside the ORM model:
- SQLite: FTS5 external-content table `learnings_fts` over learnings.text, kept in sync by
  triggers (the FTS5 'delete' command pattern), diacritics folded (`cooperatie` finds
  `coöperatie`); `learnings_fts_vocab` (fts5vocab, instance) lets search count a word cheaply.
- PostgreSQL: generated column `learnings.search_vector` (Dutch configuration) with a GIN index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001_core"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = [
    """
    CREATE VIRTUAL TABLE learnings_fts USING fts5(
        text, content='learnings', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    # Lets search see cheaply whether a word is common (it then matches it exactly, not as prefix).
    "CREATE VIRTUAL TABLE learnings_fts_vocab USING fts5vocab(learnings_fts, instance)",
    """
    CREATE TRIGGER learnings_fts_ai AFTER INSERT ON learnings BEGIN
        INSERT INTO learnings_fts(rowid, text) VALUES (new.id, new.text);
    END
    """,
    """
    CREATE TRIGGER learnings_fts_ad AFTER DELETE ON learnings BEGIN
        INSERT INTO learnings_fts(learnings_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END
    """,
    """
    CREATE TRIGGER learnings_fts_au AFTER UPDATE OF id, text ON learnings BEGIN
        INSERT INTO learnings_fts(learnings_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO learnings_fts(rowid, text) VALUES (new.id, new.text);
    END
    """,
]

POSTGRESQL_FTS = [
    """
    ALTER TABLE learnings ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('dutch', text)) STORED
    """,
    "CREATE INDEX ix_learnings_search_vector ON learnings USING gin (search_vector)",
]


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handled_events",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("handled_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_handled_events")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("platform", "user_id", name=op.f("uq_members_platform_user_id")),
    )
    op.create_table(
        "proeftuinen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("default_ring", sa.String(length=20), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proeftuinen")),
        sa.UniqueConstraint("name", name=op.f("uq_proeftuinen_name")),
    )
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("slug", name=op.f("uq_themes_slug")),
    )
    op.create_table(
        "channel_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=200), nullable=False),
        sa.Column("proeftuin_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proeftuin_id"],
            ["proeftuinen.id"],
            name=op.f("fk_channel_links_proeftuin_id_proeftuinen"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_links")),
        sa.UniqueConstraint(
            "platform", "channel_id", name=op.f("uq_channel_links_platform_channel_id")
        ),
    )
    op.create_table(
        "learnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("proeftuin_id", sa.Integer(), nullable=False),
        sa.Column("ring", sa.String(length=20), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=200), nullable=True),
        sa.Column("source_url", sa.String(length=1000), nullable=True),
        sa.Column("source_event_id", sa.String(length=300), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["members.id"],
            name=op.f("fk_learnings_author_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proeftuin_id"],
            ["proeftuinen.id"],
            name=op.f("fk_learnings_proeftuin_id_proeftuinen"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learnings")),
        sa.UniqueConstraint("source_event_id", name=op.f("uq_learnings_source_event_id")),
    )
    op.create_index(op.f("ix_learnings_author_id"), "learnings", ["author_id"])
    op.create_index(op.f("ix_learnings_created_at"), "learnings", ["created_at"])
    op.create_index(
        op.f("ix_learnings_proeftuin_id_created_at"), "learnings", ["proeftuin_id", "created_at"]
    )
    op.create_table(
        "learning_themes",
        sa.Column("learning_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learning_id"],
            ["learnings.id"],
            name=op.f("fk_learning_themes_learning_id_learnings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_learning_themes_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learning_id", "theme_id", name=op.f("pk_learning_themes")),
    )
    op.create_index(op.f("ix_learning_themes_theme_id"), "learning_themes", ["theme_id"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in POSTGRESQL_FTS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("learnings_fts_au", "learnings_fts_ad", "learnings_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS learnings_fts_vocab")
        op.execute("DROP TABLE IF EXISTS learnings_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_learnings_search_vector")
        op.execute("ALTER TABLE learnings DROP COLUMN IF EXISTS search_vector")

    op.drop_index(op.f("ix_learning_themes_theme_id"), table_name="learning_themes")
    op.drop_table("learning_themes")
    op.drop_index(op.f("ix_learnings_proeftuin_id_created_at"), table_name="learnings")
    op.drop_index(op.f("ix_learnings_created_at"), table_name="learnings")
    op.drop_index(op.f("ix_learnings_author_id"), table_name="learnings")
    op.drop_table("learnings")
    op.drop_table("channel_links")
    op.drop_table("themes")
    op.drop_table("proeftuinen")
    op.drop_table("members")
    op.drop_table("handled_events")
