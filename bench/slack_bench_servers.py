"""The servers under test in the Slack benchmark, each in its own child process on 127.0.0.1:
samen-bot's real Slack adapter (with a monitor of its event loop's long steps and garbage
collections) and the bare slack-bolt apps that only ack, the baseline; `Server` starts one
through bench/slack_bench.py --serve, reads its port and stops it."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from tests.fakes.slack_api import BOT_TOKEN
from tests.fakes.slack_signing import SIGNING_SECRET

SCRIPT = Path(__file__).with_name("slack_bench.py")  # runs a server with --serve
LEADER = "ULEAD"
START_TIMEOUT = 30.0
STALL_MS = 2.0


class LoopMonitor:
    """Times every step of the event loop (asyncio's Handle._run) and every garbage collection
    in this process; `SIGUSR1` writes what it saw since the last report to a file."""

    def __init__(self, report_file: str) -> None:
        self.report_file = report_file
        self.steps: list[float] = []  # ms of the steps over STALL_MS
        self.where: dict[str, float] = {}  # what ran in those steps: ms in all
        self.by_generation: dict[str, float] = {}  # the longest collection of each generation
        self.collections: dict[str, int] = {}
        self.gcs: list[float] = []  # ms of every collection
        self._gc_started = 0.0
        original = asyncio.events.Handle._run
        monitor = self

        def timed_run(handle: asyncio.events.Handle) -> None:
            started = time.perf_counter()
            original(handle)
            took = (time.perf_counter() - started) * 1000
            if took > STALL_MS:
                monitor.steps.append(took)
                name = _step_name(handle)
                monitor.where[name] = monitor.where.get(name, 0.0) + took

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign,assignment]
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            took = (time.perf_counter() - self._gc_started) * 1000
            self.gcs.append(took)
            generation = str(info.get("generation"))
            self.by_generation[generation] = max(self.by_generation.get(generation, 0.0), took)
            self.collections[generation] = self.collections.get(generation, 0) + 1

    def report(self) -> None:
        seen = {"steps": self.steps, "gcs": self.gcs, "where": self.where}
        seen |= {"by_generation": self.by_generation, "collections": self.collections}
        Path(self.report_file + ".tmp").write_text(json.dumps(seen))
        os.replace(self.report_file + ".tmp", self.report_file)
        self.steps, self.gcs, self.where = [], [], {}
        self.by_generation, self.collections = {}, {}


def _step_name(handle: asyncio.events.Handle) -> str:
    """The coroutine (or function) a loop step ran, for the stall report."""
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        return str(getattr(coro, "__qualname__", coro))
    return str(getattr(callback, "__qualname__", callback))


async def serve_samen(port_file: str, api_url: str, database_url: str) -> None:
    monitor = LoopMonitor(port_file + ".stalls")
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, monitor.report)
    from bot.app import build_app, ensure_database
    from bot.config import load_settings
    from bot.slack.adapter import SlackService

    settings = load_settings(
        SAMEN_DATABASE_URL=database_url,
        SAMEN_LEADERS=f"slack:{LEADER}",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=api_url,
    )
    ensure_database(settings, auto_upgrade=True)
    app = build_app(settings)
    service = SlackService(app, http=True, host="127.0.0.1", port=0)
    await service.start()
    try:  # as `samen-bot serve` does once started (absent from older work trees)
        from bot.memory import settle_memory
    except ImportError:
        pass
    else:
        settle_memory()
    await _until_stopped(port_file, service.port)
    await service.stop()
    await app.close()


async def serve_bare(port_file: str, api_url: str, before_response: bool) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=before_response,
    )

    @bolt.command("/samen")
    async def only_ack(ack: Any) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await _until_stopped(port_file, runner.addresses[0][1])
    await runner.cleanup()


async def _until_stopped(port_file: str, port: int) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    Path(port_file).write_text(str(port))
    await stop.wait()


class Server:
    """One server child process: started, its port read, stopped by its own pid."""

    def __init__(self, name: str, *args: str, root: str = "") -> None:
        self.name = name
        self.args = args
        self.root = root  # samen-bot's work tree, when not this one
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0
        self.port_file = Path()

    async def start(self, workdir: Path) -> Server:
        port_file = self.port_file = workdir / f"{self.name}.port".replace(" ", "_")
        port_file.unlink(missing_ok=True)
        env = dict(os.environ, SAMEN_BENCH_ROOT=self.root) if self.root else None
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--serve",
            *self.args,
            "--port-file",
            str(port_file),
            env=env,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or self.process.returncode is not None:
                raise RuntimeError(f"{self.name} did not start")
            await asyncio.sleep(0.05)
        self.port = int(port_file.read_text())
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc; 0 elsewhere)."""
        if self.process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, AttributeError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stalls(self) -> dict[str, Any]:
        """The loop's long steps and the collections since the last call (samen-bot only)."""
        if self.process is None or self.args[0] != "samen":
            return {"steps": [], "gcs": []}
        report = Path(f"{self.port_file}.stalls")
        report.unlink(missing_ok=True)
        self.process.send_signal(signal.SIGUSR1)
        for _ in range(200):
            await asyncio.sleep(0.01)
            if report.exists() and report.read_text():
                return json.loads(report.read_text())
        return {"steps": [], "gcs": []}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
