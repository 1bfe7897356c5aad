"""A covering index for searches with filters (PostgreSQL): the id with the facets, the ring and
the proeftuin beside it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

`zoek bewoners #wonen proeftuin:X` at a million learnings: the word is in 40% of the rows, the
theme and the proeftuin together in 1.5%, so 6,000 rows match. Both ways of 0009 fetch many
rows from the table: the GIN index every one of the 6,000 (83-110 ms when the table is larger
than PostgreSQL's cache), a walk of the newest rows 52,000 of them (58-62 ms). With this index
the rows passing the filters and the ring rule come newest first from an index-only scan (the
53,000 entries it walks are 3.5 MB), and only those ~700 rows are fetched to check the words
(17 ms). `storage.search.postgresql_way` chooses it from the statistics.

SQLite: nothing to do (its facets are a column of the FTS5 table since 0006).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_learnings_id_facets ON learnings (id)"
        " INCLUDE (search_facets, ring, proeftuin_id)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_learnings_id_facets")
