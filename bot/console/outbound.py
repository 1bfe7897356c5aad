"""Delivery to `console:` targets outside the interactive console (digest, reminders in serve).

`samen-bot serve` has no terminal conversation, so a `console:kenniskring` digest channel is
printed to standard output, or appended to the file named by `SAMEN_CONSOLE_OUTBOUND_FILE` (one
block per message, written at once, so several processes can share a file).
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import TextIO

from handlers.i18n import Translator
from handlers.types import Reply, Target

OUTBOUND_FILE_ENV = "SAMEN_CONSOLE_OUTBOUND_FILE"
PLATFORM = "console"


class ConsoleOutbound:
    """An Outbound for platform `console`: renders like the console and prints or appends."""

    platform = PLATFORM

    def __init__(
        self, t: Translator, *, path: Path | None = None, stream: TextIO | None = None
    ) -> None:
        self.t = t
        self.path = path
        self.stream = stream

    @classmethod
    def from_env(cls, t: Translator) -> ConsoleOutbound:
        """To the file in SAMEN_CONSOLE_OUTBOUND_FILE when set, else to standard output."""
        name = os.environ.get(OUTBOUND_FILE_ENV, "").strip()
        return cls(t, path=Path(name) if name else None)

    async def send(self, target: Target, reply: Reply) -> str | None:
        """Render `reply` for `target` and write it; returns a made-up message id."""
        from bot.console.render import render_reply

        message_id = f"console-{uuid.uuid4().hex[:12]}"
        channel = target.channel_id or ""
        text = render_reply(reply, self.t, target.user_id or "", channel) + "\n"
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(text)
        else:
            stream = self.stream or sys.stdout
            stream.write(text)
            stream.flush()
        return message_id
