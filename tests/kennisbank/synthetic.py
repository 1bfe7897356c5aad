"""Generated kennisbank snapshots for tests and the benchmark: the demo programme's seven
proeftuinen and twelve themes, with N published learnings spread over two years of weeks.

Everything is drawn from `random.Random(seed)`, so the same arguments give the same snapshot.
`demo_snapshot()` instead publishes the demo data's own `buitenwereld` learnings (for the
screenshot in docs/), the way the database loader would after `samen-bot demo`.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

from bot.tools.demo_data import LEARNINGS, MEMBERS, PROEFTUINEN, THEMES
from bot.tools.kennisbank.snapshot import (
    PublishedLearning,
    Snapshot,
    ThemeRef,
    WeekCount,
)
from storage.models import Ring

START = datetime(2023, 1, 9, 8, 0, tzinfo=UTC)  # a Monday, after the proeftuinen were selected
WEEKS = 104
PROEFTUIN_NAMES = tuple(p.name for p in PROEFTUINEN)
THEME_REFS = tuple(ThemeRef(t.slug, t.name) for t in THEMES)
OPENINGS = (
    "Wat werkte bij ons:",
    "Geleerd deze week:",
    "Opvallend:",
    "Wat we anders zouden doen:",
    "Een les uit het gesprek met de gemeente:",
    "Na de bewonersavond bleek:",
)
CLAUSES = (
    "een vast aanspreekpunt bij de gemeente scheelt weken wachten",
    "vrijwilligers blijven als ze zien wat hun werk oplevert",
    "fondsen vragen om zekerheid over de locatie, dus begin met de huurovereenkomst",
    "bewoners komen eerder naar een koffieochtend dan naar een inspraakavond",
    "de ledenvergadering beslist sneller als de stukken een week eerder rondgaan",
    "een kleine begroting met een duidelijk doel overtuigt meer dan een groot plan",
    "de wethouder kwam pas in beweging toen de buurt zelf de cijfers liet zien",
    "samen optrekken met een andere proeftuin gaf ons een sterker verhaal",
    "het verdienmodel kreeg pas vorm toen we de zorgverzekeraar erbij haalden",
    "zonder opvolging in het bestuur staat alles stil zodra één trekker wegvalt",
    "maatschappelijke waarde meten lukt beter met verhalen dan met formulieren",
    "de vergunning voor het pand kostte meer tijd dan de verbouwing zelf",
)


def _text(rng: random.Random, number: int) -> str:
    clauses = rng.sample(CLAUSES, k=rng.randint(1, 3))
    return f"{rng.choice(OPENINGS)} {'; '.join(clauses)}. (nr. {number})"


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def learning(rng: random.Random, number: int, moment: datetime) -> PublishedLearning:
    """One generated published learning; some named, some with sources and enrichments."""
    proeftuin = rng.choice(PROEFTUIN_NAMES)
    others = [p for p in PROEFTUIN_NAMES if p != proeftuin]
    return PublishedLearning(
        id=number,
        text=_text(rng, number),
        proeftuin=proeftuin,
        published_at=moment + timedelta(hours=rng.randint(1, 72)),
        created_at=moment,
        themes=tuple(rng.sample(THEME_REFS, k=rng.choice((0, 1, 1, 2, 2, 3)))),
        author=rng.choice(MEMBERS).display_name if rng.random() < 0.3 else None,
        source_url=(
            f"https://samen.slack.com/archives/C0{number % 7}/p{number:010d}"
            if rng.random() < 0.2
            else None
        ),
        enrichments=rng.choice((0, 0, 0, 1, 2)),
        recognitions=len(rng.sample(others, k=rng.choice((0, 0, 1, 2, 3)))),
    )


def participation(learnings: tuple[PublishedLearning, ...], seed: int) -> tuple[WeekCount, ...]:
    """Counts per proeftuin and week: the public learnings plus some that stayed inside."""
    rng = random.Random(seed + 1)
    counts: dict[tuple[str, str], int] = {}
    for item in learnings:
        key = (item.proeftuin, week_of(item.created_at))
        counts[key] = counts.get(key, 0) + 1
    for key in list(counts):
        counts[key] += rng.randint(0, 3)
    return tuple(WeekCount(p, w, c) for (p, w), c in sorted(counts.items()))


def make_snapshot(count: int, seed: int = 7, language: str = "nl") -> Snapshot:
    """A programme with `count` published learnings over `WEEKS` weeks, numbered 1..count."""
    rng = random.Random(seed)
    span = WEEKS * 7 * 24 * 3600
    moments = sorted(START + timedelta(seconds=rng.randrange(span)) for _ in range(count))
    learnings = tuple(learning(rng, i + 1, moment) for i, moment in enumerate(moments))
    return Snapshot(
        learnings=learnings,
        themes=THEME_REFS,
        proeftuinen=PROEFTUIN_NAMES,
        participation=participation(learnings, seed),
        language=language,
    )


def demo_snapshot(language: str = "nl", now: datetime | None = None) -> Snapshot:
    """The demo data's `buitenwereld` learnings as the loader would publish them (no names),
    with participation counts of all demo learnings over the last five weeks."""
    now = now or datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    names = {p.key: p.name for p in PROEFTUINEN}
    slugs = {t.slug: ThemeRef(t.slug, t.name) for t in THEMES}
    rng = random.Random(20221220)
    published: list[PublishedLearning] = []
    counts: dict[tuple[str, str], int] = {}
    for number, item in enumerate(LEARNINGS, start=1):
        moment = now - timedelta(hours=rng.randint(1, 5 * 7 * 24))
        key = (names[item.proeftuin], week_of(moment))
        counts[key] = counts.get(key, 0) + 1
        if item.ring != Ring.BUITENWERELD:
            continue
        tagged = set(re.findall(r"#([a-z0-9-]+)", item.text)) | set(item.themes)
        others = [n for n in names.values() if n != names[item.proeftuin]]
        published.append(
            PublishedLearning(
                id=number,
                text=item.text,
                proeftuin=names[item.proeftuin],
                published_at=moment + timedelta(hours=2),
                created_at=moment,
                themes=tuple(slugs[s] for s in sorted(tagged) if s in slugs),
                recognitions=len(rng.sample(others, k=rng.randint(0, 3))),
                enrichments=number % 2,
            )
        )
    return Snapshot(
        learnings=tuple(published),
        themes=tuple(slugs.values()),
        proeftuinen=tuple(names.values()),
        participation=tuple(WeekCount(p, w, c) for (p, w), c in sorted(counts.items())),
        language=language,
    )
