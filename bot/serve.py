"""`samen-bot serve`: every adapter whose credentials are set, plus the scheduler, in one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Protocol

from bot.app import App
from bot.memory import settle_memory

log = logging.getLogger(__name__)


class Service(Protocol):
    """Something `serve` starts and stops: an adapter or the scheduler."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def build_services(app: App, *, slack_http: bool, host: str, port: int) -> list[Service]:
    """The services the settings ask for, in start order (adapters first, scheduler last)."""
    services: list[Service] = []
    settings = app.settings
    if settings.slack_enabled:
        from bot.slack.adapter import SlackService

        services.append(
            SlackService(app, http=slack_http or not settings.SLACK_APP_TOKEN, host=host, port=port)
        )
    if settings.discord_enabled:
        from bot.discord.adapter import DiscordService

        services.append(DiscordService(app))
    from bot.console.outbound import ConsoleOutbound
    from schedules.scheduler import SchedulerService

    services.append(SchedulerService(app, console_outbound=ConsoleOutbound.from_env))
    return services


async def serve(
    app: App, *, slack_http: bool, host: str, port: int, stop: asyncio.Event | None = None
) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set), then stop every service in reverse order."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    from bot.ops.wiring import Operations

    ops = Operations(app, build_services(app, slack_http=slack_http, host=host, port=port))
    started: list[Service] = []
    try:
        for service in ops.services:
            await service.start()
            started.append(service)
            log.info("started %s", service.name)
        settle_memory()
        await stop.wait()
    finally:
        await ops.stop(started, app.settings.SAMEN_STOP_TIMEOUT)
