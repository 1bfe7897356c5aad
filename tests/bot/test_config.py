"""Settings: defaults, and a bad value stops start-up with one line naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.SAMEN_DATABASE_URL == "sqlite:///data/samen.db"
    assert settings.SAMEN_LANGUAGE == "nl" and str(settings.timezone) == "Europe/Amsterdam"
    assert settings.leaders == frozenset()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("SAMEN_TIMEZONE", "Mars/Olympus"),
        ("SAMEN_LANGUAGE", "fr"),
        ("SAMEN_LEADERS", "floor"),
        ("SAMEN_DIGEST_SCHEDULE", "every friday"),
        ("SAMEN_DEFAULT_RING", "iedereen"),
        ("SAMEN_DEFAULT_RING", "buitenwereld"),
        ("SAMEN_DATABASE_URL", "mysql://x"),
        ("SAMEN_DIGEST_CHANNEL", "irc:#x"),
    ],
)
def test_bad_value_names_key(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert key in message and "\n" not in message


def test_cli_exits_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SAMEN_LANGUAGE": "klingon"},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SAMEN_LANGUAGE" in result.stderr


def test_default_ring_buitenwereld_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing reaches the buitenwereld without consent, so it cannot be the default."""
    monkeypatch.setenv("SAMEN_DEFAULT_RING", "buitenwereld")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "consent" in str(caught.value)
