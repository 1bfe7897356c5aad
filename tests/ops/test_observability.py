"""`/healthz`, `/readyz`, `/metrics` in process; JSON log lines; the late-digest WARNING."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.app import build_app
from bot.config import ConfigError, load_settings
from bot.ops.health import OpsHttpService, Readiness
from bot.ops.lateness import LatenessWatch
from bot.ops.logs import JsonLines
from bot.ops.metrics import Metrics
from bot.ops.wiring import Operations
from storage.db import Database
from storage.models import Effect
from tests.conftest import LEADER, Chat

NOW = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)


async def get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
        session.get(f"http://127.0.0.1:{port}{path}") as answer,
    ):
        return answer.status, await answer.text()


async def test_the_endpoints_say_alive_ready_and_count(migrated_url: str) -> None:
    settings = load_settings(
        SAMEN_DATABASE_URL=migrated_url, SAMEN_HTTP_PORT="0", SAMEN_LEADERS=f"console:{LEADER}"
    )
    app = build_app(settings)
    ops = Operations(app, [])
    assert ops.http is not None
    started: list[Any] = []
    try:
        for service in ops.services:
            await service.start()
            started.append(service)
        port = ops.http.port
        assert port > 0
        chat = Chat(app.router)
        await chat.say("koppel Proeftuin A", user=LEADER, channel="a")
        await chat.say("inzicht Meten is weten", channel="a")
        await chat.say("tag 999 #nergens", channel="a")  # refused: no such learning
        async with app.database.unit_of_work() as session:
            session.add(
                Effect(
                    key="digest:2026-W48:slack:C0K",
                    kind="digest",
                    status="done",
                    attempts=2,
                    due_at=NOW,
                    done_at=NOW,
                )
            )
            session.add(
                Effect(
                    key="reminder:1h:meeting:1:slack:C0K",
                    kind="reminder",
                    status="failed",
                    attempts=3,
                    due_at=NOW,
                )
            )
        with pytest.raises(Exception):  # noqa: B017 - any driver error counts
            async with app.database.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT * FROM no_such_table")

        assert await get(port, "/healthz") == (200, '{"status": "ok"}')
        status, body = await get(port, "/readyz")
        assert status == 200
        assert json.loads(body) == {"status": "ready", "database": "ok", "platforms": {}}
        status, text = await get(port, "/metrics")
        assert status == 200
        assert 'samen_commands_total{command="koppel",outcome="ok"} 1.0' in text
        assert 'samen_commands_total{command="inzicht",outcome="ok"} 1.0' in text
        assert 'samen_commands_total{command="tag",outcome="refused"} 1.0' in text
        assert 'samen_reply_seconds_count{platform="console"} 3.0' in text
        assert 'samen_effects{status="done"} 1.0' in text
        assert 'samen_effects{status="failed"} 1.0' in text
        assert "samen_effects_retried 2.0" in text
        posted = re.search(
            r'samen_digest_last_posted_timestamp_seconds\{channel="slack:C0K"\} (\S+)', text
        )
        assert posted and float(posted.group(1)) == NOW.timestamp()
        assert "samen_database_errors_total 1.0" in text
        assert "samen_gateway_holder 0.0" in text

        ops.stopping = True  # as on SIGTERM: the load balancer is told at once
        status, body = await get(port, "/readyz")
        assert status == 503 and json.loads(body)["status"] == "stopping"
    finally:
        await ops.stop(started, 5)
        await app.close()


async def test_readyz_is_503_when_the_database_or_a_platform_is_down() -> None:
    down = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    service = OpsHttpService(
        Readiness(down, {"slack": lambda: "starting"}, gateway_holder=lambda: False), Metrics()
    )
    await service.start()
    try:
        status, body = await get(service.port, "/readyz")
    finally:
        await service.stop()
        await down.close()
    assert status == 503
    assert json.loads(body) == {
        "status": "unavailable",
        "database": "unreachable",
        "platforms": {"slack": "starting"},
        "discord_gateway": "standby",
    }


def test_json_log_lines() -> None:
    try:
        raise ValueError("kapot")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "samen", logging.WARNING, __file__, 1, "a %s", ("b",), sys.exc_info()
        )
    entry = json.loads(JsonLines().format(record))
    assert entry["level"] == "WARNING" and entry["message"] == "a b"
    assert entry["logger"] == "samen" and "ValueError: kapot" in entry["exception"]
    assert entry["time"].endswith("+00:00")


@pytest.mark.parametrize(
    ("key", "value"),
    [("SAMEN_LOG_FORMAT", "xml"), ("SAMEN_HTTP_PORT", "http"), ("SAMEN_STOP_TIMEOUT", "0")],
)
def test_a_bad_operations_setting_names_its_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as stopped:
        load_settings(**{key: value})
    assert str(stopped.value).startswith(f"samen-bot: configuration error in {key}: ")


async def test_a_late_digest_is_warned_about_once_with_the_command_to_fix_it(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with database.unit_of_work() as session:
        session.add(
            Effect(
                key="digest:2026-W48:slack:C0K",
                kind="digest",
                status="failed",
                attempts=3,
                due_at=NOW - timedelta(minutes=30),
                error="ratelimited\nmore",
            )
        )
        session.add(  # on time: not yet late
            Effect(
                key="digest:2026-W48:discord:42",
                kind="digest",
                status="queued",
                due_at=NOW - timedelta(minutes=2),
            )
        )
        session.add(  # sent: fine
            Effect(
                key="reminder:1h:meeting:1:slack:C0K",
                kind="reminder",
                status="done",
                due_at=NOW - timedelta(hours=2),
            )
        )
        session.add(
            Effect(
                key="reminder:24h:meeting:2:slack:C0K",
                kind="reminder",
                status="missed",
                due_at=NOW - timedelta(hours=3),
            )
        )
    watch = LatenessWatch(database, clock=lambda: NOW)
    with caplog.at_level(logging.WARNING, logger="samen-bot.late"):
        lines = await watch.check()
        again = await watch.check()
    assert again == []
    assert len(lines) == 2
    digest = next(line for line in lines if line.startswith("the digest"))
    assert digest == (
        "the digest of week 2026-W48 for slack:C0K is 30 min late, status failed "
        "(last error: ratelimited); once slack is reachable, post it with "
        "`samen-bot digest --week 2026-W48 --post`"
    )
    reminder = next(line for line in lines if "reminder" in line)
    assert reminder.startswith("the 24h reminder of meeting 2 for slack:C0K is 180 min late")
    assert "180 min late, status missed" in reminder and "samen-bot -v serve" in reminder
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING"]
