"""Numbers of learnings, meetings and prompts are never handed out twice, on both backends:
people quote them (`intrekken 93`, `ja 4`), and the effect ledger's keys carry them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select

from storage.db import Database
from storage.models import Base, Learning, Meeting, Proeftuin, Prompt

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _new(kind: type[Base], proeftuin_id: int, n: int) -> Base:
    if kind is Learning:
        return Learning(text=f"Les {n}", proeftuin_id=proeftuin_id, ring="kenniskring")
    if kind is Meeting:
        return Meeting(title=f"Kring {n}", starts_at=NOW, platform="console", channel_id="c")
    return Prompt(question=f"Vraag {n}?")


@pytest.mark.parametrize("kind", [Learning, Meeting, Prompt], ids=lambda k: k.__tablename__)
async def test_the_newest_number_is_not_reused_after_a_delete(
    database: Database, kind: type[Base]
) -> None:
    async with database.unit_of_work() as session:
        proeftuin = Proeftuin(name="A")
        session.add(proeftuin)
        await session.flush()
        rows = [_new(kind, proeftuin.id, n) for n in range(3)]
        session.add_all(rows)
        await session.flush()
        ids = [row.id for row in rows]  # type: ignore[attr-defined]
    table = Base.metadata.tables[kind.__tablename__]
    async with database.unit_of_work() as session:
        await session.execute(delete(table).where(table.c.id.in_(ids[1:])))
    async with database.unit_of_work() as session:
        again = _new(kind, proeftuin.id, 9)
        session.add(again)
        await session.flush()
        assert again.id > max(ids)  # type: ignore[attr-defined]


async def test_seeding_after_a_withdrawal_does_not_reuse_its_number(
    database: Database, migrated_url: str
) -> None:
    """`samen-bot seed` picks its own numbers for speed: above every number ever given."""
    from bot.tools.seed import seed_learnings  # the offline tool, run beside the bot

    async with database.unit_of_work() as session:
        proeftuin = Proeftuin(name="A")
        session.add(proeftuin)
        await session.flush()
        rows = [_new(Learning, proeftuin.id, n) for n in range(3)]
        session.add_all(rows)
        await session.flush()
        newest = max(row.id for row in rows)  # type: ignore[attr-defined]
    async with database.unit_of_work() as session:
        await session.execute(delete(Learning).where(Learning.id == newest))
    await asyncio.to_thread(seed_learnings, migrated_url, 2, now=NOW)
    async with database.unit_of_work() as session:
        ids = list(await session.scalars(select(Learning.id).where(Learning.id > newest - 1)))
    assert len(ids) == 2 and min(ids) > newest, (newest, ids)
