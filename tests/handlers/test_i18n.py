"""The catalogs: same keys and placeholders in nl and en; every key used in code exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from handlers.i18n import Translator, catalog

ROOT = Path(__file__).resolve().parents[2]
KEY_IN_CODE = re.compile(r"""(?:\bt|ctx\.t|self\.t|UserError)\(\s*["']([a-z][\w-]*\.[\w.-]+)["']""")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_languages_have_same_keys_and_placeholders() -> None:
    nl, en = catalog("nl"), catalog("en")
    assert set(nl) == set(en), set(nl) ^ set(en)
    for key in nl:
        assert placeholders(nl[key]) == placeholders(en[key]), key


def test_every_key_used_in_code_exists() -> None:
    nl = catalog("nl")
    missing = []
    for folder in ("handlers", "bot", "schedules", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in KEY_IN_CODE.findall(path.read_text(encoding="utf-8")):
                if key not in nl:
                    missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, missing


def test_dates_and_numbers_follow_the_locale() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
    assert Translator("nl").number(12345) == "12.345"
    assert Translator("en").number(12345) == "12,345"
    assert "19:30" in Translator("nl").moment(moment)  # shown in Europe/Amsterdam
    assert "dec" in Translator("nl").day(moment) and "Dec" in Translator("en").day(moment)
