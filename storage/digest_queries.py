"""The weekly digest's data: one query per section, bounded by the week (never by history).

Everything here is read through the ring rule of the kenniskring
(`Viewer.for_ring(Ring.KENNISKRING)`), so a ring `proeftuin` learning never reaches the digest.
Rendering into replies lives in handlers/digest.py; the ISO weeks in storage/weeks.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import meetings as meeting_store
from storage.models import (
    Enrichment,
    Learning,
    LearningTheme,
    Meeting,
    Proeftuin,
    Prompt,
    PromptPost,
    Recognition,
    Ring,
    Theme,
)
from storage.visibility import Viewer, visible
from storage.weeks import Week

KENNISKRING = Viewer.for_ring(Ring.KENNISKRING)
ID_CHUNK = 1000  # ids per IN list (SQLite allows 32,766 parameters; keep statements small)


@dataclass(frozen=True, slots=True)
class Item:
    """One learning in the digest."""

    id: int
    text: str
    proeftuin_id: int
    proeftuin: str
    created_at: datetime
    source_url: str | None
    prompt_id: int | None
    themes: tuple[str, ...]  # slugs
    recognised_by: tuple[str, ...] = ()  # proeftuinen that said "ook bij ons"
    enrichments: tuple[tuple[str, str], ...] = ()  # (proeftuin, text)
    meeting_id: int | None = None  # harvested from this meeting (`oogst`)


@dataclass(slots=True)
class ThemeSection:
    """The week's learnings on one theme (slug None: the untagged ones)."""

    slug: str | None
    name: str
    items: list[Item] = field(default_factory=list)

    @property
    def proeftuinen(self) -> list[str]:
        return sorted({item.proeftuin for item in self.items})


@dataclass(slots=True)
class PromptSection:
    """A prompt asked or answered this week, with this week's visible answers."""

    id: int
    question: str
    created_at: datetime
    asked: list[str]
    answers: list[Item] = field(default_factory=list)  # this week's visible answers
    answered: set[str] = field(default_factory=set)  # proeftuinen with a shared answer so far

    @property
    def waiting(self) -> list[str]:
        """Asked proeftuinen without a shared answer (this week or before)."""
        return [name for name in self.asked if name not in self.answered]


@dataclass(frozen=True, slots=True)
class MeetingLine:
    """An upcoming meeting with its RSVP counts."""

    id: int
    title: str
    starts_at: datetime
    theme: str | None
    proeftuin: str | None
    yes: int
    no: int


@dataclass(frozen=True, slots=True)
class HarvestLine:
    """A meeting and the learnings harvested from it in the digest's week."""

    id: int
    title: str
    starts_at: datetime
    items: tuple[Item, ...]


@dataclass(slots=True)
class WeekDigest:
    """Everything the digest of one week shows."""

    week: Week
    total: int
    per_proeftuin: list[tuple[str, int]]  # every proeftuin with learnings, most first
    quiet: list[str]  # proeftuinen without a (shared) learning this week
    sections: list[ThemeSection]  # by theme, most learnings first; untagged last
    shared_themes: list[tuple[str, list[str]]]  # slug, proeftuinen (more than one)
    prompts: list[PromptSection]
    meetings: list[MeetingLine]
    recognised: list[Item] = field(default_factory=list)  # recognised by several, this week
    harvests: list[HarvestLine] = field(default_factory=list)  # this week's meeting harvests

    @property
    def empty(self) -> bool:
        return self.total == 0 and not self.prompts and not self.meetings and not self.recognised


