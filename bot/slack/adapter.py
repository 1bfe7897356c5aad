"""Slack for samen-bot: a slack-bolt AsyncApp over HTTP (aiohttp) or Socket Mode.

`SlackService(app, http=…, host=…, port=…)` is what `samen-bot serve` starts:

* HTTP mode serves `POST /slack/events` (Events API, slash commands, interactivity; the v0
  signature and its 5-minute window are checked on the raw body before anything is parsed,
  see `bot.slack.http`: 401 when bad, 400 for a signed body that is no Slack request, 200 for
  a kind the bot does not handle) and `GET /healthz` (200 when the database answers, 503
  otherwise);
* Socket Mode (SLACK_APP_TOKEN set, no --slack-http) connects out to Slack instead.

Every listener acknowledges first and works after (`process_before_response=True`, so
bolt returns the ack as soon as the listener returns, and the work runs in a task this
service tracks): the ack never waits for the database or the Web API. Work that fails
after the ack is logged with its event key and the user is told, ephemerally.

The Web API client is shared (one aiohttp session, SLACK_API_URL as base URL) and retries
429 answers after Retry-After with slack_sdk's AsyncRateLimitErrorRetryHandler, which
sleeps with asyncio. Request bodies and message texts are never logged: bolt and slack_sdk
log them at DEBUG only, and their loggers here are kept at INFO.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import App
from bot.config import ConfigError
from bot.slack.capture import SlackReader
from bot.slack.http import AcksFirst, EventsEndpoint, on_bolt_error
from bot.slack.listeners import SlackListeners
from bot.slack.outbound import Origin, SlackOutbound

log = logging.getLogger(__name__)

WORK_TIMEOUT = 120.0  # one command's work after the ack, 429 waits included
# Commands worked on at once after their acks; the rest wait their turn. Every runnable one is
# a step the loop takes before it reads the next request: at 32, twenty clients sending only
# commands saw ack p99 14.1-14.4 ms; at 8, 10.4-10.8 ms, with the reply p99 of clients waiting
# for their answer 88-90 ms (78-83 at 32; bench/slack_bench.py --clients 20, 2026-12-03).
WORK_SLOTS = 8
STOP_GRACE = 10.0  # how long stop() lets running work finish
HEALTH_TIMEOUT = 3.0
START_TIMEOUT = 15.0


class NoBodies(logging.Filter):
    """Cuts a request body out of a log line (bolt logs it with a bad signature, at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "body" in message:
            record.msg = message.split(" (", 1)[0] + " (request body not logged)"
            record.args = ()
        return True


NO_BODIES = NoBodies()


def quiet_logger(name: str) -> logging.Logger:
    """A logger for bolt / slack_sdk that never emits their DEBUG lines (bodies, texts)."""
    logger = logging.getLogger(name)
    if logger.level < logging.INFO:
        logger.setLevel(logging.INFO)
    if NO_BODIES not in logger.filters:
        logger.addFilter(NO_BODIES)
    return logger


def guard_bolt_loggers() -> None:
    """Give every `slack_bolt.*` logger bolt created the body filter (it copies it only to
    loggers without filters of their own)."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(("slack_bolt", "slack_sdk", "samen-bot")):
            logger = logging.getLogger(name)
            if NO_BODIES not in logger.filters:
                logger.addFilter(NO_BODIES)


@contextlib.contextmanager
def _hidden_env(name: str) -> Iterator[None]:
    """`name` out of the environment for a moment: bolt's AsyncApp reads SLACK_BOT_TOKEN from
    it when no token is given, and warns at every start that the token it found is unused (the
    client and `authorize` carry the token here, from the settings)."""
    value = os.environ.pop(name, None)
    try:
        yield
    finally:
        if value is not None:
            os.environ[name] = value


def _missing(key: str, why: str) -> ConfigError:
    return ConfigError(f"samen-bot: configuration error in {key}: {why}")


class SlackService:
    """The Slack adapter as a `serve` service: `start()`, `stop()`, `name`."""

    name = "slack"

    def __init__(self, app: App, *, http: bool, host: str = "127.0.0.1", port: int = 3000):
        self.app = app
        self.http = http
        self.host = host
        self.port = port  # the bound port once started (useful with port 0)
        self.t = app.policy.translator()
        self.session: aiohttp.ClientSession | None = None
        self.client: AsyncWebClient | None = None
        self.bolt: AsyncApp | None = None
        self.outbound: SlackOutbound | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.acks = AcksFirst()
        self._slots = asyncio.Semaphore(WORK_SLOTS)
        self._auth: dict[str, Any] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        settings = self.app.settings
        if not settings.SLACK_BOT_TOKEN:
            raise _missing("SLACK_BOT_TOKEN", "set the bot token (xoxb-…) to run Slack")
        if self.http and not settings.SLACK_SIGNING_SECRET:
            raise _missing("SLACK_SIGNING_SECRET", "HTTP mode needs the app's signing secret")
        if not self.http and not settings.SLACK_APP_TOKEN:
            raise _missing("SLACK_APP_TOKEN", "Socket Mode needs an app-level token (xapp-…)")
        base_url = settings.SLACK_API_URL or AsyncWebClient.BASE_URL
        base_url = base_url if base_url.endswith("/") else base_url + "/"
        retry = [
            AsyncRateLimitErrorRetryHandler(max_retry_count=5),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ]
        sdk_logger = quiet_logger("bot.slack.sdk")
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.client = AsyncWebClient(
            token=settings.SLACK_BOT_TOKEN,
            base_url=base_url,
            session=self.session,
            retry_handlers=retry,
            logger=sdk_logger,
        )
        await self._load_auth(required=False)
        self.outbound = SlackOutbound(
            self.client,
            self.t,
            themes=self.app.router.suggestions.themes,
            delivery=self.app.delivery,
            retry_handlers=retry,
        )
        listeners = SlackListeners(
            self.app,
            self.outbound,
            SlackReader(self.client, lambda: (self._auth or {}).get("url")),
            spawn=self.spawn,
            bot_user=lambda: (self._auth or {}).get("user_id"),
        )
        with _hidden_env("SLACK_BOT_TOKEN"):
            self.bolt = AsyncApp(
                name="samen-bot",
                # bolt's per-request clients get the token from authorize(); same session, URL
                client=AsyncWebClient(
                    base_url=base_url, session=self.session, retry_handlers=retry, logger=sdk_logger
                ),
                signing_secret=settings.SLACK_SIGNING_SECRET,
                authorize=self._authorizer(),
                process_before_response=True,
                # HTTP requests are verified on their raw bytes before bolt sees them
                request_verification_enabled=False,
                raise_error_for_unhandled_request=True,
                logger=quiet_logger("bot.slack.bolt"),
            )
        self.bolt.error(on_bolt_error)
        listeners.register(self.bolt)
        guard_bolt_loggers()
        self.app.delivery.register(self.outbound)
        try:
            await self._listen(settings.SLACK_APP_TOKEN)
        except BaseException:
            await self.stop()  # nothing half-started stays behind
            raise

    async def _listen(self, app_token: str) -> None:
        assert self.bolt is not None
        if self.http:
            await self._start_http()
            log.info("slack: HTTP mode on http://%s:%s/slack/events", self.host, self.port)
            return
        self._socket = AsyncSocketModeHandler(
            self.bolt, app_token, web_client=self.client, logger=quiet_logger("bot.slack.socket")
        )
        async with asyncio.timeout(START_TIMEOUT):
            await self._socket.connect_async()
        log.info("slack: Socket Mode connected")

    async def stop(self) -> None:
        """Stop taking requests, let running work finish (bounded), close the session."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.drain(STOP_GRACE)
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) until the work after the acks is done; cancel what remains."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(set(self._tasks), timeout=max(0.0, deadline - time.monotonic()))
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _start_http(self) -> None:
        # middlewares: the operator's ack timing (bot/ops/metrics.py), when serve set it up
        middlewares = getattr(self.app, "http_middlewares", ())
        web_app = web.Application(client_max_size=1024 * 1024, middlewares=middlewares)
        assert self.bolt is not None
        events = EventsEndpoint(
            self.app.settings.SLACK_SIGNING_SECRET, self.bolt.async_dispatch, self.acks
        )
        web_app.router.add_post("/slack/events", events.handle)
        web_app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])

    async def _healthz(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                healthy = await self.app.database.ping()
        except TimeoutError:
            healthy = False
        return web.json_response(
            {"status": "ok" if healthy else "unavailable", "database": healthy},
            status=200 if healthy else 503,
        )

    # -- authorization (auth.test once, not on the ack path) ---------------------------------

    async def _load_auth(self, *, required: bool) -> dict[str, Any]:
        if self._auth is None:
            assert self.client is not None
            try:
                async with asyncio.timeout(START_TIMEOUT):
                    self._auth = dict((await self.client.auth_test()).data)  # type: ignore[arg-type]
            except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
                if required:
                    raise
                log.warning("slack: auth.test failed (%s); will retry on the first request", error)
                return {}
        return self._auth

    def _authorizer(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """bolt's `authorize`: the cached auth.test (bolt reads the argument names)."""

        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            info = await self._load_auth(required=True)
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id or info.get("team_id"),
                bot_token=self.app.settings.SLACK_BOT_TOKEN,
                bot_id=info.get("bot_id"),
                bot_user_id=info.get("user_id"),
                user_id=user_id,
            )

        return authorize

    # -- work after the ack -----------------------------------------------------------------

    def spawn(self, work: Awaitable[object], origin: Origin) -> None:
        """Run `work` after the ack, tracked, bounded, failures logged and told to the user."""
        task = asyncio.get_running_loop().create_task(self._guard(work, origin))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, work: Awaitable[object], origin: Origin) -> None:
        try:
            async with asyncio.timeout(WORK_TIMEOUT), self._slots:
                await self.acks.settled()
                await work
        except Exception:
            log.exception(
                "slack: %s failed after the ack (user %s)", origin.event_key, origin.user_id
            )
            if self.outbound is not None:
                await self.outbound.tell(origin, self.t("slack.failed"))
