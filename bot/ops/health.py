"""The operator's HTTP endpoints of `serve`: `/healthz`, `/readyz`, `/metrics`.

Served on `SAMEN_HTTP_HOST:SAMEN_HTTP_PORT` (127.0.0.1 by default; unset port: not served),
and on Slack's own HTTP server in HTTP mode (`serve --slack-http`; its `/healthz` is Slack's):

- `GET /healthz`: 200 while the process and its event loop answer (liveness: restart it when
  this fails);
- `GET /readyz`: 200 when the database answers and every configured platform is connected (a
  process that stands by for the Discord gateway counts as ready, see gateway_lock.py), else
  503; the JSON body says which check failed and whether this process holds the gateway;
- `GET /metrics`: Prometheus text (bot/ops/metrics.py);
- `GET /agenda/<token>.ics`: the agenda feed, when SAMEN_AGENDA_FEED_TOKEN is set
  (bot/ops/agenda_route.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.ops.agenda_route import AgendaFeedRoute
from bot.ops.metrics import Metrics
from storage.db import Database

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0

# What a platform check says: "connected", "standby" (ready, not holding the gateway) or why not
# ("starting", "connecting": not ready).
PlatformCheck = Callable[[], str]


@dataclass
class Readiness:
    """What `/readyz` checks."""

    database: Database
    platforms: dict[str, PlatformCheck]
    gateway_holder: Callable[[], bool | None] = lambda: None

    async def report(self) -> tuple[bool, dict[str, Any]]:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                database = await self.database.ping()
        except TimeoutError:
            database = False
        states = {name: check() for name, check in self.platforms.items()}
        ready = database and all(s in ("connected", "standby") for s in states.values())
        body: dict[str, Any] = {
            "status": "ready" if ready else "unavailable",
            "database": "ok" if database else "unreachable",
            "platforms": states,
        }
        holder = self.gateway_holder()
        if holder is not None:
            body["discord_gateway"] = "held" if holder else "standby"
        return ready, body


class OpsHttpService:
    """A `serve` service: the aiohttp server of the three endpoints."""

    name = "http"

    def __init__(
        self,
        readiness: Readiness,
        metrics: Metrics,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        before_metrics: Callable[[], Awaitable[None]] | None = None,
        feed: AgendaFeedRoute | None = None,
    ) -> None:
        self.readiness = readiness
        self.metrics = metrics
        self.host = host
        self.port = port  # the bound port once started (0: any free one)
        self.before_metrics = before_metrics
        self.feed = feed
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics_page)
        if self.feed is not None:
            self.feed.add_to(app)
        return app

    def middleware(self) -> Any:
        """`/readyz`, `/metrics` and the agenda feed for another aiohttp server (Slack's, in
        HTTP mode)."""

        @web.middleware
        async def endpoints(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.method == "GET" and request.path == "/readyz":
                return await self.readyz(request)
            if request.method == "GET" and request.path == "/metrics":
                return await self.metrics_page(request)
            if self.feed is not None and self.feed.wants(request):
                return await self.feed.serve(request)
            response: web.StreamResponse = await handler(request)
            return response

        return endpoints

    async def start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        log.info("http: /healthz, /readyz and /metrics on http://%s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(self, request: web.Request) -> web.Response:
        ready, body = await self.readiness.report()
        return web.json_response(body, status=200 if ready else 503)

    async def metrics_page(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                if self.before_metrics is not None:
                    await self.before_metrics()
                await self.metrics.refresh(self.readiness.database)
        except Exception as error:  # the figures counted in process are still worth serving
            log.warning("metrics: cannot read the ledger (%s)", type(error).__name__)
        return web.Response(
            body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )
