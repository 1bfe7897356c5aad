"""The agenda feed over HTTP (issue 17, item 5): `GET /agenda/<token>.ics` on the server of
`serve`: 200 with the right token, a bare 404 with any other, 304 for an ETag the app already
has, and cancellations and moves carried as the meetings change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from icalendar import Calendar
from multidict import CIMultiDict

from bot.app import build_app
from bot.config import ConfigError, load_settings
from bot.ops.wiring import Operations
from tests.conftest import LEADER, Chat

TOKEN = "Zq3-vT9_kLm2Np8RsW4xYb7c"  # 24 characters


async def fetch(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, CIMultiDict[str], bytes]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
        session.get(f"http://127.0.0.1:{port}{path}", headers=headers or {}) as answer,
    ):
        return answer.status, CIMultiDict(answer.headers), await answer.read()


def events(body: bytes) -> dict[str, Any]:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


async def test_the_feed_follows_the_meetings(migrated_url: str) -> None:
    settings = load_settings(
        SAMEN_DATABASE_URL=migrated_url,
        SAMEN_HTTP_PORT="0",
        SAMEN_LEADERS=f"console:{LEADER}",
        SAMEN_AGENDA_FEED_TOKEN=TOKEN,
    )
    app = build_app(settings)
    ops = Operations(app, [])
    assert ops.http is not None and ops.feed is not None
    started: list[Any] = []
    try:
        for service in ops.services:
            await service.start()
            started.append(service)
        port = ops.http.port
        chat = Chat(app.router)
        day = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%d")
        await chat.say("koppel Proeftuin A", user=LEADER, channel="a")
        await chat.say(f"bijeenkomst Samen leren | {day} 19:30", user=LEADER, channel="a")
        await chat.say(f"bijeenkomst Buurtkamer | {day} 14:00 | proeftuin:Proeftuin A", user=LEADER)
        await chat.say("ja 1", user="annadewit", channel="a")

        path = f"/agenda/{TOKEN}.ics"
        status, headers, body = await fetch(port, path)
        assert status == 200
        assert headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert "max-age" in headers["Cache-Control"]
        etag = headers["ETag"]
        found = events(body)
        assert set(found) == {"meeting-1@samen-bot", "meeting-2@samen-bot"}
        assert str(found["meeting-2@samen-bot"]["DESCRIPTION"]) == "Proeftuin A"
        assert b"annadewit" not in body.lower() and b"console" not in body  # no RSVPs, no ids

        assert (await fetch(port, path, {"If-None-Match": etag}))[0] == 304
        again = await fetch(port, path, {"If-None-Match": f'W/{etag}, "other"'})
        assert again[0] == 304 and again[2] == b""

        for wrong in (f"/agenda/{TOKEN[:-1]}x.ics", f"/agenda/{TOKEN}", "/agenda/.ics",
                      f"/agenda/{TOKEN}.ics.bak", f"/agenda/{TOKEN.lower()}.ics"):  # fmt: skip
            status, _, answer = await fetch(port, wrong)
            assert status == 404, wrong
            assert TOKEN.encode() not in answer and b"token" not in answer.lower()

        await chat.say("annuleer 1", user=LEADER, channel="a")
        await chat.say(f"verzet 2 {day} 16:00", user=LEADER, channel="a")
        status, headers, body = await fetch(port, path, {"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag
        found = events(body)
        cancelled, moved = found["meeting-1@samen-bot"], found["meeting-2@samen-bot"]
        assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled.decoded("SEQUENCE") == 1
        assert str(cancelled["SUMMARY"]) == "Geannuleerd: Samen leren"
        assert moved.decoded("SEQUENCE") == 1 and str(moved["STATUS"]) == "CONFIRMED"
        assert moved.decoded("DTSTART").strftime("%H:%M") == "16:00"
        assert "LAST-MODIFIED" in moved and "Last-Modified" in headers
    finally:
        await ops.stop(started, 5)


async def test_no_token_no_feed(migrated_url: str) -> None:
    app = build_app(load_settings(SAMEN_DATABASE_URL=migrated_url, SAMEN_HTTP_PORT="0"))
    ops = Operations(app, [])
    assert ops.feed is None and ops.http is not None
    await ops.http.start()
    try:
        assert (await fetch(ops.http.port, f"/agenda/{TOKEN}.ics"))[0] == 404
    finally:
        await ops.http.stop()


async def test_the_feed_on_slacks_server_too(migrated_url: str) -> None:
    """In `serve --slack-http` without SAMEN_HTTP_PORT, Slack's server answers the feed."""
    settings = load_settings(SAMEN_DATABASE_URL=migrated_url, SAMEN_AGENDA_FEED_TOKEN=TOKEN)
    app = build_app(settings)
    ops = Operations(app, [])
    assert ops.http is None
    server = web.Application(middlewares=[ops.endpoints.middleware()])
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = int(runner.addresses[0][1])
        assert (await fetch(port, f"/agenda/{TOKEN}.ics"))[0] == 200
        assert (await fetch(port, "/agenda/nope.ics"))[0] == 404
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("value", "says"),
    [("kort", "at least 24 characters"), ("a" * 23 + "/", "only letters, digits")],
)
def test_a_weak_token_stops_start_up(value: str, says: str) -> None:
    with pytest.raises(ConfigError) as stopped:
        load_settings(SAMEN_AGENDA_FEED_TOKEN=value)
    message = str(stopped.value)
    assert message.startswith("samen-bot: configuration error in SAMEN_AGENDA_FEED_TOKEN: ")
    assert says in message and "\n" not in message
    assert load_settings(SAMEN_AGENDA_FEED_TOKEN="  ").SAMEN_AGENDA_FEED_TOKEN == ""