async def build_week_digest(
    session: AsyncSession, week: Week, timezone: ZoneInfo, now: datetime
) -> WeekDigest:
    """Gather the digest of `week` (as the kenniskring sees it); `now` bounds 'upcoming'."""
    in_week = (Learning.created_at >= week.start, Learning.created_at < week.end)
    rows = await _item_rows(session, and_(*in_week), (Learning.created_at, Learning.id))
    # The week's ids, not a join on the week: the primary key of learning_themes then serves
    # every lookup, whatever the planner's statistics say (a join can turn into a full scan).
    ids = [r.id for r in rows]
    tag_rows: list[tuple[int, str, str]] = []
    for at in range(0, len(ids), ID_CHUNK):
        found = await session.execute(
            select(LearningTheme.learning_id, Theme.slug, Theme.name)
            .join(Theme, Theme.id == LearningTheme.theme_id)
            .where(LearningTheme.learning_id.in_(ids[at : at + ID_CHUNK]))
        )
        tag_rows += [(int(i), str(slug), str(name)) for i, slug, name in found.all()]
    tag_rows.sort(key=lambda row: row[1])
    names = {
        int(i): str(n)
        for i, n in (await session.execute(select(Proeftuin.id, Proeftuin.name))).all()
    }
    tags: dict[int, list[str]] = defaultdict(list)
    theme_names: dict[str, str] = {}
    for learning_id, slug, name in tag_rows:
        tags[learning_id].append(slug)
        theme_names[slug] = name
    items = await _items(session, rows, names, tags)
    prompts = await _prompt_sections(session, week, items, names)
    answered_here = {p.id for p in prompts}
    sections = _theme_sections([i for i in items if i.prompt_id not in answered_here], theme_names)
    per: dict[str, int] = defaultdict(int)
    for item in items:
        per[item.proeftuin] += 1
    by_theme: dict[str, set[str]] = defaultdict(set)
    for item in items:
        for slug in item.themes:
            by_theme[slug].add(item.proeftuin)
    shared = sorted(
        ((slug, sorted(p)) for slug, p in by_theme.items() if len(p) > 1),
        key=lambda pair: (-len(pair[1]), pair[0]),
    )
    return WeekDigest(
        week=week,
        total=len(items),
        per_proeftuin=sorted(per.items(), key=lambda pair: (-pair[1], pair[0])),
        quiet=sorted(name for name in names.values() if name not in per),
        sections=sections,
        shared_themes=shared,
        prompts=prompts,
        meetings=await _meetings(session, week, timezone, now),
        recognised=await _recognised_this_week(session, week, names),
        harvests=await _harvests(session, items),
    )


async def _harvests(session: AsyncSession, items: list[Item]) -> list[HarvestLine]:
    """The week's learnings harvested from meetings, by meeting (they also show under their
    themes: here only their numbers)."""
    by_meeting: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        if item.meeting_id is not None:
            by_meeting[item.meeting_id].append(item)
    if not by_meeting:
        return []
    found = await session.scalars(select(Meeting).where(Meeting.id.in_(list(by_meeting))))
    return [
        HarvestLine(m.id, m.title, m.starts_at, tuple(by_meeting[m.id]))
        for m in sorted(found.all(), key=lambda m: (m.starts_at, m.id))
    ]


async def _item_rows(
    session: AsyncSession, condition: ColumnElement[bool], order: tuple[Any, ...]
) -> list[Any]:
    """The digest's columns of the learnings matching `condition` that the kenniskring sees."""
    query = (
        select(
            Learning.id,
            Learning.text,
            Learning.proeftuin_id,
            Learning.created_at,
            Learning.source_url,
            Learning.prompt_id,
            Learning.meeting_id,
        )
        .where(condition, visible(KENNISKRING))
        .order_by(*order)
    )
    return list((await session.execute(query)).all())


async def _items(
    session: AsyncSession, rows: list[Any], names: dict[int, str], tags: dict[int, list[str]]
) -> list[Item]:
    """Digest items for `rows`, with their themes, recognitions and enrichments."""
    recognised_by, enriched = await _recognitions_and_enrichments(
        session, [r.id for r in rows], names
    )
    return [
        Item(
            id=r.id,
            text=r.text,
            proeftuin_id=r.proeftuin_id,
            proeftuin=names.get(r.proeftuin_id, "?"),
            created_at=r.created_at,
            source_url=r.source_url,
            prompt_id=r.prompt_id,
            themes=tuple(tags.get(r.id, ())),
            recognised_by=tuple(recognised_by.get(r.id, ())),
            enrichments=tuple(enriched.get(r.id, ())),
            meeting_id=r.meeting_id,
        )
        for r in rows
    ]


async def _recognitions_and_enrichments(
    session: AsyncSession, ids: list[int], names: dict[int, str]
) -> tuple[dict[int, list[str]], dict[int, list[tuple[str, str]]]]:
    """Who recognised, and who enriched, each of the week's learnings (by id, chunked)."""
    recognised: dict[int, list[str]] = defaultdict(list)
    enriched: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for at in range(0, len(ids), ID_CHUNK):
        chunk = ids[at : at + ID_CHUNK]
        for learning_id, proeftuin_id in (
            await session.execute(
                select(Recognition.learning_id, Recognition.proeftuin_id)
                .where(Recognition.learning_id.in_(chunk))
                .order_by(Recognition.id)
            )
        ).all():
            recognised[int(learning_id)].append(names.get(proeftuin_id, "?"))
        for learning_id, proeftuin_id, text in (
            await session.execute(
                select(Enrichment.learning_id, Enrichment.proeftuin_id, Enrichment.text)
                .where(Enrichment.learning_id.in_(chunk))
                .order_by(Enrichment.id)
            )
        ).all():
            enriched[int(learning_id)].append((names.get(proeftuin_id, "?"), str(text)))
    return recognised, enriched


