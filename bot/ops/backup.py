"""`samen-bot backup FILE` and `samen-bot restore FILE`.

Backup makes a consistent copy while `serve` keeps running:

- **SQLite**: the online backup API (`sqlite3.Connection.backup`) copies the database in one
  step inside one read transaction, so the copy is the database as it was at one moment (WAL
  mode: writers carry on meanwhile). The copy is checked (`PRAGMA integrity_check`), switched to
  a self-contained single file (journal mode DELETE) and only then moved to FILE.
- **PostgreSQL**: a logical dump of samen-bot's own tables, the programme document of
  bot/ops/dump.py, read in one REPEATABLE READ transaction (a snapshot). We chose this over
  `pg_dump` because it needs no client binaries of the server's exact major version on the bot's
  machine, holds only samen-bot's tables (not other applications' in a shared database), and
  can be restored into SQLite as well. `pg_dump` remains fine for whole-server backups
  (docs/operations.md). FILE ending in `.gz` is gzip-compressed.

Restore takes such a FILE into the configured database, which must be empty (a fresh
database, or one just made with `samen-bot db upgrade`): a SQLite copy into SQLite is copied
back page by page and brought to the current schema; anything else goes through the programme
document (a SQLite copy is first brought to the current schema in a temporary file).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url

from bot.ops.dump import DumpError, import_document, nonempty_tables, read_document, write_document
from storage.db import Database, inline_sqlite_path
from storage.migrate import upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    kind: str  # "sqlite" | "document"
    size: int
    rows: int | None = None


def _sqlite_path(url: str) -> str | None:
    return inline_sqlite_path(url) if make_url(url).get_backend_name() == "sqlite" else None


def _writer(path: Path, *, compressed: bool) -> IO[str]:
    if compressed:
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def _temporary_beside(path: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    return Path(name)


def sqlite_copy(source: str, target: Path) -> None:
    """Copy the SQLite database `source` into the file `target` (replaced), checked."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout=10000")
        src.backup(dst)  # pages=-1: one step, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            raise DumpError("ops.backup_integrity", reason=str(check[0] if check else "?"))
    finally:
        dst.close()
        src.close()


async def backup(database: Database, path: Path) -> BackupReport:
    """Write a consistent copy of `database` to `path` (which must not exist yet)."""
    if path.exists():
        raise DumpError("ops.backup_exists", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_beside(path)
    try:
        source = _sqlite_path(database.url)
        rows: int | None = None
        if source is not None:
            await asyncio.to_thread(sqlite_copy, source, temporary)
            kind = "sqlite"
        else:
            with _writer(temporary, compressed=path.suffix == ".gz") as out:
                rows = await write_document(database, out)
            kind = "document"
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return BackupReport(path, kind, path.stat().st_size, rows)


def file_kind(path: Path) -> str:
    """`sqlite`, `gzip` or `json`, by the file's first bytes."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    return "json"


def load_file(path: Path) -> Any:
    """The programme document in a JSON (or gzipped JSON) file."""
    kind = file_kind(path)
    if kind == "sqlite":
        raise DumpError("ops.import_not_programme")
    try:
        if kind == "gzip":
            with gzip.open(path, "rt", encoding="utf-8") as zipped:
                return json.load(zipped)
        with path.open(encoding="utf-8") as plain:
            return json.load(plain)
    except (ValueError, EOFError, gzip.BadGzipFile):
        raise DumpError("ops.import_not_programme") from None


async def _document_of_sqlite_copy(path: Path) -> Any:
    """The document of a SQLite backup, brought to the current schema in a temporary copy."""
    with tempfile.TemporaryDirectory(prefix="samen-restore-") as folder:
        copy = Path(folder) / "restore.db"
        shutil.copyfile(path, copy)
        url = f"sqlite:///{copy}"
        upgrade(url)
        source = Database(url)
        try:
            return await read_document(source)
        finally:
            await source.close()


async def restore(database: Database, path: Path) -> tuple[str, int]:
    """Restore the backup in `path` into the (empty, migrated) `database`.
    Returns (how: `sqlite` or `document`, rows written or -1 for a page copy)."""
    async with database.reading() as session:
        full = await nonempty_tables(session)
    if full:
        raise DumpError("ops.not_empty", tables=", ".join(full))
    kind = file_kind(path)
    target = _sqlite_path(database.url)
    if kind == "sqlite":
        check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as error:
            raise DumpError("ops.backup_integrity", reason=str(error)) from None
        finally:
            check.close()
        if not result or result[0] != "ok":
            raise DumpError("ops.backup_integrity", reason=str(result[0] if result else "?"))
        if target is not None:
            await database.close()
            await _copy_into(path, target)
            return "sqlite", -1
        document = await _document_of_sqlite_copy(path)
    else:
        document = load_file(path)
    imported = await import_document(database, document)
    return "document", imported.total


async def _copy_into(source: Path, target: str) -> None:
    def copy() -> None:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
            src.close()

    await asyncio.to_thread(copy)
    upgrade(f"sqlite:///{target}")
