"""What adapters need beyond running a typed command, offered by the router so that no adapter
reads or writes the store itself: capturing a platform message (one rule on every platform), a
thread reply under a posted prompt, recording where a reply was posted, whether an event was
handled before, and suggestions for autocomplete and pickers (briefly cached, and forgotten by
the router after a command that changes them).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from handlers import limits
from handlers.types import Actor, Reply
from storage import events, learnings, proeftuinen, prompts, themes
from storage.db import Database
from storage.visibility import Viewer

T = TypeVar("T")

PROMPT_TOKEN = "prompt:"  # Reply.post_token of a posted reflection prompt: `prompt:12`
SUGGESTION_TTL = 30.0  # seconds a list of themes or proeftuinen is reused
LEARNING_CANDIDATES = 200  # newest visible learnings searched for what was typed
MAX_SUGGESTIONS = 25  # Discord's limit, and plenty for a picker


@dataclass(frozen=True, slots=True)
class PlatformMessage:
    """A chat message somebody captures (💡 or a message action), as the platform gave it."""

    text: str
    author: Actor | None  # its writer; None when the platform does not say
    from_bot: bool  # written by a bot or an integration (never captured: one rule everywhere)
    source_url: str | None = None
    source_id: str | None = None  # `platform:channel:message`, keeps one learning per message


def capture_refusal(message: PlatformMessage) -> str | None:
    """The catalog key refusing to capture `message`, or None when it may become a learning."""
    if message.from_bot:
        return "capture.from_bot"
    if not limits.clean(message.text).strip():
        return "capture.empty"
    return None


def prompt_token(prompt_id: int) -> str:
    """The token a posted prompt carries, so its message can be recorded."""
    return f"{PROMPT_TOKEN}{prompt_id}"


def _prompt_of(reply: Reply) -> int | None:
    token = reply.post_token
    if not token.startswith(PROMPT_TOKEN):
        return None
    number = token[len(PROMPT_TOKEN) :]
    return int(number) if number.isdigit() else None


async def record_posted(database: Database, reply: Reply, message_id: str | None) -> bool:
    """Remember that `reply` was posted as message `message_id` (a prompt: replies in its
    thread become answers). True when something was recorded."""
    prompt_id = _prompt_of(reply)
    target = reply.to
    if prompt_id is None or not message_id or target is None or not target.channel_id:
        return False
    async with database.unit_of_work() as session:
        row = await prompts.record_prompt_post(
            session, prompt_id, target.platform, target.channel_id, message_id
        )
    return row is not None


async def prompt_for_thread(
    database: Database, platform: str, channel_id: str | None, thread_id: str
) -> int | None:
    """The prompt whose posted message starts this thread, if any."""
    async with database.reading() as session:
        prompt = await prompts.prompt_for_thread(session, platform, channel_id, thread_id)
        return prompt.id if prompt is not None else None


async def was_handled(database: Database, platform: str, key: str) -> bool:
    """Whether the ledger of handled events holds `platform:key` (any bot process)."""
    async with database.reading() as session:
        return await events.is_handled(session, f"{platform}:{key}")


class Suggestions:
    """Themes, proeftuinen and learnings to offer as someone types (autocomplete, pickers)."""

    def __init__(self, database: Database, ttl: float = SUGGESTION_TTL) -> None:
        self.database = database
        self.ttl = ttl
        self._cache: dict[str, tuple[float, list[object]]] = {}

    def forget(self, kinds: frozenset[str] | None = None) -> None:
        """Load these lists (all when None) fresh next time."""
        for kind in list(self._cache) if kinds is None else kinds:
            self._cache.pop(kind, None)

    async def _cached(self, kind: str, load: Callable[[], Awaitable[list[T]]]) -> list[T]:
        hit = self._cache.get(kind)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]  # type: ignore[return-value]
        value = await load()
        self._cache[kind] = (time.monotonic(), list(value))
        return value

    async def themes(self) -> list[tuple[str, str]]:
        """(slug, name) of every theme not archived."""

        async def load() -> list[tuple[str, str]]:
            async with self.database.reading() as session:
                return [(t.slug, t.name) for t in await themes.list_active(session)]

        return await self._cached("themes", load)

    async def proeftuinen(self) -> list[str]:
        """The names of every proeftuin not archived."""

        async def load() -> list[str]:
            async with self.database.reading() as session:
                return [p.name for p in await proeftuinen.list_active(session)]

        return await self._cached("proeftuinen", load)

    async def learnings(self, platform: str, channel_id: str, typed: str) -> list[tuple[int, str]]:
        """(number, label) of learnings visible in this channel that match what was typed
        (by number or by words), newest first; never a learning the place may not see."""
        wanted = typed.strip().lstrip("#").lower()
        async with self.database.reading() as session:
            proeftuin = await proeftuinen.for_channel(session, platform, channel_id)
            viewer = Viewer(proeftuin_id=proeftuin.id if proeftuin else None)
            rows = await learnings.list_visible(
                session, viewer, limit=LEARNING_CANDIDATES, newest_first=True
            )
            if wanted.isdigit() and not any(str(r.id) == wanted for r in rows):
                exact = await learnings.get_visible(session, viewer, int(wanted))
                rows = [exact, *rows] if exact else rows
            found: list[tuple[int, str]] = []
            for row in rows:
                if not wanted or str(row.id).startswith(wanted) or wanted in row.text.lower():
                    label = " ".join(f"#{row.id} · {row.proeftuin.name} · {row.text}".split())
                    found.append((row.id, label))
        return found[:MAX_SUGGESTIONS]
