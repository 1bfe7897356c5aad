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
    # Not the current folder: the user's data folder, the same wherever the bot starts.
    assert settings.SAMEN_DATABASE_URL.startswith("sqlite:///")
    assert settings.SAMEN_DATABASE_URL.endswith("/samen-bot/samen.db")
    assert str(tmp_path) not in settings.SAMEN_DATABASE_URL
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


def test_default_database_is_in_the_data_folder_and_said_once(tmp_path: Path) -> None:
    """Started from two different folders, the bot opens the same store, and says where it
    made it the first time."""
    from tests.cli import samen_bot

    home = tmp_path / "home"
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    env = {"SAMEN_DATABASE_URL": "", "HOME": str(home), "XDG_DATA_HOME": ""}
    made = samen_bot(first, "console", stdin="/samen koppel Proeftuin A\n", **env)
    assert made.returncode == 0, made.stderr
    store = home / ".local" / "share" / "samen-bot" / "samen.db"
    assert store.is_file() and f"nieuwe database gemaakt in {store}" in made.stderr
    again = samen_bot(second, "console", stdin="/samen themas\n", **env)
    assert again.returncode == 0 and "nieuwe database" not in again.stderr
    assert not (first / "data").exists() and not (second / "data").exists()
