"""The platform-neutral types every adapter and handler speak: Command in, Reply out."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Visibility(enum.Enum):
    """Where an adapter shows a reply."""

    CHANNEL = "channel"  # everyone in the channel the command came from
    ONLY_CALLER = "only_caller"  # ephemeral on Slack/Discord, a private line in the console
    THREAD = "thread"  # in the thread of the message the command points at
    DIRECT = "direct"  # a direct message to `Reply.to` (or the caller)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who typed the command."""

    platform: str
    user_id: str
    display_name: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Place:
    """Where the command was typed."""

    platform: str
    channel_id: str
    thread_id: str | None = None
    is_direct: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    """What an adapter makes of a platform event."""

    name: str  # canonical sub-command after alias resolution, e.g. "inzicht"
    args: str  # the rest of the line, unparsed
    actor: Actor
    place: Place
    received_at: datetime
    event_id: str | None = None  # platform delivery id, de-duplicated in the database
    source_url: str | None = None  # permalink of a captured message
    source_id: str | None = None  # platform id of a captured message (one learning per message)
    author: Actor | None = None  # who wrote a captured message, when someone else captures it
    alias: str = ""  # the word the user typed, for echoing help
    ring: str | None = None  # the ring a capture form chose; None: the proeftuin's default


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled value shown beside the reply text (Slack fields, Discord embed fields)."""

    label: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Action:
    """A button: pressing it runs `command` with `args` as the presser."""

    label: str
    command: str
    args: str = ""
    style: str = "default"  # default | primary | danger


@dataclass(frozen=True, slots=True)
class Target:
    """Somebody or somewhere a reply is addressed to, other than the caller's channel."""

    platform: str
    channel_id: str | None = None  # a channel
    user_id: str | None = None  # a person (direct message)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler returns; adapters render it for their platform."""

    text: str
    title: str | None = None
    fields: tuple[Field, ...] = ()
    actions: tuple[Action, ...] = ()
    visibility: Visibility = Visibility.CHANNEL
    to: Target | None = None  # set for messages that go elsewhere (DMs, other channels)
    attachments: tuple[str, ...] = field(default=())  # local file paths (e.g. .ics)
    shows: tuple[int, ...] = ()  # learnings it shows: checked again when it is delivered
    post_token: str = ""  # once posted, the adapter tells the router its message id (`prompt:12`)


class UserError(Exception):
    """A friendly refusal: becomes one translated line for the caller."""

    def __init__(self, msgid: str, **values: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.values = values
