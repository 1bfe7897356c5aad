"""Sending replies to Slack: where each reply goes, splitting, ephemeral, DMs, files, 429s.

Routing of one neutral Reply (see handlers/types.py):

* `to` on another platform -> handed to that platform's adapter through Delivery;
* DIRECT, or `to.user_id` -> a DM with that person (conversations.open, then chat.postMessage);
* `to.channel_id` -> chat.postMessage in that channel;
* ONLY_CALLER -> ephemeral: the interaction's `response_url`, else chat.postEphemeral;
* THREAD and CHANNEL -> chat.postMessage in the channel the command came from, inside the
  origin's thread when it has one (a captured message, a mention or a button in a thread).
  When the bot may not post there (not a member, a DM between people), the slash
  command's `response_url` posts it `in_channel` instead.

A reply longer than one Slack message becomes several: the rest goes into the thread of the
first. 429 answers are retried by slack_sdk's AsyncRateLimitErrorRetryHandler, which
sleeps with asyncio (the event loop keeps serving). Nothing here logs message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.delivery import Delivery, DeliveryError
from bot.slack.render import Labels, render
from handlers.command_line import learning_number
from handlers.i18n import Translator
from handlers.types import Place, Reply, Target, Visibility

log = logging.getLogger(__name__)

PLATFORM = "slack"
# chat.postMessage errors after which a slash command's response_url can still answer
FALLBACK_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})

EFFECT_EVENT = "samen_effect"  # message metadata event_type of the scheduler's messages
HISTORY_LOOKBACK = 200  # recent messages a retry looks through for an effect's key
UNREADABLE = frozenset({"missing_scope", "not_in_channel", "not_allowed_token_type"})
THEME_TIMEOUT = 1.0
RESPONSE_URL_USES = 5  # Slack accepts five posts to one response_url (within 30 minutes)
ThemeSource = Callable[[], Awaitable[Sequence[tuple[str, str]]]]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a command came from on Slack, which decides where its replies go."""

    channel_id: str
    user_id: str
    event_key: str  # the de-duplication key, also used in logs
    response_url: str | None = None
    thread_ts: str | None = None  # replies go into this thread

    @property
    def is_direct(self) -> bool:
        return self.channel_id.startswith("D")

    def place(self) -> Place:
        return Place(PLATFORM, self.channel_id, self.thread_ts, self.is_direct)


@contextlib.contextmanager
def refused_as_delivery_error() -> Iterator[None]:
    try:
        yield
    except SlackApiError as error:
        raise DeliveryError(f"slack refused the message: {error.response.get('error')}") from None


