"""Maatjes: who wants to be introduced across proeftuinen, and who was introduced to whom.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Two new tables, nothing existing changes:

- `buddy_optins`: one row per member who said `maatje aan` (deleted by `maatje uit` and by
  `vergeet-mij`), with the proeftuin of the channel where they said it;
- `buddy_pairs`: the pairs of each round (round key, the two members, the shared theme), kept
  six months (storage/retention.py) so no pair meets again sooner; each member at most once a
  round (two unique constraints).

Written in parallel with another 0010: only `down_revision` changes when the two are chained.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, parent: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "buddy_optins",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("proeftuin_id", sa.Integer(), nullable=True),
        sa.Column("opted_in_at", _utc(), nullable=False),
        _fk("buddy_optins", "member_id", "members", "CASCADE"),
        _fk("buddy_optins", "proeftuin_id", "proeftuinen", "SET NULL"),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_buddy_optins")),
    )
    op.create_table(
        "buddy_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_key", sa.String(length=20), nullable=False),
        sa.Column("member_a_id", sa.Integer(), nullable=False),
        sa.Column("member_b_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        _fk("buddy_pairs", "member_a_id", "members", "CASCADE"),
        _fk("buddy_pairs", "member_b_id", "members", "CASCADE"),
        _fk("buddy_pairs", "theme_id", "themes", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_pairs")),
        sa.UniqueConstraint(
            "round_key", "member_a_id", name=op.f("uq_buddy_pairs_round_key_member_a_id")
        ),
        sa.UniqueConstraint(
            "round_key", "member_b_id", name=op.f("uq_buddy_pairs_round_key_member_b_id")
        ),
    )
    op.create_index(op.f("ix_buddy_pairs_member_a_id"), "buddy_pairs", ["member_a_id"])
    op.create_index(op.f("ix_buddy_pairs_member_b_id"), "buddy_pairs", ["member_b_id"])
    op.create_index(op.f("ix_buddy_pairs_created_at"), "buddy_pairs", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_buddy_pairs_created_at"), table_name="buddy_pairs")
    op.drop_index(op.f("ix_buddy_pairs_member_b_id"), table_name="buddy_pairs")
    op.drop_index(op.f("ix_buddy_pairs_member_a_id"), table_name="buddy_pairs")
    op.drop_table("buddy_pairs")
    op.drop_table("buddy_optins")
