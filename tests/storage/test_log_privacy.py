"""Logs never hold a learning's text, not even when the database refuses to store it.

The database really refuses (a trigger), on SQLite and PostgreSQL; what is checked is every log
record as a handler would write it: message, arguments, traceback and chained exceptions.
On PostgreSQL the trigger empties a NOT NULL column, so the server's own error says
`DETAIL: Failing row contains (…the text…)`.
"""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from handlers.types import Actor, Place
from storage.db import make_engine
from tests.conftest import Chat

SECRET = "Wethouder Vrijbuiter beloofde stiekem extra huurtoeslag aan Kromhoutstraat"
SECRET_WORDS = [w.lower() for w in re.findall(r"\w{5,}", SECRET)]

SQLITE_REFUSAL = """
CREATE TRIGGER test_refuse_learnings BEFORE INSERT ON learnings
BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
"""
POSTGRESQL_REFUSAL = [
    """
    CREATE FUNCTION test_refuse_learnings() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.ring := NULL; RETURN NEW; END $$
    """,
    """
    CREATE TRIGGER test_refuse_learnings BEFORE INSERT ON learnings
    FOR EACH ROW EXECUTE FUNCTION test_refuse_learnings()
    """,
]


def refuse_learnings(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(SQLITE_REFUSAL)
            else:
                for statement in POSTGRESQL_REFUSAL:
                    conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def leaks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every log record as written out, that contains a word of the secret."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    found = []
    for record in caplog.records:
        written = formatter.format(record).lower()
        if any(word in written for word in SECRET_WORDS):
            found.append(written)
    return found


def failed_with_traceback(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]


async def test_a_refused_capture_logs_no_text(
    programme: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    refuse_learnings(programme.router.database.url)
    caplog.set_level(logging.DEBUG)
    text = await programme.text(f"inzicht {SECRET} #wonen")
    assert "ging bij mij iets mis" in text  # the database did refuse
    assert failed_with_traceback(caplog), "the failure was not logged"
    assert leaks(caplog) == []
    # What went wrong is still there for the operator: the database's own message.
    written = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "refused by the test" in written or "violates not-null constraint" in written


async def test_a_refused_batch_of_captures_logs_no_text(
    programme: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    """Captures that arrive together fail as a batch, then one by one: neither logs text."""
    refuse_learnings(programme.router.database.url)
    await programme.say("help")  # anna known, so her captures may be batched
    caplog.set_level(logging.DEBUG)
    router = programme.router
    commands = [
        router.make_command(
            f"/samen inzicht {SECRET} {n}",
            Actor("console", "anna", "Anna"),
            Place("console", "proeftuin-a"),
            event_id=f"geheim-{n}",
        )
        for n in range(3)
    ]
    replies = await asyncio.gather(*(router.dispatch(c) for c in commands))
    assert all("ging bij mij iets mis" in r[0].text for r in replies)
    assert len(failed_with_traceback(caplog)) >= 3
    assert leaks(caplog) == []