class SlackOutbound:
    """Posts neutral replies to Slack; also the `Outbound` that scheduled jobs use."""

    platform = PLATFORM

    def __init__(
        self,
        client: AsyncWebClient,
        t: Translator,
        *,
        themes: ThemeSource,
        delivery: Delivery,
        retry_handlers: list[AsyncRetryHandler],
    ) -> None:
        self.client = client
        self.t = t
        self.themes = themes
        self.delivery = delivery
        self.retry_handlers = retry_handlers
        self.labels = Labels(
            continued=t("slack.continued"),
            theme_placeholder=t("slack.add_theme"),
            attachment=t("slack.attachment", name="{name}"),
            confirm_title=t("slack.confirm.title"),
            confirm_text=t("slack.confirm.text"),
            confirm_yes=t("slack.confirm.yes"),
            confirm_no=t("slack.confirm.no"),
        )
        self._dms: dict[str, str] = {}
        self._url_uses: dict[str, int] = {}

    # -- the Outbound protocol (scheduled jobs, cross-platform delivery) -----------------------

    async def _channel(self, target: Target) -> str:
        if target.user_id:
            return await self.open_dm(target.user_id)
        if target.channel_id:
            return target.channel_id
        raise DeliveryError("a Slack target needs a channel or a user")

    async def send(self, target: Target, reply: Reply) -> str | None:
        """Post `reply` to a channel or a person's DM; returns the first message's ts."""
        with refused_as_delivery_error():
            return await self.post(await self._channel(target), reply)

    async def send_once(
        self, target: Target, reply: Reply, key: str, *, check: bool = False
    ) -> tuple[str | None, bool]:
        """Post `reply` with its effect `key` in every message's metadata (event_type
        `samen_effect`); with `check` (a retry), first look the key up in the channel's recent
        history and post only the messages of the reply that are not there. Returns the first
        message's ts and whether Slack had (some of) it already."""
        with refused_as_delivery_error():
            channel = await self._channel(target)
            arrived = await self.arrived(channel, key) if check else {}
            return await self.post(channel, reply, key=key, arrived=arrived), bool(arrived)

    async def arrived(self, channel: str, key: str) -> dict[int, str]:
        """The messages of effect part `key` already in `channel`: {index in the reply: ts}.
        Looks through the channel's recent history (with metadata) and, when the first message
        is there, its thread, where a long reply continues."""
        try:
            history = await self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
            )
        except SlackApiError as error:
            if error.response.get("error") not in UNREADABLE:
                raise
            # A DM needs `im:history`, which the manifest does not ask: without it, a retried
            # DM cannot look back and is sent (at-least-once for DMs; see docs/guarantees.md).
            log.info(
                "slack: cannot read %s to check %s (%s)", channel, key, error.response["error"]
            )
            return {}
        found = _effect_parts(history.get("messages"), key)
        if 0 in found:
            thread = await self.client.conversations_replies(
                channel=channel, ts=found[0], include_all_metadata=True, limit=HISTORY_LOOKBACK
            )
            found = _effect_parts(thread.get("messages"), key) | found
        return found

    # -- replies to a command ---------------------------------------------------------------

    async def deliver(self, replies: Sequence[Reply], origin: Origin) -> list[str | None]:
        """Send every reply of one command, in order; returns the ts of each (None: ephemeral
        or not delivered). One refused reply does not stop the others; the user is told."""
        message_ids: list[str | None] = []
        failed = 0
        for reply in replies:
            try:
                message_ids.append(await self.deliver_one(reply, origin))
            except (SlackApiError, DeliveryError, aiohttp.ClientError) as error:
                detail = error.response.get("error") if isinstance(error, SlackApiError) else error
                log.warning("slack: %s: a reply was not delivered (%s)", origin.event_key, detail)
                message_ids.append(None)
                failed += 1
        if failed:
            await self.tell(origin, self.t.plural("slack.not_delivered", failed))
        return message_ids

    async def deliver_one(self, reply: Reply, origin: Origin) -> str | None:
        if not await self.delivery.still_allowed(reply):
            return None  # checked at delivery: what it shows may no longer be shown
        to = reply.to
        if to is not None and to.platform != PLATFORM:
            return await self.delivery.send(to, reply)
        if reply.visibility is Visibility.DIRECT or (to is not None and to.user_id):
            user = to.user_id if to is not None and to.user_id else origin.user_id
            return await self.post(await self.open_dm(user), reply)
        if to is not None and to.channel_id:
            return await self.post(to.channel_id, reply)
        if reply.visibility is Visibility.ONLY_CALLER:
            await self.ephemeral(origin, reply)
            return None
        try:
            return await self.post(origin.channel_id, reply, thread_ts=origin.thread_ts)
        except SlackApiError as error:
            if origin.response_url and error.response.get("error") in FALLBACK_ERRORS:
                await self.respond(origin.response_url, reply, response_type="in_channel")
                return None
            raise

    async def tell(self, origin: Origin, text: str) -> None:
        """A short private line to whoever caused `origin` (best effort, never raises)."""
        try:
            await self.ephemeral(origin, Reply(text=text, visibility=Visibility.ONLY_CALLER))
        except Exception as error:  # the user cannot be told; the log has the event key
            log.warning("could not tell %s about %s: %s", origin.user_id, origin.event_key, error)

    # -- primitives -------------------------------------------------------------------------

    async def known_themes(self) -> Sequence[tuple[str, str]]:
        """The themes to offer in a select or a form; none when the store does not answer
        in time (a form must open within its trigger's 3 seconds)."""
        try:
            async with asyncio.timeout(THEME_TIMEOUT):
                return await self.themes()
        except Exception as error:
            log.warning("slack: themes unavailable (%s)", type(error).__name__)
            return ()

    async def _messages(
        self, reply: Reply, *, note_attachments: bool, labels: Labels | None = None
    ) -> list[dict]:
        themes = await self.known_themes() if learning_number(reply.actions) else ()
        return render(
            reply, labels=labels or self.labels, themes=themes, note_attachments=note_attachments
        )

    async def post(
        self,
        channel: str,
        reply: Reply,
        *,
        thread_ts: str | None = None,
        key: str | None = None,
        arrived: dict[int, str] | None = None,
    ) -> str:
        """chat.postMessage, continued in the thread when long; files uploaded after. With
        `key`, every message carries it as metadata; messages in `arrived` are not posted."""
        first: str | None = None
        arrived = arrived or {}
        messages = await self._messages(reply, note_attachments=False)
        for index, message in enumerate(messages):
            if index in arrived:
                first = first or arrived[index]
                continue
            extra: dict = {}
            if key:
                extra["metadata"] = {
                    "event_type": EFFECT_EVENT,
                    "event_payload": {"key": key, "part": index},
                }
            response = await self.client.chat_postMessage(
                channel=channel,
                text=message["text"],
                blocks=message["blocks"],
                thread_ts=thread_ts or first,
                unfurl_links=False,
                unfurl_media=False,
                **extra,
            )
            first = first or response["ts"]
            channel = response.get("channel") or channel
        assert first is not None  # render() always returns at least one message
        if reply.attachments and len(arrived) < len(messages):
            await self.upload(channel, reply.attachments, thread_ts=thread_ts or first)
        return first

    async def ephemeral(self, origin: Origin, reply: Reply) -> None:
        """Only the caller sees it: via response_url when there is one, else postEphemeral."""
        labels = self.labels
        if reply.attachments:  # Slack cannot attach files to an ephemeral message: DM them
            try:
                await self.upload(
                    await self.open_dm(origin.user_id), reply.attachments, thread_ts=None
                )
                labels = replace(labels, attachment=self.t("slack.attachment_dm", name="{name}"))
            except (SlackApiError, aiohttp.ClientError) as error:
                log.warning("slack: %s: files not sent to the DM (%s)", origin.event_key, error)
        for message in await self._messages(reply, note_attachments=True, labels=labels):
            if origin.response_url and self._take(origin.response_url):
                await self._respond_one(origin.response_url, message, "ephemeral")
                continue
            await self.client.chat_postEphemeral(
                channel=origin.channel_id,
                user=origin.user_id,
                text=message["text"],
                blocks=message["blocks"],
                thread_ts=origin.thread_ts,
            )

    async def respond(self, response_url: str, reply: Reply, *, response_type: str) -> None:
        for message in await self._messages(reply, note_attachments=True):
            if not self._take(response_url):
                raise DeliveryError("the response_url was used five times")
            await self._respond_one(response_url, message, response_type)

    def _take(self, response_url: str) -> bool:
        """Count one use of a response_url; False once Slack would refuse it."""
        used = self._url_uses.get(response_url, 0)
        if used >= RESPONSE_URL_USES:
            return False
        self._url_uses[response_url] = used + 1
        if len(self._url_uses) > 5000:  # forget the oldest (they expire after 30 minutes)
            del self._url_uses[next(iter(self._url_uses))]
        return True

    async def _respond_one(self, url: str, message: dict, response_type: str) -> None:
        webhook = AsyncWebhookClient(
            url,
            session=self.client.session,
            retry_handlers=self.retry_handlers,
            logger=self.client.logger,
        )
        response = await webhook.send(
            text=message["text"],
            blocks=message["blocks"],
            response_type=response_type,
            replace_original=False,
        )
        if response.status_code != 200:
            raise DeliveryError(f"response_url answered {response.status_code}")

    async def open_dm(self, user_id: str) -> str:
        """The DM channel with a person (conversations.open, cached)."""
        if user_id not in self._dms:
            response = await self.client.conversations_open(users=user_id)
            self._dms[user_id] = response["channel"]["id"]
        return self._dms[user_id]

    async def upload(self, channel: str, paths: Sequence[str], *, thread_ts: str | None) -> None:
        """Upload local files (e.g. .ics) beside a message (files_upload_v2)."""
        uploads = [
            {"file": path, "filename": os.path.basename(path), "title": os.path.basename(path)}
            for path in paths
            if os.path.isfile(path)
        ]
        if uploads:
            await self.client.files_upload_v2(
                file_uploads=uploads, channel=channel, thread_ts=thread_ts
            )


def _effect_parts(messages: object, key: str) -> dict[int, str]:
    """{index within its reply: ts} of the messages posted for effect part `key`."""
    found: dict[int, str] = {}
    for message in messages if isinstance(messages, list) else []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == EFFECT_EVENT and payload.get("key") == key:
            with contextlib.suppress(TypeError, ValueError):
                found.setdefault(int(payload.get("part", 0)), str(message["ts"]))
    return found
