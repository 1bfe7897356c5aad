"""One way to type a line on each platform: `say(who, where, line)` -> what the caller saw.

Three drivers, one interface:

* console: the real console adapter class, its output parsed back into messages;
* Slack: a signed slash command through `SlackDriver` (tests/slack/conftest.py), the replies
  read from what the fake Slack Web API received (response_url ephemeral / in_channel,
  chat.postEphemeral, chat.postMessage to the channel, to the caller's DM or elsewhere);
* Discord: a slash-command interaction through the fake gateway (tests/fakes/discord_*),
  the typed line read into the sub-command's declared options (`command_line.values_of`) as
  Discord's client would send them, the replies read from the interaction (ephemeral or not)
  and the channel posts.

Who and where are neutral words: `leader`, `participant` (Anna), `bob` (a participant of
the other proeftuin); `a` (Proeftuin A's channel), `b` (Proeftuin B's), `kring` (the
kenniskring channel, linked to no proeftuin), `dm` (a direct message with the bot).

The adapters' own modules are reached through the platform test conftests and by searching
the `bot` package, so moving an adapter module does not break this file.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import pkgutil
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handlers import registry
from handlers.command_line import line_for, values_of
from handlers.registry import Kind
from handlers.types import Actor, Place, Reply

WHO = ("leader", "participant", "bob")
WHERE = ("a", "b", "kring", "dm")
NAMES = {"leader": "Floor", "participant": "Anna", "bob": "Bob"}


class NotExpressible(Exception):
    """This line cannot be typed on this platform (the reason says why)."""


@dataclass(frozen=True)
class Msg:
    """One message the bot sent for a command."""

    text: str
    private: bool  # only the caller sees it: ephemeral, "only you", or a DM to the caller
    here: bool  # to the caller: in the channel where they typed, or privately to them


@dataclass
class Said:
    """Everything the bot sent for one typed line."""

    messages: list[Msg] = field(default_factory=list)

    @property
    def mine(self) -> list[Msg]:
        return [m for m in self.messages if m.here]

    @property
    def elsewhere(self) -> list[Msg]:
        return [m for m in self.messages if not m.here]

    @property
    def text(self) -> str:
        """The texts the caller saw, joined."""
        return "\n".join(m.text for m in self.mine)

    @property
    def private(self) -> bool | None:
        """Whether the caller's first answer was for their eyes only (None: no answer)."""
        return self.mine[0].private if self.mine else None

    def describe(self) -> str:
        return "\n".join(
            f"[{'private' if m.private else 'public'}{'' if m.here else ', elsewhere'}] {m.text}"
            for m in self.messages
        )


def find_class(package: str, name: str, hint: str = "") -> Any:
    """`name` from `package` or any module under it (the adapters are being moved into
    packages; this finds them wherever they are). `hint` narrows the module names tried."""
    root = importlib.import_module(package)
    if hasattr(root, name):
        return getattr(root, name)
    for info in pkgutil.walk_packages(root.__path__, f"{package}."):
        if hint and hint not in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - an unrelated module that does not import here
            continue
        if isinstance(getattr(module, name, None), type):
            return getattr(module, name)
    raise LookupError(f"no {name} under {package}")


class Adapter:
    """The shared part: identities, channels and setting the scene through the router."""

    platform = ""
    app: Any

    def user(self, who: str) -> str:
        raise NotImplementedError

    def channel(self, where: str, who: str) -> str:
        raise NotImplementedError

    def who_is(self, platform: str, user_id: str) -> str:
        for who in WHO:
            if platform == self.platform and user_id == self.user(who):
                return who
        return f"{platform}:{user_id}"

    async def given(self, who: str, where: str, line: str) -> list[Reply]:
        """Set the scene: a command straight through the router (its replies not delivered)."""
        command = self.app.router.make_command(
            line,
            Actor(self.platform, self.user(who), NAMES[who]),
            Place(self.platform, self.channel(where, who), is_direct=where == "dm"),
            received_at=datetime.now(UTC),
        )
        return await self.app.router.dispatch(command)

    async def say(self, who: str, where: str, line: str) -> Said:
        raise NotImplementedError


