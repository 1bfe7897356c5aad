"""SAMEN_QUIET_WEEKS (issue 17, item 3): weeks without activity before a proeftuin counts as
quiet in `deelname` and the leaders' weekly note; 3 unless set, 1 to 52."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import policy_from
from bot.config import ConfigError, load_settings


def test_default_and_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert policy_from(load_settings()).quiet_weeks == 3
    monkeypatch.setenv("SAMEN_QUIET_WEEKS", "5")
    assert policy_from(load_settings()).quiet_weeks == 5


@pytest.mark.parametrize("value", ["0", "53", "drie"])
def test_bad_value_names_the_key(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SAMEN_QUIET_WEEKS", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "SAMEN_QUIET_WEEKS" in str(caught.value) and "\n" not in str(caught.value)
