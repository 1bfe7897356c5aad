"""Reads of the offline exports (`samen-bot export`, the kennisbank): learnings a viewer may see,
streamed in keyset-paged batches over one read transaction, each batch with its themes,
recognitions and enrichments fetched per batch of ids; and the participation per proeftuin and
moment. The ring rule is storage.visibility's; what of a batch a reader may see beyond that (a
public export shows no names) is the caller's decision."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, literal, null, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.db import Database
from storage.models import Learning, LearningTheme, Member, Proeftuin, Theme
from storage.rings import EnrichmentNote, enrichments_of, recognisers_of
from storage.visibility import Viewer, visible


@dataclass(frozen=True, slots=True)
class Batch:
    """One batch of learnings (rows with id, text, proeftuin, ring, author, created_at,
    source_url, prompt_id, meeting_id) and, per learning id, its theme slugs, the names of the
    proeftuinen that recognised it and its enrichments."""

    rows: Sequence[Row[Any]]
    slugs: dict[int, list[str]]
    recognisers: dict[int, list[str]]
    notes: dict[int, list[EnrichmentNote]]


def _query(viewer: Viewer, public: bool) -> Select[Any]:
    author: ColumnElement[Any] = Member.display_name.expression
    source_url: ColumnElement[Any] = Learning.source_url.expression
    if public:
        # The public view names only authors who chose so and have a name (a member without
        # one is shown by platform id), and never links into the private workspace.
        chose = and_(Learning.author_public.is_(True), Member.display_name != Member.user_id)
        author = case((chose, Member.display_name), else_=null())
        source_url = null()
    return (
        select(
            Learning.id,
            Learning.text,
            Proeftuin.name.label("proeftuin"),
            Learning.ring,
            author.label("author"),
            Learning.created_at,
            source_url.label("source_url"),
            Learning.prompt_id,
            Learning.meeting_id,
        )
        .join(Proeftuin, Proeftuin.id == Learning.proeftuin_id)
        .outerjoin(Member, Member.id == Learning.author_id)
        .where(visible(viewer))
    )


async def themes_of(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, list[str]]:
    """Per learning of `ids`, its theme slugs in order."""
    result = await conn.execute(
        select(LearningTheme.learning_id, Theme.slug)
        .join(Theme, Theme.id == LearningTheme.theme_id)
        .where(LearningTheme.learning_id.in_(ids))
        .order_by(LearningTheme.learning_id, Theme.slug)
    )
    slugs: dict[int, list[str]] = {}
    for learning_id, slug in result:
        slugs.setdefault(learning_id, []).append(slug)
    return slugs


async def learning_batches(
    database: Database,
    viewer: Viewer,
    *,
    public: bool,
    by_time: bool,
    batch_size: int,
) -> AsyncIterator[Batch]:
    """The learnings `viewer` may see, by number or by time, in batches of `batch_size`;
    `public`: authors only when they chose to be named, no source links."""
    base = _query(viewer, public)
    order = (Learning.created_at, Learning.id) if by_time else (Learning.id,)
    after: tuple[Any, ...] | None = None
    async with database.reader.connect() as conn, conn.begin():
        while True:
            query = base.order_by(*order).limit(batch_size)
            if after is not None:  # keyset paging: strictly after the last row written
                bounds = (literal(v, c.type) for c, v in zip(order, after, strict=True))
                query = query.where(tuple_(*order) > tuple_(*bounds))
            rows = (await conn.execute(query)).all()
            if not rows:
                return
            ids = [row.id for row in rows]
            yield Batch(
                rows=rows,
                slugs=await themes_of(conn, ids),
                recognisers=await recognisers_of(conn, ids),
                notes=await enrichments_of(conn, ids),
            )
            last = rows[-1]
            after = (last.created_at, last.id) if by_time else (last.id,)
            if len(rows) < batch_size:
                return


async def learning_moments(
    session: AsyncSession, *, batch_size: int = 50_000
) -> AsyncIterator[tuple[int, datetime]]:
    """(proeftuin id, created_at) of every learning, streamed: participation counts need no
    more."""
    stream = await session.stream(
        select(Learning.proeftuin_id, Learning.created_at)
        .join(Proeftuin, Proeftuin.id == Learning.proeftuin_id)
        .execution_options(yield_per=batch_size)
    )
    async for proeftuin_id, created_at in stream:
        yield proeftuin_id, created_at
