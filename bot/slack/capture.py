"""Reading Slack: fields of a payload, who people are (users.info, cached), message markup as
the words people saw, and the message a 💡 or the "Bewaar als inzicht" shortcut points at.

Whether a message may become a learning is the router's rule (`Router.capture`); this module
only says what the message is.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.edge import PlatformMessage
from handlers.types import Actor

log = logging.getLogger(__name__)

PLATFORM = "slack"
CAPTURE_REACTIONS = frozenset({"bulb"})
SHORTCUT_CALLBACK = "bewaar_als_inzicht"
NAME_TTL = 3600.0  # a display name is reused for an hour
MISS_TTL = 600.0  # a user users.info could not tell about is not asked again for ten minutes

_USER_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_RE = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL_RE = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM_RE = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>")
_LINK_RE = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def part(data: object, *path: str) -> dict[str, Any]:
    """The object at `path` in a Slack payload; {} when a step is missing or no object."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def field(data: object, *path: str) -> str:
    """The string at `path` in a Slack payload; "" when a step is missing or no string (a
    payload of an unexpected shape is read as an empty one, never as a crash after the ack)."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, str) else ""


def _link(match: re.Match[str]) -> str:
    url, label = match.group(1), match.group(2)
    return f"{label} ({url})" if label and label != url else url


class SlackReader:
    """What the bot reads from Slack besides the requests: names, messages, permalinks."""

    def __init__(self, client: AsyncWebClient, workspace: Callable[[], str | None]) -> None:
        self.client = client
        self.workspace = workspace  # the workspace's URL (auth.test), once known
        self._names: dict[str, tuple[str | None, float]] = {}  # user -> (name or miss, until)

    async def name(self, user_id: str, fallback: str = "") -> str:
        """A person's display name; users.info once an hour, a failed lookup remembered too."""
        cached = self._names.get(user_id)
        if cached is None or cached[1] < time.monotonic():
            name = await self._lookup(user_id)
            cached = (name, time.monotonic() + (NAME_TTL if name else MISS_TTL))
            self._names[user_id] = cached
        return cached[0] or fallback or user_id

    async def _lookup(self, user_id: str) -> str | None:
        try:
            user = part((await self.client.users_info(user=user_id)).data, "user")
        except SlackApiError as error:
            log.info("users.info %s failed: %s", user_id, error.response.get("error"))
            return None
        profile = part(user, "profile")
        return (
            field(profile, "display_name")
            or field(profile, "real_name")
            or field(user, "real_name")
            or field(user, "name")
            or None
        )

    async def actor(self, user_id: str, fallback: str = "") -> Actor:
        return Actor(PLATFORM, user_id, await self.name(user_id, fallback))

    async def plain_text(self, text: str) -> str:
        """Slack markup as the words people saw: names for mentions, `label (url)` links."""
        for user_id in {m.group(1) for m in _USER_RE.finditer(text) if not m.group(2)}:
            text = text.replace(f"<@{user_id}>", f"@{await self.name(user_id)}")
        text = _USER_RE.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
        text = _CHANNEL_RE.sub(lambda m: m.group(2) or m.group(1), text)
        text = _SPECIAL_RE.sub(lambda m: f"@{m.group(1)}", text)
        text = _SUBTEAM_RE.sub(lambda m: f"@{m.group(1) or 'groep'}", text)
        text = _LINK_RE.sub(_link, text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    async def fetch(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message at `ts`: conversations.history, or conversations.replies in a thread."""
        try:
            history = await self.client.conversations_history(
                channel=channel, latest=ts, inclusive=True, limit=1
            )
            found = [m for m in history.get("messages") or [] if field(m, "ts") == ts]
            if not found:
                replies = await self.client.conversations_replies(
                    channel=channel, ts=ts, oldest=ts, inclusive=True, limit=2
                )
                found = [m for m in replies.get("messages") or [] if field(m, "ts") == ts]
        except SlackApiError as error:
            log.warning("fetching message %s in %s failed: %s", ts, channel, error)
            return None
        return part(found[0]) if found else None

    async def permalink(self, channel: str, ts: str) -> str | None:
        """The message's link: built from the workspace URL as Slack builds it, else asked."""
        base = self.workspace()
        if base:
            return f"{base.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
        try:
            response = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as error:
            log.info("chat.getPermalink %s failed: %s", ts, error)
            return None
        return response.get("permalink")

    async def message(self, message: dict[str, Any], channel: str) -> PlatformMessage:
        """A Slack message as the router's neutral `PlatformMessage`."""
        ts, author = field(message, "ts"), field(message, "user")
        from_bot = bool(message.get("bot_id")) or field(message, "subtype") == "bot_message"
        return PlatformMessage(
            text=await self.plain_text(field(message, "text")),
            author=await self.actor(author) if author and not from_bot else None,
            from_bot=from_bot or not author,
            source_url=await self.permalink(channel, ts),
            source_id=f"{PLATFORM}:{channel}:{ts}",
        )
