"""Alembic, configured in code: upgrade, downgrade, and the schema check done at start-up.

No alembic.ini is needed: `alembic_config(url)` points Alembic at `storage/migrations` inside the
package. The start-up check reads the `alembic_version` table directly, so it costs one query, and
compares it with `HEAD_REVISION`: Alembic itself (a quarter of a second to import on a slow
machine) is only loaded when the database is not at head or a command needs it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import inspect, text

from storage.db import DatabaseSetupError, check_sqlite_pragmas, is_sqlite, make_engine

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
# The newest revision in storage/migrations/versions (a test checks it against Alembic's head).
HEAD_REVISION = "0013"
UPGRADE_HINT = "samen-bot db upgrade"

# Schema objects that migrations create but the ORM does not model (full-text search).
FTS_TABLE_PREFIX = "learnings_fts"  # SQLite FTS5 table and its shadow tables
# PostgreSQL's tsvector and the search facets (revision 0006), with their GIN indexes (0009)
# and the covering indexes of the searches with filters (0011, 0013)
UNMODELLED_COLUMNS = frozenset({("learnings", "search_vector"), ("learnings", "search_facets")})
UNMODELLED_INDEXES = frozenset(
    {
        "ix_learnings_search_vector",
        "ix_learnings_search_facets",
        "ix_learnings_search_words_facets",
        "ix_learnings_id_facets",
        "ix_learnings_proeftuin_id_id",
    }
)

SchemaState = Literal["current", "behind", "empty", "ahead"]


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter: do not even reflect the FTS5 virtual table and its shadow tables."""
    if type_ == "table" and name is not None:
        return not name.startswith(FTS_TABLE_PREFIX)
    return True


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic filter: leave the full-text search objects out of autogenerate comparisons."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE_PREFIX):
        return False
    if type_ == "column" and (obj.table.name, name) in UNMODELLED_COLUMNS:
        return False
    return not (type_ == "index" and name in UNMODELLED_INDEXES)


def alembic_config(url: str) -> Config:
    """An Alembic `Config` for `url`, built in code (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates '%', which URL-encoded passwords contain.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["url"] = url
    return config


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head_revision() -> str:
    """The newest revision this version of samen-bot knows."""
    head = _script().get_current_head()
    if head is None:  # pragma: no cover - there is always at least 0001_core
        raise DatabaseSetupError("no Alembic revisions found")
    return head


def revisions() -> list[str]:
    """Every known revision, oldest first."""
    return [rev.revision for rev in reversed(list(_script().walk_revisions()))]


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Revert migrations down to `revision` (`base` removes everything)."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
            return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    finally:
        engine.dispose()


def schema_state(url: str) -> SchemaState:
    """`current`, `behind` (upgrade due), `empty` (never migrated) or `ahead` (unknown revision)."""
    current = current_revision(url)
    if current is None:
        return "empty"
    if current == HEAD_REVISION:
        return "current"
    if current in revisions():
        return "behind"
    return "ahead"


def ensure_schema(url: str, *, auto_upgrade: bool) -> None:
    """Make sure the database is at head before the bot uses it.

    Upgrades an empty or outdated database when `auto_upgrade`; otherwise, and when the database
    is newer than this code, raises `DatabaseSetupError` with one line for the operator. On SQLite
    it then checks that WAL mode, foreign keys and the busy timeout are in effect.
    """
    state = schema_state(url)
    if state != "current":
        head = head_revision()
    if state == "ahead":
        raise DatabaseSetupError(
            f"de database staat op schemarevisie {current_revision(url)}, die deze versie van "
            f"samen-bot niet kent (nieuwste: {head}): werk samen-bot bij"
        )
    if state in ("empty", "behind"):
        if not auto_upgrade:
            current = current_revision(url)
            where = "is leeg" if current is None else "loopt achter op het schema"
            raise DatabaseSetupError(
                f"de database {where} (revisie {current or 'geen'}, nodig {head}): "
                f"voer `{UPGRADE_HINT}` uit"
            )
        upgrade(url)
    if is_sqlite(url):
        engine = make_engine(url)
        try:
            check_sqlite_pragmas(engine)
        finally:
            engine.dispose()


def make_revision(url: str, message: str, rev_id: str, *, autogenerate: bool = True) -> None:
    """Write a new revision file (for developers): `rev_id` like `0002_meetings`; then set
    `HEAD_REVISION` to it."""
    from alembic import command

    command.revision(alembic_config(url), message=message, rev_id=rev_id, autogenerate=autogenerate)