# --- console -------------------------------------------------------------------------------

CONSOLE_HEADERS = (  # the nl catalog's console.to_* lines
    ("direct", re.compile(r"^\[privé aan (?P<user>[^\]]+)\] samen-bot:$")),
    ("only", re.compile(r"^\[#(?P<channel>[^,\]]+), alleen voor (?P<user>[^\]]+)\] samen-bot:$")),
    ("thread", re.compile(r"^\[#(?P<channel>[^,\]]+), in de draad\] samen-bot:$")),
    ("channel", re.compile(r"^\[#(?P<channel>[^\]]+)\] samen-bot:$")),
)


class ConsoleAdapter(Adapter):
    """The console adapter class itself, writing into a buffer."""

    platform = "console"
    USERS = {"leader": "floor", "participant": "anna", "bob": "bob"}
    CHANNELS = {"a": "proeftuin-a", "b": "proeftuin-b", "kring": "kenniskring"}

    def __init__(self, app: Any) -> None:
        self.app = app
        self.out = io.StringIO()
        console_class = find_class("bot.console.adapter", "Console")
        self.console = console_class(app, user="anna", channel="kenniskring", out=self.out)

    def user(self, who: str) -> str:
        return self.USERS[who]

    def channel(self, where: str, who: str) -> str:
        if where == "dm":
            raise NotExpressible(
                "the console has no direct messages: every line is typed in a channel "
                "(Console builds Place(is_direct=False))"
            )
        return self.CHANNELS[where]

    async def say(self, who: str, where: str, line: str) -> Said:
        channel = self.channel(where, who)
        await self.console.handle_line(f":user {self.user(who)}")
        await self.console.handle_line(f":channel {channel}")
        start = len(self.out.getvalue())
        typed = line if line.strip().lower().startswith("/samen") else f"/samen {line}"
        await self.console.handle_line(typed)
        return self.parse(self.out.getvalue()[start:], self.user(who), channel)

    @staticmethod
    def parse(output: str, user: str, channel: str) -> Said:
        said = Said()
        current: tuple[bool, bool] | None = None
        body: list[str] = []

        def flush() -> None:
            if current is not None:
                said.messages.append(Msg("\n".join(body), *current))

        for line in output.splitlines():
            header = None
            for kind, pattern in CONSOLE_HEADERS:
                match = pattern.match(line)
                if match:
                    header = (kind, match.groupdict())
                    break
            if header is None:
                body.append(line[2:] if line.startswith("  ") else line)
                continue
            flush()
            kind, found = header
            body = []
            if kind == "direct" or kind == "only":
                current = (True, found["user"] == user)
            else:
                current = (False, found["channel"] == channel)
        flush()
        return said


# --- Slack ---------------------------------------------------------------------------------


