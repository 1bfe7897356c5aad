"""Hostile input through the real router, on SQLite and PostgreSQL: random Unicode (surrogates,
controls, bidi overrides included), huge and malformed command lines. Every line is answered,
nothing is logged as a failure, and a capture that succeeds stores its text exactly as cleaned
(`handlers.limits.clean`): no lost text. It extends test_router_fuzz (its words and tokens).

Deterministic and modest by default; `SAMEN_FUZZ_EXAMPLES=2000` runs more (derandomised: the
same examples each run, so CI never fails by chance)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from handlers import limits
from handlers.router import Router
from handlers.types import Actor, Place
from storage.db import Database
from storage.models import Learning
from tests.conftest import BACKENDS, LEADER, fresh_pg_database, make_policy
from tests.handlers.test_router_fuzz import ARG_TOKENS, WORDS, _setup

EXAMPLES = int(os.environ.get("SAMEN_FUZZ_EXAMPLES", "60"))
HOSTILE = st.sampled_from(
    ["\x00", "\ud800", "\udcff", "\u202e", "\u2066", "\u2069", "\r\n", "\r", "\x1b[31m", "\x85"]
)
ANY_CHAR = st.characters(exclude_categories=())  # surrogates, controls and unassigned too
TEXT = st.lists(
    st.one_of(HOSTILE, ARG_TOKENS, st.text(ANY_CHAR, max_size=20), st.text(max_size=20)),
    max_size=12,
).map(" ".join)
# Around the learning limit and far beyond it: whole or refused, never cut.
SIZES = [
    limits.LEARNING_TEXT - 1,
    limits.LEARNING_TEXT,
    limits.LEARNING_TEXT + 1,
    limits.ENRICHMENT_TEXT + 1,
    200_000,
]
HUGE = st.builds(
    lambda size, filler, tail: (filler * size)[: size - len(tail)] + tail,
    st.sampled_from(SIZES),
    st.sampled_from(["a", "wo rd ", "💡", "\x00a", "\u202eb"]),
    st.text(ANY_CHAR, max_size=5),
)
NUMBER = st.one_of(
    st.integers(min_value=0, max_value=2**70).map(str),
    st.sampled_from(["2147483647", "2147483648", "#0", "0" * 50 + "1", "9" * 5000, "²", "١٢"]),
)
LINE = st.one_of(
    st.tuples(st.sampled_from(["inzicht", "learning"]), st.one_of(TEXT, HUGE)).map(" ".join),
    st.tuples(st.sampled_from(WORDS), st.one_of(TEXT, HUGE)).map(" ".join),
    st.tuples(
        st.sampled_from(["herken", "tag", "verrijk", "ja", "antwoord", "akkoord", "intrekken"]),
        NUMBER,
        TEXT,
    ).map(" ".join),
    st.text(ANY_CHAR, max_size=60),
)


class _Failures(logging.Handler):
    """Collects every error (and batch warning) logged while a line is handled."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("handlers", "storage")):
            self.records.append(record)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(line=LINE, user=st.sampled_from([LEADER, "anna"]), delivered=st.booleans())
def test_hostile_lines_are_answered_and_captures_keep_their_text(
    input_url: str, line: str, user: str, delivered: bool
) -> None:
    failures = _Failures()
    logging.getLogger().addHandler(failures)

    async def run() -> None:
        database = Database(input_url)  # engines belong to one event loop: one per example
        try:
            await check(Router(database, make_policy()), database)
        finally:
            await database.close()

    async def check(router: Router, database: Database) -> None:
        command = router.make_command(
            f"/samen {line}",
            Actor("console", user, user),
            Place("console", "proeftuin-a"),
            event_id=uuid.uuid4().hex if delivered else None,
        )
        replies = await router.dispatch(command)
        assert replies, f"no reply to {line[:200]!r}"
        assert all(r.text.strip() for r in replies)
        sorry = router.t("error.internal")
        assert all(r.text != sorry for r in replies), f"crash on {line[:200]!r}"
        for reply in replies:
            assert limits.clean(reply.text) == reply.text, "an answer carries raw controls"
        if command.name != "inzicht":
            return
        saved = [a for r in replies for a in r.actions if a.command == "intrekken"]
        expected = limits.clean(command.args).strip()
        event("capture stored" if saved else "capture refused")
        if not saved:
            # Refused, in one line that repeats at most what may be stored (no flood).
            assert len(replies) == 1 and len(replies[0].text) < limits.LEARNING_TEXT + 400
            return
        assert len(expected) <= limits.LEARNING_TEXT
        async with database.unit_of_work() as session:
            stored = await session.scalar(
                select(Learning.text).where(Learning.id == int(saved[0].args))
            )
        assert stored == expected, "the stored text differs from what was typed (cleaned)"

    try:
        asyncio.run(run())
    finally:
        logging.getLogger().removeHandler(failures)
    assert not failures.records, [r.getMessage() for r in failures.records]


@pytest.fixture(scope="module", params=BACKENDS)
def input_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    pg_template: str | None,
) -> Iterator[str]:
    """One database per backend for the whole module, with two linked proeftuinen."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("input-fuzz") / "fuzz.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
        drop = None
    else:
        url, drop = fresh_pg_database(pg_template)
    _setup(Database(url))
    yield url
    if drop is not None:
        drop()
