"""Driving the fake Discord like people do: slash commands, autocomplete, buttons, selects,
modals, the message context menu, 💡 reactions and thread replies, each sent as a gateway event;
and reading back what the bot answered (every wait has a timeout)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tests.fakes import discord_payloads as p

T = TypeVar("T")
CAPTURE = "\N{ELECTRIC LIGHT BULB}"


@dataclass
class InteractionRecord:
    """One interaction sent to the bot and everything the bot answered to it."""

    payload: dict[str, Any]
    sent_at: float | None = None
    acked_at: float | None = None
    callback: dict[str, Any] | None = None
    original: dict[str, Any] | None = None
    deleted: bool = False
    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def channel_id(self) -> str:
        return str(self.payload["channel_id"])

    @property
    def response_type(self) -> int | None:
        return self.callback.get("type") if self.callback else None

    @property
    def done(self) -> bool:
        """Acknowledged and, after a defer, answered with an edit, follow-up or delete."""
        if self.response_type in (4, 8, 9):
            return True
        return self.response_type in (5, 6) and any(
            kind in ("edit", "followup") for kind, _ in self.messages
        )

    def shown(self) -> list[tuple[bool, dict[str, Any]]]:
        """(ephemeral, message) of every message the bot left for this interaction."""
        out: list[tuple[bool, dict[str, Any]]] = []
        original_used = self.response_type == 4 or any(k == "edit" for k, _ in self.messages)
        if self.original is not None and original_used and not self.deleted:
            out.append((bool(self.original["flags"] & p.EPHEMERAL), self.original))
        for kind, message in self.messages:
            if kind == "followup":
                out.append((bool(message["flags"] & p.EPHEMERAL), message))
        return out

    def text(self, *, ephemeral: bool | None = None) -> str:
        return "\n".join(
            p.text_of(m) for eph, m in self.shown() if ephemeral is None or eph == ephemeral
        )

    def components(self) -> list[dict[str, Any]]:
        """The buttons and selects on the shown messages (each knows its `_message`)."""
        return [c for _, message in self.shown() for c in components_of(message)]


def components_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons and selects of a message, each with the message under `_message`."""
    return [
        {**item, "_message": message}
        for row in message.get("components") or []
        for item in row.get("components", [])
    ]


