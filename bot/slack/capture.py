"""Capturing a Slack message as a learning: the :bulb: reaction and the "Bewaar als inzicht"
message shortcut, plus reading who people are (users.info, cached).

Both turn the message they point at into `inzicht <text>` on behalf of its author: the
command carries the permalink (source_url), `slack:{channel}:{ts}` (source_id, so a message
is captured once however many people react) and the author; the handler answers in the
message's thread and, when someone else captured it, DMs the author with a withdraw button.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.outbound import PLATFORM, Origin, SlackOutbound
from handlers.i18n import Translator
from handlers.router import Router
from handlers.types import Actor, Command, Place

log = logging.getLogger(__name__)

CAPTURE_REACTIONS = frozenset({"bulb"})
SHORTCUT_CALLBACK = "bewaar_als_inzicht"
NAME_TTL = 3600.0

_USER_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_RE = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL_RE = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM_RE = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>")
_LINK_RE = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")

Run = Callable[[Command, Origin], Awaitable[object]]


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


class Names:
    """Display names of Slack users (users.info), cached for an hour; never fails."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._cache: dict[str, tuple[str, float]] = {}

    async def name(self, user_id: str, fallback: str = "") -> str:
        cached = self._cache.get(user_id)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            user = (await self.client.users_info(user=user_id))["user"]
        except (SlackApiError, KeyError, TypeError) as error:
            log.info("users.info %s failed: %s", user_id, error)
            return fallback or user_id
        profile = user.get("profile", {})
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or fallback
            or user_id
        )
        self._cache[user_id] = (name, time.monotonic() + NAME_TTL)
        return name

    async def actor(self, user_id: str, fallback: str = "") -> Actor:
        return Actor(PLATFORM, user_id, await self.name(user_id, fallback))


async def plain_text(text: str, names: Names) -> str:
    """Slack message markup as the words people saw: names for mentions, `label (url)` links."""
    for user_id in {m.group(1) for m in _USER_RE.finditer(text) if not m.group(2)}:
        text = text.replace(f"<@{user_id}>", f"@{await names.name(user_id)}")
    text = _USER_RE.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    text = _CHANNEL_RE.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL_RE.sub(lambda m: f"@{m.group(1)}", text)
    text = _SUBTEAM_RE.sub(lambda m: f"@{m.group(1) or 'groep'}", text)

    def link(match: re.Match[str]) -> str:
        url, label = match.group(1), match.group(2)
        return f"{label} ({url})" if label and label != url else url

    text = _LINK_RE.sub(link, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class Capturer:
    """Turns "capture that message" (reaction or shortcut) into an `inzicht` command."""

    def __init__(
        self,
        client: AsyncWebClient,
        router: Router,
        outbound: SlackOutbound,
        names: Names,
        t: Translator,
        run: Run,
    ) -> None:
        self.client = client
        self.router = router
        self.outbound = outbound
        self.names = names
        self.t = t
        self.run = run

    async def from_reaction(self, event: dict[str, Any], event_key: str) -> None:
        """`:bulb:` on a message: fetch it (history, or replies for a thread reply), capture."""
        channel, ts = field(event, "item", "channel"), field(event, "item", "ts")
        user = field(event, "user")
        message = await self.fetch(channel, ts)
        if message is None:
            origin = Origin(channel, user, event_key)
            await self.outbound.tell(origin, self.t("slack.capture_not_found"))
            return
        await self.capture(message, channel, user, event_key)

    async def from_shortcut(self, body: dict[str, Any], event_key: str) -> None:
        """The message shortcut: the payload carries the message itself."""
        await self.capture(
            part(body, "message"),
            field(body, "channel", "id"),
            field(body, "user", "id"),
            event_key,
            response_url=field(body, "response_url") or None,
        )

    async def fetch(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message at `ts`: conversations.history, or conversations.replies in a thread."""
        try:
            history = await self.client.conversations_history(
                channel=channel, latest=ts, inclusive=True, limit=1
            )
            found: list[dict[str, Any]] = history.get("messages", [])
            for message in found:
                if field(message, "ts") == ts:
                    return part(message)
            replies = await self.client.conversations_replies(
                channel=channel, ts=ts, oldest=ts, inclusive=True, limit=2
            )
            for message in replies.get("messages", []):
                if field(message, "ts") == ts:
                    return part(message)
        except SlackApiError as error:
            log.warning("fetching message %s in %s failed: %s", ts, channel, error)
        return None

    async def permalink(self, channel: str, ts: str) -> str | None:
        try:
            response = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
            return response.get("permalink")
        except SlackApiError as error:
            log.info("chat.getPermalink %s failed: %s", ts, error)
            return None

    async def capture(
        self,
        message: dict[str, Any],
        channel: str,
        capturer: str,
        event_key: str,
        *,
        response_url: str | None = None,
    ) -> None:
        ts = field(message, "ts")
        thread = field(message, "thread_ts") or ts
        direct = channel.startswith("D")
        origin = Origin(
            channel,
            capturer,
            event_key,
            response_url=response_url,
            thread_ts=None if direct else thread,
            is_direct=direct,
        )
        author_id = field(message, "user")
        if message.get("bot_id") or message.get("subtype") == "bot_message" or not author_id:
            await self.outbound.tell(origin, self.t("slack.capture_bot"))
            return
        text = await plain_text(field(message, "text"), self.names)
        command = self.router.make_command(
            f"inzicht {text}",
            await self.names.actor(capturer),
            Place(PLATFORM, channel, thread_id=thread, is_direct=direct),
            event_id=event_key,
            source_url=await self.permalink(channel, ts),
            source_id=f"{PLATFORM}:{channel}:{ts}",
            author=await self.names.actor(author_id),
        )
        await self.run(command, origin)
