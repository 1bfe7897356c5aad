"""A covering index for searches with `proeftuin:` (PostgreSQL): the proeftuin and the id, with
the facets and the ring beside them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

`zoek bewoners gemeente #ruimte proeftuin:X` at a million learnings: both words are each in 40%
of the rows, the theme and the proeftuin together in 1.5%. The GIN index of 0009 reads the
posting lists of both words and both facets (about a million entries) before it fetches the
2,500 matches: 39-50 ms. The prefilter of 0011 walks the newest rows of every proeftuin through
`ix_learnings_id_facets` to find the ~1,800 that pass both filters (120,000 entries). With this
index the prefilter walks only the proeftuin's own entries, newest first (18,000), and the
same query takes 11-12 ms. `storage.search_plans.postgresql_way` counts it so.

SQLite: nothing to do (its facets are a column of the FTS5 table since 0006).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_learnings_proeftuin_id_id ON learnings (proeftuin_id, id)"
        " INCLUDE (search_facets, ring)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_learnings_proeftuin_id_id")
