"""Keeping the programme's own lists tidy: renaming, merging and archiving proeftuinen and
themes. Everything that hangs on a merged row moves to the one it is merged into; nothing is
lost, nothing counted twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import themes
from storage.models import (
    ChannelLink,
    Enrichment,
    Follow,
    Learning,
    LearningTheme,
    Meeting,
    Proeftuin,
    Prompt,
    PromptPost,
    Recognition,
    Theme,
)


async def rename_proeftuin(session: AsyncSession, proeftuin: Proeftuin, name: str) -> None:
    """Give a proeftuin a new name (the caller checks no other has it)."""
    proeftuin.name = name
    await session.flush()


async def rename_theme(session: AsyncSession, theme: Theme, slug: str, name: str) -> None:
    """Give a theme a new slug and name (the caller checks the slug is free)."""
    theme.slug = slug
    theme.name = name
    await session.flush()
    themes.forget_catalogue(session)


async def set_archived(
    session: AsyncSession, row: Proeftuin | Theme, when: datetime | None
) -> None:
    """Archive a proeftuin or theme (`when`), or make it active again (None)."""
    row.archived_at = when
    await session.flush()
    if isinstance(row, Theme):
        themes.forget_catalogue(session)


async def merge_proeftuinen(session: AsyncSession, source: Proeftuin, target: Proeftuin) -> int:
    """Move everything of `source` to `target` and remove `source`; returns how many learnings
    moved. A recognition that `target` already made, or that would be of its own learning now,
    is dropped (a proeftuin does not recognise itself, nor twice)."""
    moved = await session.execute(
        update(Learning).where(Learning.proeftuin_id == source.id).values(proeftuin_id=target.id)
    )
    mine = select(Learning.id).where(Learning.proeftuin_id == target.id)
    twice = aliased(Recognition)
    await session.execute(
        delete(Recognition).where(
            Recognition.proeftuin_id.in_((source.id, target.id)),
            Recognition.learning_id.in_(mine),
        )
    )
    await session.execute(
        delete(Recognition).where(
            Recognition.proeftuin_id == source.id,
            exists().where(
                twice.learning_id == Recognition.learning_id, twice.proeftuin_id == target.id
            ),
        )
    )
    for table in (Recognition, Enrichment, ChannelLink, PromptPost):
        await session.execute(
            update(table).where(table.proeftuin_id == source.id).values(proeftuin_id=target.id)
        )
    for nullable in (Prompt, Meeting, Follow):
        await session.execute(
            update(nullable)
            .where(nullable.proeftuin_id == source.id)
            .values(proeftuin_id=target.id)
        )
    await session.delete(source)
    await session.flush()
    session.expire_all()
    return int(moved.rowcount or 0)  # type: ignore[attr-defined]


async def merge_themes(session: AsyncSession, source: Theme, target: Theme) -> int:
    """Tag every learning of `source` with `target`, move its followers and meetings, add its
    keywords to `target`'s, and remove `source`; returns how many learnings it tagged."""
    tagged_target = select(LearningTheme.learning_id).where(LearningTheme.theme_id == target.id)
    to_tag = list(
        await session.scalars(
            select(LearningTheme.learning_id).where(
                LearningTheme.theme_id == source.id,
                LearningTheme.learning_id.not_in(tagged_target),
            )
        )
    )
    if to_tag:
        session.add_all(LearningTheme(learning_id=i, theme_id=target.id) for i in to_tag)
    following = select(Follow.member_id).where(Follow.theme_id == target.id)
    await session.execute(
        delete(Follow).where(Follow.theme_id == source.id, Follow.member_id.in_(following))
    )
    await session.execute(
        update(Follow).where(Follow.theme_id == source.id).values(theme_id=target.id)
    )
    await session.execute(
        update(Meeting).where(Meeting.theme_id == source.id).values(theme_id=target.id)
    )
    keywords = list(dict.fromkeys([*target.keyword_list, *source.keyword_list]))
    target.keywords = ", ".join(keywords)
    await session.flush()
    await session.execute(delete(LearningTheme).where(LearningTheme.theme_id == source.id))
    await session.delete(source)
    await session.flush()
    session.expire_all()
    themes.forget_catalogue(session)
    return len(to_tag)
