"""Dutch-aware full-text search on SQLite: the index holds stemmed words.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

PostgreSQL's `search_vector` is `to_tsvector('dutch', text)`: Snowball's Dutch stems, stop words
left out, so `gemeenten` finds `gemeente`. SQLite's FTS5 index held the words as typed (case and
accents folded), so there it did not. This revision rebuilds SQLite's index over
`samen_stem(text)` (`storage.search_terms.index_text`: the same stems, from PyStemmer's
`dutch_porter`, registered on every connection by `storage.db`):

- `learnings_fts` becomes a contentless FTS5 table (`content=''`): what it indexes is no longer
  the text of `learnings`, so an external-content table would read the wrong words back; the
  search never reads text from the index. Rows are deleted from it by their stemmed words, as
  the triggers do.
- The triggers call `samen_stem`; every row of `learnings` is indexed anew in one statement. No
  row of `learnings` is touched, so nothing is lost; the index is rebuilt in the migration's
  transaction, so an interrupted upgrade leaves the old index.

PostgreSQL already stems: nothing changes there. The downgrade restores revision 0001's index
(external content over `learnings.text`, rebuilt from it).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = ("learnings_fts_ai", "learnings_fts_ad", "learnings_fts_au")

STEMMED = [
    """
    CREATE VIRTUAL TABLE learnings_fts USING fts5(
        text, content='', tokenize='unicode61 remove_diacritics 2'
    )
    """,
    "CREATE VIRTUAL TABLE learnings_fts_vocab USING fts5vocab(learnings_fts, instance)",
    "INSERT INTO learnings_fts(rowid, text) SELECT id, samen_stem(text) FROM learnings",
    "INSERT INTO learnings_fts(learnings_fts) VALUES ('optimize')",
    """
    CREATE TRIGGER learnings_fts_ai AFTER INSERT ON learnings BEGIN
        INSERT INTO learnings_fts(rowid, text) VALUES (new.id, samen_stem(new.text));
    END
    """,
    """
    CREATE TRIGGER learnings_fts_ad AFTER DELETE ON learnings BEGIN
        INSERT INTO learnings_fts(learnings_fts, rowid, text)
            VALUES ('delete', old.id, samen_stem(old.text));
    END
    """,
    """
    CREATE TRIGGER learnings_fts_au AFTER UPDATE OF id, text ON learnings BEGIN
        INSERT INTO learnings_fts(learnings_fts, rowid, text)
            VALUES ('delete', old.id, samen_stem(old.text));
        INSERT INTO learnings_fts(rowid, text) VALUES (new.id, samen_stem(new.text));
    END
    """,
]

UNSTEMMED = [  # revision 0001's index
    """
    CREATE VIRTUAL TABLE learnings_fts USING fts5(
        text, content='learnings', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    "CREATE VIRTUAL TABLE learnings_fts_vocab USING fts5vocab(learnings_fts, instance)",
    "INSERT INTO learnings_fts(learnings_fts) VALUES ('rebuild')",
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


def _replace_index(statements: list[str]) -> None:
    from storage.db import register_functions

    bind = op.get_bind()
    # storage.db registers samen_stem on its connections; a connection handed in from elsewhere
    # gets it here.
    register_functions(bind.connection.driver_connection)
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS learnings_fts_vocab")
    op.execute("DROP TABLE IF EXISTS learnings_fts")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_index(STEMMED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_index(UNSTEMMED)
