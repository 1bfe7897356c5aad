"""`samen-bot db upgrade` and `db current` as an operator runs them: one clear line each."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from storage.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]


def samen_bot(tmp_path: Path, *args: str, language: str = "nl") -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "SAMEN_DATABASE_URL": f"sqlite:///{tmp_path}/samen.db",
        "SAMEN_LANGUAGE": language,
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_upgrade_says_what_it_did(tmp_path: Path) -> None:
    head = head_revision()
    assert samen_bot(tmp_path, "db", "upgrade", "--revision", "0001_core") == (
        "Lege database ingericht op schemarevisie 0001_core."
    )
    sqlite3.connect(tmp_path / "samen.db").execute(
        "INSERT INTO proeftuinen (name, created_at) VALUES ('Proeftuin A', '2026-11-27')"
    ).connection.commit()
    assert samen_bot(tmp_path, "db", "upgrade") == (
        f"Database bijgewerkt van schemarevisie 0001_core naar {head}; alle rijen zijn bewaard."
    )
    rows = sqlite3.connect(tmp_path / "samen.db").execute("SELECT name FROM proeftuinen").fetchall()
    assert rows == [("Proeftuin A",)]
    assert samen_bot(tmp_path, "db", "upgrade", language="en") == (
        f"Database is already at schema revision {head}; nothing to do."
    )
    assert samen_bot(tmp_path, "db", "current") == f"{head} (head {head})"
