"""The fake Discord gateway: a websocket speaking the real protocol (v10, JSON).

HELLO with a heartbeat interval; IDENTIFY -> READY (session id, resume_gateway_url) and
GUILD_CREATE; heartbeats answered with ACKs; dispatches numbered with `s`; RECONNECT (op 7)
and INVALID_SESSION (op 9) on demand; RESUME replays what the client missed, then RESUMED.
When the client asks for `compress=zlib-stream` (discord.py does by default) every frame is one
zlib stream flushed with Z_SYNC_FLUSH, as Discord does; otherwise plain text frames.
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_payloads import snowflake

if TYPE_CHECKING:
    from tests.fakes.discord_fake import FakeDiscord

log = logging.getLogger(__name__)

PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
MESSAGE_CONTENT = 1 << 15


class Connection:
    """One websocket connection; sends are serialised so the zlib stream stays in order."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self._zlib = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any], before: Any = None) -> None:
        data = json.dumps(payload, separators=(",", ":"))
        async with self._lock:
            if before is not None:
                before()
            if self.ws.closed:
                return
            if self._zlib is None:
                await self.ws.send_str(data)
            else:
                frame = self._zlib.compress(data.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(frame)


@dataclass
class Session:
    """A gateway session: survives reconnects, keeps its events for RESUME."""

    id: str
    intents: int
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    conn: Connection | None = None


class Gateway:
    """The websocket side of the fake."""

    def __init__(self, fake: FakeDiscord, heartbeat_ms: int) -> None:
        self.fake = fake
        self.heartbeat_ms = heartbeat_ms
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self.order: list[Session] = []  # in IDENTIFY order: several bots may be connected
        self.identifies = 0
        self.resumes = 0
        self.connections = 0
        self.heartbeats = 0
        self.ready = asyncio.Event()
        self.query: dict[str, str] = {}
        self.hold = False  # True: events are kept for RESUME but not sent (a lossy network)

    @property
    def intents(self) -> int:
        return self.current.intents if self.current else 0

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        self.connections += 1
        self.query = dict(request.query)
        conn = Connection(ws, request.query.get("compress") == "zlib-stream")
        await conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                await self._receive(conn, json.loads(msg.data))
        finally:
            for session in self.sessions.values():
                if session.conn is conn:
                    session.conn = None
        return ws

    async def _receive(self, conn: Connection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            self.heartbeats += 1
            await conn.send({"op": 11})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.fake.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED and not self.fake.allow_privileged:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identifies += 1
        session = Session(snowflake(), intents, conn=conn)
        self.sessions[session.id] = session
        self.order.append(session)
        self.current = session
        ready = {
            "v": 10,
            "user": self.fake.bot,
            "guilds": [{"id": self.fake.guild_id, "unavailable": True}],
            "session_id": session.id,
            "resume_gateway_url": self.fake.gateway_url,
            "shard": [0, 1],
            "application": {"id": self.fake.app_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
        }
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self.fake.guild_payload())
        self.ready.set()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self.fake.token:
            await conn.send({"op": 9, "d": False})
            return
        self.resumes += 1
        session.conn = conn
        self.current = session
        after = int(data.get("seq") or 0)
        for event in [e for e in session.events if e["s"] > after]:
            await conn.send(event)
        await self.dispatch("RESUMED", {})

    async def dispatch(
        self, event: str, data: dict[str, Any], on_send: Any = None, session_index: int = -1
    ) -> None:
        """Send an event on the current session (kept for RESUME when nobody is connected);
        `session_index` picks another connected bot, in IDENTIFY order."""
        session = self.current if session_index < 0 else self.order[session_index]
        if session is None:
            raise RuntimeError("no gateway session: the client has not identified")
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(payload)
        if session.conn is not None and not self.hold:
            await session.conn.send(payload, before=on_send)
        elif on_send is not None:
            on_send()

    async def request_reconnect(self) -> None:
        """op 7: the client must reconnect and RESUME (held events are replayed then)."""
        self.hold = False
        if self.current and self.current.conn:
            await self.current.conn.send({"op": 7, "d": None})

    async def invalidate(self, resumable: bool = False) -> None:
        """op 9: the session is gone (or, with True, may be resumed)."""
        if self.current and self.current.conn:
            conn = self.current.conn
            if not resumable:
                self.sessions.pop(self.current.id, None)
            await conn.send({"op": 9, "d": resumable})

    async def close_all(self) -> None:
        for session in self.sessions.values():
            if session.conn is not None and not session.conn.ws.closed:
                await session.conn.ws.close(code=1001)
