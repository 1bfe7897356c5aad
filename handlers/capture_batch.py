"""Captures in batches: `inzicht` commands that arrive together share one unit of work.

A chat workspace delivers messages concurrently, and stored one by one, each capture spends
most of its time on the cost of its statements and its commit rather than on its data. The
batcher queues `inzicht` commands; one task at a time stores everything queued so far with a
few statements for the whole batch (lookups, event claims, rows, tags) and one commit, then
answers each command exactly as the ordinary handler would.

Only the common case is batched: a delivered command (with an event id) with words, from a
known member with the same name and role, in a linked channel. A capture by reaction or for
someone else, or without an event id or words, never queues; a first command, a changed name or
role, an unlinked channel, a repeated delivery within the batch, a command that arrives alone,
and every command of a batch whose unit of work fails are handed back after the batch. Both
take the router's ordinary path in their caller's own task, so the queue never waits for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.context import Context, Policy
from handlers.i18n import Translator
from handlers.learnings import capture_replies, learning_to_store
from handlers.roles import is_leader
from handlers.text import has_words_besides_tags, slugs_in
from handlers.types import Command, Reply
from storage import events, learnings, members, proeftuinen, themes
from storage.db import Database
from storage.models import Member, Proeftuin, Role

log = logging.getLogger(__name__)

MAX_BATCH = 64  # a bound on one unit of work, and on how long the last in it waits
# A batch larger than this comes from a burst: its captures are answered without the offer of
# related learnings (a search per capture would halve the throughput when it counts most);
# `lijkt N` still finds them.
RELATED_IN_BATCH = 2

Handle = Callable[[Command], Awaitable[list[Reply]]]


@dataclass(slots=True)
class _Waiting:
    command: Command
    # The replies, or None: not stored by the batch, the caller takes the ordinary path.
    answer: asyncio.Future[list[Reply] | None]


class CaptureBatcher:
    """Queues capture commands and stores them in batches; `alone` is the router's ordinary,
    fully guarded path for one command."""

    def __init__(self, database: Database, policy: Policy, t: Translator, alone: Handle) -> None:
        self.database = database
        self.policy = policy
        self.t = t
        self.alone = alone
        self._queue: list[_Waiting] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, command: Command) -> list[Reply]:
        """Store a capture with whatever else is queued; returns its replies."""
        if not self._simple(command):
            return await self.alone(command)
        loop = asyncio.get_running_loop()
        waiting = _Waiting(command, loop.create_future())
        drainer = self._drainer
        if drainer is None or drainer.done() or drainer.get_loop() is not loop:
            # Entries of an event loop that has ended (tests run several) are dropped.
            self._queue = [w for w in self._queue if w.answer.get_loop() is loop]
            self._drainer = loop.create_task(self._drain())
        self._queue.append(waiting)
        answer = await waiting.answer
        # Left to the ordinary path, in the caller's own task: the queue does not wait for it,
        # and a cancelled caller's unit of work is rolled back as usual.
        return answer if answer is not None else await self.alone(command)

    async def _drain(self) -> None:
        """Store what is queued, batch after batch, until the queue is empty."""
        batch: list[_Waiting] = []
        try:
            while self._queue:
                # Let what is ready run first (an acknowledgement to send, a reply to deliver):
                # on SQLite a batch holds the event loop while it runs.
                await asyncio.sleep(0)
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                batch = [w for w in batch if not w.answer.done()]  # cancelled: not stored
                answers = await self._answers([w.command for w in batch])
                for waiting, answer in zip(batch, answers, strict=True):
                    if not waiting.answer.done():
                        waiting.answer.set_result(answer)
        except asyncio.CancelledError:  # shutting down: nobody waits for ever
            for waiting in batch + self._queue:
                waiting.answer.cancel()
            self._queue = []
            raise

    async def _answers(self, commands: list[Command]) -> list[list[Reply] | None]:
        """The batch's replies; None for a command left to the ordinary path."""
        if len(commands) < 2:
            return [None] * len(commands)
        try:
            return await self._store_together(commands)
        except Exception:
            # Nothing of the batch was committed: each command runs again on its own, so one
            # bad capture cannot cost the others their words.
            log.warning(
                "a batch of %d captures failed; storing one by one", len(commands), exc_info=True
            )
            return [None] * len(commands)

    def _simple(self, command: Command) -> bool:
        """Whether the batch may store this command (the rest take the ordinary path)."""
        text = command.args.strip()
        return bool(
            command.event_id  # ids are matched to rows by it (storage.learnings.add_many)
            and text
            and has_words_besides_tags(text)
            and not command.source_id
            and command.ring is None  # a chosen ring may need the writer's consent
            and (command.author is None or command.author.key == command.actor.key)
        )

    async def _store_together(self, commands: list[Command]) -> list[list[Reply] | None]:
        """Store `commands` (all simple) in one unit of work; None marks the commands left
        for the ordinary path."""
        answers: list[list[Reply] | None] = [None] * len(commands)
        keys = [_event_key(command) for command in commands]
        first = [i for i, key in enumerate(keys) if keys.index(key) == i]  # repeats: ordinary
        async with self.database.unit_of_work() as session:
            known = await members.find_many(
                session, [(commands[i].actor.platform, commands[i].actor.user_id) for i in first]
            )
            linked = await proeftuinen.for_channels(
                session, [(commands[i].place.platform, commands[i].place.channel_id) for i in first]
            )
            ready: list[tuple[int, Member, Proeftuin, bool]] = []
            for i in first:
                command = commands[i]
                leader = is_leader(self.policy, command.actor)
                member = known.get((command.actor.platform, command.actor.user_id))
                proeftuin = linked.get((command.place.platform, command.place.channel_id))
                if member is None or proeftuin is None or not _unchanged(command, member, leader):
                    continue
                ready.append((i, member, proeftuin, leader))
            won = await events.claim_many(session, [keys[i] for i, *_ in ready])
            storing = []
            for i, member, proeftuin, leader in ready:
                if keys[i] not in won:
                    log.info("duplicate delivery %s ignored", commands[i].event_id)
                    answers[i] = []
                else:
                    storing.append((i, member, proeftuin, leader))
            slugs = {s for i, *_ in storing for s in slugs_in(commands[i].args)}
            by_slug, followed = await themes.by_slugs_followed(session, slugs)
            contexts, new, unknown = [], [], []
            for i, member, proeftuin, leader in storing:
                ctx = Context(
                    commands[i],
                    session,
                    self.policy,
                    self.t,
                    member,
                    leader,
                    proeftuin,
                    self.database,
                )
                item, missing = learning_to_store(
                    ctx, commands[i].args.strip(), proeftuin, member, by_slug
                )
                contexts.append((i, ctx))
                new.append(item)
                unknown.append(missing)
            stored = await learnings.add_many(session, new)
            offer_related = len(contexts) <= RELATED_IN_BATCH
            for (i, ctx), learning, missing in zip(contexts, stored, unknown, strict=True):
                await asyncio.sleep(0)  # the loop gets a turn between replies (acks waiting)
                has_followers = any(th.id in followed for th in learning.themes)
                answers[i] = await capture_replies(
                    ctx, learning, missing, followed=has_followers, offer_related=offer_related
                )
        return answers


def _event_key(command: Command) -> str:
    """The key the router claims for a delivered command (simple commands all have one)."""
    return f"{command.place.platform}:{command.event_id}"


def _unchanged(command: Command, member: Member, leader: bool) -> bool:
    """Whether the router's member upsert would leave `member` as it is."""
    name = command.actor.display_name
    role = Role.LEIDER.value if leader else Role.DEELNEMER.value
    return (not name or member.display_name == name) and member.role == role
