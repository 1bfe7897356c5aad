"""Search filters inside the full-text index (SQLite): `#thema` and `proeftuin:` cost no walk.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

`zoek bewoners #wonen proeftuin:X` ranks the newest matches that pass both filters. With the
filters checked row by row beside the index, a common word that passes them once in seventy
rows (1.4% at 1,000,000 learnings) meant walking 100,000 matches. Now the index holds, beside
the stemmed words (column `text`), a `facets` column: a token for the learning's proeftuin
(`p3`) and one for each of its themes (`t10`), from `samen_facets(proeftuin_id, theme ids)`
(`storage.search_terms.index_facets`, registered by `storage.db`). Search ANDs those tokens with
the words, and FTS5 intersects the lists itself, skipping through them newest first.

The triggers keep it in step: on `learnings` (insert; before a delete, while its themes are
still there; an update of its text or proeftuin) and on `learning_themes` (a theme added,
removed or changed, also through the cascade of a deleted theme). A row leaves the index by
exactly what it was indexed with, which is why the facets are sorted and the old theme set is
rebuilt from the table in each trigger. The index is rebuilt from `learnings` and
`learning_themes` in the migration's transaction; no row is touched.

PostgreSQL: the same idea with its own means. `learnings.search_facets` (integer[]: minus the
proeftuin's id, then the theme ids, sorted) with a GIN index beside the one on
`search_vector`, so the planner can intersect both instead of walking the newest rows; a BEFORE
trigger on `learnings` sets it when a learning is added or moved, statement triggers on
`learning_themes` (with transition tables, so a bulk insert updates each learning once) when
themes change. Filled for every row in the migration.

The downgrade restores revision 0005's index (SQLite) and drops the column (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_TRIGGERS = ("learnings_fts_ai", "learnings_fts_ad", "learnings_fts_au")
NEW_TRIGGERS = (
    "learnings_fts_ai",
    "learnings_fts_bd",
    "learnings_fts_au",
    "learning_themes_fts_ai",
    "learning_themes_fts_ad",
    "learning_themes_fts_au",
    "learning_themes_fts_am",
)


def _themes(learning: str, without: str | None = None, plus: str | None = None) -> str:
    """SQL: the theme ids of `learning` as group_concat gives them, less / plus one."""
    rows = f"SELECT theme_id FROM learning_themes WHERE learning_id = {learning}"
    if without:
        rows += f" AND theme_id <> {without}"
    if plus:
        rows += f" UNION ALL SELECT {plus}"
    return f"(SELECT group_concat(theme_id) FROM ({rows}))"


def _entry(verb: str, row: str, themes: str) -> str:
    """SQL: add (verb '') or remove (verb 'delete') learning `row`'s index entry."""
    facets = f"samen_facets({row}.proeftuin_id, {themes})"
    if verb == "delete":
        return (
            "INSERT INTO learnings_fts(learnings_fts, rowid, text, facets) "
            f"VALUES ('delete', {row}.id, samen_stem({row}.text), {facets});"
        )
    return (
        "INSERT INTO learnings_fts(rowid, text, facets) "
        f"VALUES ({row}.id, samen_stem({row}.text), {facets});"
    )


def _relink(learning_id: str, old_themes: str) -> str:
    """SQL: re-index learning `learning_id` after its themes changed (old set `old_themes`)."""
    current = _themes("l.id")
    return (
        "INSERT INTO learnings_fts(learnings_fts, rowid, text, facets) "
        f"SELECT 'delete', l.id, samen_stem(l.text), samen_facets(l.proeftuin_id, {old_themes}) "
        f"FROM learnings AS l WHERE l.id = {learning_id};\n"
        "INSERT INTO learnings_fts(rowid, text, facets) "
        f"SELECT l.id, samen_stem(l.text), samen_facets(l.proeftuin_id, {current}) "
        f"FROM learnings AS l WHERE l.id = {learning_id};"
    )


