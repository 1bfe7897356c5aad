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


def test_compiled_catalogs_match_their_po_files() -> None:
    """The bot reads the .mo files: each must say what its .po says (else: python -m
    handlers.i18n)."""
    from babel.messages.pofile import read_po

    for language in ("nl", "en"):
        with (ROOT / "handlers" / "i18n" / f"{language}.po").open("rb") as handle:
            parsed = read_po(handle, locale=language)
        in_po = {str(m.id): str(m.string) for m in parsed if m.id and m.string}
        assert catalog(language) == in_po, f"{language}.mo is stale: run python -m handlers.i18n"


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
    from datetime import UTC, datetime, timedelta

    moment = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
    assert Translator("nl").number(12345) == "12.345"
    assert Translator("en").number(12345) == "12,345"
    assert "19:30" in Translator("nl").moment(moment)  # shown in Europe/Amsterdam
    assert "dec" in Translator("nl").day(moment) and "Dec" in Translator("en").day(moment)
    assert Translator("nl").duration(timedelta(hours=2)) == "2 uur"
    assert Translator("en").duration(timedelta(hours=2)) == "2 hours"