class Driver:
    """Mixed into FakeDiscord: the people, and the events they cause."""

    people: dict[str, dict[str, Any]]

    def person(self, name: str, user_id: str | None = None) -> dict[str, Any]:
        """A user of the guild (created on first use; `user_id` fixes the id)."""
        if name not in self.people:
            found = p.user(user_id or p.snowflake(), name.capitalize())
            self.people[name] = found
            self.users[found["id"]] = found  # type: ignore[attr-defined]
        return self.people[name]

    def _where(self, channel: str) -> tuple[dict[str, Any], str | None]:
        """The channel payload and guild of a channel name or id ("dm": a new DM channel)."""
        if channel == "dm":
            return {"id": p.snowflake(), "type": 1}, None
        found = self.channels[self.channel_id(channel)]  # type: ignore[attr-defined]
        if found["type"] == 1:
            return found, None
        return found, self.guild_id  # type: ignore[attr-defined]

    async def send_interaction(
        self,
        kind: int,
        data: dict[str, Any] | None,
        who: str,
        channel: str,
        message: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        where, guild_id = self._where(channel)
        payload = p.interaction(
            kind=kind,
            app_id=self.app_id,  # type: ignore[attr-defined]
            data=data,
            who=self.person(who),
            channel=where,
            guild_id=guild_id,
            message_payload=message,
        )
        return await self.deliver(payload)

    async def deliver(self, payload: dict[str, Any], session: int = -1) -> InteractionRecord:
        """Send an INTERACTION_CREATE (again, for duplicate-delivery tests)."""
        record = self.interactions.get(payload["id"])  # type: ignore[attr-defined]
        if record is None:
            record = InteractionRecord(payload)
            self.interactions[payload["id"]] = record  # type: ignore[attr-defined]
            self.by_token[payload["token"]] = record  # type: ignore[attr-defined]

        def stamp() -> None:
            record.sent_at = time.monotonic()

        await self.gateway.dispatch(  # type: ignore[attr-defined]
            "INTERACTION_CREATE", payload, on_send=stamp, session_index=session
        )
        return record

    def _command(self, name: str) -> dict[str, Any]:
        commands = self.commands.get(self.guild_id) or self.commands.get("global") or []  # type: ignore[attr-defined]
        for command in commands:
            if command["name"] == name:
                return command
        raise AssertionError(f"command {name!r} was never synced")

    def find_sub(self, sub: str) -> tuple[str | None, dict[str, Any] | None]:
        """Sub-command `sub` of /samen: (its group, or None at the top, and its schema), looked
        up as a person finds it in Discord's menu (`/samen inzichten tag` beyond 25)."""
        for option in self._command("samen")["options"]:
            if option["name"] == sub and option["type"] == 1:
                return None, option
            if option["type"] == 2:  # SUB_COMMAND_GROUP
                inner = next((o for o in option.get("options", []) if o["name"] == sub), None)
                if inner is not None:
                    return option["name"], inner
        return None, None

    def _options(self, sub: str, options: dict[str, Any], focused: str = "") -> dict[str, Any]:
        group = self._command("samen")
        family, schema = self.find_sub(sub)
        if schema is None:
            raise AssertionError(f"/samen has no sub-command {sub!r}")
        types = {o["name"]: o["type"] for o in schema.get("options", [])}
        values = []
        for name, value in options.items():
            if name not in types:
                raise AssertionError(f"/samen {sub} has no option {name!r}: {sorted(types)}")
            kind = types[name]
            item = {"name": name, "type": kind}
            if name == focused:
                item.update(value=str(value), focused=True)
            else:
                item["value"] = p.option_value(kind, value)
            values.append(item)
        data = {
            "id": group["id"],
            "name": "samen",
            "type": 1,
            "options": [{"name": sub, "type": 1, "options": values}],
        }
        if family is not None:
            data["options"] = [{"name": family, "type": 2, "options": data["options"]}]
        if group.get("guild_id"):
            data["guild_id"] = group["guild_id"]
        return data

    async def slash(self, who: str, channel: str, sub: str, **options: Any) -> InteractionRecord:
        """`/samen <sub> option:value…` typed by `who` in `channel` (a name, or "dm")."""
        return await self.send_interaction(2, self._options(sub, options), who, channel)

    async def autocomplete(
        self, who: str, channel: str, sub: str, focused: str, **options: Any
    ) -> list[dict[str, Any]]:
        """The choices the bot suggests while `who` types option `focused`."""
        record = await self.send_interaction(4, self._options(sub, options, focused), who, channel)
        await self.wait_for(lambda: record.callback, what="autocomplete answer")
        return list((record.callback or {}).get("data", {}).get("choices", []))

    async def click(self, who: str, component: dict[str, Any]) -> InteractionRecord:
        """Press a button taken from `InteractionRecord.components()` or a posted message."""
        message = component["_message"]
        data = {"custom_id": component["custom_id"], "component_type": 2}
        return await self.send_interaction(3, data, who, message["channel_id"], message)

    async def choose(
        self, who: str, component: dict[str, Any], values: list[str]
    ) -> InteractionRecord:
        message = component["_message"]
        data = {"custom_id": component["custom_id"], "component_type": 3, "values": values}
        return await self.send_interaction(3, data, who, message["channel_id"], message)

    async def submit_modal(
        self, who: str, channel: str, custom_id: str, values: dict[str, str]
    ) -> InteractionRecord:
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
        return await self.send_interaction(
            5, {"custom_id": custom_id, "components": rows}, who, channel
        )

    async def menu(
        self, who: str, message: dict[str, Any], name: str = "Bewaar als inzicht"
    ) -> InteractionRecord:
        """The message context-menu command on `message`."""
        command = self._command(name)
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self.send_interaction(2, data, who, message["channel_id"])

    def post_as(self, who: str, channel: str, content: str) -> dict[str, Any]:
        """A message somebody wrote earlier (stored; the bot may fetch it)."""
        channel_id = self.channel_id(channel)  # type: ignore[attr-defined]
        message = p.message(
            p.snowflake(),
            channel_id,
            self.person(who),
            content=content,
            guild_id=self.guild_id,  # type: ignore[attr-defined]
        )
        self.messages[message["id"]] = message  # type: ignore[attr-defined]
        return message

    async def react(self, who: str, message: dict[str, Any], emoji: str = CAPTURE) -> None:
        """MESSAGE_REACTION_ADD as Discord sends it (the bot gets ids, not the message);
        `who` "bot" is the bot itself."""
        person = self.bot if who == "bot" else self.person(who)  # type: ignore[attr-defined]
        data = {
            "user_id": person["id"],
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "guild_id": self.guild_id,  # type: ignore[attr-defined]
            "member": p.member(person),
            "emoji": {"id": None, "name": emoji},
            "burst": False,
            "type": 0,
            "message_author_id": message["author"]["id"],
        }
        await self.gateway.dispatch("MESSAGE_REACTION_ADD", data)  # type: ignore[attr-defined]

    async def say(self, who: str, channel: str, content: str) -> dict[str, Any]:
        """MESSAGE_CREATE: `who` writes in a channel or thread."""
        message = self.post_as(who, channel, content)
        person = self.person(who)
        member = {k: v for k, v in p.member(person).items() if k != "user"}
        await self.gateway.dispatch("MESSAGE_CREATE", {**message, "member": member})  # type: ignore[attr-defined]
        return message

    async def wait_for(self, check: Callable[[], T], *, timeout: float = 5.0, what: str = "") -> T:
        """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
            await asyncio.sleep(0.005)

    async def wait_done(self, record: InteractionRecord, timeout: float = 5.0) -> InteractionRecord:
        await self.wait_for(lambda: record.done, timeout=timeout, what="the bot's answer")
        return record

    def posts(self, channel: str) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel through `POST /channels/{id}/messages`."""
        channel_id = self.channel_id(channel)  # type: ignore[attr-defined]
        bot = self.bot["id"]  # type: ignore[attr-defined]
        return [
            m
            for m in self.messages.values()  # type: ignore[attr-defined]
            if m["channel_id"] == channel_id and m["author"]["id"] == bot
        ]

    def dms(self, who: str) -> list[dict[str, Any]]:
        """Messages the bot sent to `who` in a DM."""
        person = self.person(who)
        dm_ids = {
            c["id"]
            for c in self.channels.values()  # type: ignore[attr-defined]
            if c["type"] == 1 and c["recipients"][0]["id"] == person["id"]
        }
        return [m for m in self.messages.values() if m["channel_id"] in dm_ids]  # type: ignore[attr-defined]

    async def measure(
        self,
        *,
        sub: str,
        options: dict[str, Any],
        user: str,
        channel: str,
        count: int,
        concurrency: int,
        settle: bool = True,
        session: int = -1,
    ) -> list[float]:
        """Milliseconds from INTERACTION_CREATE sent to the callback received, per interaction,
        sending `concurrency` at once; each batch is answered in full before the next.
        `session` picks which connected bot gets them (IDENTIFY order; default the last)."""
        latencies: list[float] = []

        def make() -> dict[str, Any]:
            return p.interaction(
                kind=2,
                app_id=self.app_id,  # type: ignore[attr-defined]
                data=self._options(sub, options),
                who=self.person(user),
                channel=self._where(channel)[0],
                guild_id=self.guild_id,  # type: ignore[attr-defined]
            )

        for _ in range(math.ceil(count / concurrency)):
            payloads = [make() for _ in range(concurrency)]
            batch = list(await asyncio.gather(*(self.deliver(x, session) for x in payloads)))

            def acked(b: list[InteractionRecord] = batch) -> bool:
                return all(r.acked_at for r in b)

            def answered(b: list[InteractionRecord] = batch) -> bool:
                return all(r.done for r in b)

            await self.wait_for(acked, timeout=30, what="callbacks")
            if settle:
                await self.wait_for(answered, timeout=60, what="answers")
            latencies += [(r.acked_at - r.sent_at) * 1000 for r in batch]  # type: ignore[operator]
        return latencies[:count]