class SlackAdapter(Adapter):
    """Signed slash commands to the real Slack adapter; replies read from the fake Web API."""

    platform = "slack"
    USERS = {"leader": "ULEAD", "participant": "UANNA", "bob": "UBOB"}
    CHANNELS = {"a": "C0PTA", "b": "C0PTB", "kring": "C0KRING"}

    def __init__(self, driver: Any) -> None:
        self.driver = driver  # tests.slack.conftest.SlackDriver
        self.app = driver.app

    def user(self, who: str) -> str:
        return self.USERS[who]

    def dm(self, who: str) -> str:
        return "D" + self.user(who).lstrip("U")  # what the fake's conversations.open answers

    def channel(self, where: str, who: str) -> str:
        return self.dm(who) if where == "dm" else self.CHANNELS[where]

    async def say(self, who: str, where: str, line: str) -> Said:
        user, channel = self.user(who), self.channel(where, who)
        text = line.strip()
        if text.lower().startswith("/samen"):
            text = text[len("/samen") :].strip()
        calls = await self.driver.run(text, user=user, channel=channel)
        said = Said()
        for call in calls:
            if not call.ok:
                continue
            if call.method == "response_url":
                if call.args.get("delete_original"):
                    continue
                private = call.args.get("response_type") != "in_channel" or where == "dm"
                said.messages.append(Msg(call.all_text(), private, True))
            elif call.method == "chat.postEphemeral":
                said.messages.append(Msg(call.all_text(), True, call.args.get("user") == user))
            elif call.method == "chat.postMessage":
                to = str(call.args.get("channel"))
                if to == channel:
                    said.messages.append(Msg(call.all_text(), where == "dm", True))
                elif to == self.dm(who):
                    said.messages.append(Msg(call.all_text(), True, True))
                else:
                    said.messages.append(Msg(call.all_text(), to.startswith("D"), False))
            elif call.method == "files.completeUploadExternal":  # files_upload_v2: a file
                files = call.args.get("files")
                files = json.loads(files) if isinstance(files, str) else files or []
                to = str(call.args.get("channel_id") or call.args.get("channel") or "")
                text = "\n".join(f"bijlage: {f.get('title', '')}" for f in files)
                said.messages.append(Msg(text, to.startswith("D"), to in (channel, self.dm(who))))
            elif call.method == "views.open":  # a form: what it asks is what the caller saw
                view = json.dumps(call.args.get("view"), ensure_ascii=False)
                asked = re.findall(r'"text": "([^"]*)"', view)
                said.messages.append(Msg("(form) " + "\n".join(asked), True, True))
        return said


# --- Discord -------------------------------------------------------------------------------


def _plain(line: str) -> str:
    """A line compared by its words: `#` and spacing do not count."""
    return " ".join(line.replace("#", "").split()).lower()


def discord_options(spec: registry.Spec, args: str) -> dict[str, Any]:
    """The typed options a person fills in on Discord to mean `/samen <spec> args`: the values
    the declaration reads from the line (`command_line.values_of`), as Discord's client holds
    them. Raises NotExpressible where Discord's typed form cannot hold the line."""
    values = values_of(spec, args)
    for param in spec.params:
        value = values.get(param.name)
        if param.kind is Kind.NUMBER and value is not None and not isinstance(value, int):
            raise NotExpressible(
                f"Discord types `{param.name}` as an integer: {value!r} cannot be entered there"
            )
        chosen = param.kind in (Kind.RING, Kind.CHOICE)
        if chosen and value is not None and value not in param.choices:
            raise NotExpressible(
                f"Discord offers `{param.name}` as a choice of {param.choices}: not {value!r}"
            )
    if _plain(line_for(spec, values)) != _plain(args):
        raise NotExpressible(
            f"the options of /samen {spec.name} on Discord cannot hold {args!r} (they hold "
            f"{line_for(spec, values)!r})"
        )
    return values


