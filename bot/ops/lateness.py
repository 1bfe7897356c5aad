"""A WARNING when a digest or a reminder is late, with what to do about it.

Every minute `serve` reads the effect ledger: a digest or reminder whose moment is more than
`LATE` past and that is still waiting (queued, being sent or failed), or that was given up or
missed, is logged once per process as a WARNING naming it, why (the last error), and the
command that fixes it: the digest of a week is posted with `samen-bot digest --week … --post`
(exactly once, through the same ledger); a reminder cannot be sent late by itself, so the
operator is pointed at the platform and at `samen-bot -v serve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import Database
from storage.models import Effect

log = logging.getLogger("samen-bot.late")

LATE = timedelta(minutes=10)
LOOK_BACK = timedelta(days=8)
EVERY = 60.0
WAITING = ("queued", "claimed", "failed")
GIVEN_UP = ("missed", "gave_up")


def advice(effect: Effect, now: datetime) -> str:
    """The WARNING line for one late effect."""
    due = effect.due_at or effect.created_at
    minutes = int((now - due).total_seconds() // 60)
    reason = f" (last error: {effect.error.splitlines()[0][:200]})" if effect.error else ""
    parts = effect.key.split(":")
    if effect.kind == "digest" and len(parts) >= 4:
        week, channel = parts[1], ":".join(parts[2:])
        return (
            f"the digest of week {week} for {channel} is {minutes} min late, status "
            f"{effect.status}{reason}; once {parts[2]} is reachable, post it with "
            f"`samen-bot digest --week {week} --post`"
        )
    what = f"{effect.kind} {effect.key}"
    if effect.kind == "reminder" and len(parts) >= 6 and parts[2] == "meeting":
        what = f"the {parts[1]} reminder of meeting {parts[3]} for {':'.join(parts[4:])}"
    return (
        f"{what} is {minutes} min late, status {effect.status}{reason}; "
        f"check that the platform is reachable and `samen-bot serve` runs (`samen-bot -v serve` "
        f"logs why a send fails); a missed reminder is not sent afterwards"
    )


async def late_effects(database: Database, now: datetime) -> list[Effect]:
    """Digests and reminders past their moment by more than LATE and not sent."""
    due = Effect.due_at
    async with database.reading() as session:
        found = await session.execute(
            select(Effect)
            .where(
                Effect.kind.in_(("digest", "reminder")),
                Effect.status.in_(WAITING + GIVEN_UP),
                due.is_not(None),
                due < now - LATE,
                due > now - LOOK_BACK,
            )
            .order_by(due)
            .limit(50)
        )
        return list(found.scalars())


class LatenessWatch:
    """A `serve` service that warns about late digests and reminders, once each."""

    name = "lateness"

    def __init__(
        self,
        database: Database,
        *,
        every: float = EVERY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.every = every
        self.clock = clock
        self.warned: set[tuple[str, str]] = set()
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> list[str]:
        now = self.clock()
        lines = []
        for effect in await late_effects(self.database, now):
            seen = (effect.key, effect.status)
            if seen in self.warned:
                continue
            self.warned.add(seen)
            line = advice(effect, now)
            log.warning("%s", line)
            lines.append(line)
        return lines

    async def _loop(self) -> None:
        while True:
            try:
                await self.check()
            except Exception as error:
                log.info("lateness check failed (%s)", type(error).__name__)
            await asyncio.sleep(self.every)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="lateness")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
