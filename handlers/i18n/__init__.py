"""Translation catalogs (nl default, en) and locale-aware formatting.

The catalogs are edited as Babel .po files (`<language>.po`) and read at run time from their
compiled .mo files, with the standard library's gettext: reading a .mo takes a millisecond,
where parsing the .po with Babel (and importing its message tools) cost the console a
noticeable part of its start-up. After editing a .po, compile it (a test checks they agree):

    .venv/bin/python -m handlers.i18n
"""

from __future__ import annotations

import gettext
import logging
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

LANGUAGES = ("nl", "en")
CATALOG_DIR = Path(__file__).parent
log = logging.getLogger(__name__)


@cache
def _translations(language: str) -> gettext.GNUTranslations:
    with (CATALOG_DIR / f"{language}.mo").open("rb") as handle:
        return gettext.GNUTranslations(handle)


@cache
def catalog(language: str) -> dict[str, str]:
    """The messages of one language as msgid -> text (read once from its .mo file)."""
    # gettext has no public way to list a catalog; `_catalog` has held it since Python 2.
    messages: dict[str, str] = _translations(language)._catalog  # type: ignore[attr-defined]
    return {key: text for key, text in messages.items() if key and text}


PLURAL_CATEGORIES = ("one", "other")  # by the index of the .po's Plural-Forms rule


def plural_category(language: str, count: int) -> str:
    """`one` or `other` for `count`, by the Plural-Forms rule in the language's .po header."""
    rule = getattr(_translations(language), "plural", None)
    index = rule(count) if rule is not None else int(count != 1)
    return PLURAL_CATEGORIES[min(index, len(PLURAL_CATEGORIES) - 1)]


def compile_catalogs() -> list[Path]:
    """Compile every `<language>.po` into its `<language>.mo` (with Babel); returns the .mo
    files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for language in LANGUAGES:
        with (CATALOG_DIR / f"{language}.po").open("rb") as source:
            parsed = read_po(source, locale=language)
        target = CATALOG_DIR / f"{language}.mo"
        with target.open("wb") as handle:
            write_mo(handle, parsed)
        written.append(target)
    return written


class Translator:
    """Looks up messages and formats dates and numbers for one language and time zone."""

    def __init__(self, language: str = "nl", timezone: ZoneInfo | None = None) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        self.language = language
        self.timezone = timezone or ZoneInfo("Europe/Amsterdam")
        self._messages = catalog(language)
        self._fallback = catalog("nl")

    def __call__(self, msgid: str, **values: object) -> str:
        template = self._messages.get(msgid) or self._fallback.get(msgid)
        if template is None:
            log.error("missing translation %r for %s", msgid, self.language)
            return msgid
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            log.exception("bad values for message %r", msgid)
            return template

    def has(self, msgid: str) -> bool:
        return msgid in self._messages

    def plural(self, msgid: str, count: int, **values: object) -> str:
        """The form of `msgid` for `count` (`msgid.one` or `msgid.other`), with `{count}`
        written as a number of this language: "1 proeftuin", "3 proeftuinen"."""
        key = f"{msgid}.{plural_category(self.language, count)}"
        return self(key, count=self.number(count), **values)

    # Babel's formatting is imported when first used: most commands format no date.

    def number(self, value: float) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.language)

    def day(self, moment: datetime | date) -> str:
        """A short date such as '3 dec. 2026' / 'Dec 3, 2026' in the programme time zone."""
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.timezone).date()
        from babel.dates import format_date

        return format_date(moment, format="medium", locale=self.language)

    def duration(self, delta: timedelta) -> str:
        """A rounded duration such as '2 uur' / '2 hours'."""
        from babel.dates import format_timedelta

        return format_timedelta(delta, locale=self.language)

    def moment(self, moment: datetime) -> str:
        """Date and time, such as 'do 3 dec. 2026 19:30', in the programme time zone."""
        local = moment.astimezone(self.timezone)
        from babel.dates import format_datetime

        return format_datetime(local, format="EEE d MMM y HH:mm", locale=self.language)
