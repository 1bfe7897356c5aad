"""Search filters with the words in one index (PostgreSQL): one GIN index over
`learnings.search_vector` and `learnings.search_facets`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

`zoek bewoners #wonen proeftuin:X` at a million learnings: the word is in 40% of the rows, the
theme and the proeftuin together in 1.5%. With a GIN index on each column the planner built a
bitmap of all 400,000 rows holding the word and ANDed it with the facets' (55-190 ms). A
multicolumn GIN index ANDs the keys of both columns inside one index scan, skipping through the
word's long list by the facets' short ones (13 ms for the same query). It serves a query on the
words alone or the facets alone too, so the facets' own index (0006) is dropped; the tsvector's
own index stays for the searches without filters, which use it most.

SQLite: nothing to do (its facets are a column of the FTS5 table since 0006).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_learnings_search_words_facets ON learnings"
        " USING gin (search_vector, search_facets)"
    )
    op.execute("DROP INDEX IF EXISTS ix_learnings_search_facets")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_learnings_search_facets ON learnings USING gin (search_facets)")
    op.execute("DROP INDEX IF EXISTS ix_learnings_search_words_facets")
