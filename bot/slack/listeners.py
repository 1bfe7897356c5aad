"""Bolt listeners: each acknowledges at once and hands the work to a background task.

Every Slack request becomes a neutral Command with a de-duplication key that the router
claims in the database (never in memory), so retries and parallel deliveries run once:

| Slack request | key |
|---|---|
| slash command `/samen …` | `cmd:{trigger_id}` |
| button / select | `act:{user}:{action_ts}` |
| form submission | `view:{view id}` |
| message shortcut | `sc:{trigger_id}` |
| `:bulb:` reaction | `ev:{event_id}` |
| @mention, thread reply | `msg:{channel}:{ts}` (an @mention also fires `message`: one key) |

A repeated delivery is recognised before any Web API call: at the ack, by the keys this
process has seen lately (`Recent`), and, for a Slack retry (`X-Slack-Retry-Num`), by the
router's ledger of handled events, which also knows what another bot process handled. A key
whose work failed is forgotten again, so that Slack's retry can still succeed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import App
from bot.recent import Recent
from bot.slack.capture import (
    CAPTURE_REACTIONS,
    PLATFORM,
    SHORTCUT_CALLBACK,
    SlackReader,
    field,
    part,
)
from bot.slack.forms import (
    FORM_CALLBACK,
    TEXT_MAX,
    FormLabels,
    Submission,
    form,
    read_submission,
)
from bot.slack.outbound import Origin, SlackOutbound
from bot.slack.render import ACTION_PREFIX
from handlers import registry
from handlers.command_line import CAPTURE, HELP, form_for, form_text
from handlers.registry import RINGS, Spec
from handlers.types import Command, Reply

log = logging.getLogger(__name__)

COMMAND = re.compile(r"^/samen")
HANDLED_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})

Ack = Callable[..., Awaitable[Any]]
Spawn = Callable[[Awaitable[object], Origin], None]
Work = Callable[[], Awaitable[object]]


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
        reader: SlackReader,
        *,
        spawn: Spawn,
        bot_user: Callable[[], str | None],
    ) -> None:
        self.app = app
        self.router = app.router
        self.t = app.policy.translator()
        self.outbound = outbound
        self.reader = reader
        self.spawn = spawn
        self.bot_user = bot_user
        self.recent = Recent()

    def register(self, bolt: AsyncApp) -> None:
        bolt.command(COMMAND)(self.on_command)
        bolt.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self.on_action)
        bolt.view(FORM_CALLBACK)(self.on_form)
        bolt.shortcut(SHORTCUT_CALLBACK)(self.on_shortcut)
        bolt.event("reaction_added")(self.on_reaction)
        bolt.event("app_mention")(self.on_mention)
        bolt.event("message")(self.on_message)

    # -- taking on a delivery once, running a command ------------------------------------------

    def take(self, origin: Origin, work: Work, request: AsyncBoltRequest | None) -> None:
        """Run `work` after the ack, unless this delivery was taken on before."""
        key = origin.event_key
        if not self.recent.first(key):
            log.info("slack: %s delivered again; dropped before any work", key)
            return
        self.spawn(self._once(key, work, retry=_is_retry(request)), origin)

    async def _once(self, key: str, work: Work, *, retry: bool) -> None:
        if retry and await self._handled(key):
            log.info("slack: %s was handled before (a retry); no work done", key)
            return
        try:
            await work()
        except BaseException:
            self.recent.forget(key)  # not handled: let Slack's retry try again
            raise

    async def _handled(self, key: str) -> bool:
        try:
            return await self.router.was_handled(PLATFORM, key)
        except Exception as error:  # the router decides once the database answers again
            log.info("slack: cannot look up %s (%s)", key, type(error).__name__)
            return False

    async def run(self, line: str, origin: Origin, user_name: str = "") -> None:
        """Run a typed line as the origin's user, where it came from."""
        actor = await self.reader.actor(origin.user_id, user_name)
        command = self.router.make_command(line, actor, origin.place(), event_id=origin.event_key)
        await self.dispatch(command, origin)

    async def dispatch(self, command: Command, origin: Origin) -> None:
        await self.finish(await self.router.dispatch(command), origin)

    async def finish(self, replies: list[Reply], origin: Origin) -> None:
        """Deliver the replies (none for a duplicate) and tell the router where they went."""
        message_ids = await self.outbound.deliver(replies, origin)
        for reply, message_id in zip(replies, message_ids, strict=True):
            await self.router.posted(reply, message_id)

    async def line_or_form(
        self, line: str, origin: Origin, trigger_id: str, user_name: str = ""
    ) -> None:
        """Run `line`, or, when it lacks only a long text and Slack lets us, open its form
        (first: the trigger lasts 3 seconds)."""
        word, args = registry.split_line(line)
        spec = form_for(word, args)
        if spec is not None and trigger_id:
            await self.open_form(spec, f"{spec.name} {args}".strip(), trigger_id, origin)
        else:
            await self.run(line, origin, user_name)

    async def open_form(self, spec: Spec, line: str, trigger_id: str, origin: Origin) -> None:
        t, text = self.t, form_text(spec)
        number = line.partition(" ")[2].lstrip("#")
        labels = FormLabels(
            title=t(f"slack.text_modal.{spec.name}.title"),
            text=t(f"slack.text_modal.{spec.name}.label", number=number),
            submit=t("slack.modal.submit"),
            close=t("slack.modal.close"),
        )
        metadata = {"c": origin.channel_id, "l": line, "r": origin.response_url}
        metadata["t"] = origin.thread_ts
        extras: dict[str, Any] = {}
        if spec.name == CAPTURE:  # what a capture form becomes: its themes, who may see it
            default = metadata["i"] = self.app.policy.default_ring.value
            labels = dataclasses.replace(
                labels,
                hint=t("slack.modal.text_hint"),
                themes=t("slack.modal.themes"),
                themes_placeholder=t("slack.modal.themes_placeholder"),
                ring=t("slack.modal.ring"),
            )
            extras = dict(
                themes=await self.outbound.known_themes(),
                rings=[(ring, t(f"slack.modal.ring.{ring}")) for ring in RINGS],
                initial_ring=default,
            )
        max_length = text.max_length if text and text.max_length else TEXT_MAX
        view = form(labels, metadata, max_length=max_length, **extras)
        await self.outbound.client.views_open(trigger_id=trigger_id, view=view)

    # -- slash command, buttons, forms ----------------------------------------------------------

    async def on_command(
        self, ack: Ack, body: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        await ack()
        text, trigger_id = field(body, "text"), field(body, "trigger_id")
        who = "|".join(field(body, k) for k in ("user_id", "channel_id", "command", "text"))
        hashed = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        origin = Origin(
            field(body, "channel_id"),
            field(body, "user_id"),
            f"cmd:{trigger_id or hashed}",
            response_url=field(body, "response_url") or None,
        )
        user_name = field(body, "user_name")
        self.take(origin, lambda: self.line_or_form(text, origin, trigger_id, user_name), request)

    async def on_action(
        self, ack: Ack, body: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        await ack()
        actions = body.get("actions")
        action = part(actions[0] if isinstance(actions, list) and actions else None)
        line = field(action, "value") or field(action, "selected_option", "value")
        user, container = field(body, "user", "id"), part(body, "container")
        channel = field(body, "channel", "id") or field(container, "channel_id")
        thread = field(body, "message", "thread_ts") or field(body, "message", "ts") or None
        origin = Origin(
            channel,
            user,
            f"act:{user}:{field(action, 'action_ts')}",
            response_url=field(body, "response_url") or None,
            thread_ts=None if channel.startswith("D") or container.get("is_ephemeral") else thread,
        )
        trigger_id = field(body, "trigger_id")
        self.take(origin, lambda: self.line_or_form(line, origin, trigger_id), request)

    async def on_form(
        self, ack: Ack, body: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        await ack()
        view = part(body, "view")
        submission = read_submission(view)
        meta = submission.metadata
        origin = Origin(
            field(meta, "c"),
            field(body, "user", "id"),
            f"view:{field(view, 'id')}",
            response_url=field(meta, "r") or None,
            thread_ts=field(meta, "t") or None,
        )
        self.take(origin, lambda: self._submitted(submission, origin), request)

    async def _submitted(self, submission: Submission, origin: Origin) -> None:
        actor = await self.reader.actor(origin.user_id)
        line = submission.line()
        command = self.router.make_command(line, actor, origin.place(), event_id=origin.event_key)
        # The ring goes with the capture (one unit of work, follow notices from the final
        # ring). Left as the form showed it, the proeftuin's own default decides, unless the
        # form showed the narrowest ring: nothing is stored wider than the writer saw.
        ring, shown = submission.ring, submission.metadata.get("i")
        if isinstance(ring, str) and ring and (ring != shown or ring == RINGS[0]):
            command = dataclasses.replace(command, ring=ring)
        await self.dispatch(command, origin)

    # -- capture: the 💡 reaction and the message shortcut ----------------------------------

    async def on_shortcut(
        self, ack: Ack, body: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        await ack()
        message, channel = part(body, "message"), field(body, "channel", "id")
        origin = self._capture_origin(
            message, channel, field(body, "user", "id"), f"sc:{field(body, 'trigger_id')}"
        )
        origin = dataclasses.replace(origin, response_url=field(body, "response_url") or None)
        self.take(origin, lambda: self.capture(message, origin), request)

    async def on_reaction(
        self, body: dict[str, Any], event: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        if field(event, "reaction") not in CAPTURE_REACTIONS:
            return
        if field(event, "item", "type") != "message":
            return
        channel, ts = field(event, "item", "channel"), field(event, "item", "ts")
        key = f"ev:{field(body, 'event_id')}"
        origin = Origin(channel, field(event, "user"), key)
        self.take(origin, lambda: self._reacted(channel, ts, origin), request)

    async def _reacted(self, channel: str, ts: str, origin: Origin) -> None:
        message = await self.reader.fetch(channel, ts)
        if message is None:
            await self.outbound.tell(origin, self.t("slack.capture_not_found"))
            return
        origin = self._capture_origin(message, channel, origin.user_id, origin.event_key)
        await self.capture(message, origin)

    @staticmethod
    def _capture_origin(message: dict[str, Any], channel: str, user: str, key: str) -> Origin:
        """Replies to a capture go into the captured message's thread (none in a DM)."""
        thread = field(message, "thread_ts") or field(message, "ts")
        return Origin(channel, user, key, thread_ts=None if channel.startswith("D") else thread)

    async def capture(self, message: dict[str, Any], origin: Origin) -> None:
        found = await self.reader.message(message, origin.channel_id)
        thread = field(message, "thread_ts") or field(message, "ts")
        place = dataclasses.replace(origin.place(), thread_id=thread)
        capturer = await self.reader.actor(origin.user_id)
        replies = await self.router.capture(found, capturer, place, event_id=origin.event_key)
        await self.finish(replies, origin)

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
        )
        self.take(origin, lambda: self._mention(field(event, "text"), origin), request)

    async def _mention(self, text: str, origin: Origin) -> None:
        bot = self.bot_user()
        if bot:
            text = re.sub(rf"<@{bot}(\|[^>]*)?>", " ", text, count=1)
        await self.run((await self.reader.plain_text(text)).strip() or HELP, origin)

    async def on_message(
        self, event: dict[str, Any], request: AsyncBoltRequest | None = None
    ) -> None:
        subtype = None if event.get("subtype") is None else field(event, "subtype")
        if subtype not in HANDLED_SUBTYPES or event.get("bot_id"):
            return
        thread, ts, user = field(event, "thread_ts"), field(event, "ts"), field(event, "user")
        if not thread or thread == ts or not user:
            return
        text, bot = field(event, "text"), self.bot_user()
        if bot and f"<@{bot}" in text:
            return  # the app_mention listener handles it (same key, handled once anyway)
        channel = field(event, "channel")
        origin = Origin(channel, user, f"msg:{channel}:{ts}", thread_ts=thread)
        self.take(origin, lambda: self._thread_reply(text, ts, origin), request)

    async def _thread_reply(self, text: str, ts: str, origin: Origin) -> None:
        """A reply in a thread: an answer when the thread is a posted reflection prompt."""
        channel = origin.channel_id
        replies = await self.router.thread_reply(
            await self.reader.plain_text(text),
            await self.reader.actor(origin.user_id),
            origin.place(),
            event_id=origin.event_key,
            source_url=await self.reader.permalink(channel, ts),
            source_id=f"{PLATFORM}:{channel}:{ts}",
        )
        await self.finish(replies, origin)
