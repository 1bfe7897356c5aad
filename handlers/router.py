"""The router: one unit of work per command, de-duplication, role checks, friendly errors."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from handlers import command_line, edge, limits, registry
from handlers.capture_batch import CaptureBatcher
from handlers.context import Context, Policy
from handlers.prompts import ANSWER_COMMAND
from handlers.roles import is_leader
from handlers.text import usage_syntax
from handlers.types import Actor, Command, Place, Reply, UserError, Visibility
from storage import erasure, events, members, proeftuinen
from storage.db import Database
from storage.models import Role

log = logging.getLogger(__name__)

CAPTURE = command_line.CAPTURE  # the sub-command whose commands are stored in batches
ANSWER = ANSWER_COMMAND  # what a reply in the thread of a posted prompt becomes


def load_handlers() -> None:
    """Import every handler module so it registers its sub-commands."""
    import importlib
    import pkgutil

    import handlers

    for module in pkgutil.iter_modules(handlers.__path__):
        if not module.ispkg:
            importlib.import_module(f"handlers.{module.name}")


def _cleaned_actor(actor: Actor) -> Actor:
    name = limits.clean(actor.display_name)[: limits.DISPLAY_NAME]
    return actor if name == actor.display_name else dataclasses.replace(actor, display_name=name)


def cleaned(command: Command) -> Command:
    """The command with its words and names cleaned (`limits.clean`); the same object when
    there was nothing to clean."""
    args = limits.clean(command.args)
    actor = _cleaned_actor(command.actor)
    author = _cleaned_actor(command.author) if command.author is not None else None
    if args == command.args and actor is command.actor and author is command.author:
        return command
    return dataclasses.replace(command, args=args, actor=actor, author=author)


class Router:
    """Turns a Command into Replies; the only way adapters reach handlers and storage."""

    def __init__(self, database: Database, policy: Policy, *, batch_captures: bool = True) -> None:
        load_handlers()
        self.database = database
        self.policy = policy
        self.t = policy.translator()
        self.suggestions = edge.Suggestions(database)
        # Captures that arrive together are stored together (handlers.capture_batch).
        self.captures = (
            CaptureBatcher(database, policy, self.t, self._dispatch_alone)
            if batch_captures
            else None
        )

    def make_command(
        self,
        line: str,
        actor: Actor,
        place: Place,
        *,
        event_id: str | None = None,
        source_url: str | None = None,
        source_id: str | None = None,
        author: Actor | None = None,
        received_at: datetime | None = None,
    ) -> Command:
        """Parse a typed `/samen …` line into a Command (aliases resolved, unknown words kept);
        the line is cleaned first (`limits.clean`), so the command word is found whatever
        invisible characters stick to it."""
        word, args = registry.split_line(limits.clean(line))
        spec = registry.resolve(word)
        return Command(
            name=spec.name if spec else word.lower(),
            args=args,
            actor=actor,
            place=place,
            received_at=received_at or datetime.now(UTC),
            event_id=event_id,
            source_url=source_url,
            source_id=source_id,
            author=author,
            alias=word,
        )

    async def capture(
        self,
        message: edge.PlatformMessage,
        capturer: Actor,
        place: Place,
        *,
        event_id: str | None = None,
    ) -> list[Reply]:
        """Save a chat message as a learning for `capturer` (💡, a message action): the same
        rule on every platform (no bot messages, no empty text), then an `inzicht`."""
        refusal = edge.capture_refusal(message)
        if refusal is not None:
            return [Reply(text=self.t(refusal), visibility=Visibility.ONLY_CALLER)]
        command = self.make_command(
            f"{CAPTURE} {message.text.strip()}",
            capturer,
            place,
            event_id=event_id,
            source_url=message.source_url,
            source_id=message.source_id,
            author=message.author,
        )
        return await self.dispatch(command)

    async def thread_reply(
        self,
        text: str,
        actor: Actor,
        place: Place,
        *,
        event_id: str | None = None,
        source_url: str | None = None,
        source_id: str | None = None,
    ) -> list[Reply]:
        """A message in a thread: under a posted prompt it becomes `antwoord <prompt> <text>`;
        anywhere else (or empty) it is no command and gets no reply."""
        if not place.thread_id or not text.strip():
            return []
        prompt_id = await edge.prompt_for_thread(
            self.database, place.platform, place.channel_id, place.thread_id
        )
        if prompt_id is None:
            return []
        line = f"{ANSWER} {prompt_id} {text.strip()}"
        command = self.make_command(
            line, actor, place, event_id=event_id, source_url=source_url, source_id=source_id
        )
        return await self.dispatch(command)

    async def posted(self, reply: Reply, message_id: str | None) -> None:
        """An adapter posted `reply` as message `message_id`: remember what it needs (a
        prompt's message, whose thread replies become answers)."""
        if reply.post_token:
            await edge.record_posted(self.database, reply, message_id)

    def refusal(self, name: str, actor: Actor) -> str | None:
        """What a sub-command gets before any work when `actor` may not use it (a leader's
        command from a participant), so a platform can refuse privately at once; None when
        it may go on. `dispatch` applies the same rule."""
        spec = registry.resolve(name)
        if spec is None or not spec.leader_only or is_leader(self.policy, actor):
            return None
        return self.t("error.leader_only", command=spec.name)

    async def was_handled(self, platform: str, key: str) -> bool:
        """Whether an event was handled before, by this or another bot process."""
        return await edge.was_handled(self.database, platform, key)

    async def dispatch(self, command: Command) -> list[Reply]:
        """Handle a command; always returns at least one reply unless it is a duplicate delivery.

        Every command is cleaned here, whoever built it (`limits.clean`: no control characters,
        lone surrogates or bidi overrides reach a handler or the database), and display names
        are cut to their column."""
        command = cleaned(command)
        if (
            command.name == CAPTURE
            and self.captures is not None
            and len(command.args.strip()) <= limits.LEARNING_TEXT  # else refused on its own
        ):
            return await self.captures.submit(command)
        return await self._dispatch_alone(command)

    async def _dispatch_alone(self, command: Command) -> list[Reply]:
        """Handle a command in its own unit of work, turning every failure into a reply."""
        try:
            try:
                return await self._dispatch(command)
            except IntegrityError:
                # A parallel command won a unique key first (the same message captured twice,
                # a first recognition): run again, now seeing the winner's row.
                log.info("retrying %r after a concurrent write", command.name)
                return await self._dispatch(command)
        except UserError as error:
            return [self._refusal(error)]
        except Exception:
            log.exception(
                "command %r failed (event %s, %s in %s)",
                command.name,
                command.event_id,
                command.actor.key,
                command.place.channel_id,
            )
            return [Reply(text=self.t("error.internal"), visibility=Visibility.ONLY_CALLER)]

    def _refusal(self, error: UserError) -> Reply:
        # What a refusal repeats of the user's words is bounded (`limits.echo`): one line, no flood.
        values = {key: limits.echo(value) for key, value in error.values.items()}
        usage = values.get("usage")
        if isinstance(usage, str):  # only the syntax: the error says the rest itself
            values["usage"] = usage_syntax(usage)
        return Reply(text=self.t(error.msgid, **values), visibility=Visibility.ONLY_CALLER)

    async def _dispatch(self, command: Command) -> list[Reply]:
        spec = registry.resolve(command.name)
        if spec is None:
            if not command.name:
                raise UserError("error.empty_command")
            suggestion = registry.closest(command.name, self.policy.language)
            if suggestion:
                raise UserError(
                    "error.unknown_command_suggest",
                    word=limits.echo(command.name, 40),
                    # The whole line they meant, so nothing they typed is lost.
                    name=f"{suggestion} {limits.echo(command.args, limits.LEARNING_TEXT)}".strip(),
                )
            raise UserError("error.unknown_command", word=limits.echo(command.name, 40))
        leader = is_leader(self.policy, command.actor)
        if spec.leader_only and not leader:
            raise UserError("error.leader_only", command=spec.name)
        async with self.database.unit_of_work() as session:
            if command.event_id and not await events.claim(
                session, f"{command.place.platform}:{command.event_id}"
            ):
                log.info("duplicate delivery %s ignored", command.event_id)
                return []
            member = await members.upsert(
                session,
                command.actor.platform,
                command.actor.user_id,
                command.actor.display_name,
                Role.LEIDER.value if leader else Role.DEELNEMER.value,
            )
            # Erased before: say once that a new, empty record was started (docs/privacy.md).
            returning = await erasure.returning_after_erasure(session, member)
            proeftuin = await proeftuinen.for_channel(
                session, command.place.platform, command.place.channel_id
            )
            ctx = Context(
                command, session, self.policy, self.t, member, leader, proeftuin, self.database
            )
            ctx.values = command_line.values_of(spec, command.args)
            result = await spec.handler(ctx)
        if spec.invalidates:
            self.suggestions.forget(spec.invalidates)
        replies = result if isinstance(result, list) else [result]
        if returning:
            notice = Reply(self.t("privacy.new_record"), visibility=Visibility.ONLY_CALLER)
            replies = [notice, *replies]
        if ctx.answer_privately:
            replies = [_to_caller(reply) for reply in replies]
        return replies


def _to_caller(reply: Reply) -> Reply:
    """A reply that would show in this channel, shown to the caller alone instead."""
    if reply.to is None and reply.visibility in (Visibility.CHANNEL, Visibility.THREAD):
        return replace(reply, visibility=Visibility.ONLY_CALLER)
    return reply
