"""Running one outward effect exactly once: claim in the ledger, build, send, complete.

    claim (storage.effects) ─ none: done elsewhere, held by another process, or not yet due
      │  committed before anything is sent
      │
    build the replies (fresh unit of work; None = nothing to send any more); every later
      │  part is built again right before it is sent, so what it shows is checked at delivery
      │
    send the parts not recorded as sent (each part has a content-stable key, see `part_keys`),
    recording each part in the ledger right after it is sent
      │                    └─ a send fails: `failed`, retried after a backoff by the outbox
    complete ─ fenced by the claim token, so a process whose lease was taken over cannot
               finish somebody else's claim

The scheduler is at-least-once: a crash between a send and its record leaves a claim that
another process takes over after the lease (10 min), or a failed attempt is retried. The
platform makes it exactly-once: every part goes out with its key (Slack message metadata, a
Discord nonce with enforce_nonce), and a retry first asks the platform whether the part arrived
(Slack: the channel's recent history with metadata; Discord: the nonce window, then recent
history), so a part that did arrive is recorded, not sent again. See docs/guarantees.md.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.types import Reply, Target
from storage import effect_queries, effects
from storage.db import Database
from storage.effect_keys import part_prefix

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


def part_keys(key: str, replies: list[Reply]) -> list[str]:
    """A content-stable key for every part of an effect: `part:<effect hash>:<title hash>.<n>`,
    n counting the earlier parts with the same title (no person's id in it, unlike a notice's
    effect key, so nothing of an erased person stays behind in part rows or message metadata).
    A retry built from changed content (a learning added to one theme, another withdrawn) keeps
    the keys of the parts it had, so it neither skips nor repeats one; the key is also what the
    platform is asked about."""
    seen: dict[str, int] = {}
    keys = []
    for reply in replies:
        title = hashlib.sha1((reply.title or "").encode()).hexdigest()[:8]
        n = seen.get(title, 0)
        seen[title] = n + 1
        keys.append(f"{part_prefix(key)}{title}.{n}")
    return keys


async def _send(
    sender: Sender, target: Target, reply: Reply, part_key: str, check: bool
) -> tuple[str | None, bool]:
    """Send one part, exactly once as far as the platform can tell: with the part's key as
    Slack message metadata or a Discord nonce, and with `check` (a retry, whose predecessor may
    have sent it before dying) first asking the platform whether it arrived. Returns the
    message id and whether the platform had it already."""
    once = getattr(sender, "send_once", None)
    if once is None:
        return await sender.send(target, reply), False
    result: tuple[str | None, bool] = await once(target, reply, part_key, check=check)
    return result


async def _rebuild(database: Database, effect: Effect) -> dict[str, Reply]:
    """The effect's parts as they are now, by part key."""
    async with database.unit_of_work() as session:
        replies = await effect.build(session) or []
    return dict(zip(part_keys(effect.key, replies), replies, strict=True))


async def _fail(database: Database, held: effects.Claim, now: datetime, error: str) -> Outcome:
    """Record a failed attempt in its own unit of work."""
    async with database.unit_of_work() as session:
        status = await effects.fail(session, held, now, error)
    return Outcome.GAVE_UP if status == effects.GAVE_UP else Outcome.FAILED


async def run_effect(
    database: Database,
    sender: Sender,
    effect: Effect,
    now: datetime,
    *,
    owner: str | None = None,
    take_missed: bool = False,
) -> Outcome:
    """Claim, build, send and complete one effect; never raises for a failed send. Each ledger
    step commits on its own, and no unit of work is open while a part is sent. An effect for a
    platform this process cannot reach now (`Delivery.can_send`) is not claimed: another
    process, or this one once connected, sends it without a retry spent."""
    can_send = getattr(sender, "can_send", None)
    if can_send is not None and not can_send(effect.target.platform):
        log.debug("%s left for a process connected to %s", effect.key, effect.target.platform)
        return Outcome.SKIPPED
    async with database.unit_of_work() as session:
        held = await effects.claim(
            session,
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
            done = (
                await effect_queries.parts_done(session, effect.key) if held.attempts > 1 else set()
            )
    except Exception as error:
        log.exception("building %s failed", effect.key)
        return await _fail(database, held, now, f"build: {error!r}")
    if not replies:
        async with database.unit_of_work() as session:
            await effects.release(session, held, effects.DONE, "nothing to send")
        return Outcome.NOTHING
    keys = part_keys(effect.key, replies)
    sent = len(done & set(keys))
    fresh = True  # the parts were built just now
    try:
        for part, part_key in zip(replies, keys, strict=True):
            if part_key in done:
                continue  # sent (and recorded) by an earlier attempt
            if not fresh:
                # Checked at delivery: build again, so a learning narrowed, withdrawn or
                # un-consented while earlier parts went out is not in this one.
                current = await _rebuild(database, effect)
                if part_key not in current:
                    continue  # this part has nothing left to show
                part = current[part_key]
            reply = dataclasses.replace(part, to=effect.target)
            message_id, found = await _send(
                sender, effect.target, reply, part_key, held.attempts > 1
            )
            if found:
                log.info("%s had arrived before (an earlier attempt); not sent again", part_key)
            if effect.after_send is not None:
                await effect.after_send(reply, message_id)
            sent += 1
            fresh = False
            async with database.unit_of_work() as session:
                recorded = await effects.part_sent(session, held, part_key, sent, now)
            if not recorded:
                log.warning("claim on %s was taken over; stopped after part %d", effect.key, sent)
                return Outcome.LOST
    except Exception as error:
        outcome = await _fail(database, held, now, repr(error))
        log.warning(
            "sending %s failed (attempt %d, %d of %d parts sent): %r; %s",
            effect.key,
            held.attempts,
            sent,
            len(replies),
            error,
            "giving up" if outcome == Outcome.GAVE_UP else "will retry",
        )
        return outcome
    async with database.unit_of_work() as session:
        completed = await effects.complete(session, held, now)
    if not completed:
        log.warning("claim on %s was taken over before completion", effect.key)
        return Outcome.LOST
    log.info("sent %s (%d parts)", effect.key, len(replies))
    return Outcome.SENT
