"""Helpers for the rhythm tests: a recording sender that can fail on demand, the jobs' Rhythm
over the test database, and a programme of seven proeftuinen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.delivery import DeliveryError
from handlers.context import Policy
from handlers.types import Reply, Target
from schedules.rhythm import Rhythm
from storage.db import Database
from tests.conftest import LEADER, Chat, make_policy

SEVEN = [
    "Buurtkamer Zuiderwijk",
    "Energiecoöperatie Oostwind",
    "Voedseltuin De Hooiberg",
    "Wooninitiatief Hofje",
    "Zorgcoöperatie Dorpsgoed",
    "Bewonersbedrijf Kroonwijk",
    "Buurtwerkplaats De Loods",
]


async def step(
    database: Database, operation: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
) -> Any:
    """One ledger operation in a unit of work of its own, as schedules/ledger.py runs them."""
    async with database.unit_of_work() as session:
        return await operation(session, *args, **kwargs)


def channel_of(name: str) -> str:
    return name.lower().split()[0]


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Recorder:
    """A Sender that records what it sends; `failures` sends raise first (platform down)."""

    failures: int = 0
    sent: list[tuple[Target, Reply]] = field(default_factory=list)
    attempts: int = 0

    def platforms(self) -> tuple[str, ...]:
        return ("console", "slack", "discord")

    async def send(self, target: Target, reply: Reply) -> str | None:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError("platform unavailable (test)")
        self.sent.append((target, reply))
        return f"msg-{len(self.sent)}"

    def texts(self) -> list[str]:
        return [reply.text for _, reply in self.sent]

    def titles(self) -> list[str]:
        return [reply.title or "" for _, reply in self.sent]


def digest_policy(**overrides: object) -> Policy:
    values: dict[str, Any] = dict(
        digest_channels=(("console", "kenniskring"), ("slack", "CKENNIS"))
    )
    values.update(overrides)
    return make_policy(**values)


@pytest.fixture
def policy() -> Policy:
    """The rhythm tests post digests to a console and a Slack channel."""
    return digest_policy()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def rhythm(database: Database, policy: Policy, recorder: Recorder) -> Rhythm:
    return Rhythm(database=database, sender=recorder, policy=policy, owner="test-process")


@pytest.fixture
async def seven(chat: Chat) -> Chat:
    """Seven proeftuinen, each with its channel, and three themes."""
    for name in SEVEN:
        await chat.say(f"koppel {name}", user=LEADER, channel=channel_of(name))
    await chat.say("thema nieuw wonen Wonen | huur, woning", user=LEADER)
    await chat.say("thema nieuw energie Energie | zon, warmte", user=LEADER)
    await chat.say("thema nieuw geld Financiering | fonds, subsidie", user=LEADER)
    return chat
