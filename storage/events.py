"""The ledger of handled platform deliveries: a retry of the same event is handled once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HandledEvent, utcnow


async def claim(session: AsyncSession, key: str) -> bool:
    """Record `key` as handled in this unit of work; False when it was handled already.

    Call it first in a unit of work: the row commits together with the handler's effects, so
    a failed handler releases the claim and a retry can succeed, while two parallel deliveries
    cannot both win (the loser's insert fails on the primary key and its unit is rolled back).
    """
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    try:
        won = await session.scalar(
            insert(HandledEvent)
            .values(key=key, handled_at=utcnow())
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(HandledEvent.key)
        )
    except IntegrityError:
        await session.rollback()
        return False
    return won is not None


async def is_handled(session: AsyncSession, key: str) -> bool:
    """Whether `key` has been claimed and committed."""
    return await session.scalar(select(HandledEvent.key).where(HandledEvent.key == key)) is not None
