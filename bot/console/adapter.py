"""The console adapter: lines from standard input in, every bot message printed with its channel."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from bot.app import App
from bot.console.render import render_reply
from handlers.i18n import Translator
from handlers.roles import is_leader
from handlers.types import Actor, Place

PLATFORM = "console"


class Console:
    """The bot in a terminal, for local use and end-to-end tests."""

    def __init__(
        self, app: App, *, user: str, channel: str, out: TextIO, prompt: bool = False
    ) -> None:
        self.app = app
        self.user = user
        self.channel = channel
        self.out = out
        self.prompt = prompt
        self.t: Translator = app.policy.translator()
        self._hinted = False
        self._line_no = 0

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def handle_line(self, line: str) -> None:
        """Handle one typed line: a `:user`/`:channel` switch, a `/samen` command or chat."""
        self._line_no += 1
        stripped = line.strip()
        if not stripped:
            return
        if stripped.startswith(":"):
            self._switch(stripped)
            return
        if not stripped.lower().startswith("/samen"):
            if not self._hinted:
                self.write(self.t("console.plain_message"))
                self._hinted = True
            return
        actor = Actor(PLATFORM, self.user)  # no name: keep the one the member has
        place = Place(PLATFORM, self.channel)
        command = self.app.router.make_command(
            stripped, actor, place, received_at=datetime.now(UTC)
        )
        for reply in await self.app.router.dispatch(command):
            if await self.app.delivery.still_allowed(reply):  # checked at delivery
                self.write(render_reply(reply, self.t, self.user, self.channel))

    def _switch(self, line: str) -> None:
        word, _, value = line[1:].partition(" ")
        value = value.strip().lstrip("#@")
        if word in ("user", "gebruiker") and value:
            self.user = value
            self.write(self.t("console.now_user", user=value, role=self._role()))
        elif word in ("channel", "kanaal") and value:
            self.channel = value
            self.write(self.t("console.now_channel", channel=value))
        else:
            self.write(self.t("console.bad_switch"))

    def _role(self) -> str:
        """The current user's role, as the router will see it."""
        leader = is_leader(self.app.policy, Actor(PLATFORM, self.user))
        return self.t("console.role_leader" if leader else "console.role_participant")

    async def run(self, read_line: Callable[[], str] | None = None) -> None:
        """Read lines until end of input (without blocking the event loop)."""
        reader = read_line or sys.stdin.readline
        loop = asyncio.get_running_loop()
        self.write(self.t("console.welcome", user=self.user, channel=self.channel))
        if not self.app.policy.leaders and self.app.policy.console_leaders_when_unset:
            self.write(self.t("console.everyone_leads"))  # else trying roles misleads
        while True:
            if self.prompt:
                self.out.write(f"{self.user}@#{self.channel}> ")
                self.out.flush()
            line = await loop.run_in_executor(None, reader)
            if line == "":
                break
            await self.handle_line(line)
        if self.prompt:
            self.write("")
