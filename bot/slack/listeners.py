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

A repeated delivery is recognised before any Web API call: at the ack, by the keys this
process has seen lately (`Recent`), and, for a Slack retry (`X-Slack-Retry-Num`), by the
database's ledger of handled keys, which also knows what another bot process handled. A key
whose work failed is forgotten again, so that Slack's retry can still succeed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import App
from bot.recent import Recent
from bot.slack.capture import (
    CAPTURE_REACTIONS,
    SHORTCUT_CALLBACK,
    Capturer,
    Names,
    field,
    part,
    plain_text,
)
from bot.slack.modals import (
    MODAL_CALLBACK,
    TEXT_MODAL_CALLBACK,
    ModalLabels,
    Submission,
    inzicht_modal,
    read_submission,
    text_modal,
)
from bot.slack.outbound import PLATFORM, Origin, SlackOutbound
from bot.slack.prompts import prompt_for_thread, record_posts
from bot.slack.render import ACTION_PREFIX
from handlers import registry
from handlers.command_line import CAPTURE, HELP, form_for
from handlers.types import Command, Place, Reply
from storage import events
from storage.models import Ring

log = logging.getLogger(__name__)

COMMAND = re.compile(r"^/samen")
HANDLED_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})

Spawn = Callable[[Awaitable[object], Origin], None]
ThemeSource = Callable[[], Awaitable[list[tuple[str, str]]]]


def _submitted(body: dict[str, Any]) -> tuple[Submission, Origin]:
    """A submitted form and where its answer goes: the channel, thread and response URL the
    form was opened from (kept in its metadata)."""
    view = part(body, "view")
    submission = read_submission(view)
    meta = submission.metadata
    channel = field(meta, "c")
    origin = Origin(
        channel,
        field(body, "user", "id"),
        f"view:{field(view, 'id')}",
        response_url=field(meta, "r") or None,
        thread_ts=field(meta, "t") or None,
        is_direct=_is_direct(channel),
    )
    return submission, origin


def _is_direct(channel: str) -> bool:
    return channel.startswith("D")


