"""`samen-bot kennisbank` on the demo programme: the loader, the CLI and the ring rule together."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.cli import samen_bot


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return samen_bot(tmp_path, *args, database="demo.db")


def test_demo_kennisbank_publishes_only_buitenwereld(tmp_path: Path) -> None:
    assert run(tmp_path, "demo").returncode == 0
    result = run(tmp_path, "kennisbank", "--output", "site")
    assert result.returncode == 0, result.stderr
    assert "Kennisbank geschreven in site" in result.stdout
    site = tmp_path / "site"
    assert (site / "index.html").is_file() and (site / "feed.xml").is_file()
    pages = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    rows = sqlite3.connect(tmp_path / "demo.db").execute("SELECT id, ring FROM learnings")
    for number, ring in rows:
        page = site / "inzicht" / f"{number}.html"
        assert page.exists() == (ring == "buitenwereld"), (number, ring)
    assert "Traceback" not in pages
    again = run(tmp_path, "kennisbank", "--output", "site")
    assert " 0 bestanden nieuw of gewijzigd" in again.stdout or "(0 bestanden" in again.stdout