async def _recognised_this_week(
    session: AsyncSession, week: Week, names: dict[int, str]
) -> list[Item]:
    """Learnings (of any week, visible to the kenniskring) recognised this week and by more
    than one proeftuin in all: the 'herkend door meerdere proeftuinen' section."""
    recent = (
        select(Recognition.learning_id)
        .where(Recognition.created_at >= week.start, Recognition.created_at < week.end)
        .distinct()
    )
    rows = await _item_rows(session, Learning.id.in_(recent), (Learning.id,))
    items = [i for i in await _items(session, rows, names, {}) if len(i.recognised_by) > 1]
    return sorted(items, key=lambda item: (-len(item.recognised_by), item.id))


def _theme_sections(items: list[Item], theme_names: dict[str, str]) -> list[ThemeSection]:
    """A learning with several themes appears under each; untagged ones get their own group."""
    sections: dict[str | None, ThemeSection] = {}
    for item in items:
        for slug in item.themes or (None,):
            if slug not in sections:
                sections[slug] = ThemeSection(slug, theme_names.get(slug, "") if slug else "")
            sections[slug].items.append(item)
    for section in sections.values():  # most recognised first, then in order of time
        section.items.sort(key=lambda item: (-len(item.recognised_by), item.created_at, item.id))
    tagged = sorted(
        (s for s in sections.values() if s.slug is not None),
        key=lambda s: (-len(s.items), s.slug or ""),
    )
    return tagged + ([sections[None]] if None in sections else [])


async def _prompt_sections(
    session: AsyncSession, week: Week, items: list[Item], names: dict[int, str]
) -> list[PromptSection]:
    answered_ids = {i.prompt_id for i in items if i.prompt_id is not None}
    asked_this_week = and_(Prompt.created_at >= week.start, Prompt.created_at < week.end)
    found = (
        await session.scalars(
            select(Prompt)
            .where(or_(asked_this_week, Prompt.id.in_(answered_ids) if answered_ids else false()))
            .order_by(Prompt.created_at, Prompt.id)
        )
    ).all()
    if not found:
        return []
    ids = [p.id for p in found]
    asked_rows = (
        await session.execute(
            select(PromptPost.prompt_id, PromptPost.proeftuin_id)
            .where(PromptPost.prompt_id.in_(ids))
            .distinct()
        )
    ).all()
    # Answers up to the week's end, filtered here and not in SQL: with a time condition next to
    # it, SQLite's statistics (prompt_id is mostly NULL) pick a time index and scan the history.
    answered_rows = [
        (row.prompt_id, row.proeftuin_id)
        for row in (
            await session.execute(
                select(Learning.prompt_id, Learning.proeftuin_id, Learning.created_at).where(
                    Learning.prompt_id.in_(ids), visible(KENNISKRING)
                )
            )
        ).all()
        if row.created_at < week.end
    ]
    asked: dict[int, set[str]] = defaultdict(set)
    for prompt_id, proeftuin_id in asked_rows:
        asked[prompt_id].add(names.get(proeftuin_id, "?"))
    answered: dict[int, set[str]] = defaultdict(set)
    for answered_id, proeftuin_id in answered_rows:
        if answered_id is not None:
            answered[answered_id].add(names.get(proeftuin_id, "?"))
    sections = []
    for prompt in found:
        section = PromptSection(
            prompt.id, prompt.question, prompt.created_at, sorted(asked[prompt.id])
        )
        section.answered = answered[prompt.id]
        section.answers = [i for i in items if i.prompt_id == prompt.id]
        sections.append(section)
    return sections


async def _meetings(
    session: AsyncSession, week: Week, timezone: ZoneInfo, now: datetime
) -> list[MeetingLine]:
    """Meetings from now (or the week's end, for a past week) until the end of next week."""
    start = min(max(now, week.start), week.end)
    found = await meeting_store.between(session, start, week.next(timezone).end)
    counts = await meeting_store.counts(session, [m.id for m in found])
    return [
        MeetingLine(
            id=m.id,
            title=m.title,
            starts_at=m.starts_at,
            theme=m.theme.slug if m.theme else None,
            proeftuin=m.proeftuin.name if m.proeftuin else None,
            yes=counts[m.id].yes,
            no=counts[m.id].no,
        )
        for m in found
    ]
