"""Themes: the cross-cutting subjects learnings are tagged with."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Learning, LearningTheme, Theme
from storage.visibility import Viewer, visible


async def list_all(session: AsyncSession) -> list[Theme]:
    """Every theme, by slug."""
    return list((await session.scalars(select(Theme).order_by(Theme.slug))).all())


async def by_slugs(session: AsyncSession, slugs: Iterable[str]) -> dict[str, Theme]:
    """The known themes among `slugs` (lower-case), keyed by slug."""
    wanted = {s.lower() for s in slugs}
    if not wanted:
        return {}
    result = await session.scalars(select(Theme).where(Theme.slug.in_(wanted)))
    return {t.slug: t for t in result.all()}


async def create(session: AsyncSession, slug: str, name: str, keywords: str = "") -> Theme:
    """Add a theme (the caller checks the slug is free)."""
    theme = Theme(slug=slug.lower(), name=name, keywords=keywords)
    session.add(theme)
    await session.flush()
    return theme


async def counts(session: AsyncSession, viewer: Viewer) -> list[tuple[Theme, int]]:
    """Every theme with the number of learnings tagged with it that `viewer` may see."""
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
        .order_by(Theme.slug)
    )
    return [(theme, int(n)) for theme, n in result.all()]
