"""The edge of `POST /slack/events`: the signature first, then the body, then bolt.

Anyone can reach the endpoint, so nothing a stranger sends may cost more than a hash or
fill the log:

* the v0 signature and its 5-minute window are checked on the raw bytes (slack_sdk's
  `SignatureVerifier`) before anything is parsed: a missing, malformed or wrong signature or
  timestamp is 401 (so is a body that is not UTF-8: the verifier cannot check it), logged at
  most once a minute (with how many there were);
* a signed body that is no Slack request (not UTF-8, not a JSON object, a form whose
  `payload` is no JSON object, or one bolt cannot read) is 400, logged as one line without
  its content, never as a traceback;
* a request the bot has no listener for (an `app_home_opened` event, another app's shortcut
  or button) is acknowledged with 200 and logged at debug, so Slack does not retry it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

TIMESTAMP_DIGITS = 12  # seconds since 1970 fit in 10 for centuries; more is no timestamp
REJECTION_LOG_INTERVAL = 60.0

Dispatch = Callable[[AsyncBoltRequest], Awaitable[BoltResponse]]


class Rejections:
    """Counts refused requests and logs them at most once per interval (a flood of forged
    requests makes one line a minute, not one line each)."""

    def __init__(self, interval: float = REJECTION_LOG_INTERVAL) -> None:
        self.interval = interval
        self._count = 0
        self._last = -interval

    def note(self, why: str) -> None:
        self._count += 1
        now = time.monotonic()
        if now - self._last >= self.interval:
            log.info(
                "slack: refused %d request(s) with a bad signature (last: %s)", self._count, why
            )
            self._count, self._last = 0, now
        else:
            log.debug("slack: refused a request with a bad signature (%s)", why)


def signature_problem(
    verifier: SignatureVerifier, raw: bytes, headers: Mapping[str, str]
) -> str | None:
    """Why the request is not signed by Slack, or None when it is."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp or not signature:
        return "missing"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= TIMESTAMP_DIGITS):
        return "malformed timestamp"
    if not signature.isascii():
        return "malformed signature"  # hmac.compare_digest takes ASCII strings only
    try:
        valid = verifier.is_valid(body=raw, timestamp=timestamp, signature=signature)
    except UnicodeDecodeError:
        return "body not UTF-8"  # the verifier signs text; Slack sends nothing else
    return None if valid else "wrong or stale"


def read_body(raw: bytes, content_type: str | None) -> str | None:
    """The body as text when it is a Slack request bolt can read (a JSON object, a form, or a
    form whose `payload` is a JSON object); None otherwise."""
    try:
        text = raw.decode("utf-8")
        parsed = parse_body(text, content_type)  # the very rules bolt reads it by
    except ValueError:  # json's JSONDecodeError is a ValueError
        return None
    return text if isinstance(parsed, dict) else None


def describe(body: Mapping[str, Any]) -> str:
    """What kind of request this is, in identifiers only (never a text somebody wrote)."""
    kind = str(body.get("type") or body.get("command") or "request")
    event = body.get("event")
    detail: object = None
    if isinstance(event, dict):
        detail = event.get("type")
    elif body.get("callback_id"):
        detail = body.get("callback_id")
    elif isinstance(body.get("view"), dict):
        detail = body["view"].get("callback_id")
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        detail = actions[0].get("action_id")
    return f"{kind} {detail}"[:120] if detail else kind[:120]


async def on_bolt_error(error: Exception, request: AsyncBoltRequest) -> BoltResponse:
    """bolt's error handler: an unhandled kind is acknowledged (200, debug); a signed request
    bolt or a listener could not read is 400 (one line, no traceback)."""
    if isinstance(error, BoltUnhandledRequestError):
        log.debug("slack: %s not handled; acknowledged", describe(request.body))
        return BoltResponse(status=200, body="")
    log.warning(
        "slack: cannot read a signed %s request (%s: %s)",
        describe(request.body),
        type(error).__name__,
        str(error)[:200],
    )
    return BoltResponse(status=400, body="")


class AcksFirst:
    """Requests being acknowledged go before the work after earlier acks: `settled()` waits
    until every acknowledgement under way when it was called is answered (later ones do not
    hold it up, so the work is never starved)."""

    def __init__(self) -> None:
        self._under_way: set[asyncio.Future[None]] = set()

    @contextlib.contextmanager
    def acking(self) -> Iterator[None]:
        done = asyncio.get_running_loop().create_future()
        self._under_way.add(done)
        try:
            yield
        finally:
            self._under_way.discard(done)
            done.set_result(None)

    async def settled(self) -> None:
        if self._under_way:
            await asyncio.wait(set(self._under_way))


class EventsEndpoint:
    """`POST /slack/events`: verify, read, then hand the request to bolt."""

    def __init__(self, signing_secret: str, dispatch: Dispatch, acks: AcksFirst) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.dispatch = dispatch
        self.rejections = Rejections()
        self.acks = acks

    async def handle(self, request: web.Request) -> web.StreamResponse:
        with self.acks.acking():
            return await self._handle(request)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()  # over client_max_size: aiohttp answers 413 itself
        problem = signature_problem(self.verifier, raw, request.headers)
        if problem is not None:
            self.rejections.note(problem)
            return web.Response(status=401)
        text = read_body(raw, request.content_type)
        if text is None:
            log.warning("slack: a signed request that is no Slack request (%d bytes)", len(raw))
            return web.Response(status=400)
        try:
            bolt_request = AsyncBoltRequest(
                body=text, query=request.query_string, headers=dict(request.headers)
            )
            response = await self.dispatch(bolt_request)
        except Exception as error:
            # bolt reads ids out of the body as it builds the request and the arguments of
            # its listeners and error handler; a signed body of an unexpected shape fails there
            log.warning(
                "slack: cannot read a signed request (%s: %s)",
                type(error).__name__,
                str(error)[:200],
            )
            return web.Response(status=400)
        return await to_aiohttp_response(response)
