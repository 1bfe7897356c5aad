"""Captures that arrive together are stored together, and answer exactly as one by one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from handlers.context import Policy
from handlers.router import Router
from handlers.types import Reply
from storage import rings
from storage.db import Database
from storage.models import Learning, Member
from tests.conftest import LEADER, Chat, fresh_migrated

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Say:
    line: str
    user: str = "anna"
    channel: str = "proeftuin-a"
    event_id: str | None = None
    name: str | None = None  # a display name other than the user's usual one


# The first four are the common case a batch stores itself; the rest take the ordinary path.
BATCHED = [
    Say("inzicht Huurders tekenen mee aan het plan #wonen", event_id="e1"),
    Say("inzicht Het fonds wil verhalen horen", user="carla", event_id="e2"),
    Say("inzicht Een typefout in #wonne en #energie", event_id="e3"),
    Say("inzicht In B over huur #wonen", user="carla", channel="proeftuin-b", event_id="e4"),
]
ORDINARY = [
    Say("inzicht Mijn eerste inzicht hier", user="dirk", event_id="e6"),  # a new member
    Say("inzicht Hier is niets gekoppeld", channel="nergens", event_id="e7"),
    Say("inzicht", event_id="e8"),  # empty
    Say("inzicht 🎉🎉🎉", event_id="e9"),  # no words
    Say("inzicht Dubbel afgeleverd #wonen", event_id="e1"),  # the same delivery as the first
    Say("inzicht Zonder afleveringsnummer, zoals in de console"),
    Say("inzicht Met een nieuwe naam", name="Anna de Vries", event_id="e10"),
]


async def prepare(chat: Chat) -> None:
    """Two proeftuinen, three themes, anna and carla known, bram following #wonen from B."""
    await chat.say("koppel Proeftuin A", user=LEADER, channel="proeftuin-a", at=AT)
    await chat.say("koppel Proeftuin B", user=LEADER, channel="proeftuin-b", at=AT)
    await chat.say("thema nieuw wonen Wonen | huur, woning, huis", user=LEADER, at=AT)
    await chat.say("thema nieuw energie Energie | zon, warmte", user=LEADER, at=AT)
    await chat.say("thema nieuw financiering Financiering | geld, fonds", user=LEADER, at=AT)
    for user in ("anna", "carla"):
        await chat.say("help", user=user, at=AT)
    await chat.say("volg #wonen", user="bram", channel="proeftuin-b", at=AT)


async def say(chat: Chat, item: Say) -> list[Reply]:
    from handlers.types import Actor, Place

    router = chat.router
    command = router.make_command(
        f"/samen {item.line}",
        Actor("console", item.user, item.name or item.user.capitalize()),
        Place("console", item.channel),
        event_id=item.event_id,
        received_at=AT,
    )
    return await router.dispatch(command)


async def stored(database: Database) -> list[tuple[Any, ...]]:
    async with database.unit_of_work() as session:
        rows = (await session.scalars(select(Learning).order_by(Learning.id))).unique().all()
        return [
            (
                row.id,
                row.text,
                row.proeftuin.name,
                row.author.user_id if row.author else None,
                row.ring,
                row.source_event_id,
                sorted(t.slug for t in row.themes),
            )
            for row in rows
        ]


def learning_inserts(database: Database) -> list[int]:
    """Counts, per INSERT INTO learnings statement, of the rows it carried."""
    seen: list[int] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LEARNINGS "):
            seen.append(statement.upper().count("VALUES (") + statement.count("), ("))

    event.listen(database.engine.sync_engine, "before_cursor_execute", before)
    return seen


@pytest.fixture
def second_url(
    migrated_url: str, tmp_path: Path, sqlite_template: Path, pg_template: str | None
) -> Iterator[str]:
    """Another fresh database on the same backend as `migrated_url`."""
    backend = "sqlite" if migrated_url.startswith("sqlite") else "postgresql"
    with fresh_migrated(backend, tmp_path / "second.db", sqlite_template, pg_template) as url:
        yield url


