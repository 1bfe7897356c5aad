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

from handlers import capture_batch
from handlers.capture_batch import CaptureBatcher
from handlers.context import Policy
from handlers.router import Router
from handlers.types import Actor, Command, Place, Reply
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


# The common case, which a batch stores itself.
BATCHED = [
    Say("inzicht Huurders tekenen mee aan het plan #wonen", event_id="e1"),
    Say("inzicht Het fonds wil verhalen horen", user="carla", event_id="e2"),
    Say("inzicht Een typefout in #wonne en #energie", event_id="e3"),
    Say("inzicht In B over huur #wonen", user="carla", channel="proeftuin-b", event_id="e4"),
]
# Refused or repeated: the ordinary path answers them and stores nothing.
REFUSED = [
    Say("inzicht Hier is niets gekoppeld", channel="nergens", event_id="e7"),
    Say("inzicht", event_id="e8"),  # empty
    Say("inzicht 🎉🎉🎉", event_id="e9"),  # no words
    Say("inzicht Dubbel afgeleverd #wonen", event_id="e1"),  # the same delivery as the first
]
# Stored by the ordinary path.
ORDINARY = [
    Say("inzicht Mijn eerste inzicht hier", user="dirk", event_id="e6"),  # a new member
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


@pytest.fixture
async def batcher(programme: Chat) -> CaptureBatcher:
    """The programme's capture batcher, with anna known (she has typed a command)."""
    await programme.say("help")
    assert programme.router.captures is not None
    return programme.router.captures


async def test_a_batch_answers_and_stores_as_one_by_one(chat: Chat, one_by_one: Chat) -> None:
    await prepare(chat)
    await prepare(one_by_one)
    inserts = learning_inserts(chat.router.database)
    together = await asyncio.gather(*(say(chat, item) for item in BATCHED + REFUSED))
    assert inserts == [len(BATCHED)]  # one statement for the batch, nothing else stored
    # One by one: the same numbers, texts, buttons and notices.
    alone = [await say(one_by_one, item) for item in BATCHED + REFUSED]
    assert together == alone
    assert await stored(chat.router.database) == await stored(one_by_one.router.database)
    # What the replies say, for the record.
    texts = ["\n".join(r.text for r in replies) for replies in together]
    assert "Inzicht #1 bewaard" in texts[0] and len(together[0]) == 2  # + bram's notice
    assert together[0][1].to is not None and together[0][1].to.user_id == "bram"
    assert "#financiering" in texts[1]  # suggested from the keyword 'fonds'
    assert "#wonne" in texts[2] and "#wonen" in texts[2]
    assert len(together[3]) == 1  # bram follows from B: no notice of B's own learning
    assert "koppel" in texts[4] and "Schrijf je inzicht" in texts[5] and "woorden" in texts[6]
    assert together[7] == []  # the repeated delivery


async def test_the_uncommon_captures_of_a_batch_are_stored_one_by_one(chat: Chat) -> None:
    await prepare(chat)
    inserts = learning_inserts(chat.router.database)
    together = await asyncio.gather(*(say(chat, item) for item in BATCHED + ORDINARY))
    assert sorted(inserts) == [1, 1, 1, len(BATCHED)]
    rows = {row[1]: row for row in await stored(chat.router.database)}
    for item, replies in zip(BATCHED + ORDINARY, together, strict=True):
        row = rows[item.line.removeprefix("inzicht ")]
        assert f"Inzicht #{row[0]} bewaard" in replies[0].text
        assert row[3] == item.user
    async with chat.router.database.unit_of_work() as session:
        anna = await session.scalar(select(Member).where(Member.user_id == "anna"))
        assert anna is not None and anna.display_name == "Anna de Vries"


async def test_a_failing_batch_stores_each_capture_on_its_own(
    programme: Chat, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await programme.say("help")
    calls = 0

    async def broken(*args: object, **kwargs: object) -> list[Reply]:
        nonlocal calls
        calls += 1
        raise RuntimeError("the database went away")

    # Fails after the batch's rows are inserted: none of them may stay.
    monkeypatch.setattr(capture_batch, "capture_replies", broken)
    lines = [Say(f"inzicht Inzicht nummer {n} over huur", event_id=f"f{n}") for n in range(4)]
    with caplog.at_level(logging.WARNING, logger="handlers.capture_batch"):
        replies = await asyncio.gather(*(say(programme, item) for item in lines))
    assert calls == 1
    assert "storing one by one" in caplog.text
    rows = {row[1]: row for row in await stored(programme.router.database)}
    assert sorted(rows) == sorted(item.line.removeprefix("inzicht ") for item in lines)
    for item, reply in zip(lines, replies, strict=True):  # stored once each, in any order
        number = rows[item.line.removeprefix("inzicht ")][0]
        assert reply[0].text.splitlines()[0] == (
            f"💡 Inzicht #{number} bewaard voor proeftuin Proeftuin A (ring kenniskring)."
        )


async def test_a_cancelled_caller_is_not_stored_and_does_not_stop_the_batch(
    programme: Chat,
) -> None:
    await programme.say("help")
    lines = ["Eerste over huur", "Tweede over huur", "Derde over huur"]
    calls = [
        asyncio.ensure_future(say(programme, Say(f"inzicht {line}", event_id=f"c{n}")))
        for n, line in enumerate(lines)
    ]
    await asyncio.sleep(0)  # all three queued, the batch not yet stored
    calls[0].cancel()
    replies = await asyncio.wait_for(asyncio.gather(*calls[1:]), timeout=10)
    assert all("bewaard" in r[0].text for r in replies)
    assert [row[1] for row in await stored(programme.router.database)] == lines[1:]


async def test_a_delivery_repeated_in_a_later_batch_is_ignored(programme: Chat) -> None:
    await programme.say("help")
    first = [Say(f"inzicht Eerst {n}", event_id=f"r{n}") for n in (1, 2)]
    await asyncio.gather(*(say(programme, item) for item in first))
    again = await asyncio.gather(
        say(programme, Say("inzicht Eerst 2", event_id="r2")),  # claimed by the first batch
        say(programme, Say("inzicht Nieuw 3", event_id="r3")),
        say(programme, Say("inzicht Nieuw 4", event_id="r4")),
    )
    assert again[0] == [] and all("bewaard" in r[0].text for r in again[1:])
    texts = [row[1] for row in await stored(programme.router.database)]
    assert texts == ["Eerst 1", "Eerst 2", "Nieuw 3", "Nieuw 4"]


async def test_the_ordinary_path_does_not_hold_up_the_queue(
    programme: Chat, batcher: CaptureBatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    ordinary = batcher.alone
    finished: list[str] = []

    async def slow_for_reactions(command: Command) -> list[Reply]:
        if command.source_id:
            await asyncio.sleep(0.5)  # a lock wait, say
        return await ordinary(command)

    monkeypatch.setattr(batcher, "alone", slow_for_reactions)

    async def run(name: str, command: Command) -> None:
        await programme.router.dispatch(command)
        finished.append(name)

    router = programme.router
    anna, place = Actor("console", "anna", "Anna"), Place("console", "proeftuin-a")
    reaction = router.make_command(
        "/samen inzicht Een bericht met een 💡", anna, place, event_id="x0", source_id="msg-1"
    )
    typed = [
        router.make_command(f"/samen inzicht Getypt {n}", anna, place, event_id=f"x{n}")
        for n in (1, 2)
    ]
    await asyncio.wait_for(
        asyncio.gather(
            run("reaction", reaction), *(run(f"typed {n}", c) for n, c in enumerate(typed, 1))
        ),
        timeout=10,
    )
    assert finished == ["typed 1", "typed 2", "reaction"]


async def test_an_unexpected_failure_reaches_the_callers(
    programme: Chat, batcher: CaptureBatcher, monkeypatch: pytest.MonkeyPatch
) -> None:

    async def broken(command: object) -> list[Reply]:
        raise RuntimeError("a bug in the ordinary path")

    monkeypatch.setattr(batcher, "alone", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        await asyncio.wait_for(say(programme, Say("inzicht Alleen", event_id="u1")), timeout=10)
    monkeypatch.undo()
    replies = await asyncio.wait_for(say(programme, Say("inzicht Daarna", event_id="u2")), 10)
    assert "bewaard" in replies[0].text


ALIKE_IN_B = "Vrijwilligers blijven langer als ze zelf hun taken mogen kiezen"
ALIKE = "inzicht Wie als vrijwilliger zelf een taak kiest, blijft veel langer betrokken"


@pytest.mark.parametrize(
    "size", [capture_batch.RELATED_IN_BATCH, capture_batch.RELATED_IN_BATCH + 1]
)
async def test_a_burst_is_answered_without_related_offers(chat: Chat, size: int) -> None:
    """A batch of at most RELATED_IN_BATCH captures offers learnings alike as one capture does;
    a larger one (a burst) answers without them, and `lijkt N` still finds them."""
    await prepare(chat)
    await say(chat, Say(f"inzicht {ALIKE_IN_B}", user="carla", channel="proeftuin-b"))
    inserts = learning_inserts(chat.router.database)
    lines = [Say(ALIKE, event_id=f"burst{i}") for i in range(size)]
    together = await asyncio.gather(*(say(chat, item) for item in lines))
    assert inserts == [size]  # one batch
    offered = [
        "Lijkt op #1 van Proeftuin B" in "\n".join(r.text for r in replies) for replies in together
    ]
    assert offered == [size <= capture_batch.RELATED_IN_BATCH] * size
    assert all("bewaard" in replies[0].text for replies in together)
    (found,) = await say(chat, Say("lijkt 2", event_id="later"))
    assert "Lijkt op #1 van Proeftuin B" in found.text
