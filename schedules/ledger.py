"""Running one outward effect exactly once: claim in the ledger, build, send, complete.

    claim (storage.effects) ─ none: done elsewhere, held by another process, or not yet due
      │
    build the replies (fresh unit of work; None = nothing to send any more)
      │
    send the parts not sent before (`progress`), recording progress after each part
      │                    └─ a send fails: `failed`, retried after a backoff by the outbox
    complete ─ fenced by the claim token, so a process whose lease was taken over cannot
               finish somebody else's claim

A crash between a successful send and `complete` leaves a claim that another process takes over
after the lease (10 min) and sends again: the one window where a message can repeat. Sends are
short (seconds), so the lease is never reached by a live process.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import Reply, Target
from storage import effects
from storage.db import Database

log = logging.getLogger(__name__)


class Sender(Protocol):
    """What sends a reply somewhere: `bot.delivery.Delivery` (or a test double)."""

    async def send(self, target: Target, reply: Reply) -> str | None: ...


class Outcome(enum.StrEnum):
    """What one attempt at an effect came to."""

    SENT = "sent"
    SKIPPED = "skipped"  # done already, held by another process, or not due for a retry
    FAILED = "failed"  # will be retried
    GAVE_UP = "gave_up"
    NOTHING = "nothing"  # its subject is gone (meeting deleted, …): closed without sending
    LOST = "lost"  # our claim was taken over mid-way (lease expired); we stopped


Build = Callable[[AsyncSession], Awaitable[list[Reply] | None]]
AfterSend = Callable[[Reply, str | None], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Effect:
    """One outward effect: its ledger key, where it goes, and how to build its messages."""

    key: str
    kind: str
    target: Target
    build: Build
    due_at: datetime | None = None
    expires_at: datetime | None = None
    after_send: AfterSend | None = None


def process_owner() -> str:
    """Who claims: host and process id (each claim adds a random token)."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_effect(
    database: Database,
    sender: Sender,
    effect: Effect,
    now: datetime,
    *,
    owner: str | None = None,
    take_missed: bool = False,
) -> Outcome:
    """Claim, build, send and complete one effect; never raises for a failed send."""
    held = await effects.claim(
        database,
        effect.key,
        effect.kind,
        owner or process_owner(),
        now,
        due_at=effect.due_at,
        expires_at=effect.expires_at,
        take_missed=take_missed,
    )
    if held is None:
        return Outcome.SKIPPED
    try:
        async with database.unit_of_work() as session:
            replies = await effect.build(session)
    except Exception as error:
        log.exception("building %s failed", effect.key)
        status = await effects.fail(database, held, now, f"build: {error!r}")
        return Outcome.GAVE_UP if status == effects.GAVE_UP else Outcome.FAILED
    if not replies:
        await effects.release(database, held, effects.DONE, "nothing to send")
        return Outcome.NOTHING
    sent = held.progress
    try:
        for index in range(held.progress, len(replies)):
            reply = dataclasses.replace(replies[index], to=effect.target)
            message_id = await sender.send(effect.target, reply)
            sent = index + 1
            if effect.after_send is not None:
                await effect.after_send(reply, message_id)
            if sent < len(replies) and not await effects.advance(database, held, sent):
                log.warning("claim on %s was taken over; stopped after part %d", effect.key, sent)
                return Outcome.LOST
    except Exception as error:
        status = await effects.fail(database, held, now, repr(error), progress=sent)
        log.warning(
            "sending %s failed (attempt %d, %d of %d parts sent): %r; %s",
            effect.key,
            held.attempts,
            sent,
            len(replies),
            error,
            "giving up" if status == effects.GAVE_UP else "will retry",
        )
        return Outcome.GAVE_UP if status == effects.GAVE_UP else Outcome.FAILED
    if not await effects.complete(database, held, now):
        log.warning("claim on %s was taken over before completion", effect.key)
        return Outcome.LOST
    log.info("sent %s (%d parts)", effect.key, len(replies))
    return Outcome.SENT