@pytest.fixture
async def one_by_one(second_url: str, policy: Policy) -> AsyncIterator[Chat]:
    database = Database(second_url)
    yield Chat(Router(database, policy, batch_captures=False))
    await database.close()


async def test_a_batch_answers_and_stores_as_one_by_one(chat: Chat, one_by_one: Chat) -> None:
    await prepare(chat)
    await prepare(one_by_one)
    inserts = learning_inserts(chat.router.database)
    together = await asyncio.gather(*(say(chat, item) for item in BATCHED + ORDINARY))
    # The four common captures went in with one statement; of the rest, dirk's and the two of
    # anna (new name, no delivery id) are stored on the ordinary path, the others refused.
    assert inserts == [len(BATCHED), 1, 1, 1]
    # One by one, in the order the batch stores them: the same numbers, texts and buttons.
    alone = [await say(one_by_one, item) for item in BATCHED + ORDINARY]
    assert together == alone
    assert await stored(chat.router.database) == await stored(one_by_one.router.database)
    # What the replies say, for the record.
    texts = ["\n".join(r.text for r in replies) for replies in together]
    assert "Inzicht #1 bewaard" in texts[0] and len(together[0]) == 2  # + bram's notice
    assert together[0][1].to is not None and together[0][1].to.user_id == "bram"
    assert "#financiering" in texts[1]  # suggested from the keyword 'fonds'
    assert "#wonne" in texts[2] and "#wonen" in texts[2]
    assert len(together[3]) == 1  # bram follows from B: no notice of B's own learning
    assert "koppel" in texts[5]
    assert together[8] == []  # the repeated delivery
    async with chat.router.database.unit_of_work() as session:
        anna = await session.scalar(select(Member).where(Member.user_id == "anna"))
        assert anna is not None and anna.display_name == "Anna de Vries"


async def test_a_failing_batch_stores_each_capture_on_its_own(
    programme: Chat, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await programme.say("help")
    calls = 0

    async def broken(*args: object, **kwargs: object) -> set[int]:
        nonlocal calls
        calls += 1
        raise RuntimeError("the database went away")

    monkeypatch.setattr(rings, "followed_themes", broken)
    lines = [Say(f"inzicht Inzicht nummer {n} over huur", event_id=f"f{n}") for n in range(4)]
    with caplog.at_level(logging.WARNING, logger="handlers.capture_batch"):
        replies = await asyncio.gather(*(say(programme, item) for item in lines))
    assert calls == 1
    assert "storing one by one" in caplog.text
    rows = await stored(programme.router.database)
    assert [row[1] for row in rows] == [item.line.removeprefix("inzicht ") for item in lines]
    assert [r[0].text.splitlines()[0] for r in replies] == [
        f"💡 Inzicht #{row[0]} bewaard voor proeftuin Proeftuin A (ring kenniskring)."
        for row in rows
    ]


async def test_a_cancelled_caller_does_not_lose_the_batch(programme: Chat) -> None:
    await programme.say("help")
    first = asyncio.ensure_future(say(programme, Say("inzicht Eerste over huur", event_id="c1")))
    second = asyncio.ensure_future(say(programme, Say("inzicht Tweede over huur", event_id="c2")))
    await asyncio.sleep(0)  # both queued
    first.cancel()
    replies = await asyncio.wait_for(second, timeout=10)
    assert "bewaard" in replies[0].text
    texts = [row[1] for row in await stored(programme.router.database)]
    assert "Tweede over huur" in texts


async def test_an_unexpected_failure_reaches_the_callers(
    programme: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    await programme.say("help")
    batcher = programme.router.captures
    assert batcher is not None

    async def broken(command: object) -> list[Reply]:
        raise RuntimeError("a bug in the ordinary path")

    monkeypatch.setattr(batcher, "alone", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        await asyncio.wait_for(say(programme, Say("inzicht Alleen", event_id="u1")), timeout=10)
    monkeypatch.undo()
    replies = await asyncio.wait_for(say(programme, Say("inzicht Daarna", event_id="u2")), 10)
    assert "bewaard" in replies[0].text
