"""The ledger of handled platform deliveries: a retry of the same event is handled once."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from storage import core
from storage.models import HandledEvent, utcnow

_table = HandledEvent.metadata.tables[HandledEvent.__tablename__]


@cache
def _claim_statement(dialect: str) -> ReturningInsert[tuple[str]]:
    """Built once per dialect: every command runs it, and a prebuilt statement skips the work
    of building and keying a new one."""
    statement: ReturningInsert[tuple[str]] = (
        core.dialect_insert(dialect)(_table)
        .values(key=bindparam("key"), handled_at=bindparam("handled_at"))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(_table.c.key)
    )
    return statement


async def claim(session: AsyncSession, key: str) -> bool:
    """Record `key` as handled in this unit of work; False when it was handled already.

    Call it first in a unit of work: the row commits together with the handler's effects, so
    a failed handler releases the claim and a retry can succeed, while two parallel deliveries
    cannot both win (the loser's insert fails on the primary key and its unit is rolled back).
    """
    conn = await core.connection(session)
    try:
        result = await conn.execute(
            _claim_statement(conn.dialect.name), {"key": key, "handled_at": utcnow()}
        )
        won = result.scalar()
    except IntegrityError:
        await session.rollback()
        return False
    return won is not None


async def claim_many(session: AsyncSession, keys: list[str]) -> set[str]:
    """Claim several distinct keys at once (one statement); returns those this unit won.

    The same rules as `claim`: the rows commit with the unit's effects. Keys are claimed in
    sorted order, so two processes claiming overlapping sets wait for each other instead of
    deadlocking."""
    if not keys:
        return set()
    assert len(set(keys)) == len(keys), "claim_many needs distinct keys"
    conn = await core.connection(session)
    now = utcnow()
    result = await conn.execute(
        _claim_statement(conn.dialect.name),
        [{"key": key, "handled_at": now} for key in sorted(keys)],
    )
    return {str(row[0]) for row in result.all()}


async def is_handled(session: AsyncSession, key: str) -> bool:
    """Whether `key` has been claimed and committed."""
    return await session.scalar(select(HandledEvent.key).where(HandledEvent.key == key)) is not None


async def prune(session: AsyncSession, before: datetime, keep: tuple[str, ...] = ()) -> int:
    """Delete the deliveries handled before `before` (a platform re-delivers for minutes, not
    weeks); keys starting with one of `keep` stay. Returns how many rows went."""
    statement = delete(HandledEvent).where(HandledEvent.handled_at < before)
    for prefix in keep:
        statement = statement.where(HandledEvent.key.not_like(f"{prefix}%"))
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
