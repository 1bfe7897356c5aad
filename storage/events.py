"""The ledger of handled platform deliveries: a retry of the same event is handled once."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from storage import core
from storage.models import HandledEvent, utcnow

_table = HandledEvent.metadata.tables[HandledEvent.__tablename__]
# Built once per dialect: every command runs it, and a prebuilt statement skips the work of
# building and keying a new one.
_CLAIMS: dict[str, ReturningInsert[tuple[str]]] = {
    name: insert(_table)
    .values(key=bindparam("key"), handled_at=bindparam("handled_at"))
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(_table.c.key)
    for name, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
}


async def claim(session: AsyncSession, key: str) -> bool:
    """Record `key` as handled in this unit of work; False when it was handled already.

    Call it first in a unit of work: the row commits together with the handler's effects, so
    a failed handler releases the claim and a retry can succeed, while two parallel deliveries
    cannot both win (the loser's insert fails on the primary key and its unit is rolled back).
    """
    conn = await core.connection(session)
    try:
        result = await conn.execute(
            _CLAIMS[conn.dialect.name], {"key": key, "handled_at": utcnow()}
        )
        won = result.scalar()
    except IntegrityError:
        await session.rollback()
        return False
    return won is not None


async def is_handled(session: AsyncSession, key: str) -> bool:
    """Whether `key` has been claimed and committed."""
    return await session.scalar(select(HandledEvent.key).where(HandledEvent.key == key)) is not None
