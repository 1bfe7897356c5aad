"""Learnings (inzichten): every query that returns them applies the ring rule of its viewer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage import core
from storage.models import Learning, LearningTheme, Member, Proeftuin, Theme, utcnow
from storage.visibility import Viewer, visible

_learnings = Learning.metadata.tables[Learning.__tablename__]
_INSERT_LEARNING = insert(_learnings).returning(_learnings.c.id)
_INSERT_TAGS = insert(LearningTheme.metadata.tables[LearningTheme.__tablename__])


async def add(
    session: AsyncSession,
    *,
    text: str,
    proeftuin: Proeftuin,
    author: Member | None,
    ring: str,
    themes: Iterable[Theme] = (),
    platform: str = "console",
    channel_id: str | None = None,
    source_url: str | None = None,
    source_event_id: str | None = None,
    created_at: datetime | None = None,
    prompt_id: int | None = None,
) -> Learning:
    """Store a new learning with its themes (and the prompt it answers).

    Two Core inserts (the row, its tags) instead of an ORM flush: capture is the bot's busiest
    write. The returned learning is an ordinary model in the session, relations filled in."""
    tagged = list(themes)
    conn = await core.connection(session)  # flushes a new author or proeftuin first
    values = {
        "text": text,
        "author_id": author.id if author is not None else None,
        "proeftuin_id": proeftuin.id,
        "ring": ring,
        "platform": platform,
        "channel_id": channel_id,
        "source_url": source_url,
        "source_event_id": source_event_id,
        "created_at": created_at or utcnow(),
        "prompt_id": prompt_id,
        "consent_at": None,
        "published_at": None,
        "publish_requested_at": None,
        "author_public": False,
    }
    values["id"] = (await conn.execute(_INSERT_LEARNING, values)).scalar_one()
    if tagged:
        tags = [{"learning_id": values["id"], "theme_id": theme.id} for theme in tagged]
        await conn.execute(_INSERT_TAGS, tags)
    learning = core.attach(session, Learning, values)
    for relation, value in (
        ("proeftuin", proeftuin),
        ("author", author),
        ("themes", tagged),
        ("recognitions", []),
        ("enrichments", []),
    ):
        set_committed_value(learning, relation, value)
    return learning


async def by_source_event(session: AsyncSession, source_event_id: str) -> Learning | None:
    """The learning captured from a platform message, for idempotent capture (no ring rule:
    callers only use it to say 'already saved as #N')."""
    return await session.scalar(select(Learning).where(Learning.source_event_id == source_event_id))


def _visible(viewer: Viewer) -> Select[Learning]:
    return select(Learning).where(visible(viewer))


async def get_visible(session: AsyncSession, viewer: Viewer, learning_id: int) -> Learning | None:
    """Learning `learning_id` if `viewer` may see it."""
    return await session.scalar(_visible(viewer).where(Learning.id == learning_id))


async def get_own(session: AsyncSession, author_id: int, learning_id: int) -> Learning | None:
    """Learning `learning_id` if `author_id` wrote it (authors always reach their own words)."""
    return await session.scalar(
        select(Learning).where(Learning.id == learning_id, Learning.author_id == author_id)
    )


async def by_ids(session: AsyncSession, viewer: Viewer, ids: Sequence[int]) -> list[Learning]:
    """The visible learnings among `ids`, in the order given."""
    if not ids:
        return []
    rows = await session.scalars(_visible(viewer).where(Learning.id.in_(ids)))
    found = {row.id: row for row in rows}
    return [found[i] for i in ids if i in found]


async def list_visible(
    session: AsyncSession,
    viewer: Viewer,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    proeftuin_id: int | None = None,
    theme_id: int | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[Learning]:
    """Learnings `viewer` may see, optionally within [since, until), a proeftuin or a theme."""
    query = _visible(viewer)
    if since is not None:
        query = query.where(Learning.created_at >= since)
    if until is not None:
        query = query.where(Learning.created_at < until)
    if proeftuin_id is not None:
        query = query.where(Learning.proeftuin_id == proeftuin_id)
    if theme_id is not None:
        query = query.where(
            Learning.id.in_(
                select(LearningTheme.learning_id).where(LearningTheme.theme_id == theme_id)
            )
        )
    order = (
        (Learning.created_at.desc(), Learning.id.desc())
        if newest_first
        else (
            Learning.created_at,
            Learning.id,
        )
    )
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return list((await session.scalars(query)).unique().all())


async def of_author(session: AsyncSession, author_id: int) -> list[Learning]:
    """Everything a member wrote (their own data, for `mijn-gegevens`)."""
    result = await session.scalars(
        select(Learning).where(Learning.author_id == author_id).order_by(Learning.id)
    )
    return list(result.unique().all())


async def add_themes(
    session: AsyncSession, learning: Learning, themes: Iterable[Theme]
) -> list[Theme]:
    """Tag a learning; returns the themes that were newly added."""
    have = {t.id for t in learning.themes}
    added = [t for t in themes if t.id not in have]
    learning.themes = [*learning.themes, *added]
    await session.flush()
    return added


async def remove_themes(
    session: AsyncSession, learning: Learning, themes: Iterable[Theme]
) -> list[Theme]:
    """Untag a learning; returns the themes that were removed."""
    drop = {t.id for t in themes}
    removed = [t for t in learning.themes if t.id in drop]
    learning.themes = [t for t in learning.themes if t.id not in drop]
    await session.flush()
    return removed


async def delete_for_good(session: AsyncSession, learning: Learning) -> None:
    """Remove a learning; its theme links, recognitions and enrichments go with it."""
    await session.delete(learning)
    await session.flush()


async def count_all(session: AsyncSession) -> int:
    """How many learnings are stored (all rings; an operator figure)."""
    return int(await session.scalar(select(func.count()).select_from(Learning)) or 0)
