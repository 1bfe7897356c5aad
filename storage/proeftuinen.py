"""Proeftuinen and the channels linked to them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelLink, Proeftuin

# Every command asks where it was said: built once (see storage.members._FIND).
_FOR_CHANNEL = (
    select(Proeftuin)
    .join(ChannelLink, ChannelLink.proeftuin_id == Proeftuin.id)
    .where(
        ChannelLink.platform == bindparam("platform"),
        ChannelLink.channel_id == bindparam("channel"),
    )
)

_FOR_CHANNELS = (
    select(ChannelLink.platform, ChannelLink.channel_id, Proeftuin)
    .join(Proeftuin, ChannelLink.proeftuin_id == Proeftuin.id)
    .where(
        tuple_(ChannelLink.platform, ChannelLink.channel_id).in_(
            bindparam("places", expanding=True)
        )
    )
)


async def find_by_name(session: AsyncSession, name: str) -> Proeftuin | None:
    """The proeftuin whose name matches, ignoring case."""
    result = await session.execute(
        select(Proeftuin).where(func.lower(Proeftuin.name) == name.strip().lower())
    )
    return result.scalar_one_or_none()


async def get_or_create(session: AsyncSession, name: str) -> tuple[Proeftuin, bool]:
    """The proeftuin called `name`, created when new; the flag says whether it was created."""
    existing = await find_by_name(session, name)
    if existing is not None:
        return existing, False
    proeftuin = Proeftuin(name=name.strip())
    session.add(proeftuin)
    await session.flush()
    return proeftuin, True


async def list_active(session: AsyncSession) -> list[Proeftuin]:
    """Every proeftuin not archived, by name."""
    query = select(Proeftuin).where(Proeftuin.archived_at.is_(None)).order_by(Proeftuin.name)
    return list((await session.scalars(query)).all())


async def list_all(session: AsyncSession) -> list[Proeftuin]:
    """Every proeftuin, by name."""
    return list((await session.scalars(select(Proeftuin).order_by(Proeftuin.name))).all())


async def for_channel(session: AsyncSession, platform: str, channel_id: str) -> Proeftuin | None:
    """The proeftuin a channel is linked to, if any."""
    params = {"platform": platform, "channel": channel_id}
    return await session.scalar(_FOR_CHANNEL, params)


async def for_channels(
    session: AsyncSession, places: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Proeftuin]:
    """The proeftuinen of these (platform, channel id) pairs, for the linked ones."""
    wanted = sorted(set(places))
    if not wanted:
        return {}
    rows = await session.execute(_FOR_CHANNELS, {"places": wanted})
    return {(platform, channel): proeftuin for platform, channel, proeftuin in rows.all()}


async def link_channel(
    session: AsyncSession, platform: str, channel_id: str, proeftuin: Proeftuin
) -> Proeftuin | None:
    """Link a channel to `proeftuin`; returns the proeftuin it was linked to before, if another."""
    link = await session.scalar(
        select(ChannelLink).where(
            ChannelLink.platform == platform, ChannelLink.channel_id == channel_id
        )
    )
    if link is None:
        session.add(ChannelLink(platform=platform, channel_id=channel_id, proeftuin=proeftuin))
        await session.flush()
        return None
    previous = await session.get(Proeftuin, link.proeftuin_id)
    link.proeftuin_id = proeftuin.id
    await session.flush()
    return previous if previous is not None and previous.id != proeftuin.id else None
