"""`GET /agenda/<token>.ics`: the agenda feed (handlers/agenda_feed.py) on the HTTP server of
`serve`, for calendar apps to subscribe to.

The token is `SAMEN_AGENDA_FEED_TOKEN` (unset: no such route). A wrong token, or any other
name, gets the same bare 404 as a path that does not exist: the answer tells nothing about the
token, and it is compared in constant time. The answer carries an ETag; a request whose
If-None-Match holds it gets 304 without a body. Calendar apps may keep it for five minutes.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

from aiohttp import web

from handlers.agenda_feed import agenda_feed
from handlers.context import Policy
from storage.db import Database

log = logging.getLogger(__name__)

PREFIX = "/agenda/"
SUFFIX = ".ics"
CONTENT_TYPE = "text/calendar; charset=utf-8"
CACHE_CONTROL = "private, max-age=300"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _matches(request: web.Request, etag: str) -> bool:
    """Whether the request's If-None-Match (parsed by aiohttp) names `etag` or `*` (weak
    comparison, as RFC 9110 asks for If-None-Match)."""
    return any(tag.value in (etag.strip('"'), "*") for tag in request.if_none_match or ())


class AgendaFeedRoute:
    """The feed's one route, for the ops server and (as middleware) Slack's HTTP server."""

    def __init__(
        self,
        database: Database,
        policy: Policy,
        token: str,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not token:
            raise ValueError("the agenda feed needs a token")
        self.database = database
        self.policy = policy
        self._token = token.encode()
        self.clock = clock

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(PREFIX + "{name}", self.serve)

    def wants(self, request: web.Request) -> bool:
        """A request this route answers (used by the middleware on Slack's server)."""
        return request.method in ("GET", "HEAD") and request.path.startswith(PREFIX)

    def _token_ok(self, name: str) -> bool:
        given = name.removesuffix(SUFFIX).encode() if name.endswith(SUFFIX) else b""
        return hmac.compare_digest(given, self._token)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        name = request.path[len(PREFIX) :] if request.path.startswith(PREFIX) else ""
        if not self._token_ok(name):
            raise web.HTTPNotFound()
        async with self.database.reading() as session:
            feed = await agenda_feed(
                session, self.policy.translator(), self.policy.timezone, self.clock()
            )
        headers = {"ETag": feed.etag, "Cache-Control": CACHE_CONTROL}
        if feed.last_modified is not None:
            headers["Last-Modified"] = format_datetime(feed.last_modified, usegmt=True)
        if _matches(request, feed.etag):
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = CONTENT_TYPE
        return web.Response(body=feed.body, headers=headers)
