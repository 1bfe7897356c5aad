"""The kennisbank's input: an immutable snapshot of what may be published, and nothing more.

The loader (from the database) builds a `Snapshot`; `bot.tools.kennisbank.build` turns it into a
static
site. Everything here is plain data with no link back to storage, so the builder cannot reach a
learning of ring `proeftuin` or `kenniskring` by accident: the snapshot only carries published
learnings (ring `buitenwereld`), and participation as bare numbers per proeftuin and ISO week.

Times are aware datetimes (UTC); `Snapshot.timezone` says in which zone pages show them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

PUBLIC_RING = "buitenwereld"
ISO_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def _require_aware(value: datetime, what: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {value!r}")


@dataclass(frozen=True, slots=True)
class ThemeRef:
    """A theme as the kennisbank shows it: its slug (without `#`) and its name."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class PublishedLearning:
    """A learning whose author consented to publication (ring `buitenwereld`).

    `author` is set only when the author chose to be named; otherwise pages name the proeftuin
    alone. Recognitions and enrichments come as bare counts of proeftuinen: their writers were
    never asked to publish, so neither their text nor who wrote them leaves the programme.
    `ring` exists so the builder can refuse anything that is not public.
    """

    id: int
    text: str
    proeftuin: str
    published_at: datetime
    created_at: datetime
    themes: tuple[ThemeRef, ...] = ()
    author: str | None = None
    source_url: str | None = None
    recognitions: int = 0  # how many other proeftuinen said "ook bij ons"
    enrichments: int = 0  # how many other proeftuinen added an enrichment
    ring: str = PUBLIC_RING

    def __post_init__(self) -> None:
        _require_aware(self.published_at, f"PublishedLearning {self.id}: published_at")
        _require_aware(self.created_at, f"PublishedLearning {self.id}: created_at")


@dataclass(frozen=True, slots=True)
class WeekCount:
    """How many learnings (of any ring: numbers only) a proeftuin captured in one ISO week."""

    proeftuin: str
    week: str  # ISO week in the programme's time zone, such as "2026-W48"
    count: int

    def __post_init__(self) -> None:
        match = ISO_WEEK_RE.match(self.week)
        if not match or not 1 <= int(match.group(2)) <= 53:
            raise ValueError(f"WeekCount.week must look like 2026-W48, got {self.week!r}")
        if self.count < 0:
            raise ValueError(f"WeekCount.count must not be negative, got {self.count}")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything one build of the kennisbank needs.

    `themes` lists every theme (also those without published learnings), `proeftuinen` the names
    of all proeftuinen, `participation` the counts per proeftuin per ISO week of all learnings.
    `language` is `nl` or `en`; `timezone` an IANA zone name.
    """

    learnings: tuple[PublishedLearning, ...]
    themes: tuple[ThemeRef, ...] = ()
    proeftuinen: tuple[str, ...] = ()
    participation: tuple[WeekCount, ...] = field(default=())
    language: str = "nl"
    timezone: str = "Europe/Amsterdam"
