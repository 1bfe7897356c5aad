"""Interactions: a `/samen` sub-command, a button or select, a submitted form, the context
menu "Bewaar als inzicht". What the generated commands (`bot.discord.commands`) and the
persistent components (`bot.discord.views`) call.

Every interaction is acknowledged before any database work (a defer, the form, or a refusal),
so it is answered well within Discord's 3 seconds; the replies follow as an edit of the
deferred response and follow-ups (`Poster.answer`). A repeated delivery is dropped before any
work.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import discord

from bot.discord import views
from bot.discord.outbound import NONE
from handlers import registry
from handlers.command_line import form_for
from handlers.edge import Suggestions
from handlers.types import Actor, Reply

if TYPE_CHECKING:
    from bot.discord.adapter import DiscordService

log = logging.getLogger(__name__)


class Interactions:
    """The Discord service's interaction flows."""

    def __init__(self, service: DiscordService) -> None:
        self.service = service
        self.t = service.t

    @property
    def suggestions(self) -> Suggestions:
        """Autocomplete's themes, proeftuinen and learnings (the router caches them)."""
        return self.service.router.suggestions

    def answered(self, interaction: discord.Interaction) -> None:
        """An interaction is acknowledged: database work need not wait for it any more."""
        self.service.acks.answered(interaction.id)

    def refusal(self, name: str, actor: Actor) -> str | None:
        """The router's refusal (`Router.refusal`), given before anything is deferred, so that
        it is private from the start."""
        return self.service.router.refusal(name, actor)

    async def run_slash(self, interaction: discord.Interaction, name: str, args: str) -> None:
        """A `/samen <name>` sub-command: refuse, open the form, or defer and dispatch;
        deferred privately when its declaration says its answer is for the caller."""
        spec = registry.resolve(name)
        private = spec is not None and spec.private_first
        await self._command(interaction, name, args, private=private, slash=True)

    async def run_component(self, interaction: discord.Interaction, name: str, args: str) -> None:
        """A button press or select choice: its command, run as the presser (the message it
        is on stays as it is; the answers follow)."""
        await self._command(interaction, name, args, private=False, slash=False)

    async def run_modal(self, interaction: discord.Interaction) -> None:
        """A form was submitted: its command line with the text and themes filled in."""
        if not self._first(interaction):
            return
        await self._ack(interaction, interaction.response.defer(thinking=True))
        line = views.modal_line(interaction.data)
        await self._finish(interaction, self._dispatch(interaction, line), private=False)

    async def run_capture_menu(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """The context-menu command "Bewaar als inzicht" on a message."""
        if not self._first(interaction):
            return
        await self._ack(interaction, interaction.response.defer(thinking=True))
        actor, place = self.service.who(interaction)
        captured = self.service.capturer.capture(message, actor, place, str(interaction.id))
        await self._finish(interaction, captured, private=False)

    async def _command(
        self, interaction: discord.Interaction, name: str, args: str, *, private: bool, slash: bool
    ) -> None:
        if not self._first(interaction):
            return
        response = interaction.response
        refusal = self.refusal(name, self.service.who(interaction)[0])
        if refusal:
            refusing = response.send_message(refusal, ephemeral=True, allowed_mentions=NONE)
            await self._ack(interaction, refusing)
            return
        form = form_for(name, args)
        if form is not None:  # `/samen inzicht` without text, a prompt's answer button
            modal = views.capture_modal(self.t, str(interaction.id), form.name, args)
            await self._ack(interaction, response.send_modal(modal))
            return
        # A slash command shows 'thinking…'; a button leaves its message as it is.
        deferring = response.defer(ephemeral=private, thinking=True) if slash else response.defer()
        await self._ack(interaction, deferring)
        replies = self._dispatch(interaction, f"{name} {args}")
        await self._finish(interaction, replies, private=private, original=slash)

    def _first(self, interaction: discord.Interaction) -> bool:
        """False for a repeated delivery of an interaction (then nothing is done at all)."""
        if self.service.seen.first(f"interaction:{interaction.id}"):
            return True
        self.answered(interaction)
        return False

    async def _ack(self, interaction: discord.Interaction, acknowledging: Awaitable[Any]) -> None:
        """Acknowledge (defer, form, refusal) and tell the gate this one is answered."""
        try:
            await acknowledging
        finally:
            self.answered(interaction)

    async def _dispatch(self, interaction: discord.Interaction, line: str) -> list[Reply]:
        actor, place = self.service.who(interaction)
        router = self.service.router
        command = router.make_command(line, actor, place, event_id=str(interaction.id))
        return await self.service.dispatch(command)

    async def _finish(
        self,
        interaction: discord.Interaction,
        replies: Awaitable[list[Reply]],
        *,
        private: bool,
        original: bool = True,
    ) -> None:
        """Wait for the replies and show them."""
        try:
            shown = await replies
            await self.service.poster.answer(interaction, shown, private=private, original=original)
        except Exception:
            log.exception("discord: answering interaction %s failed", interaction.id)
