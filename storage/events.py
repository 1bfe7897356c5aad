"""The ledger of handled platform deliveries: a retry of the same event is handled once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HandledEvent


async def claim(session: AsyncSession, key: str) -> bool:
    """Record `key` as handled in this unit of work; False when it was handled already.

    Call it first in a unit of work: the row commits together with the handler's effects, so
    a failed handler releases the claim and a retry can succeed, while two parallel deliveries
    cannot both win (the loser's insert fails on the primary key and its unit is rolled back).
    """
    if await session.get(HandledEvent, key) is not None:
        return False
    session.add(HandledEvent(key=key))
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def is_handled(session: AsyncSession, key: str) -> bool:
    """Whether `key` has been claimed and committed."""
    return await session.scalar(select(HandledEvent.key).where(HandledEvent.key == key)) is not None
