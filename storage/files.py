"""Files the bot writes beside its store: where they go (`data_dir`: the .ics files of
meetings, written by handlers/ics.py) and the mijn-gegevens exports, removed after a day."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

EXPORT_KEEP = timedelta(days=1)  # a mijn-gegevens file is removed after this
EXPORT_FOLDER = "mijn-gegevens"


def data_dir(database_url: str | None, configured: str = "data") -> Path:
    """Where generated files go: the configured folder, or next to the SQLite file, or ./data."""
    if configured and configured != "data":
        return Path(configured)
    if database_url:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(str(url.database)).expanduser().resolve().parent
    return Path("data")


def export_folder(database_url: str | None, configured: str = "data") -> Path:
    """Where mijn-gegevens files go: beside the .ics files, in a folder of their own."""
    return data_dir(database_url, configured) / EXPORT_FOLDER


def remove_old_exports(folder: Path, now: datetime) -> int:
    """Remove the mijn-gegevens files older than `EXPORT_KEEP`; returns how many went."""
    removed = 0
    for old in folder.glob("*.json") if folder.is_dir() else ():
        if datetime.fromtimestamp(old.stat().st_mtime, now.tzinfo) < now - EXPORT_KEEP:
            old.unlink(missing_ok=True)
            removed += 1
    return removed


def write_export(data: dict[str, Any], folder: Path, name: str, now: datetime) -> Path:
    """Write `data` as an indented JSON file in `folder` (readable by its owner only), and
    remove the files of earlier requests that are older than `EXPORT_KEEP`."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_old_exports(folder, now)
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def remove_exports(folder: Path, names: tuple[str, ...]) -> None:
    """Remove a member's mijn-gegevens files (when they are erased)."""
    for name in names:
        (folder / name).unlink(missing_ok=True)
