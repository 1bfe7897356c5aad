"""A fake Discord on 127.0.0.1: the REST API discord.py calls and a real gateway websocket.

The real discord.py client logs in (`GET /users/@me`, `/oauth2/applications/@me`), connects
to the gateway (see `discord_gateway`), bulk-overwrites its commands, answers interactions
(`POST /interactions/{id}/{token}/callback`, webhook edits and follow-ups), posts and fetches
channel messages and opens DMs. Every call is recorded (`calls`); message payloads are held
to Discord's limits (400 with code 50035 like Discord); a channel can be made to answer 403.
Driving helpers (slash commands, buttons, modals, reactions) live in `discord_driver`.

Run `python -m tests.fakes.discord_fake` to serve it in its own process (the benchmark does):
it prints one JSON line with its URLs, and `/_fake/…` control routes drive it over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes import discord_payloads as p
from tests.fakes.discord_driver import Driver, InteractionRecord
from tests.fakes.discord_gateway import MESSAGE_CONTENT, Gateway
from tests.fakes.discord_limits import command_errors, message_errors

TOKEN = "fake-discord-token"
COMMAND_DEFAULTS = {
    "type": 1,
    "description": "",
    "default_member_permissions": None,
    "nsfw": False,
    "integration_types": [0],
    "contexts": None,
}


@dataclass
class Call:
    """One REST request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[str]
    status: int = 0
    at: float = field(default_factory=time.monotonic)


CALL = web.RequestKey("call", Call)


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with Discord's exact content type (discord.py compares it literally)."""
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


def _error(status: int, code: int, message: str, errors: Any = None) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return _json(body, status=status)


