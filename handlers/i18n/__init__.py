"""Translation catalogs (Babel .po files, nl default, en) and locale-aware formatting."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("nl", "en")
CATALOG_DIR = Path(__file__).parent
log = logging.getLogger(__name__)


@cache
def catalog(language: str) -> dict[str, str]:
    """The messages of one language as msgid -> text (read once from its .po file)."""
    with (CATALOG_DIR / f"{language}.po").open("rb") as handle:
        parsed = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in parsed if m.id and m.string}


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

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.language)

    def day(self, moment: datetime | date) -> str:
        """A short date such as '3 dec. 2026' / 'Dec 3, 2026' in the programme time zone."""
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.timezone).date()
        return format_date(moment, format="medium", locale=self.language)

    def moment(self, moment: datetime) -> str:
        """Date and time, such as 'do 3 dec. 2026 19:30', in the programme time zone."""
        local = moment.astimezone(self.timezone)
        return format_datetime(local, format="EEE d MMM y HH:mm", locale=self.language)
