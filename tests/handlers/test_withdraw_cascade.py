"""Withdrawing a learning takes everything that hangs on it along, on SQLite and PostgreSQL.

Regression: after `herken N` or `verrijk N …` from another proeftuin, the author's
`intrekken N` failed with `NOT NULL constraint failed: recognitions.learning_id`, because the
ORM set the loaded recognitions' and enrichments' learning_id to NULL instead of leaving the
rows to the database's ON DELETE CASCADE.
"""

from __future__ import annotations

from sqlalchemy import Connection, column, func, inspect, select, table

from storage.models import Learning
from tests.conftest import LEADER, Chat

# Tables that certainly refer to learnings; the introspection below must find at least these.
KNOWN_CHILDREN = {"learning_themes", "recognitions", "enrichments", "follow_notices"}


def _referring_columns(conn: Connection) -> list[tuple[str, str, str | None]]:
    """(table, column, ON DELETE action) for every foreign key column that refers to learnings."""
    found = []
    inspector = inspect(conn)
    for name in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(name):
            if fk["referred_table"] == "learnings":
                ondelete = (fk.get("options") or {}).get("ondelete")
                found += [(name, col, ondelete) for col in fk["constrained_columns"]]
    return found


async def referring_rows(chat: Chat, learning_id: int) -> dict[str, int]:
    """How many rows of each table with a foreign key to learnings refer to `learning_id`."""
    async with chat.router.database.engine.connect() as conn:
        columns = await conn.run_sync(_referring_columns)
        assert {name for name, _col, _ondelete in columns} >= KNOWN_CHILDREN
        counts: dict[str, int] = {}
        for name, col, _ondelete in columns:
            query = (
                select(func.count())
                .select_from(table(name, column(col)))
                .where(column(col) == learning_id)
            )
            counts[f"{name}.{col}"] = int((await conn.execute(query)).scalar_one())
        return counts


async def learned(chat: Chat, learning_id: int) -> Learning | None:
    async with chat.router.database.unit_of_work() as session:
        return await session.get(Learning, learning_id)


async def hang_everything_on_1(chat: Chat) -> None:
    """Learning #1 from A, tagged, followed from B, recognised and enriched by B."""
    await chat.say("volg #wonen", user="bram", channel="proeftuin-b")
    await chat.say("inzicht Huurders praten mee over het onderhoud #wonen #energie")
    assert "herkent inzicht #1" in await chat.text("herken 1", user="bram", channel="proeftuin-b")
    assert "toegevoegd aan inzicht #1" in await chat.text(
        "verrijk 1 Bij ons ook, met een buurtapp", user="bram", channel="proeftuin-b"
    )
    counts = await referring_rows(chat, 1)
    for child in ("learning_themes", "recognitions", "enrichments", "follow_notices"):
        assert counts[f"{child}.learning_id"] >= 1, counts


async def test_author_withdraws_recognised_and_enriched_learning(programme: Chat) -> None:
    await hang_everything_on_1(programme)
    text = await programme.text("intrekken 1")
    assert "ingetrokken" in text, text
    assert await learned(programme, 1) is None
    assert not any((await referring_rows(programme, 1)).values())
    # Nothing of it is found any more, and the rest of the store works on.
    assert "Huurders" not in await programme.text("zoek huurders onderhoud")
    assert "bewaard" in await programme.text("inzicht Tweede les #wonen")


async def test_leader_withdraws_by_the_undo_button_command(programme: Chat) -> None:
    await hang_everything_on_1(programme)
    await programme.say("herken 1", user="chris", channel="proeftuin-b")  # already recognised
    assert "ingetrokken" in await programme.text("withdraw 1", user=LEADER)
    assert not any((await referring_rows(programme, 1)).values())


async def test_every_reference_to_learnings_cascades(programme: Chat) -> None:
    """The schema itself says so: a row that hangs on a learning goes when the learning goes."""
    async with programme.router.database.engine.connect() as conn:
        columns = await conn.run_sync(_referring_columns)
    assert {name for name, _col, _ondelete in columns} >= KNOWN_CHILDREN
    assert {(name, col): (ondelete or "").upper() for name, col, ondelete in columns} == {
        (name, col): "CASCADE" for name, col, _ondelete in columns
    }


async def test_a_withdrawn_number_is_not_given_again(programme: Chat) -> None:
    assert "#1 bewaard" in await programme.text("inzicht Eerste les")
    assert "#2 bewaard" in await programme.text("inzicht Tweede les")
    assert "ingetrokken" in await programme.text("intrekken 2")
    assert "#3 bewaard" in await programme.text("inzicht Derde les")
    assert "ingetrokken" in await programme.text("intrekken 3")
    assert "ingetrokken" in await programme.text("intrekken 1")
    assert "#4 bewaard" in await programme.text("inzicht Vierde les")
