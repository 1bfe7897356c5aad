"""A fake Slack Web API on 127.0.0.1: records every call and answers in Slack's shape.

Modelled on bolt-python's `tests/mock_web_api_server`, but asynchronous (aiohttp) and
stricter: it enforces Slack's message limits (50 blocks, 3,000 characters a section text,
10 fields of 2,000, 40,000 characters of `text`) by answering `invalid_blocks` /
`msg_too_long` like Slack does, can answer 429 with `Retry-After`, serves `response_url`
posts, file uploads (files_upload_v2) and a Socket Mode websocket.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.slack_limits import Invalid, blocks_of, check_blocks, check_message, text_len

__all__ = ["FakeSlack", "Call", "Invalid", "check_blocks", "check_message"]

BOT_TOKEN = "xoxb-samen-test-token"
APP_TOKEN = "xapp-1-samen-test-token"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0SAMEN"
WAIT_TIMEOUT = 5.0


@dataclass
class Call:
    """One request the fake received."""

    method: str  # Web API method, or "response_url" / "upload"
    args: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)
    status: int = 200
    error: str | None = None
    response: dict[str, Any] = field(default_factory=dict)  # what the fake answered

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None

    def all_text(self) -> str:
        """The fallback text and every text inside the blocks, joined (for assertions)."""
        parts = [str(self.args.get("text") or "")]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "text" and isinstance(value, str):
                        parts.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(blocks_of(self.args))
        return "\n".join(parts)


class FakeSlack:
    """The fake Slack: start it, point SLACK_API_URL at `base_url`, assert on `calls`."""

    def __init__(self, *, token: str = BOT_TOKEN, app_token: str = APP_TOKEN) -> None:
        self.token = token
        self.app_token = app_token
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.not_in_channel: set[str] = set()
        self.uploads: dict[str, bytes] = {}
        self.socket_acks: dict[str, dict[str, Any]] = {}
        self.response_url_uses: dict[str, int] = {}
        self.delay = 0.0  # seconds every Web API answer waits (a slow Slack)
        self.im_history = False  # the app's manifest does not ask the im:history scope
        # called with (channel, message) when a message is posted, before Slack answers
        self.on_post: Callable[[str, dict[str, Any]], None] | None = None
        self._faults: dict[str, list[tuple[int, str | None, float]]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._ids = itertools.count(1)
        self._clock = itertools.count(1)
        self._epoch = int(time.time()) - 3600
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "") -> str:
        """A response_url as Slack puts in slash commands and interactions."""
        return f"http://127.0.0.1:{self.port}/response/{key or next(self._ids)}"

    # -- scripting ---------------------------------------------------------------------------

    def next_ts(self) -> str:
        return f"{self._epoch + next(self._clock)}.{next(self._clock):06d}"

    def add_message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None = None,
        bot_id: str | None = None,
    ) -> str:
        """A message people wrote earlier (for conversations.history / replies); returns ts."""
        ts = self.next_ts()
        message = {"type": "message", "user": user, "text": text, "ts": ts, "team": TEAM}
        if thread_ts:
            message["thread_ts"] = thread_ts
        if bot_id:
            message["bot_id"] = bot_id
        self.messages.setdefault(channel, []).append(message)
        return ts

    def add_user(self, user_id: str, display_name: str, real_name: str = "") -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM,
            "name": display_name.lower().replace(" ", "."),
            "real_name": real_name or display_name,
            "profile": {"display_name": display_name, "real_name": real_name or display_name},
        }

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int | None = None,
        retry_after: float = 1,
    ) -> None:
        """The next call of `method` fails: with `error`, as `{ok: false, error}` (HTTP 200);
        without, as HTTP `status` (default 429, with Retry-After). `method` is a Web API
        method name, or "response_url"."""
        code = status if status is not None else (200 if error else 429)
        self._faults.setdefault(method, []).append((code, error, retry_after))

    def calls_to(self, method: str, *, ok: bool | None = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        *,
        count: int = 1,
        timeout: float = WAIT_TIMEOUT,
    ) -> list[Call]:
        """Wait (bounded) until `count` successful calls of `method` match `predicate`."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_to(method) if predicate(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [f"{c.method}({c.status}, {c.error})" for c in self.calls]
                raise AssertionError(f"no {count}x {method} within {timeout}s; calls: {seen}")
            await asyncio.sleep(0.002)

    async def settle(self, quiet: float = 0.3, timeout: float = WAIT_TIMEOUT) -> None:
        """Wait (bounded) until no call has arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            if len(self.calls) == seen:
                return
            seen = len(self.calls)
            await asyncio.sleep(quiet)

    # -- Socket Mode -------------------------------------------------------------------------

    async def wait_socket(self, timeout: float = WAIT_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError("no Socket Mode connection")
            await asyncio.sleep(0.01)

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0
    ) -> str:
        """Push an envelope (events_api, slash_commands, interactive) to the connected app."""
        envelope_id = f"env-{next(self._ids)}"
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = WAIT_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while envelope_id not in self.socket_acks:
            if time.monotonic() > deadline:
                raise AssertionError(f"envelope {envelope_id} not acknowledged")
            await asyncio.sleep(0.005)
        return self.socket_acks[envelope_id]

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0SAMEN"},
            }
        )
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    data = json.loads(message.data)
                    if "envelope_id" in data:
                        self.socket_acks[data["envelope_id"]] = data
        finally:
            self._sockets.remove(ws)
        return ws

    # -- HTTP handlers -----------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        return args

    def _fault(self, method: str) -> tuple[int, str | None, float] | None:
        queue = self._faults.get(method)
        return queue.pop(0) if queue else None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        call = Call(method, args)
        self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        fault = self._fault(method)
        if fault is not None:
            status, error, retry_after = fault
            if status != 200:
                call.status, call.error = status, "ratelimited"
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=status,
                    headers={"Retry-After": str(int(retry_after))},
                )
            call.error = error
            return web.json_response({"ok": False, "error": error})
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        wanted = self.app_token if method == "apps.connections.open" else self.token
        if token != wanted:
            call.error = "invalid_auth"
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            call.error = "unknown_method"
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        try:
            body = handler(args)
        except Invalid as invalid:
            call.error = invalid.error
            return web.json_response(
                {
                    "ok": False,
                    "error": invalid.error,
                    "response_metadata": {"messages": [f"[ERROR] {invalid.detail}"]},
                }
            )
        if not body.get("ok"):
            call.error = body.get("error")
        call.response = body
        return web.json_response(body)

    async def _response_url(self, request: web.Request) -> web.Response:
        args = await request.json()
        args["_key"] = request.match_info["key"]
        call = Call("response_url", args)
        self.calls.append(call)
        key = args["_key"]
        self.response_url_uses[key] = self.response_url_uses.get(key, 0) + 1
        if self.response_url_uses[key] > 5:  # Slack: five uses of one response_url
            call.status, call.error = 404, "used_url"
            return web.Response(status=404, text="used_url")
        fault = self._fault("response_url")
        if fault is not None:
            call.status = fault[0]
            return web.Response(status=fault[0], headers={"Retry-After": str(int(fault[2]))})
        try:
            check_message(args)
        except Invalid as invalid:
            call.status, call.error = 400, invalid.error
            return web.Response(status=400, text=invalid.error)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.uploads[request.match_info["file_id"]] = data
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"]}))
        return web.Response(text=f"OK - {len(data)}")

    # -- Web API methods ---------------------------------------------------------------------

    def _m_auth_test(self, args: dict) -> dict:
        return {
            "ok": True,
            "url": "https://samen.slack.com/",
            "team": "Programma SAMEN",
            "user": "samen-bot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, args: dict) -> dict:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    def _m_chat_postMessage(self, args: dict) -> dict:
        channel = str(args.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.not_in_channel:
            return {"ok": False, "error": "not_in_channel"}
        check_message(args)
        ts = self.next_ts()
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "text": args.get("text", ""),
            "blocks": blocks_of(args),
            "ts": ts,
            "team": TEAM,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        metadata = args.get("metadata")
        if isinstance(metadata, str) and metadata:
            metadata = json.loads(metadata)
        if metadata:
            message["metadata"] = metadata
        self.messages.setdefault(channel, []).append(message)
        if self.on_post is not None:
            self.on_post(channel, message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """Every message the bot posted in `channel` (threads included), in order."""
        return [m for m in self.messages.get(channel, []) if m.get("bot_id") == BOT_ID]

    def _m_chat_postEphemeral(self, args: dict) -> dict:
        if not args.get("channel") or not args.get("user"):
            return {"ok": False, "error": "channel_not_found"}
        check_message(args)
        return {"ok": True, "message_ts": self.next_ts()}

    def _m_chat_update(self, args: dict) -> dict:
        check_message(args)
        return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "text": ""}

    def _m_chat_getPermalink(self, args: dict) -> dict:
        channel, ts = args.get("channel", ""), str(args.get("message_ts", ""))
        if not channel or not ts:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://samen.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _m_conversations_history(self, args: dict) -> dict:
        channel = args.get("channel", "")
        if not channel or channel in self.not_in_channel:
            return {"ok": False, "error": "channel_not_found"}
        if channel.startswith("D") and not self.im_history:
            return {"ok": False, "error": "missing_scope"}  # the manifest asks no im:history
        latest = float(args.get("latest") or "inf")
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        top = [
            m
            for m in self.messages.get(channel, [])
            if m.get("thread_ts", m["ts"]) == m["ts"]
            and (float(m["ts"]) < latest or (inclusive and float(m["ts"]) == latest))
        ]
        top.sort(key=lambda m: float(m["ts"]), reverse=True)
        limit = int(args.get("limit") or 100)
        return {
            "ok": True,
            "messages": [self._shown(m, args) for m in top[:limit]],
            "has_more": len(top) > limit,
        }

    @staticmethod
    def _shown(message: dict[str, Any], args: dict) -> dict[str, Any]:
        """Slack shows a message's metadata only to a caller asking include_all_metadata."""
        if str(args.get("include_all_metadata", "")).lower() in ("1", "true"):
            return message
        return {k: v for k, v in message.items() if k != "metadata"}

    def _m_conversations_replies(self, args: dict) -> dict:
        channel, ts = args.get("channel", ""), str(args.get("ts", ""))
        found = [m for m in self.messages.get(channel, []) if m["ts"] == ts]
        if not found:
            return {"ok": False, "error": "thread_not_found"}
        root = found[0].get("thread_ts", ts)
        thread = [
            m for m in self.messages[channel] if m["ts"] == root or m.get("thread_ts") == root
        ]
        thread.sort(key=lambda m: float(m["ts"]))
        shown = [self._shown(m, args) for m in thread[: int(args.get("limit") or 1000)]]
        return {"ok": True, "messages": shown, "has_more": False}

    def _m_users_info(self, args: dict) -> dict:
        user = self.users.get(args.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _m_conversations_open(self, args: dict) -> dict:
        users = str(args.get("users", ""))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("U")}}

    def _m_views_open(self, args: dict) -> dict:
        view = args.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        if (
            not view
            or text_len(view.get("title")) > 24
            or len(view.get("private_metadata", "")) > 3000
        ):
            raise Invalid("invalid_arguments", "view title <= 24, private_metadata <= 3000")
        check_blocks(view.get("blocks", []), max_blocks=100)
        return {"ok": True, "view": {**view, "id": f"V{next(self._ids):08d}", "hash": "h"}}

    def _m_files_getUploadURLExternal(self, args: dict) -> dict:
        file_id = f"F{next(self._ids):08d}"
        return {
            "ok": True,
            "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
            "file_id": file_id,
        }

    def _m_files_completeUploadExternal(self, args: dict) -> dict:
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        missing = [f["id"] for f in files if f["id"] not in self.uploads]
        if missing:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
