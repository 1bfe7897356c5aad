"""Participation per proeftuin and ISO week: learnings, answers to prompts (learnings with a
prompt), recognitions and enrichments, counted in the database (one grouped query per kind,
whatever the number of weeks), and which proeftuinen were quiet.

Only what `viewer` may see counts (the ring rule of storage/visibility.py): from the kenniskring a
proeftuin's ring-`proeftuin` learnings, and the recognitions and enrichments on them, are not
counted, as in the digest. A recognition or enrichment counts for the proeftuin that gave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Enrichment, Learning, Proeftuin, Recognition
from storage.visibility import Viewer, visible
from storage.weeks import Week

KINDS = ("learnings", "answers", "recognitions", "enrichments")


@dataclass(slots=True)
class Activity:
    """What one proeftuin did in one week."""

    learnings: int = 0  # learnings that answer no prompt
    answers: int = 0  # learnings that answer a prompt
    recognitions: int = 0
    enrichments: int = 0

    @property
    def total(self) -> int:
        return self.learnings + self.answers + self.recognitions + self.enrichments

    def add(self, kind: str, count: int) -> None:
        setattr(self, kind, getattr(self, kind) + count)


@dataclass(slots=True)
class Row:
    """One proeftuin over the weeks asked for (oldest first)."""

    proeftuin_id: int
    name: str
    weeks: list[Activity] = field(default_factory=list)

    @property
    def total(self) -> Activity:
        summed = Activity()
        for week in self.weeks:
            for kind in KINDS:
                summed.add(kind, getattr(week, kind))
        return summed

    def quiet_weeks(self) -> int:
        """How many of the latest weeks in a row had no activity at all."""
        count = 0
        for week in reversed(self.weeks):
            if week.total:
                break
            count += 1
        return count


def _bucket(column: InstrumentedAttribute[datetime], weeks: Sequence[Week]) -> ColumnElement[int]:
    """The index of the week `column` falls in (callers keep it within the weeks' bounds)."""
    whens = [(column < week.end, index) for index, week in enumerate(weeks[:-1])]
    return case(*whens, else_=len(weeks) - 1) if whens else case(else_=0)


async def table(session: AsyncSession, weeks: Sequence[Week], viewer: Viewer) -> list[Row]:
    """Every active proeftuin (by name) with its activity in each of `weeks` (consecutive,
    oldest first)."""
    proeftuinen = (
        await session.scalars(
            select(Proeftuin).where(Proeftuin.archived_at.is_(None)).order_by(Proeftuin.name)
        )
    ).all()
    rows = {p.id: Row(p.id, p.name, [Activity() for _ in weeks]) for p in proeftuinen}
    if not weeks or not rows:
        return list(rows.values())
    start, end = weeks[0].start, weeks[-1].end
    shown = visible(viewer)

    def within(column: InstrumentedAttribute[datetime]) -> ColumnElement[bool]:
        return (column >= start) & (column < end)

    week = _bucket(Learning.created_at, weeks)
    answered = Learning.prompt_id.is_not(None)
    learnings = (
        select(Learning.proeftuin_id, week, answered, func.count())
        .where(within(Learning.created_at), shown)
        .group_by(Learning.proeftuin_id, week, answered)
    )
    for proeftuin_id, index, is_answer, count in (await session.execute(learnings)).all():
        if proeftuin_id in rows:
            rows[proeftuin_id].weeks[index].add("answers" if is_answer else "learnings", count)
    for model, kind in ((Recognition, "recognitions"), (Enrichment, "enrichments")):
        bucket = _bucket(model.created_at, weeks)
        query = (
            select(model.proeftuin_id, bucket, func.count())
            .join(Learning, Learning.id == model.learning_id)
            .where(within(model.created_at), shown)
            .group_by(model.proeftuin_id, bucket)
        )
        for proeftuin_id, index, count in (await session.execute(query)).all():
            if proeftuin_id in rows:
                rows[proeftuin_id].weeks[index].add(kind, count)
    return list(rows.values())


def quiet(rows: Sequence[Row], weeks: int) -> list[Row]:
    """The proeftuinen with no activity in each of the last `weeks` weeks of the table."""
    return [row for row in rows if weeks > 0 and row.quiet_weeks() >= weeks]
