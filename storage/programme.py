"""The programme's structure as a whole: what `samen-bot init` reads and changes (proeftuinen with
their default ring and channels, themes with their names and keywords). Single rows are found
and created with the repositories of their own (storage.proeftuinen, storage.themes,
storage.members); what is here changes or lists them for a whole programme at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import themes
from storage.models import ChannelLink, Proeftuin, Theme


def keywords_text(keywords: list[str] | tuple[str, ...]) -> str:
    """Keywords as the theme's column keeps them: lower case, comma-separated."""
    return ", ".join(k.strip().lower() for k in keywords if k.strip())


async def set_theme_details(
    session: AsyncSession, theme: Theme, name: str, keywords: list[str] | tuple[str, ...]
) -> bool:
    """Give `theme` this name and these keywords; returns whether anything changed."""
    text = keywords_text(keywords)
    if theme.name == name and theme.keyword_list == [k.strip().lower() for k in keywords]:
        return False
    theme.name = name
    theme.keywords = text
    await session.flush()
    # The suggestion catalogue of storage.themes is cached per database: drop it, as
    # themes.create does, so this process suggests the new words at once.
    themes._catalogues.pop(themes._database_key(session), None)
    return True


async def set_default_ring(session: AsyncSession, proeftuin: Proeftuin, ring: str | None) -> bool:
    """Give `proeftuin` its own default ring (None: the programme's); returns whether it
    changed."""
    if proeftuin.default_ring == ring:
        return False
    proeftuin.default_ring = ring
    await session.flush()
    return True


async def channel_links(session: AsyncSession) -> dict[tuple[str, str], str]:
    """Every linked channel (platform, channel id) with the name of its proeftuin."""
    rows = await session.execute(
        select(ChannelLink.platform, ChannelLink.channel_id, Proeftuin.name).join(
            Proeftuin, Proeftuin.id == ChannelLink.proeftuin_id
        )
    )
    return {(platform, channel): name for platform, channel, name in rows.all()}


async def structure(
    session: AsyncSession,
) -> tuple[list[tuple[Proeftuin, list[tuple[str, str]]]], list[Theme]]:
    """The programme as stored: every proeftuin (by name) with its channels, and every theme
    (by slug)."""
    places = await session.execute(
        select(ChannelLink.proeftuin_id, ChannelLink.platform, ChannelLink.channel_id).order_by(
            ChannelLink.platform, ChannelLink.channel_id
        )
    )
    by_proeftuin: dict[int, list[tuple[str, str]]] = {}
    for proeftuin_id, platform, channel in places.all():
        by_proeftuin.setdefault(proeftuin_id, []).append((platform, channel))
    sites = (await session.scalars(select(Proeftuin).order_by(Proeftuin.name))).all()
    every_theme = (await session.scalars(select(Theme).order_by(Theme.slug))).all()
    return [(site, by_proeftuin.get(site.id, [])) for site in sites], list(every_theme)
