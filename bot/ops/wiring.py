"""What issue 16 adds to `samen-bot serve`, wired around the services bot/serve.py builds:

- the Discord service runs behind the gateway lock (bot/ops/gateway_lock.py);
- the router is measured and the database's errors counted (bot/ops/metrics.py);
- `/healthz`, `/readyz`, `/metrics` on SAMEN_HTTP_HOST:SAMEN_HTTP_PORT (bot/ops/health.py), and
  the agenda feed `/agenda/<token>.ics` when SAMEN_AGENDA_FEED_TOKEN is set
  (bot/ops/agenda_route.py);
- the lateness watch (bot/ops/lateness.py);
- a graceful stop: not ready at once, intake closed, commands in flight finished, all within
  SAMEN_STOP_TIMEOUT seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from bot.ops.agenda_route import AgendaFeedRoute
from bot.ops.gateway_lock import AdvisoryLock, GatewayGuard, discord_state
from bot.ops.health import OpsHttpService, Readiness
from bot.ops.lateness import LatenessWatch
from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)


def slack_state(service: Any) -> str:
    """connected once the HTTP server listens or the Socket Mode connection is up."""
    return "connected" if getattr(service, "bolt", None) is not None else "starting"


class Operations:
    """The ops side of one `serve`: wraps and adds services, and stops them gracefully."""

    def __init__(self, app: Any, services: list[Any]) -> None:
        self.app = app
        settings = app.settings
        self.metrics = Metrics()
        self.metrics.watch_database(app.database)
        self.metrics.instrument(app.router)
        self.stopping = False
        self.guard: GatewayGuard | None = None
        platforms: dict[str, Any] = {}
        wrapped: list[Any] = []
        for service in services:
            if service.name == "discord":
                self.guard = GatewayGuard(service, AdvisoryLock(settings.SAMEN_DATABASE_URL))
                platforms["discord"] = self.guard.state
                wrapped.append(self.guard)
                continue
            if service.name == "slack":
                platforms["slack"] = lambda s=service: slack_state(s)
            wrapped.append(service)
        self.readiness = Readiness(
            app.database,
            platforms,
            gateway_holder=self._holder,
        )
        original = self.readiness.report

        async def report() -> tuple[bool, dict[str, Any]]:
            ready, body = await original()
            if self.stopping:
                body["status"] = "stopping"
                return False, body
            return ready, body

        self.readiness.report = report  # type: ignore[method-assign]
        token = settings.SAMEN_AGENDA_FEED_TOKEN
        self.feed = AgendaFeedRoute(app.database, app.policy, token) if token else None
        self.endpoints = OpsHttpService(
            self.readiness,
            self.metrics,
            host=settings.SAMEN_HTTP_HOST,
            port=settings.http_port or 0,
            before_metrics=self._gauges,
            feed=self.feed,
        )
        # Slack's HTTP server (bot/slack/adapter.py) takes these: its acks are timed, and it
        # answers /readyz and /metrics too (its own /healthz stays), so `serve --slack-http`
        # has all three on its one port even without SAMEN_HTTP_PORT.
        middlewares = (self.metrics.slack_ack_timer(), self.endpoints.middleware())
        setattr(app, "http_middlewares", middlewares)  # noqa: B010
        self.http = self.endpoints if settings.http_port is not None else None
        if self.feed is not None and self.http is None:
            log.warning(
                "SAMEN_AGENDA_FEED_TOKEN is set but SAMEN_HTTP_PORT is not: the agenda feed is"
                " served only on Slack's HTTP server (serve --slack-http)"
            )
        head = [self.http] if self.http is not None else []
        self.services: list[Any] = [*head, *wrapped, LatenessWatch(app.database)]

    def _holder(self) -> bool | None:
        """Whether this process holds the Discord gateway (None: Discord is not configured)."""
        return self.guard.holder if self.guard is not None else None

    async def _gauges(self) -> None:
        guard = self.guard
        self.metrics.gateway_holder.set(1 if guard and guard.holder else 0)
        connected = bool(guard and guard.running and discord_state(guard.inner) == "connected")
        self.metrics.gateway_connected.set(1 if connected else 0)
        for name, check in self.readiness.platforms.items():
            state = check()
            self.metrics.platform_connected.labels(name).set(1 if state == "connected" else 0)

    async def stop(self, started: list[Any], timeout: float) -> None:
        """Stop within `timeout` seconds: every service but the HTTP endpoints (so /readyz
        says `stopping` meanwhile) in reverse start order, each adapter closing its intake and
        finishing its own work; then wait for commands still in flight; then the endpoints."""
        self.stopping = True
        deadline = time.monotonic() + timeout
        log.info("stopping: no new events; finishing what is in flight (at most %.0f s)", timeout)
        for service in reversed(started):
            if service is self.http:
                continue
            await _bounded(service, deadline)
        while self.metrics.active > 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        left = self.metrics.active
        if left:
            log.warning("stopped with %d command(s) still in flight", left)
        if self.http is not None and self.http in started:
            await _bounded(self.http, deadline + 2.0)
        log.info("stopped")


async def _bounded(service: Any, deadline: float) -> None:
    try:
        async with asyncio.timeout(max(0.5, deadline - time.monotonic())):
            await service.stop()
    except TimeoutError:
        log.warning("stopping %s took too long; going on", service.name)
    except Exception:
        log.exception("stopping %s failed", service.name)