FACETED = [
    """
    CREATE VIRTUAL TABLE learnings_fts USING fts5(
        text, facets, content='', tokenize='unicode61 remove_diacritics 2'
    )
    """,
    "CREATE VIRTUAL TABLE learnings_fts_vocab USING fts5vocab(learnings_fts, instance)",
    "INSERT INTO learnings_fts(rowid, text, facets) "
    f"SELECT id, samen_stem(text), samen_facets(proeftuin_id, {_themes('learnings.id')}) "
    "FROM learnings",
    "INSERT INTO learnings_fts(learnings_fts) VALUES ('optimize')",
    f"""
    CREATE TRIGGER learnings_fts_ai AFTER INSERT ON learnings BEGIN
        {_entry("", "new", _themes("new.id"))}
    END
    """,
    # Before the delete: its themes are still there (the cascade removes them after).
    f"""
    CREATE TRIGGER learnings_fts_bd BEFORE DELETE ON learnings BEGIN
        {_entry("delete", "old", _themes("old.id"))}
    END
    """,
    f"""
    CREATE TRIGGER learnings_fts_au AFTER UPDATE OF id, text, proeftuin_id ON learnings BEGIN
        {_entry("delete", "old", _themes("old.id"))}
        {_entry("", "new", _themes("new.id"))}
    END
    """,
    f"""
    CREATE TRIGGER learning_themes_fts_ai AFTER INSERT ON learning_themes BEGIN
        {_relink("new.learning_id", _themes("l.id", without="new.theme_id"))}
    END
    """,
    f"""
    CREATE TRIGGER learning_themes_fts_ad AFTER DELETE ON learning_themes BEGIN
        {_relink("old.learning_id", _themes("l.id", plus="old.theme_id"))}
    END
    """,
    f"""
    CREATE TRIGGER learning_themes_fts_au AFTER UPDATE ON learning_themes
    WHEN old.learning_id = new.learning_id BEGIN
        {_relink("old.learning_id", _themes("l.id", without="new.theme_id", plus="old.theme_id"))}
    END
    """,
    f"""
    CREATE TRIGGER learning_themes_fts_am AFTER UPDATE ON learning_themes
    WHEN old.learning_id <> new.learning_id BEGIN
        {_relink("old.learning_id", _themes("l.id", plus="old.theme_id"))}
        {_relink("new.learning_id", _themes("l.id", without="new.theme_id"))}
    END
    """,
]

STEMMED = [  # revision 0005's index
    """
    CREATE VIRTUAL TABLE learnings_fts USING fts5(
        text, content='', tokenize='unicode61 remove_diacritics 2'
    )
    """,
    "CREATE VIRTUAL TABLE learnings_fts_vocab USING fts5vocab(learnings_fts, instance)",
    "INSERT INTO learnings_fts(rowid, text) SELECT id, samen_stem(text) FROM learnings",
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


def _replace_index(statements: list[str]) -> None:
    from storage.db import register_functions

    register_functions(op.get_bind().connection.driver_connection)
    for trigger in dict.fromkeys(OLD_TRIGGERS + NEW_TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS learnings_fts_vocab")
    op.execute("DROP TABLE IF EXISTS learnings_fts")
    for statement in statements:
        op.execute(statement)


_PG_FACETS = """
    ARRAY[-{row}.proeftuin_id] || COALESCE(
        (SELECT array_agg(lt.theme_id ORDER BY lt.theme_id) FROM learning_themes AS lt
         WHERE lt.learning_id = {row}.id), '{{}}'::integer[])
"""

POSTGRESQL = [
    "ALTER TABLE learnings ADD COLUMN search_facets integer[] NOT NULL DEFAULT '{}'",
    f"UPDATE learnings SET search_facets = {_PG_FACETS.format(row='learnings')}",
    "CREATE INDEX ix_learnings_search_facets ON learnings USING gin (search_facets)",
    f"""
    CREATE FUNCTION learnings_search_facets() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_facets := {_PG_FACETS.format(row="NEW")};
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER learnings_search_facets BEFORE INSERT OR UPDATE OF id, proeftuin_id
    ON learnings FOR EACH ROW EXECUTE FUNCTION learnings_search_facets()
    """,
    f"""
    CREATE FUNCTION learning_themes_search_facets() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE learnings SET search_facets = {_PG_FACETS.format(row="learnings")}
            WHERE id IN (SELECT learning_id FROM changed_new);
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE learnings SET search_facets = {_PG_FACETS.format(row="learnings")}
            WHERE id IN (SELECT learning_id FROM changed_old);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER learning_themes_search_facets_i AFTER INSERT ON learning_themes
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION learning_themes_search_facets()
    """,
    """
    CREATE TRIGGER learning_themes_search_facets_d AFTER DELETE ON learning_themes
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION learning_themes_search_facets()
    """,
    """
    CREATE TRIGGER learning_themes_search_facets_u AFTER UPDATE ON learning_themes
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION learning_themes_search_facets()
    """,
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS learning_themes_search_facets_i ON learning_themes",
    "DROP TRIGGER IF EXISTS learning_themes_search_facets_d ON learning_themes",
    "DROP TRIGGER IF EXISTS learning_themes_search_facets_u ON learning_themes",
    "DROP TRIGGER IF EXISTS learnings_search_facets ON learnings",
    "DROP FUNCTION IF EXISTS learning_themes_search_facets()",
    "DROP FUNCTION IF EXISTS learnings_search_facets()",
    "DROP INDEX IF EXISTS ix_learnings_search_facets",
    "ALTER TABLE learnings DROP COLUMN IF EXISTS search_facets",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_index(FACETED)
    else:
        for statement in POSTGRESQL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_index(STEMMED)
    else:
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)
