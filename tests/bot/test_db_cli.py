"""`samen-bot db upgrade` and `db current` as an operator runs them: one clear line each."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.migrate import head_revision
from tests.cli import samen_bot


def db(tmp_path: Path, *args: str, language: str = "nl") -> str:
    result = samen_bot(tmp_path, "db", *args, SAMEN_LANGUAGE=language)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_upgrade_says_what_it_did(tmp_path: Path) -> None:
    head = head_revision()
    assert db(tmp_path, "upgrade", "--revision", "0001_core") == (
        "Lege database ingericht op schemarevisie 0001_core."
    )
    sqlite3.connect(tmp_path / "samen.db").execute(
        "INSERT INTO proeftuinen (name, created_at) VALUES ('Proeftuin A', '2026-11-27')"
    ).connection.commit()
    assert db(tmp_path, "upgrade") == (
        f"Database bijgewerkt van schemarevisie 0001_core naar {head}; alle rijen zijn bewaard."
    )
    rows = sqlite3.connect(tmp_path / "samen.db").execute("SELECT name FROM proeftuinen").fetchall()
    assert rows == [("Proeftuin A",)]
    assert db(tmp_path, "upgrade", language="en") == (
        f"Database is already at schema revision {head}; nothing to do."
    )
    assert db(tmp_path, "current") == f"{head} (head {head})"
