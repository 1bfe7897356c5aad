"""No generated command line crashes the router or is left without a reply."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import registry
from handlers.router import Router, load_handlers
from handlers.types import Actor, Place
from storage.db import Database
from tests.conftest import LEADER, make_policy

load_handlers()
WORDS = sorted({w for spec in registry.COMMANDS.values() for w in (spec.name, *spec.aliases)})
ARG_TOKENS = st.sampled_from(
    [
        "1",
        "#1",
        "99999999999999",
        "-3",
        "#wonen",
        "#",
        "proeftuin:",
        "proeftuin:Proeftuin A",
        "kenniskring",
        "buitenwereld",
        "nieuw",
        "bevestig",
        "|",
        "<!channel>",
        "@everyone",
        "💡",
        "\u200b",
        "\x00",
        "'",
        '"',
        "*",
        "NEAR(",
        ")",
        "DROP TABLE learnings;",
    ]
)
ARGS = st.lists(st.one_of(ARG_TOKENS, st.text(max_size=30)), max_size=8).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    word=st.one_of(st.sampled_from(WORDS), st.text(max_size=12)),
    args=ARGS,
    user=st.sampled_from([LEADER, "anna", "bram"]),
    channel=st.sampled_from(["proeftuin-a", "proeftuin-b", "elders"]),
)
def test_router_always_answers(
    fuzz_database: Database, word: str, args: str, user: str, channel: str
) -> None:
    router = Router(fuzz_database, make_policy())

    async def run() -> None:
        command = router.make_command(
            f"/samen {word} {args}", Actor("console", user, user), Place("console", channel)
        )
        replies = await router.dispatch(command)
        assert replies, f"no reply to {word!r} {args!r}"
        assert all(r.text.strip() for r in replies)
        assert not any("Traceback" in r.text for r in replies)
        sorry = router.t("error.internal")
        assert all(r.text != sorry for r in replies), f"crash on {word!r} {args!r}"

    asyncio.run(run())


def _setup(database: Database) -> None:
    async def seed() -> None:
        router = Router(database, make_policy())
        for line, channel in [
            ("koppel Proeftuin A", "proeftuin-a"),
            ("koppel Proeftuin B", "proeftuin-b"),
            ("thema nieuw wonen Wonen | huur", "proeftuin-a"),
            ("inzicht Eerste inzicht over huur #wonen", "proeftuin-a"),
            ("inzicht Tweede in B", "proeftuin-b"),
        ]:
            await router.dispatch(
                router.make_command(
                    f"/samen {line}", Actor("console", LEADER), Place("console", channel)
                )
            )
        await database.close()

    asyncio.run(seed())


@pytest.fixture(scope="module")
def fuzz_database(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Database:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    _setup(database)
    return Database(f"sqlite:///{path}")
