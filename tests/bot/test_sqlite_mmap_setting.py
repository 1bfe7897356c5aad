"""SAMEN_SQLITE_MMAP_MB (issue 16): SQLite's memory map per connection, in MB; 0 (none) unless
set, 0 to 65536. Every connection of the bot's store (the writer and the readers) gets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_app, ensure_database
from bot.config import ConfigError, load_settings
from storage.db import SQLITE_MMAP_MB


async def _mmap_sizes(tmp_path: Path, **settings: str) -> tuple[int, int]:
    loaded = load_settings(SAMEN_DATABASE_URL=f"sqlite:///{tmp_path / 'samen.db'}", **settings)
    ensure_database(loaded)
    app = build_app(loaded)
    try:
        async with app.database.engine.connect() as writer:
            written = (await writer.exec_driver_sql("PRAGMA mmap_size")).scalar_one()
        async with app.database.reader.connect() as reader:
            read = (await reader.exec_driver_sql("PRAGMA mmap_size")).scalar_one()
    finally:
        await app.close()
    return int(written), int(read)


async def test_default_and_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings().SAMEN_SQLITE_MMAP_MB == SQLITE_MMAP_MB == 0
    assert await _mmap_sizes(tmp_path) == (0, 0)
    monkeypatch.setenv("SAMEN_SQLITE_MMAP_MB", "8")
    assert await _mmap_sizes(tmp_path) == (8 * 1024 * 1024, 8 * 1024 * 1024)


@pytest.mark.parametrize("value", ["-1", "65537", "veel"])
def test_bad_value_names_the_key(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SAMEN_SQLITE_MMAP_MB", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "SAMEN_SQLITE_MMAP_MB" in str(caught.value) and "\n" not in str(caught.value)
