"""Prometheus metrics of one `serve` process (prometheus-client), names prefixed `samen_`.

Counted as they happen (the router is wrapped, the engine's errors are listened to):

- `samen_commands_total{command, outcome}`: every command the router handled; outcome `ok`,
  `refused` (a friendly refusal: bad argument, not allowed) or `error` (answered with the
  generic apology);
- `samen_reply_seconds{platform}`: from the moment the platform event arrived to the reply
  being ready (the router's work, the platform's send not included);
- `samen_ack_seconds{platform}`: from a Slack request arriving over HTTP to its acknowledgement;
- `samen_commands_in_flight`: commands being handled now;
- `samen_database_errors_total`: errors the database driver raised.

Read from the database when scraped (so several processes report the same ledger):

- `samen_effects{status}`: the effect ledger by status (queued, claimed, done, failed,
  missed, gave_up), and `samen_effects_retried`: effects that needed more than one attempt;
- `samen_digest_last_posted_timestamp_seconds{channel}`: when the weekly digest last went out,
  per digest channel (`platform:channel`).

Set by the services: `samen_gateway_connected` (this process's Discord gateway is connected),
`samen_gateway_holder` (this process holds the Discord gateway lock, see
bot/ops/gateway_lock.py), `samen_platform_connected{platform}`.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import event, func, select

from storage.db import Database
from storage.models import Effect

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
EFFECT_STATUSES = ("queued", "claimed", "done", "failed", "missed", "gave_up")
_outcome: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "samen_outcome", default=None
)


class Metrics:
    """The metrics of one process, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.commands = Counter(
            "samen_commands", "Commands handled", ["command", "outcome"], registry=r
        )
        self.reply_seconds = Histogram(
            "samen_reply_seconds",
            "From the platform event to the reply being ready",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.ack_seconds = Histogram(
            "samen_ack_seconds",
            "From a platform request arriving to its acknowledgement (Slack over HTTP)",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge("samen_commands_in_flight", "Commands being handled", registry=r)
        self.active = 0  # the same, readable (a graceful stop waits for it to reach 0)
        self.database_errors = Counter(
            "samen_database_errors", "Errors raised by the database driver", registry=r
        )
        self.effects = Gauge(
            "samen_effects", "Effect ledger rows by status", ["status"], registry=r
        )
        self.effects_retried = Gauge(
            "samen_effects_retried", "Effects that needed more than one attempt", registry=r
        )
        self.digest_last_posted = Gauge(
            "samen_digest_last_posted_timestamp_seconds",
            "When the weekly digest last went out, per digest channel",
            ["channel"],
            registry=r,
        )
        self.gateway_connected = Gauge(
            "samen_gateway_connected", "This process's Discord gateway is connected", registry=r
        )
        self.gateway_holder = Gauge(
            "samen_gateway_holder", "This process holds the Discord gateway lock", registry=r
        )
        self.platform_connected = Gauge(
            "samen_platform_connected",
            "A configured platform is connected",
            ["platform"],
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)

    # --- counted as it happens -----------------------------------------------------------

    def watch_database(self, database: Database) -> None:
        """Count every error the driver raises on this database's engines."""

        def counted(_context: Any) -> None:
            self.database_errors.inc()

        engines = {database.engine.sync_engine, database.reader.sync_engine}
        for engine in engines:
            event.listen(engine, "handle_error", counted)

    def instrument(self, router: Any) -> None:
        """Wrap the router's `dispatch` (latency, in flight, outcome) and its one-command
        path `_dispatch` (refusal or error), on this instance only."""
        from handlers.types import UserError

        dispatch: Callable[[Any], Awaitable[Any]] = router.dispatch
        inner: Callable[[Any], Awaitable[Any]] | None = getattr(router, "_dispatch", None)

        async def measured(command: Any) -> Any:
            outcome: list[str] = ["ok"]
            token = _outcome.set(outcome)
            self.in_flight.inc()
            self.active += 1
            try:
                return await dispatch(command)
            except BaseException:
                outcome[0] = "error"
                raise
            finally:
                self.in_flight.dec()
                self.active -= 1
                _outcome.reset(token)
                self.commands.labels(command.name or "-", outcome[0]).inc()
                received = getattr(command, "received_at", None)
                elapsed = (
                    (datetime.now(UTC) - received).total_seconds()
                    if isinstance(received, datetime)
                    else 0.0
                )
                platform = getattr(getattr(command, "place", None), "platform", "-")
                self.reply_seconds.labels(platform).observe(max(0.0, elapsed))

        router.dispatch = measured
        if inner is None:
            return
        wrapped_inner = inner

        async def classified(command: Any) -> Any:
            try:
                return await wrapped_inner(command)
            except UserError:
                _set_outcome("refused")
                raise
            except Exception:
                _set_outcome("error")
                raise

        router._dispatch = classified

    def slack_ack_timer(self) -> Any:
        """An aiohttp middleware timing `POST /slack/events` to its response: the ack (the
        work after it runs apart)."""
        from aiohttp import web

        @web.middleware
        async def timed(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.path != "/slack/events":
                response: web.StreamResponse = await handler(request)
                return response
            began = time.perf_counter()
            try:
                response = await handler(request)
                return response
            finally:
                self.ack_seconds.labels("slack").observe(time.perf_counter() - began)

        return timed

    # --- read when scraped ---------------------------------------------------------------

    async def refresh(self, database: Database) -> None:
        """Read the ledger's figures (one short read)."""
        async with database.reading() as session:
            rows = (
                await session.execute(
                    select(Effect.status, func.count())
                    .where(Effect.kind != "part")
                    .group_by(Effect.status)
                )
            ).all()
            retried = (
                await session.execute(
                    select(func.count()).where(Effect.kind != "part", Effect.attempts > 1)
                )
            ).scalar_one()
            digests = (
                await session.execute(
                    select(Effect.key, Effect.done_at).where(
                        Effect.kind == "digest", Effect.status == "done"
                    )
                )
            ).all()
        counts = dict.fromkeys(EFFECT_STATUSES, 0) | {str(s): int(n) for s, n in rows}
        for status, count in counts.items():
            self.effects.labels(status).set(count)
        self.effects_retried.set(int(retried))
        latest: dict[str, float] = {}
        for key, done_at in digests:
            parts = str(key).split(":", 2)  # digest:<week>:<platform>:<channel>
            if len(parts) < 3 or done_at is None:
                continue
            channel = parts[2]
            latest[channel] = max(latest.get(channel, 0.0), done_at.timestamp())
        for channel, stamp in latest.items():
            self.digest_last_posted.labels(channel).set(stamp)


def _set_outcome(outcome: str) -> None:
    holder = _outcome.get()
    if holder is not None:
        holder[0] = outcome
