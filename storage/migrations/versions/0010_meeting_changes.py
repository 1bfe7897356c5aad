"""Meeting changes: a leader cancels (`annuleer N`) or moves (`verzet N <wanneer>`) a meeting.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Three plain columns on `meetings`, no constraints, so SQLite adds them in place (ALTER TABLE ADD
COLUMN) like PostgreSQL does:

- `cancelled_at` (nullable): when the meeting was cancelled; NULL while it goes ahead;
- `sequence` (not null, default 0): the iCalendar SEQUENCE, one higher at every change, so a
  calendar that subscribed to the agenda feed takes the newer version;
- `updated_at` (nullable): the last change (the feed's LAST-MODIFIED; NULL: never changed).

Every existing meeting keeps going ahead, at sequence 0, never changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("meetings", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "meetings",
        sa.Column("sequence", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("meetings", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Both engines drop a column in place (SQLite since 3.35, as in 0007): no rebuild of
    # `meetings`, which rsvps and learnings refer to.
    for column in ("updated_at", "sequence", "cancelled_at"):
        op.execute(f"ALTER TABLE meetings DROP COLUMN {column}")