class DiscordAdapter(Adapter):
    """Slash-command interactions to the real discord.py client through the fake gateway."""

    platform = "discord"
    USERS = {"leader": "floor", "participant": "anna", "bob": "bob"}
    CHANNELS = {"a": "proeftuin-a", "b": "proeftuin-b", "kring": "kenniskring"}

    def __init__(self, bot: Any) -> None:
        self.bot = bot  # tests.discord.conftest.Bot
        self.fake = bot.fake
        self.app = bot.app
        for who in WHO:
            self.fake.person(self.USERS[who])

    def user(self, who: str) -> str:
        return str(self.fake.person(self.USERS[who])["id"])

    def channel(self, where: str, who: str) -> str:
        if where == "dm":
            raise NotExpressible("no DM channel id before the interaction")
        return self.fake.channel_id(self.CHANNELS[where])

    def _schema(self, sub: str) -> dict[str, Any] | None:
        return self.fake.find_sub(sub)[1]

    async def say(self, who: str, where: str, line: str) -> Said:
        word, args = registry.split_line(line)
        spec = registry.resolve(word)
        if spec is None:
            raise NotExpressible(f"Discord has no sub-command {word!r} to pick")
        sub, schema = spec.name, self._schema(spec.name)
        if schema is None:  # more sub-commands than Discord allows: the catch-all line
            sub, options = "meer", {"regel": f"{word} {args}".strip()}
            schema = self._schema(sub) or {}
        else:
            options = discord_options(spec, args)
        for option in schema.get("options", []):
            value = options.get(option["name"])
            if isinstance(value, str) and len(value) > option.get("max_length", 6000):
                raise NotExpressible(
                    f"Discord's client takes at most {option['max_length']} characters in "
                    f"`{option['name']}` of /samen {sub}; this line has {len(value)}"
                )
            if isinstance(value, int) and value < option.get("min_value", value):
                raise NotExpressible(
                    f"Discord's client takes no number below {option['min_value']} in "
                    f"`{option['name']}` of /samen {sub}"
                )
            if option.get("required") and not value:
                raise NotExpressible(
                    f"Discord requires option `{option['name']}` of /samen {sub}; the line "
                    f"{line!r} leaves it empty"
                )
        name = self.USERS[who]
        seen = set(self.fake.messages)
        calls_before = len(self.fake.calls)
        record = await self.fake.slash(
            name, "dm" if where == "dm" else self.CHANNELS[where], sub, **options
        )
        await self.fake.wait_done(record)
        await self._settle()
        said = Said()
        if record.response_type == 9:
            said.messages.append(Msg("(form)", True, True))
        for ephemeral, message in record.shown():
            text = self._text(message)
            said.messages.append(Msg(text, ephemeral or where == "dm", True))
        my_dms = {
            c["id"]
            for c in self.fake.channels.values()
            if c["type"] == 1 and c["recipients"][0]["id"] == self.user(who)
        }
        bot_id = self.fake.bot["id"]
        for key, message in list(self.fake.messages.items()):
            if key in seen or message["author"]["id"] != bot_id:
                continue
            to = message["channel_id"]
            if to == record.channel_id:
                said.messages.append(Msg(self._text(message), where == "dm", True))
            elif to in my_dms:
                said.messages.append(Msg(self._text(message), True, True))
            else:
                dm = self.fake.channels.get(to, {}).get("type") == 1
                said.messages.append(Msg(self._text(message), dm, False))
        for call in self.fake.calls[calls_before:]:  # files travel as multipart parts
            if not call.files or call.status >= 300:
                continue
            text = "\n".join(f"bijlage: {name}" for name in call.files)
            to = (
                call.path.split("/channels/")[-1].split("/")[0] if "/channels/" in call.path else ""
            )
            if not to or to == record.channel_id or to in my_dms:  # the interaction or a DM
                body = call.body or {}
                flags = int(body.get("flags") or body.get("data", {}).get("flags") or 0)
                if "@original" in call.path and record.original is not None:
                    flags = int(record.original.get("flags") or 0)
                private = bool(flags & 64) or where == "dm" or to in my_dms
                said.messages.append(Msg(text, private, True))
            else:
                said.messages.append(Msg(text, False, False))
        return said

    @staticmethod
    def _text(message: dict[str, Any]) -> str:
        from tests.fakes.discord_payloads import text_of

        return text_of(message)

    async def _settle(self, quiet: float = 0.05, timeout: float = 3.0) -> None:
        """Wait until the bot has made no REST call for `quiet` seconds (posts after the
        answer: prompts to channels, DMs)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        count = len(self.fake.calls)
        while loop.time() < deadline:
            await asyncio.sleep(quiet)
            if len(self.fake.calls) == count:
                return
            count = len(self.fake.calls)
