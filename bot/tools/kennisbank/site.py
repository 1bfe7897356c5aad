"""The site model: a snapshot checked, cleaned and put in a stable order, ready to render.

`prepare` refuses anything that is not public, sorts learnings newest first (ties by number),
themes and proeftuinen by name, and gives every theme and proeftuin a file name ("stem") that is
safe on any host and unique. Nothing here renders HTML or touches the disk.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from bot.tools.kennisbank.chart import ParticipationTable, participation_table
from bot.tools.kennisbank.snapshot import PUBLIC_RING, PublishedLearning, Snapshot, ThemeRef

PAGE_SIZE = 50
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
NOT_STEM = re.compile(r"[^a-z0-9]+")


class PublicationError(ValueError):
    """The snapshot holds something that may not be published; nothing was written."""


def sort_key(name: str) -> tuple[str, str]:
    """Order names as people expect: case and accents ignored first ('Ö' next to 'O')."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    return ("".join(c for c in folded if not unicodedata.combining(c)), name)


def clean(text: str) -> str:
    """Text without control characters (they are invalid in XML and useless in HTML)."""
    return CONTROL.sub("", text)


def slugify(name: str) -> str:
    """'Energiecoöperatie Oostwind' -> 'energiecooperatie-oostwind' (ASCII, lower case)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return NOT_STEM.sub("-", ascii_name.lower()).strip("-")[:60].strip("-")


def unique_stems(keys: Iterable[str], fallback: str) -> dict[str, str]:
    """A distinct file stem per key, in the order given (so the result is stable)."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for key in keys:
        base = slugify(key) or fallback
        stem, number = base, 1
        while stem in taken:
            number += 1
            stem = f"{base}-{number}"
        taken.add(stem)
        stems[key] = stem
    return stems


def safe_link(url: str | None) -> str | None:
    """The learning's source link if it is an absolute http(s) URL, else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


@dataclass(frozen=True, slots=True)
class Section:
    """A theme or a proeftuin with its learnings (newest first)."""

    key: str  # theme slug or proeftuin name
    name: str
    stem: str  # file name without extension under thema/ or proeftuin/
    learnings: tuple[PublishedLearning, ...]

    def pages(self) -> list[Page]:
        count = max(1, math.ceil(len(self.learnings) / PAGE_SIZE))
        return [Page(number, count, self.stem) for number in range(1, count + 1)]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paginated list; page 1 is `stem.html`, page n is `stem.n.html`."""

    number: int
    count: int
    stem: str

    def href(self, number: int) -> str:
        return f"{self.stem}.html" if number == 1 else f"{self.stem}.{number}.html"

    @property
    def file(self) -> str:
        return self.href(self.number)

    def slice(self, items: tuple[PublishedLearning, ...]) -> tuple[PublishedLearning, ...]:
        start = (self.number - 1) * PAGE_SIZE
        return items[start : start + PAGE_SIZE]

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and a few around this one (None: a gap)."""
        wanted = {1, self.count, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.count)
        result: list[int | None] = []
        for number in numbers:
            if result and number - (result[-1] or 0) > 1:
                result.append(None)
            result.append(number)
        return result


@dataclass(frozen=True, slots=True)
class Site:
    """What the builder renders, in render order."""

    learnings: tuple[PublishedLearning, ...]  # newest first
    themes: tuple[Section, ...]  # by name
    proeftuinen: tuple[Section, ...]  # by name
    theme_stems: dict[str, str]  # slug -> stem
    proeftuin_stems: dict[str, str]  # name -> stem
    participation: ParticipationTable


def check_public(learnings: Iterable[object]) -> None:
    """Raise PublicationError unless every item is a PublishedLearning of ring buitenwereld."""
    seen: set[int] = set()
    for item in learnings:
        if not isinstance(item, PublishedLearning):
            raise PublicationError(f"not a PublishedLearning: {type(item).__name__}")
        if str(item.ring) != PUBLIC_RING:
            raise PublicationError(
                f"learning {item.id} has ring {item.ring!r}: only {PUBLIC_RING!r} is published"
            )
        if item.id in seen:
            raise PublicationError(f"learning {item.id} appears twice")
        seen.add(item.id)


def prepare(snapshot: Snapshot) -> Site:
    """Check the snapshot and put it in the order and shape the pages need."""
    check_public(snapshot.learnings)
    names: dict[str, str] = {theme.slug: theme.name for theme in snapshot.themes}
    for learning in snapshot.learnings:
        for theme in learning.themes:
            names.setdefault(theme.slug, theme.name)
    themes_by_name = sorted(names.items(), key=lambda item: (*sort_key(item[1]), item[0]))
    canonical = {slug: ThemeRef(slug, clean(name)) for slug, name in themes_by_name}

    learnings = tuple(
        _normalised(learning, canonical)
        for learning in sorted(
            snapshot.learnings, key=lambda item: (item.published_at, item.id), reverse=True
        )
    )
    proeftuin_names = sorted(
        set(snapshot.proeftuinen) | {learning.proeftuin for learning in learnings}, key=sort_key
    )
    theme_stems = unique_stems((slug for slug, _ in themes_by_name), "thema")
    proeftuin_stems = unique_stems(proeftuin_names, "proeftuin")

    by_theme: dict[str, list[PublishedLearning]] = {slug: [] for slug in canonical}
    by_proeftuin: dict[str, list[PublishedLearning]] = {name: [] for name in proeftuin_names}
    for learning in learnings:
        by_proeftuin[learning.proeftuin].append(learning)
        for theme in learning.themes:
            by_theme[theme.slug].append(learning)
    return Site(
        learnings=learnings,
        themes=tuple(
            Section(slug, ref.name, theme_stems[slug], tuple(by_theme[slug]))
            for slug, ref in canonical.items()
        ),
        proeftuinen=tuple(
            Section(name, name, proeftuin_stems[name], tuple(by_proeftuin[name]))
            for name in proeftuin_names
        ),
        theme_stems=theme_stems,
        proeftuin_stems=proeftuin_stems,
        participation=participation_table(snapshot.participation, proeftuin_names),
    )


def _normalised(learning: PublishedLearning, themes: dict[str, ThemeRef]) -> PublishedLearning:
    """Themes by name (deduplicated), clean text."""
    theme_refs = {themes[theme.slug] for theme in learning.themes}
    return replace(
        learning,
        text=clean(learning.text),
        author=clean(learning.author) if learning.author else None,
        themes=tuple(sorted(theme_refs, key=lambda ref: (*sort_key(ref.name), ref.slug))),
        source_url=safe_link(learning.source_url),
    )
