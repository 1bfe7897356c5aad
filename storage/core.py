"""Core statements inside an ORM unit of work, for the paths every command takes.

An ORM insert or flush costs several times what a prebuilt Core insert costs on the same
connection. The writes every command or capture makes (claiming the event, storing the
learning and its tags) therefore run as Core statements, and `attach` turns the stored values
into an ORM object in the session without a SELECT, so handlers keep working with ordinary
models. (Lookups stay ORM queries, built once at import: see storage.members._FIND.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from storage.models import Base

M = TypeVar("M", bound=Base)


async def connection(session: AsyncSession) -> AsyncConnection:
    """The session's connection, after flushing pending ORM changes (Core does not autoflush)."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await session.connection()


def attach(session: AsyncSession, model: type[M], values: Mapping[str, Any]) -> M:
    """The session's instance of `model` with these column values: the one already in the
    identity map, or a new persistent instance made from them without a query."""
    sync = session.sync_session
    existing = sync.identity_map.get(sync.identity_key(model, values["id"]))
    if existing is not None:
        return cast(M, existing)
    # As if loaded from a row: made without __init__ and its per-attribute events (a large
    # part of a capture's cost), then given its identity with nothing to flush.
    instance: M = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    sync.add(instance)
    return instance


def dialect_insert(dialect: str) -> Callable[..., Any]:
    """The `insert` of a backend's dialect, for its ON CONFLICT clauses. PostgreSQL's dialect
    is imported only when a PostgreSQL database is used: importing it costs the console on
    SQLite a noticeable part of its start-up."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert
