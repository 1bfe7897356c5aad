"""Proeftuinen and themes can be archived: a nullable `archived_at` on both.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A programme's first month renames, merges and archives what it set up (`hernoem`,
`voeg-samen`, `archiveer`, `heropen`). Renaming and merging change existing columns; archiving
needs a mark that keeps the row, its learnings and its tags, and leaves it out of lists,
prompts and suggestions. Every existing row stays active (NULL). The downgrade drops the
columns (an archived row becomes active again).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("proeftuinen", "themes")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Both engines drop a column in place (SQLite since 3.35): no rebuild of tables that the
    # full-text triggers and foreign keys refer to.
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN archived_at")
