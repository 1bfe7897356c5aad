"""SAMEN_MAATJES_SCHEDULE (issue 17, item 2): when maatjes are introduced; a crontab line in
SAMEN_TIMEZONE, the first Monday of the month at 10:00 unless set, `uit`/`off` turns it off."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import policy_from
from bot.config import ConfigError, load_settings


def test_default_set_and_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert policy_from(load_settings()).maatjes_schedule == "0 10 1-7 * mon"
    monkeypatch.setenv("SAMEN_MAATJES_SCHEDULE", "30 9 * * tue")
    assert policy_from(load_settings()).maatjes_schedule == "30 9 * * tue"
    for off in ("uit", "off", ""):
        monkeypatch.setenv("SAMEN_MAATJES_SCHEDULE", off)
        assert policy_from(load_settings()).maatjes_schedule == ""


@pytest.mark.parametrize("value", ["maandelijks", "0 10 * *", "99 10 * * mon"])
def test_bad_value_names_the_key(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SAMEN_MAATJES_SCHEDULE", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "SAMEN_MAATJES_SCHEDULE" in str(caught.value) and "\n" not in str(caught.value)