def _is_retry(request: AsyncBoltRequest | None) -> bool:
    """Whether Slack says this is a retry (HTTP header, or Socket Mode's retry_attempt)."""
    if request is None:
        return False
    value = request.headers.get("x-slack-retry-num") or [""]
    return value[0] not in ("", "0")


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
        self.recent = Recent()

    def register(self, bolt: AsyncApp) -> None:
        bolt.command(COMMAND)(self.on_command)
        bolt.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self.on_action)
        bolt.view(MODAL_CALLBACK)(self.on_view_submission)
        bolt.view(TEXT_MODAL_CALLBACK)(self.on_text_submission)
        bolt.shortcut(SHORTCUT_CALLBACK)(self.on_shortcut)
        bolt.event("reaction_added")(self.on_reaction)
        bolt.event("app_mention")(self.on_mention)
        bolt.event("message")(self.on_message)

    # -- taking on a delivery once ------------------------------------------------------------

    def take(
        self,
        origin: Origin,
        work: Callable[[], Awaitable[object]],
        request: AsyncBoltRequest | None = None,
    ) -> None:
        """Run `work` after the ack, unless this delivery was taken on before."""
        key = origin.event_key
        if not self.recent.first(key):
            log.info("slack: %s delivered again; dropped before any work", key)
            return
        self.spawn(self._once(key, work, retry=_is_retry(request)), origin)

    async def _once(self, key: str, work: Callable[[], Awaitable[object]], *, retry: bool) -> None:
        if retry and await self._handled(key):
            log.info("slack: %s was handled before (a retry); no work done", key)
            return
        try:
            await work()
        except BaseException:
            self.recent.forget(key)  # not handled: let Slack's retry try again
            raise

    async def _handled(self, key: str) -> bool:
        """Whether the ledger holds `key` (claimed by this or another bot process)."""
        try:
            async with self.app.database.reading() as session:
                return await events.is_handled(session, f"{PLATFORM}:{key}")
        except Exception as error:  # the router decides once the database answers again
            log.info("slack: cannot look up %s (%s)", key, type(error).__name__)
            return False

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
        if "themes" in registry.invalidating(command.name):
            self.forget_themes()
        if not replies:
            log.info("slack: %s was handled before", origin.event_key)
            return []
        message_ids = await self.outbound.deliver(replies, origin)
        await record_posts(self.app, replies, message_ids)
        return replies

    # -- slash command and modal ------------------------------------------------------------

    async def on_command(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        request: AsyncBoltRequest | None = None,
    ) -> None:
        await ack()
        text, trigger_id = field(body, "text"), field(body, "trigger_id")
        trigger = (
            trigger_id
            or hashlib.sha256(
                "|".join(
                    field(body, k) for k in ("user_id", "channel_id", "command", "text")
                ).encode("utf-8", "surrogatepass")
            ).hexdigest()[:32]
        )
        channel = field(body, "channel_id")
        origin = Origin(
            channel,
            field(body, "user_id"),
            f"cmd:{trigger}",
            response_url=field(body, "response_url") or None,
            is_direct=_is_direct(channel) or field(body, "channel_name") == "directmessage",
        )
        user_name = field(body, "user_name")
        self.take(origin, lambda: self._command(text, trigger_id, user_name, origin), request)

    async def _command(self, text: str, trigger_id: str, user_name: str, origin: Origin) -> None:
        received_at = datetime.now(UTC)
        word, args = registry.split_line(text)
        form = form_for(word, args)
        if form is not None and form.name == CAPTURE and trigger_id:
            await self._open_modal(trigger_id, origin)  # first: the trigger lasts 3 s
            return
        actor = await self.names.actor(origin.user_id, user_name)
        place = Place(PLATFORM, origin.channel_id, is_direct=origin.is_direct)
        command = self.router.make_command(
            text, actor, place, event_id=origin.event_key, received_at=received_at
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
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        request: AsyncBoltRequest | None = None,
    ) -> None:
        await ack()
        submission, origin = _submitted(body)
        self.take(origin, lambda: self._submission(submission, origin), request)

    async def _submission(self, submission: Submission, origin: Origin) -> None:
        tags = " ".join(
            f"#{slug}" for slug in submission.slugs if f"#{slug}" not in submission.text
        )
        actor = await self.names.actor(origin.user_id)
        place = Place(PLATFORM, origin.channel_id, is_direct=origin.is_direct)
        line = f"{CAPTURE} {submission.text} {tags}".rstrip()
        command = self.router.make_command(line, actor, place, event_id=origin.event_key)
        # The ring goes with the capture (one unit of work, follow notices from the final
        # ring). Left as the form showed it, the proeftuin's own default decides, unless the
        # form showed the narrowest ring: nothing is stored wider than the writer saw.
        ring = submission.ring if isinstance(submission.ring, str) else None
        changed = ring != submission.metadata.get("i")
        if ring and (changed or ring == Ring.PROEFTUIN.value):
            command = dataclasses.replace(command, ring=ring)
        await self.run(command, origin)

    # -- buttons and selects ----------------------------------------------------------------

    async def on_action(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        request: AsyncBoltRequest | None = None,
    ) -> None:
        await ack()
        actions = body.get("actions")
        action = part(actions[0] if isinstance(actions, list) and actions else None)
        line = field(action, "value") or field(action, "selected_option", "value")
        user = field(body, "user", "id")
        container = part(body, "container")
        channel = field(body, "channel", "id") or field(container, "channel_id")
        thread = None
        if not _is_direct(channel) and not container.get("is_ephemeral"):
            thread = field(body, "message", "thread_ts") or field(body, "message", "ts") or None
        origin = Origin(
            channel,
            user,
            f"act:{user}:{field(action, 'action_ts')}",
            response_url=field(body, "response_url") or None,
            thread_ts=thread,
            is_direct=_is_direct(channel),
        )
        trigger_id = field(body, "trigger_id") or None
        self.take(origin, lambda: self._action(line, origin, trigger_id), request)

    async def _action(self, line: str, origin: Origin, trigger_id: str | None) -> None:
        word, args = registry.split_line(line)
        form = form_for(word, args)  # `antwoord 5`, `verrijk 5`: a form asks for the text
        if form is not None and form.name != CAPTURE and trigger_id:
            await self._open_text_modal(form.name, line, args.lstrip("#"), trigger_id, origin)
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
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        request: AsyncBoltRequest | None = None,
    ) -> None:
        await ack()
        submission, origin = _submitted(body)
        line = f"{field(submission.metadata, 'l')} {submission.text}"
        self.take(origin, lambda: self._action(line, origin, None), request)

    # -- capture ----------------------------------------------------------------------------

    async def on_shortcut(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        request: AsyncBoltRequest | None = None,
    ) -> None:
        await ack()
        key = f"sc:{field(body, 'trigger_id')}"
        origin = Origin(
            field(body, "channel", "id"),
            field(body, "user", "id"),
            key,
            response_url=field(body, "response_url") or None,
        )
        self.take(origin, lambda: self.capturer.from_shortcut(body, key), request)

    async def on_reaction(
        self, body: dict[str, Any], event: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        if field(event, "reaction") not in CAPTURE_REACTIONS:
            return
        if field(event, "item", "type") != "message":
            return
        key = f"ev:{field(body, 'event_id')}"
        origin = Origin(field(event, "item", "channel"), field(event, "user"), key)
        self.take(origin, lambda: self.capturer.from_reaction(event, key), request)

    # -- messages: @mentions and answers to prompts ------------------------------------------

    async def on_mention(
        self, event: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        if event.get("bot_id"):
            return
        channel, ts = field(event, "channel"), field(event, "ts")
        origin = Origin(
            channel,
            field(event, "user"),
            f"msg:{channel}:{ts}",
            thread_ts=field(event, "thread_ts") or None,
            is_direct=_is_direct(channel),
        )
        text = field(event, "text")
        self.take(origin, lambda: self._mention(text, origin), request)

    async def _mention(self, text: str, origin: Origin) -> None:
        bot = self.bot_user()
        if bot:
            text = re.sub(rf"<@{bot}(\|[^>]*)?>", " ", text, count=1)
        line = (await plain_text(text, self.names)).strip() or HELP
        actor = await self.names.actor(origin.user_id)
        place = Place(PLATFORM, origin.channel_id, origin.thread_ts, origin.is_direct)
        await self.run(
            self.router.make_command(line, actor, place, event_id=origin.event_key), origin
        )

    async def on_message(
        self, event: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        subtype = None if event.get("subtype") is None else field(event, "subtype")
        if subtype not in HANDLED_SUBTYPES or event.get("bot_id"):
            return
        thread, ts, user = field(event, "thread_ts"), field(event, "ts"), field(event, "user")
        if not thread or thread == ts or not user:
            return
        text = field(event, "text")
        bot = self.bot_user()
        if bot and f"<@{bot}" in text:
            return  # the app_mention listener handles it (same key, handled once anyway)
        channel = field(event, "channel")
        origin = Origin(channel, user, f"msg:{channel}:{ts}", thread_ts=thread)
        self.take(origin, lambda: self._thread_reply(text, ts, origin), request)

    async def _thread_reply(self, text: str, ts: str, origin: Origin) -> None:
        """A reply in a thread: an answer when the thread is a posted reflection prompt."""
        prompt_id = await prompt_for_thread(self.app, origin.channel_id, origin.thread_ts or "")
        if prompt_id is None:
            return
        text = await plain_text(text, self.names)
        command = self.router.make_command(
            f"antwoord {prompt_id} {text}",
            await self.names.actor(origin.user_id),
            Place(PLATFORM, origin.channel_id, origin.thread_ts),
            event_id=origin.event_key,
            source_url=await self.capturer.permalink(origin.channel_id, ts),
            source_id=f"{PLATFORM}:{origin.channel_id}:{ts}",
        )
        await self.run(command, origin)
