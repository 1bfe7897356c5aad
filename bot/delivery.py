"""Outbound delivery: where scheduled and cross-channel replies go, per platform."""

from __future__ import annotations

import logging
from typing import Protocol

from handlers.types import Reply, Target
from storage import rings
from storage.db import Database

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """A message could not be delivered (the caller may retry later)."""


class Outbound(Protocol):
    """An adapter's ability to send a reply somewhere without a triggering command."""

    platform: str

    async def send(self, target: Target, reply: Reply) -> str | None:
        """Send `reply` to `target`; returns the platform's message id when there is one."""
        ...


class Delivery:
    """Routes replies to the adapter of their target's platform, and is the one place where a
    message is checked at delivery: a reply that shows learnings (`Reply.shows`, a follow
    notice) goes out only while every one of them may still be shown (issue 12)."""

    def __init__(self, database: Database | None = None) -> None:
        self._outbound: dict[str, Outbound] = {}
        self.database = database

    async def still_allowed(self, reply: Reply) -> bool:
        """Whether `reply` may still be delivered: False when a learning it shows was narrowed
        to its proeftuin, withdrawn or lost its consent since the reply was made."""
        to = reply.to
        if not reply.shows or self.database is None or to is None:
            return True
        async with self.database.unit_of_work() as session:
            allowed = await rings.still_shown(
                session, reply.shows, to.platform, to.user_id or to.channel_id or ""
            )
        if not allowed:
            log.info("held back a message to %s: what it shows may no longer be shown", to)
        return allowed

    def register(self, outbound: Outbound) -> None:
        self._outbound[outbound.platform] = outbound

    def platforms(self) -> tuple[str, ...]:
        return tuple(self._outbound)

    def can_send(self, platform: str) -> bool:
        """Whether a message for `platform` should be tried in this process now: False only
        while its adapter is here but not connected (standing by for the Discord gateway, or
        reconnecting), so the scheduler leaves the effect to a process that can send it instead
        of spending its retries. An absent adapter still fails loudly at `send`."""
        outbound = self._outbound.get(platform)
        reachable = getattr(outbound, "reachable", None)
        return not callable(reachable) or bool(reachable())

    async def send(self, target: Target, reply: Reply) -> str | None:
        """Deliver one reply; raises DeliveryError when the platform is absent or refuses."""
        outbound = self._outbound.get(target.platform)
        if outbound is None:
            raise DeliveryError(f"no adapter for platform {target.platform!r} is running")
        if not await self.still_allowed(reply):
            return None
        return await outbound.send(target, reply)

    async def send_once(
        self, target: Target, reply: Reply, key: str, *, check: bool = False
    ) -> tuple[str | None, bool]:
        """Deliver one reply carrying an idempotency `key` the platform keeps (Slack message
        metadata, a Discord nonce); with `check`, first ask the platform whether a message with
        that key arrived already. Returns (message id, found on the platform). An adapter that
        cannot do this (the console) simply sends."""
        outbound = self._outbound.get(target.platform)
        if outbound is None:
            raise DeliveryError(f"no adapter for platform {target.platform!r} is running")
        if not await self.still_allowed(reply):
            return None, False
        once = getattr(outbound, "send_once", None)
        if once is None:
            return await outbound.send(target, reply), False
        result: tuple[str | None, bool] = await once(target, reply, key, check=check)
        return result
