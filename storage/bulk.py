"""Reads and writes of the offline tools (`samen-bot demo`, `samen-bot seed`) that no command
needs: the demo's own learnings by their source, its first meeting and theme, and seed's batches
of synthetic learnings written in bulk on a synchronous connection (see `insert_batch`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, column, func, insert, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelLink, Learning, Meeting, Member, Proeftuin, Theme

# --- the demo ------------------------------------------------------------------------------


async def source_event_ids(session: AsyncSession, prefix: str) -> set[str]:
    """The source event ids starting with `prefix` that learnings already have."""
    rows = await session.scalars(
        select(Learning.source_event_id).where(Learning.source_event_id.like(f"{prefix}%"))
    )
    return {row for row in rows if row is not None}


async def first_meeting(session: AsyncSession) -> Meeting | None:
    """The earliest meeting, if there is any."""
    return await session.scalar(select(Meeting).order_by(Meeting.starts_at).limit(1))


async def first_theme(session: AsyncSession) -> Theme | None:
    """The first theme by slug, if there is any."""
    return await session.scalar(select(Theme).order_by(Theme.slug).limit(1))


# --- seed: synthetic learnings in bulk -----------------------------------------------------
#
# A batch holds the write lock (SQLite `BEGIN IMMEDIATE`; PostgreSQL a SHARE ROW EXCLUSIVE lock
# on `learnings`, which leaves reads alone) while it reserves its ids, so a bot capturing at the
# same time waits for one batch at most and never collides on an id; on PostgreSQL the id
# sequence is moved past the written rows. SQLite's FTS5 insert trigger would index row by row:
# inside the batch's transaction it is dropped, the batch is indexed with one INSERT … SELECT,
# and the trigger is recreated from its own stored definition (so it is exactly what the
# migration made); other connections never see the database without it.

FTS_TABLE = "learnings_fts"
FTS_INSERT_TRIGGER = "learnings_fts_ai"
FTS_TAG_TRIGGER = "learning_themes_fts_ai"

# Lightweight table constructs: no per-row type processing (timestamps come pre-formatted).
LEARNING_ROWS = table(
    "learnings",
    column("id"),
    column("text"),
    column("author_id"),
    column("proeftuin_id"),
    column("ring"),
    column("platform"),
    column("created_at"),
)
LEARNING_THEME_ROWS = table("learning_themes", column("learning_id"), column("theme_id"))


def ensure_programme(
    conn: Connection,
    now: datetime,
    sites: Sequence[tuple[str, str, str]],
    topics: Sequence[tuple[str, str, str]],
) -> bool:
    """Create these proeftuinen (name, platform, channel) with their channel when there are no
    proeftuinen, and these themes (slug, name, keywords) when there are no themes; returns
    whether anything was created."""
    created = False
    with conn.begin():
        if not conn.execute(select(func.count()).select_from(Proeftuin)).scalar_one():
            conn.execute(
                insert(Proeftuin), [{"name": name, "created_at": now} for name, _, _ in sites]
            )
            ids = dict(conn.execute(select(Proeftuin.name, Proeftuin.id)).all())
            conn.execute(
                insert(ChannelLink),
                [
                    {
                        "platform": platform,
                        "channel_id": channel,
                        "proeftuin_id": ids[name],
                        "created_at": now,
                    }
                    for name, platform, channel in sites
                ],
            )
            created = True
        if not conn.execute(select(func.count()).select_from(Theme)).scalar_one():
            conn.execute(
                insert(Theme),
                [
                    {"slug": slug, "name": name, "keywords": keywords, "created_at": now}
                    for slug, name, keywords in topics
                ],
            )
            created = True
    return created


def programme_ids(conn: Connection) -> tuple[list[int], dict[int, str], list[int]]:
    """Every proeftuin id, every theme's id with its slug, and every member id, by id."""
    proeftuin_ids = list(conn.scalars(select(Proeftuin.id).order_by(Proeftuin.id)))
    slugs = dict(conn.execute(select(Theme.id, Theme.slug).order_by(Theme.id)).all())
    member_ids = list(conn.scalars(select(Member.id).order_by(Member.id)))
    return proeftuin_ids, slugs, member_ids


def count_learnings(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(LEARNING_ROWS)).scalar_one())


@contextmanager
def batch_transaction(conn: Connection) -> Iterator[None]:
    """One batch's transaction holding the write lock; on SQLite `BEGIN IMMEDIATE` (the
    connection must be in AUTOCOMMIT mode), so DDL and the id reservation are in it."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")
        return
    with conn.begin():
        conn.exec_driver_sql("LOCK TABLE learnings IN SHARE ROW EXCLUSIVE MODE")
        yield


def next_learning_id(conn: Connection) -> int:
    """The first free learning id (inside `batch_transaction`): never one given before."""
    highest = int(conn.execute(select(func.coalesce(func.max(LEARNING_ROWS.c.id), 0))).scalar_one())
    if conn.dialect.name == "postgresql":
        sequence = conn.exec_driver_sql(
            "SELECT pg_get_serial_sequence('learnings', 'id')"
        ).scalar_one()
        if sequence:
            last, called = conn.exec_driver_sql(
                f"SELECT last_value, is_called FROM {sequence}"
            ).one()
            highest = max(highest, int(last) if called else int(last) - 1)
    elif conn.dialect.name == "sqlite":  # numbers of withdrawn learnings are not given again
        given = conn.exec_driver_sql(
            "SELECT seq FROM sqlite_sequence WHERE name = 'learnings'"
        ).scalar()
        highest = max(highest, int(given or 0))
    return highest + 1


def fts_trigger_sql(conn: Connection) -> str | None:
    """The stored definition of the FTS5 insert trigger (SQLite), None when there is none."""
    if conn.dialect.name != "sqlite":
        return None
    return conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
        (FTS_INSERT_TRIGGER,),
    ).scalar()


def insert_batch(
    conn: Connection,
    rows: Sequence[dict[str, Any]],
    tags: Sequence[dict[str, Any]],
    trigger_sql: str | None,
) -> None:
    """Write one batch (inside `batch_transaction`, ids from `next_learning_id` on): the
    learnings, their theme links, their full-text entries, and the id sequence past them."""
    if not rows:
        return
    tag_trigger_sql = None
    if trigger_sql:
        # The theme links' trigger re-indexes a learning per link (revision 0006): off too.
        tag_trigger_sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            (FTS_TAG_TRIGGER,),
        ).scalar()
        conn.exec_driver_sql(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
        if tag_trigger_sql:
            conn.exec_driver_sql(f"DROP TRIGGER {FTS_TAG_TRIGGER}")
    conn.execute(insert(LEARNING_ROWS), list(rows))
    if tags:
        conn.execute(insert(LEARNING_THEME_ROWS), list(tags))
    first, last = rows[0]["id"], rows[-1]["id"]
    if trigger_sql:
        conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}(rowid, text, facets) "
            "SELECT id, samen_stem(text), samen_facets(proeftuin_id, (SELECT group_concat(theme_id)"
            " FROM learning_themes WHERE learning_id = learnings.id))"
            " FROM learnings WHERE id BETWEEN ? AND ?",
            (first, last),
        )
        conn.exec_driver_sql(trigger_sql)
        if tag_trigger_sql:
            conn.exec_driver_sql(tag_trigger_sql)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('learnings', 'id'), %(last)s)",
            {"last": last},
        )
