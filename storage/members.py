"""Members: people as known per platform, and erasing them on request."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Learning, Member


async def find(session: AsyncSession, platform: str, user_id: str) -> Member | None:
    """The member with this platform id, if known."""
    return await session.scalar(
        select(Member).where(Member.platform == platform, Member.user_id == user_id)
    )


async def upsert(
    session: AsyncSession,
    platform: str,
    user_id: str,
    display_name: str,
    role: str,
    *,
    keep_role: bool = False,
) -> Member:
    """The member for this platform id, created or updated with the latest name and role
    (`keep_role` leaves a known member's role alone, for people met only as authors)."""
    member = await find(session, platform, user_id)
    if member is None:
        member = Member(
            platform=platform, user_id=user_id, display_name=display_name or user_id, role=role
        )
        session.add(member)
        await session.flush()
        return member
    if display_name and member.display_name != display_name:
        member.display_name = display_name
    if member.role != role and not keep_role:
        member.role = role
    return member


async def forget(session: AsyncSession, member: Member) -> int:
    """Erase a member: their learnings stay, anonymised. Returns how many were anonymised."""
    result = await session.execute(
        update(Learning).where(Learning.author_id == member.id).values(author_id=None)
    )
    await session.delete(member)
    await session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
