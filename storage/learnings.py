"""Learnings (inzichten): every query that returns them applies the ring rule of its viewer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage import core
from storage.models import Learning, LearningTheme, Member, Proeftuin, Theme, utcnow
from storage.visibility import Viewer, visible

_learnings = Learning.metadata.tables[Learning.__tablename__]
# Ids must be matched to their rows. Rows with distinct source event ids (every delivered
# capture) return them with their ids: one statement for a whole batch, on every backend.
# Other rows ask for RETURNING in parameter order, which SQLAlchemy does row by row on SQLite.
_INSERT_KEYED = insert(_learnings).returning(_learnings.c.id, _learnings.c.source_event_id)
_INSERT_ORDERED = insert(_learnings).returning(_learnings.c.id, sort_by_parameter_order=True)
_INSERT_TAGS = insert(LearningTheme.metadata.tables[LearningTheme.__tablename__])


@dataclass(slots=True)
class NewLearning:
    """What a new learning is made of, for `add_many`."""

    text: str
    proeftuin: Proeftuin
    author: Member | None
    ring: str
    themes: Sequence[Theme] = ()
    platform: str = "console"
    channel_id: str | None = None
    source_url: str | None = None
    source_event_id: str | None = None
    created_at: datetime | None = None
    prompt_id: int | None = None


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
    """Store a new learning with its themes (and the prompt it answers)."""
    new = NewLearning(
        text=text,
        proeftuin=proeftuin,
        author=author,
        ring=ring,
        themes=list(themes),
        platform=platform,
        channel_id=channel_id,
        source_url=source_url,
        source_event_id=source_event_id,
        created_at=created_at,
        prompt_id=prompt_id,
    )
    return (await add_many(session, [new]))[0]


async def add_many(session: AsyncSession, new: Sequence[NewLearning]) -> list[Learning]:
    """Store new learnings with their themes, in the order given.

    One Core insert for the rows and one for their tags, instead of an ORM flush: capture is
    the bot's busiest write, and a batch of captures shares both statements. The returned
    learnings are ordinary models in the session, relations filled in."""
    if not new:
        return []
    conn = await core.connection(session)  # flushes a new author or proeftuin first
    rows = [
        {
            "text": item.text,
            "author_id": item.author.id if item.author is not None else None,
            "proeftuin_id": item.proeftuin.id,
            "ring": item.ring,
            "platform": item.platform,
            "channel_id": item.channel_id,
            "source_url": item.source_url,
            "source_event_id": item.source_event_id,
            "created_at": item.created_at or utcnow(),
            "prompt_id": item.prompt_id,
            "consent_at": None,
            "published_at": None,
            "publish_requested_at": None,
            "author_public": False,
        }
        for item in new
    ]
    keys = [row["source_event_id"] for row in rows]
    if None not in keys and len(set(keys)) == len(keys):
        by_key = dict((key, id_) for id_, key in await conn.execute(_INSERT_KEYED, rows))
        ids = [by_key[key] for key in keys]
    else:
        ids = list((await conn.execute(_INSERT_ORDERED, rows)).scalars())
    tags = []
    for row, learning_id, item in zip(rows, ids, new, strict=True):
        row["id"] = learning_id
        tags += [{"learning_id": learning_id, "theme_id": theme.id} for theme in item.themes]
    if tags:
        await conn.execute(_INSERT_TAGS, tags)
    stored = []
    for row, item in zip(rows, new, strict=True):
        learning = core.attach(session, Learning, row)
        for relation, value in (
            ("proeftuin", item.proeftuin),
            ("author", item.author),
            ("themes", list(item.themes)),
            ("recognitions", []),
            ("enrichments", []),
        ):
            set_committed_value(learning, relation, value)
        stored.append(learning)
    return stored


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


async def count_for(session: AsyncSession, row: Proeftuin | Theme) -> int:
    """How many learnings a proeftuin holds, or a theme is on (every ring)."""
    if isinstance(row, Theme):
        query = select(func.count()).where(LearningTheme.theme_id == row.id)
    else:
        query = select(func.count()).where(Learning.proeftuin_id == row.id)
    return int(await session.scalar(query) or 0)
