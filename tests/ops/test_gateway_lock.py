"""The Discord gateway lock: one holder on PostgreSQL, a takeover when the holder's session
ends, standing by again when the lock connection breaks; on SQLite the process holds it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.ops.gateway_lock import AdvisoryLock, GatewayGuard
from storage.db import make_async_engine


class FakeDiscord:
    """Stands in for DiscordService: counts starts and stops."""

    name = "discord"

    def __init__(self) -> None:
        self.starts = 0
        self.stops = 0
        self.client = None

    @property
    def connected(self) -> bool:
        return self.starts > self.stops

    async def start(self) -> None:
        self.starts += 1

    async def stop(self) -> None:
        self.stops += 1


async def until(condition: object, timeout: float = 5.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if callable(condition) and condition():
            return True
        await asyncio.sleep(0.02)
    return False


async def kill_lock_sessions(url: str) -> int:
    """End the database sessions holding advisory locks in this database, as a dead process's
    session ends."""
    engine = make_async_engine(url)
    try:
        async with engine.connect() as conn:
            ended = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            )
            return len(ended.all())
    finally:
        await engine.dispose()


async def test_on_sqlite_a_file_lock_keeps_one_holder(migrated_url: str) -> None:
    if "sqlite" not in migrated_url:
        pytest.skip("the file lock is SQLite's; PostgreSQL uses the advisory lock (tests below)")
    first, second = FakeDiscord(), FakeDiscord()
    a = GatewayGuard(first, AdvisoryLock(migrated_url), poll=0.05)
    b = GatewayGuard(second, AdvisoryLock(migrated_url), poll=0.05)
    try:
        await a.start()
        await b.start()
        await asyncio.sleep(0.2)
        assert a.holder and first.connected
        assert not b.holder and not second.connected
        await a.stop()  # as when the process ends: the kernel drops the lock
        assert await until(lambda: second.connected)
        assert b.holder
    finally:
        await a.stop()
        await b.stop()
    assert not first.connected and not second.connected


async def test_one_holder_and_a_takeover_when_it_dies(migrated_url: str) -> None:
    if "postgresql" not in migrated_url:
        pytest.skip("the advisory lock is PostgreSQL's; SQLite's file lock is tested above")
    first, second = FakeDiscord(), FakeDiscord()
    a = GatewayGuard(first, AdvisoryLock(migrated_url), poll=0.1)
    b = GatewayGuard(second, AdvisoryLock(migrated_url), poll=0.1)
    try:
        await a.start()
        await b.start()
        await asyncio.sleep(0.3)  # several polls: b keeps standing by
        assert a.holder and first.connected
        assert not b.holder and not second.connected and b.state() == "standby"
        assert await kill_lock_sessions(migrated_url) == 1
        assert await until(lambda: second.connected), "nobody took over"
        assert await until(lambda: not first.connected), "the old holder kept its gateway"
        assert b.holder and not a.holder
        await asyncio.sleep(0.3)
        assert first.connected + second.connected == 1  # never two at once afterwards
        await b.stop()  # an orderly stop hands it over at once
        assert await until(lambda: first.connected)
    finally:
        await a.stop()
        await b.stop()
    assert not first.connected and not second.connected


async def test_two_locks_one_holder(migrated_url: str) -> None:
    if "postgresql" not in migrated_url:
        pytest.skip("the advisory lock is PostgreSQL's; SQLite's file lock is tested above")
    a, b = AdvisoryLock(migrated_url), AdvisoryLock(migrated_url)
    try:
        assert await a.try_acquire()
        assert not await b.try_acquire()
        assert await a.still_held()
        await a.release()
        assert await b.try_acquire()
    finally:
        await a.release()
        await b.release()


class SlowLock(AdvisoryLock):
    """A lock whose first answer waits until the test gives it (as on a slow database)."""

    def __init__(self, answer: bool) -> None:
        super().__init__("sqlite+aiosqlite:///:memory:")
        self.answer = answer
        self.asked = asyncio.Event()
        self.release_answer = asyncio.Event()

    async def try_acquire(self) -> bool:
        self.asked.set()
        await self.release_answer.wait()
        self.held = self.answer
        return self.answer


@pytest.mark.parametrize("answer", [True, False])
async def test_not_standby_before_the_first_try_at_the_lock_has_an_answer(answer: bool) -> None:
    """A process still asking for the lock says `starting` (not ready): were it `standby`, three
    fresh processes could all report ready while none holds the gateway."""
    inner = FakeDiscord()
    lock = SlowLock(answer)
    guard = GatewayGuard(inner, lock, poll=60)
    assert guard.state() == "starting"
    starting = asyncio.create_task(guard.start())
    try:
        await asyncio.wait_for(lock.asked.wait(), 5)
        assert guard.state() == "starting" and not guard.holder
        lock.release_answer.set()
        await asyncio.wait_for(starting, 5)
        assert guard.state() == ("connecting" if answer else "standby")
        assert guard.holder is answer and inner.connected is answer
    finally:
        lock.release_answer.set()
        await guard.stop()