class FakeDiscord(Driver):
    """The fake: state, REST routes and the gateway, on one aiohttp server."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        heartbeat_ms: int = 5000,
        allow_privileged: bool = True,
        channels: tuple[str, ...] = ("proeftuin-a", "proeftuin-b", "kenniskring"),
    ) -> None:
        self.token = token
        self.allow_privileged = allow_privileged
        self.app_id = p.snowflake()
        self.bot = p.user(p.snowflake(), "SAMEN bot", bot=True)
        self.guild_id = p.snowflake()
        self.channels: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}
        for name in channels:
            self.add_channel(name)
        self.users: dict[str, dict[str, Any]] = {self.bot["id"]: self.bot}
        self.people: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        self.forbidden: set[str] = set()  # channels where the bot may read but not write (403)
        self.hidden: set[str] = set()  # channels the bot cannot even read (403 on fetch)
        self.calls: list[Call] = []
        # called with (channel id, message) when the bot posts one, before Discord answers
        self.on_post: Callable[[str, dict[str, Any]], None] | None = None
        self.gateway = Gateway(self, heartbeat_ms)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- set-up ------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def add_channel(self, name: str, *, parent: str | None = None) -> str:
        """A text channel (or, with `parent`, a thread in it); returns its id."""
        channel_id = p.snowflake()
        if parent:
            payload = p.thread_channel(channel_id, self.guild_id, self.channel_id(parent), name)
        else:
            payload = p.text_channel(channel_id, self.guild_id, name)
        self.channels[channel_id] = payload
        self.names[name] = channel_id
        return channel_id

    def channel_id(self, name_or_id: str) -> str:
        return self.names.get(name_or_id, name_or_id)

    def guild_payload(self) -> dict[str, Any]:
        guild = [c for c in self.channels.values() if c["type"] == 0]
        threads = [c for c in self.channels.values() if c["type"] == 11]
        return p.guild(self.guild_id, "Programma SAMEN", guild, threads, p.member(self.bot))

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record], client_max_size=64 * 1024 * 1024)
        api = "/api/v{version:\\d+}"
        routes = [
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway),
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/{user}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self.put_commands),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self.get_commands),
            ("PUT", "/applications/{app}/commands", self.put_commands),
            ("GET", "/applications/{app}/commands", self.get_commands),
            ("POST", "/interactions/{id}/{token}/callback", self.callback),
            ("GET", "/webhooks/{app}/{token}/messages/{message}", self.get_webhook_message),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", self.edit_webhook_message),
            ("DELETE", "/webhooks/{app}/{token}/messages/{message}", self.delete_webhook_message),
            ("POST", "/webhooks/{app}/{token}", self.followup),
            ("GET", "/channels/{channel}", self.get_channel),
            ("POST", "/channels/{channel}/messages", self.create_message),
            ("GET", "/channels/{channel}/messages/{message}", self.get_message),
            ("GET", "/channels/{channel}/messages", self.channel_history),
            ("POST", "/channels/{channel}/messages/{message}/threads", self.start_thread),
            ("POST", "/users/@me/channels", self.open_dm),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, api + path, handler)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_post("/_fake/measure", self.control_measure)
        app.router.add_get("/_fake/ready", self.control_ready)
        app.router.add_route("*", "/{tail:.*}", self.not_found)
        return app

    async def start(self, port: int = 0) -> FakeDiscord:
        self._runner = web.AppRunner(self.app(), handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- recording ---------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        call = Call(request.method, request.path, dict(request.query), None, [])
        request[CALL] = call
        if not request.path.startswith(("/gateway", "/_fake")):
            self.calls.append(call)
        response = await handler(request)
        call.status = response.status
        return response

    async def _body(self, request: web.Request) -> tuple[Any, list[str]]:
        """The JSON body, or a multipart `payload_json` and its files."""
        call: Call = request[CALL]
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            body = json.loads(str(form.get("payload_json") or "{}"))
            files = [getattr(v, "filename", k) for k, v in form.items() if k.startswith("files[")]
        else:
            raw = await request.read()
            body, files = (json.loads(raw) if raw else None), []
        call.body, call.files = body, files
        return body, files

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    def _invalid(self, payload: dict[str, Any], files: list[str]) -> web.Response | None:
        errors = message_errors(payload, files=len(files))
        if errors:
            return _error(400, 50035, "Invalid Form Body", errors)
        return None

    # --- REST routes -------------------------------------------------------------------------

    async def not_found(self, request: web.Request) -> web.Response:
        await self._body(request)
        return _error(404, 0, "404: Not Found")

    async def get_gateway(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def get_me(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, 0, "401: Unauthorized")
        return _json(self.bot)

    async def get_user(self, request: web.Request) -> web.Response:
        found = self.users.get(request.match_info["user"])
        return _json(found) if found else _error(404, 10013, "Unknown User")

    async def get_application(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, 0, "401: Unauthorized")
        return _json(
            {
                "id": self.app_id,
                "name": "SAMEN bot",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": p.user(p.snowflake(), "Owner"),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def put_commands(self, request: web.Request) -> web.Response:
        body, _ = await self._body(request)
        if not self._authorised(request):
            return _error(401, 0, "401: Unauthorized")
        errors = command_errors(body or [])
        if errors:
            return _error(400, 50035, "Invalid Form Body", errors)
        scope = request.match_info.get("guild", "global")
        stored = [
            {**COMMAND_DEFAULTS, **c, "id": p.snowflake(), "application_id": self.app_id}
            | {"version": p.snowflake()}
            | ({"guild_id": scope} if scope != "global" else {})
            for c in body
        ]
        self.commands[scope] = stored
        return _json(stored)

    async def get_commands(self, request: web.Request) -> web.Response:
        return _json(self.commands.get(request.match_info.get("guild", "global"), []))

    async def callback(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        record = self.interactions.get(request.match_info["id"])
        if record is None or record.payload["token"] != request.match_info["token"]:
            return _error(404, 10062, "Unknown interaction")
        if record.acked_at is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        kind, data = body.get("type"), body.get("data") or {}
        if kind in (4, 7):
            invalid = self._invalid(data, files)
            if invalid is not None:
                return invalid
        record.acked_at = request[CALL].at
        record.callback = body
        flags = int(data.get("flags") or 0)
        if kind in (4, 5):
            record.original = self._message(record.channel_id, data if kind == 4 else {}, flags)
            if kind == 4:
                record.messages.append(("callback", record.original))
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        resource: dict[str, Any] = {"type": kind}
        if record.original is not None and kind in (4, 5):
            resource["message"] = record.original
        return _json(
            {
                "interaction": {
                    "id": record.payload["id"],
                    "type": record.payload["type"],
                    "response_message_id": record.original["id"] if record.original else None,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(flags & p.EPHEMERAL),
                },
                "resource": resource,
            }
        )

    def _message(
        self, channel_id: str, data: dict[str, Any], flags: int, **extra: Any
    ) -> dict[str, Any]:
        channel = self.channels.get(channel_id, {})
        return p.message(
            p.snowflake(),
            channel_id,
            self.bot,
            content=data.get("content") or "",
            embeds=data.get("embeds"),
            components=data.get("components"),
            flags=flags,
            guild_id=channel.get("guild_id"),
            **extra,
        )

    def _record_for(self, request: web.Request) -> InteractionRecord | None:
        record = self.by_token.get(request.match_info["token"])
        return record if record is not None and record.acked_at is not None else None

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        record = self._record_for(request)
        if record is None or record.original is None:
            return _error(404, 10008, "Unknown Message")
        return _json(record.original)

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        record = self._record_for(request)
        which = request.match_info["message"]
        target = record.original if record and which == "@original" else None
        if record and target is None:
            target = next((m for _, m in record.messages if m["id"] == which), None)
        if record is None or target is None or (which == "@original" and record.deleted):
            return _error(404, 10008, "Unknown Message")
        edited = dict(target)
        for key in ("content", "embeds", "components"):
            if key in body:
                edited[key] = (
                    body[key] if body[key] is not None else ("" if key == "content" else [])
                )
        invalid = self._invalid(edited, files)
        if invalid is not None:
            return invalid
        target.update(edited)
        record.messages.append(("edit", dict(target)))
        return _json(target)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        record = self._record_for(request)
        if record is None:
            return _error(404, 10008, "Unknown Message")
        if request.match_info["message"] == "@original":
            record.deleted = True
        record.messages.append(("delete", {"id": request.match_info["message"]}))
        return web.Response(status=204)

    async def followup(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        record = self._record_for(request)
        if record is None:
            return _error(404, 10015, "Unknown Webhook")
        invalid = self._invalid(body, files)
        if invalid is not None:
            return invalid
        message = self._message(
            record.channel_id, body, int(body.get("flags") or 0), webhook_id=self.app_id
        )
        record.messages.append(("followup", message))
        return _json(message)

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self.channels.get(request.match_info["channel"])
        return _json(channel) if channel else _error(404, 10003, "Unknown Channel")

    async def create_message(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        channel_id = request.match_info["channel"]
        if not self._authorised(request):
            return _error(401, 0, "401: Unauthorized")
        if channel_id in self.forbidden:
            return _error(403, 50013, "Missing Permissions")
        if channel_id not in self.channels:
            return _error(404, 10003, "Unknown Channel")
        invalid = self._invalid(body, files)
        if invalid is not None:
            return invalid
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # Discord: a nonce seen within the last few minutes returns the message it made
            for earlier in self.messages.values():
                if earlier["channel_id"] == channel_id and earlier.get("nonce") == str(nonce):
                    return _json(earlier)
        reference = body.get("message_reference")
        if reference:  # Discord answers with string ids whatever the client sent
            reference = {k: str(v) if k.endswith("_id") else v for k, v in reference.items()}
        message = self._message(channel_id, body, int(body.get("flags") or 0), reference=reference)
        message["attachments"] = [
            {"id": p.snowflake(), "filename": name, "size": 1, "url": "", "proxy_url": ""}
            for name in files
        ]
        if nonce is not None:
            message["nonce"] = str(nonce)
        self.messages[message["id"]] = message
        if self.on_post is not None:
            self.on_post(channel_id, message)
        return _json(message)

    async def channel_history(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages: the newest first, with their nonces (see `posted`)."""
        channel_id = request.match_info["channel"]
        if channel_id in self.hidden:
            return _error(403, 50001, "Missing Access")
        limit = min(int(request.query.get("limit") or 50), 100)
        before = request.query.get("before")
        found = [
            m
            for m in self.messages.values()
            if m["channel_id"] == channel_id and (before is None or int(m["id"]) < int(before))
        ]
        found.sort(key=lambda m: int(m["id"]), reverse=True)
        return _json(found[:limit])

    def posted(self, channel_id: str) -> list[dict[str, Any]]:
        """Every message the bot posted in a channel (DM channels included), oldest first."""
        return [
            m
            for m in self.messages.values()
            if m["channel_id"] == channel_id and m["author"]["id"] == self.bot["id"]
        ]

    async def get_message(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel"]
        if channel_id in self.hidden:
            return _error(403, 50001, "Missing Access")
        message = self.messages.get(request.match_info["message"])
        if message is None or message["channel_id"] != channel_id:
            return _error(404, 10008, "Unknown Message")
        readable = self.allow_privileged and self.gateway.intents & MESSAGE_CONTENT
        if not readable and message["author"]["id"] != self.bot["id"]:
            message = {**message, "content": "", "embeds": [], "attachments": []}
        return _json(message)

    async def start_thread(self, request: web.Request) -> web.Response:
        body, _ = await self._body(request)
        channel_id, message_id = request.match_info["channel"], request.match_info["message"]
        if channel_id in self.forbidden:
            return _error(403, 50013, "Missing Permissions")
        message = self.messages.get(message_id)
        if message is None or message["channel_id"] != channel_id:
            return _error(404, 10008, "Unknown Message")
        name = str((body or {}).get("name") or "thread")
        thread = p.thread_channel(message_id, self.guild_id, channel_id, name)
        self.channels[message_id] = thread
        self.names[name] = message_id
        await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread, 201)

    async def open_dm(self, request: web.Request) -> web.Response:
        body, _ = await self._body(request)
        recipient = str((body or {}).get("recipient_id"))
        existing = next(
            (
                c
                for c in self.channels.values()
                if c["type"] == 1 and c["recipients"][0]["id"] == recipient
            ),
            None,
        )
        if existing is None:
            who = self.users.get(recipient) or p.user(recipient, f"user {recipient}")
            existing = p.dm_channel(p.snowflake(), who)
            self.channels[existing["id"]] = existing
        return _json(existing)

    # --- control routes (the benchmark drives a fake in another process) ---------------------

    async def control_ready(self, request: web.Request) -> web.Response:
        scope = self.guild_id
        return _json(
            {"ready": self.gateway.ready.is_set(), "commands": bool(self.commands.get(scope))}
        )

    async def control_measure(self, request: web.Request) -> web.Response:
        spec = await request.json()
        latencies = await self.measure(**spec)
        return _json({"latencies": latencies})


async def _serve(allow_privileged: bool) -> None:
    fake = await FakeDiscord(allow_privileged=allow_privileged).start()
    line = {
        "api_url": fake.api_url,
        "gateway_url": fake.gateway_url,
        "base_url": fake.base_url,
        "token": fake.token,
        "guild_id": fake.guild_id,
        "channels": fake.names,
    }
    print(json.dumps(line), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve("--no-privileged" not in sys.argv))
