"""Bolt listeners: each acknowledges at once and hands the work to a background task.

Every Slack request becomes a neutral Command with a de-duplication key that the router
claims in the database (never in memory), so retries and parallel deliveries run once:

| Slack request | key |
|---|---|
| slash command `/samen …` | `cmd:{trigger_id}` |
| button / select | `act:{user}:{action_ts}` |
| modal submission | `view:{view id}` |
| message shortcut | `sc:{trigger_id}` |
| `:bulb:` reaction | `ev:{event_id}` |
| @mention, thread reply | `msg:{channel}:{ts}` (an @mention also fires `message`: one key) |
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.app import App
from bot.render.slack import ACTION_PREFIX, learning_number
from bot.render.slack_modals import (
    MODAL_CALLBACK,
    TEXT_MODAL_CALLBACK,
    ModalLabels,
    Submission,
    inzicht_modal,
    read_submission,
    text_modal,
)
from bot.slack_capture import CAPTURE_REACTIONS, SHORTCUT_CALLBACK, Capturer, Names, plain_text
from bot.slack_outbound import PLATFORM, Origin, SlackOutbound
from bot.slack_prompts import prompt_for_thread, record_posts
from handlers import registry
from handlers.types import Command, Place, Reply
from storage.models import Ring

log = logging.getLogger(__name__)

COMMAND = re.compile(r"^/samen")
HANDLED_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})
# a button `<command> <N>` for these opens a modal for the text the command still needs
TEXT_COMMANDS = frozenset({"antwoord", "verrijk"})

Spawn = Callable[[Awaitable[object], Origin], None]
ThemeSource = Callable[[], Awaitable[list[tuple[str, str]]]]


def _is_direct(channel: str) -> bool:
    return channel.startswith("D")


class SlackListeners:
    """The bot's Slack listeners; `register` attaches them to a bolt AsyncApp."""

    def __init__(
        self,
        app: App,
        outbound: SlackOutbound,
        names: Names,
        capturer: Capturer,
        *,
        spawn: Spawn,
        themes: ThemeSource,
        forget_themes: Callable[[], None],
        bot_user: Callable[[], str | None],
    ) -> None:
        self.app = app
        self.router = app.router
        self.t = app.policy.translator()
        self.outbound = outbound
        self.names = names
        self.capturer = capturer
        self.spawn = spawn
        self.themes = themes
        self.forget_themes = forget_themes
        self.bot_user = bot_user
        # SQLite has one writer: queueing here beats its busy-timeout sleeps under load

    def register(self, bolt: AsyncApp) -> None:
        bolt.command(COMMAND)(self.on_command)
        bolt.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self.on_action)
        bolt.view(MODAL_CALLBACK)(self.on_view_submission)
        bolt.view(TEXT_MODAL_CALLBACK)(self.on_text_submission)
        bolt.shortcut(SHORTCUT_CALLBACK)(self.on_shortcut)
        bolt.event("reaction_added")(self.on_reaction)
        bolt.event("app_mention")(self.on_mention)
        bolt.event("message")(self.on_message)

    # -- running a command ------------------------------------------------------------------

    async def run(self, command: Command, origin: Origin) -> list[Reply]:
        """Dispatch through the router and deliver the replies (none for a duplicate)."""
        started = time.perf_counter()
        replies = await self.router.dispatch(command)
        log.debug(
            "slack: %s dispatched in %.1f ms",
            origin.event_key,
            (time.perf_counter() - started) * 1000,
        )
        if command.name == "thema":
            self.forget_themes()
        if not replies:
            log.info("slack: %s was handled before", origin.event_key)
            return []
        message_ids = await self.outbound.deliver(replies, origin)
        await record_posts(self.app, replies, message_ids)
        return replies

    # -- slash command and modal ------------------------------------------------------------

    async def on_command(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]) -> None:
        await ack()
        trigger = (
            body.get("trigger_id")
            or hashlib.sha256(
                "|".join(
                    str(body.get(k, "")) for k in ("user_id", "channel_id", "command", "text")
                ).encode()
            ).hexdigest()[:32]
        )
        channel = body.get("channel_id", "")
        origin = Origin(
            channel,
            body.get("user_id", ""),
            f"cmd:{trigger}",
            response_url=body.get("response_url"),
            is_direct=_is_direct(channel) or body.get("channel_name") == "directmessage",
        )
        self.spawn(self._command(body, origin), origin)

    async def _command(self, body: dict[str, Any], origin: Origin) -> None:
        received_at = datetime.now(UTC)
        word, args = registry.split_line(body.get("text", ""))
        spec = registry.resolve(word)
        if spec and spec.name == "inzicht" and not args and body.get("trigger_id"):
            await self._open_modal(body["trigger_id"], origin)  # first: the trigger lasts 3 s
            return
        actor = await self.names.actor(origin.user_id, body.get("user_name", ""))
        place = Place(PLATFORM, origin.channel_id, is_direct=origin.is_direct)
        command = self.router.make_command(
            body.get("text", ""), actor, place, event_id=origin.event_key, received_at=received_at
        )
        await self.run(command, origin)

    async def _open_modal(self, trigger_id: str, origin: Origin) -> None:
        t = self.t
        default = self.app.policy.default_ring.value
        view = inzicht_modal(
            labels=ModalLabels(
                title=t("slack.modal.title"),
                submit=t("slack.modal.submit"),
                close=t("slack.modal.close"),
                text=t("slack.modal.text"),
                text_hint=t("slack.modal.text_hint"),
                themes=t("slack.modal.themes"),
                themes_placeholder=t("slack.modal.themes_placeholder"),
                ring=t("slack.modal.ring"),
            ),
            themes=await self.themes(),
            rings=[(ring.value, t(f"slack.modal.ring.{ring.value}")) for ring in Ring],
            initial_ring=default,
            metadata={"c": origin.channel_id, "r": origin.response_url, "i": default},
        )
        await self.outbound.client.views_open(trigger_id=trigger_id, view=view)

    async def on_view_submission(
        self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]
    ) -> None:
        await ack()
        view = body.get("view", {})
        submission = read_submission(view)
        channel = str(submission.metadata.get("c") or "")
        origin = Origin(
            channel,
            body.get("user", {}).get("id", ""),
            f"view:{view.get('id', '')}",
            response_url=submission.metadata.get("r"),
            is_direct=_is_direct(channel),
        )
        self.spawn(self._submission(submission, origin), origin)

    async def _submission(self, submission: Submission, origin: Origin) -> None:
        tags = " ".join(
            f"#{slug}" for slug in submission.slugs if f"#{slug}" not in submission.text
        )
        actor = await self.names.actor(origin.user_id)
        place = Place(PLATFORM, origin.channel_id, is_direct=origin.is_direct)
        line = f"inzicht {submission.text} {tags}".rstrip()
        replies = await self.run(
            self.router.make_command(line, actor, place, event_id=origin.event_key), origin
        )
        number = learning_number(replies[0].actions) if replies else None
        if number and submission.ring and submission.ring != submission.metadata.get("i"):
            share = f"deel {number} {submission.ring}"
            event_id = f"{origin.event_key}:deel"
            await self.run(self.router.make_command(share, actor, place, event_id=event_id), origin)

    # -- buttons and selects ----------------------------------------------------------------

    async def on_action(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]) -> None:
        await ack()
        action = (body.get("actions") or [{}])[0]
        line = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        user = body.get("user", {}).get("id", "")
        container = body.get("container", {})
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        message = body.get("message") or {}
        thread = None
        if not _is_direct(channel) and not container.get("is_ephemeral"):
            thread = message.get("thread_ts") or message.get("ts")
        origin = Origin(
            channel,
            user,
            f"act:{user}:{action.get('action_ts', '')}",
            response_url=body.get("response_url"),
            thread_ts=thread,
            is_direct=_is_direct(channel),
        )
        self.spawn(self._action(line, origin, body.get("trigger_id")), origin)

    async def _action(self, line: str, origin: Origin, trigger_id: str | None) -> None:
        word, args = registry.split_line(line)
        spec = registry.resolve(word)
        if spec and spec.name in TEXT_COMMANDS and args.isdigit() and trigger_id:
            await self._open_text_modal(spec.name, line, args, trigger_id, origin)
            return
        actor = await self.names.actor(origin.user_id)
        place = Place(PLATFORM, origin.channel_id, origin.thread_ts, origin.is_direct)
        command = self.router.make_command(line, actor, place, event_id=origin.event_key)
        await self.run(command, origin)

    async def _open_text_modal(
        self, name: str, line: str, number: str, trigger_id: str, origin: Origin
    ) -> None:
        t = self.t
        view = text_modal(
            title=t(f"slack.text_modal.{name}.title"),
            label=t(f"slack.text_modal.{name}.label", number=number),
            submit=t("slack.modal.submit"),
            close=t("slack.modal.close"),
            metadata={
                "c": origin.channel_id,
                "l": line,
                "t": origin.thread_ts,
                "r": origin.response_url,
            },
        )
        await self.outbound.client.views_open(trigger_id=trigger_id, view=view)

    async def on_text_submission(
        self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]
    ) -> None:
        await ack()
        view = body.get("view", {})
        submission = read_submission(view)
        meta = submission.metadata
        channel = str(meta.get("c") or "")
        origin = Origin(
            channel,
            body.get("user", {}).get("id", ""),
            f"view:{view.get('id', '')}",
            response_url=meta.get("r"),
            thread_ts=meta.get("t"),
            is_direct=_is_direct(channel),
        )
        line = f"{meta.get('l', '')} {submission.text}"
        self.spawn(self._action(line, origin, None), origin)

    # -- capture ----------------------------------------------------------------------------

    async def on_shortcut(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]) -> None:
        await ack()
        key = f"sc:{body.get('trigger_id', '')}"
        origin = Origin(
            body.get("channel", {}).get("id", ""),
            body.get("user", {}).get("id", ""),
            key,
            response_url=body.get("response_url"),
        )
        self.spawn(self.capturer.from_shortcut(body, key), origin)

    async def on_reaction(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        item = event.get("item", {})
        if event.get("reaction") not in CAPTURE_REACTIONS or item.get("type") != "message":
            return
        key = f"ev:{body.get('event_id', '')}"
        origin = Origin(item.get("channel", ""), event.get("user", ""), key)
        self.spawn(self.capturer.from_reaction(event, key), origin)

    # -- messages: @mentions and answers to prompts ------------------------------------------

    async def on_mention(self, event: dict[str, Any]) -> None:
        if event.get("bot_id"):
            return
        channel, ts = event.get("channel", ""), event.get("ts", "")
        origin = Origin(
            channel,
            event.get("user", ""),
            f"msg:{channel}:{ts}",
            thread_ts=event.get("thread_ts"),
            is_direct=_is_direct(channel),
        )
        self.spawn(self._mention(event, origin), origin)

    async def _mention(self, event: dict[str, Any], origin: Origin) -> None:
        text = event.get("text", "")
        bot = self.bot_user()
        if bot:
            text = re.sub(rf"<@{bot}(\|[^>]*)?>", " ", text, count=1)
        line = (await plain_text(text, self.names)).strip() or "help"
        actor = await self.names.actor(origin.user_id)
        place = Place(PLATFORM, origin.channel_id, origin.thread_ts, origin.is_direct)
        await self.run(
            self.router.make_command(line, actor, place, event_id=origin.event_key), origin
        )

    async def on_message(self, event: dict[str, Any]) -> None:
        if event.get("subtype") not in HANDLED_SUBTYPES or event.get("bot_id"):
            return
        thread, ts = event.get("thread_ts"), event.get("ts")
        if not thread or thread == ts or not event.get("user"):
            return
        bot = self.bot_user()
        if bot and f"<@{bot}" in event.get("text", ""):
            return  # the app_mention listener handles it (same key, handled once anyway)
        channel = event.get("channel", "")
        origin = Origin(channel, event["user"], f"msg:{channel}:{ts}", thread_ts=thread)
        self.spawn(self._thread_reply(event, origin), origin)

    async def _thread_reply(self, event: dict[str, Any], origin: Origin) -> None:
        """A reply in a thread: an answer when the thread is a posted reflection prompt."""
        prompt_id = await prompt_for_thread(self.app, origin.channel_id, origin.thread_ts or "")
        if prompt_id is None:
            return
        text = await plain_text(event.get("text", ""), self.names)
        ts = event.get("ts", "")
        command = self.router.make_command(
            f"antwoord {prompt_id} {text}",
            await self.names.actor(origin.user_id),
            Place(PLATFORM, origin.channel_id, origin.thread_ts),
            event_id=origin.event_key,
            source_url=await self.capturer.permalink(origin.channel_id, ts),
            source_id=f"{PLATFORM}:{origin.channel_id}:{ts}",
        )
        await self.run(command, origin)
