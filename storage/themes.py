"""Themes: the cross-cutting subjects learnings are tagged with."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Follow, Learning, LearningTheme, Theme
from storage.visibility import Viewer, visible


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    """A theme as plain data, safe to keep between units of work."""

    id: int
    slug: str
    name: str
    keyword_list: tuple[str, ...]


CATALOGUE_TTL_SECONDS = 30.0
_catalogues: dict[str, tuple[float, list[ThemeInfo]]] = {}


def _database_key(session: AsyncSession) -> str:
    bind = session.get_bind()
    return str(bind.engine.url)


async def catalogue(session: AsyncSession) -> list[ThemeInfo]:
    """Every theme, cached per database for a short while: for suggestions and spelling hints,
    where a theme added by another process a few seconds ago may be missed."""
    key = _database_key(session)
    cached = _catalogues.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    rows = [t for t in await list_all(session) if t.archived_at is None]
    found = [ThemeInfo(t.id, t.slug, t.name, tuple(t.keyword_list)) for t in rows]
    _catalogues[key] = (time.monotonic() + CATALOGUE_TTL_SECONDS, found)
    return found


def forget_catalogue(session: AsyncSession) -> None:
    """Read the themes afresh next time (after one is added, renamed, merged or archived)."""
    _catalogues.pop(_database_key(session), None)


async def list_active(session: AsyncSession) -> list[Theme]:
    """Every theme not archived, by slug."""
    query = select(Theme).where(Theme.archived_at.is_(None)).order_by(Theme.slug)
    return list((await session.scalars(query)).all())


async def list_all(session: AsyncSession) -> list[Theme]:
    """Every theme, by slug."""
    return list((await session.scalars(select(Theme).order_by(Theme.slug))).all())


_BY_SLUGS = select(Theme).where(Theme.slug.in_(bindparam("slugs", expanding=True)))


async def by_slugs(session: AsyncSession, slugs: Iterable[str]) -> dict[str, Theme]:
    """The known themes among `slugs` (lower-case), keyed by slug."""
    wanted = {s.lower() for s in slugs}
    if not wanted:
        return {}
    result = await session.scalars(_BY_SLUGS, {"slugs": sorted(wanted)})
    return {t.slug: t for t in result.all()}


_BY_SLUGS_FOLLOWED = select(Theme, exists().where(Follow.theme_id == Theme.id)).where(
    Theme.slug.in_(bindparam("slugs", expanding=True))
)


async def by_slugs_followed(
    session: AsyncSession, slugs: Iterable[str]
) -> tuple[dict[str, Theme], set[int]]:
    """`by_slugs`, with the ids of those themes that anyone follows: a capture tells their
    followers, and most captures' themes have none (one statement for both questions)."""
    wanted = {s.lower() for s in slugs}
    if not wanted:
        return {}, set()
    rows = (await session.execute(_BY_SLUGS_FOLLOWED, {"slugs": sorted(wanted)})).all()
    found = {theme.slug: theme for theme, _ in rows}
    return found, {theme.id for theme, followed in rows if followed}


async def create(session: AsyncSession, slug: str, name: str, keywords: str = "") -> Theme:
    """Add a theme (the caller checks the slug is free)."""
    theme = Theme(slug=slug.lower(), name=name, keywords=keywords)
    session.add(theme)
    await session.flush()
    forget_catalogue(session)
    return theme


async def counts(session: AsyncSession, viewer: Viewer) -> list[tuple[Theme, int]]:
    """Every theme not archived, with the number of learnings tagged with it that `viewer`
    may see."""
    visible_count = (
        select(LearningTheme.theme_id, func.count().label("n"))
        .join(Learning, Learning.id == LearningTheme.learning_id)
        .where(visible(viewer))
        .group_by(LearningTheme.theme_id)
        .subquery()
    )
    result = await session.execute(
        select(Theme, func.coalesce(visible_count.c.n, 0))
        .outerjoin(visible_count, visible_count.c.theme_id == Theme.id)
        .where(Theme.archived_at.is_(None))
        .order_by(Theme.slug)
    )
    return [(theme, int(n)) for theme, n in result.all()]
