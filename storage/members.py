"""Members: people as known per platform, and erasing them on request."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storage import core, erasure
from storage.models import Member, utcnow

# Every command asks who is speaking: a statement built once skips building and keying a new
# one each time (most of what a query costs here).
_FIND = select(Member).where(
    Member.platform == bindparam("platform"), Member.user_id == bindparam("user_id")
)


async def find(session: AsyncSession, platform: str, user_id: str) -> Member | None:
    """The member with this platform id, if known."""
    return await session.scalar(_FIND, {"platform": platform, "user_id": user_id})


_FIND_MANY = select(Member).where(
    tuple_(Member.platform, Member.user_id).in_(bindparam("keys", expanding=True))
)


async def find_many(
    session: AsyncSession, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Member]:
    """The known members among these (platform, user id) pairs, keyed by that pair."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    found = await session.scalars(_FIND_MANY, {"keys": wanted})
    return {(m.platform, m.user_id): m for m in found.all()}


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
        # INSERT … ON CONFLICT DO NOTHING: a person's first commands may arrive in parallel
        # (several processes, PostgreSQL); the loser simply reads the winner's row.
        insert = core.dialect_insert(session.get_bind().dialect.name)
        await session.execute(
            insert(Member)
            .values(
                platform=platform,
                user_id=user_id,
                display_name=display_name or user_id,
                role=role,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["platform", "user_id"])
        )
        found = await find(session, platform, user_id)
        assert found is not None
        erasure.note_new(session, found.id)
        return found
    if display_name and member.display_name != display_name:
        member.display_name = display_name
    if member.role != role and not keep_role:
        member.role = role
    return member


async def forget(session: AsyncSession, member: Member) -> erasure.Erased:
    """Erase a member (see storage.erasure.erase): their learnings stay, anonymised."""
    return await erasure.erase(session, member)
