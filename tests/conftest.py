"""Shared fixtures: a fresh, migrated database per test (SQLite always, PostgreSQL when
SAMEN_TEST_DATABASE_URL is set), and a chat helper that drives the real router."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from handlers.context import Policy
from handlers.router import Router
from handlers.types import Actor, Place, Reply
from storage.db import Database
from storage.migrate import upgrade

PG_URL = os.environ.get("SAMEN_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PG_TEMPLATE = f"samen_tpl_{os.getpid()}"


def pytest_configure(config: pytest.Config) -> None:
    """The coverage floor (pyproject's addopts) is about the whole suite, as the README's
    `pytest -q` runs it; a run of chosen tests measures only those, so it is not held to it."""
    if config.args_source is not pytest.Config.ArgsSource.TESTPATHS:
        plugin = config.pluginmanager.get_plugin("_cov")  # pytest-cov's, when --cov is on
        if plugin is not None:
            plugin.options.cov_fail_under = None


def _pg_admin_url() -> str:
    return make_url(PG_URL).set(drivername="postgresql+psycopg").render_as_string(False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, copied for every test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A PostgreSQL database migrated to head, used as CREATE DATABASE … TEMPLATE."""
    if not PG_URL:
        yield None
        return
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_TEMPLATE}"'))
        conn.execute(text(f'CREATE DATABASE "{PG_TEMPLATE}"'))
    upgrade(make_url(_pg_admin_url()).set(database=PG_TEMPLATE).render_as_string(False))
    yield PG_TEMPLATE
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_TEMPLATE}" WITH (FORCE)'))
    admin.dispose()


def fresh_pg_database(template: str | None = None) -> tuple[str, Callable[[], None]]:
    """Create an empty (or templated) PostgreSQL database; returns its URL and a dropper."""
    name = f"samen_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(_pg_admin_url()).set(database=name).render_as_string(False), drop


@contextmanager
def fresh_migrated(
    backend: str, path: Path, sqlite_template: Path, pg_template: str | None
) -> Iterator[str]:
    """A fresh database at the newest schema: a copy of the template at `path` (SQLite), or a
    new database made from the template (PostgreSQL), dropped afterwards."""
    if backend == "sqlite":
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url, drop = fresh_pg_database(pg_template)
    try:
        yield url
    finally:
        drop()


@pytest.fixture(params=BACKENDS)
def migrated_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_template: str | None
) -> Iterator[str]:
    """The URL of a fresh database at the newest schema, on each backend."""
    with fresh_migrated(request.param, tmp_path / "samen.db", sqlite_template, pg_template) as url:
        yield url


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    db = Database(migrated_url)
    yield db
    await db.close()


LEADER = "floor"


@dataclass
class Chat:
    """Types `/samen …` lines as someone somewhere, through the real router."""

    router: Router
    platform: str = "console"
    counter: list[int] = field(default_factory=lambda: [0])

    async def say(
        self,
        line: str,
        *,
        user: str = "anna",
        channel: str = "proeftuin-a",
        event_id: str | None = None,
        at: datetime | None = None,
        direct: bool = False,
    ) -> list[Reply]:
        command = self.router.make_command(
            line if line.startswith("/samen") else f"/samen {line}",
            Actor(self.platform, user, user.capitalize()),
            Place(self.platform, channel, is_direct=direct),
            event_id=event_id,
            received_at=at or datetime.now(UTC),
        )
        return await self.router.dispatch(command)

    async def text(self, line: str, **kwargs: object) -> str:
        """All reply texts of one command, joined."""
        return "\n".join(r.text for r in await self.say(line, **kwargs))  # type: ignore[arg-type]


def make_policy(language: str = "nl", **overrides: object) -> Policy:
    values: dict[str, object] = dict(
        language=language,
        timezone=ZoneInfo("Europe/Amsterdam"),
        leaders=frozenset({f"console:{LEADER}", "slack:ULEAD", "discord:4242"}),
    )
    values.update(overrides)
    return Policy(**values)  # type: ignore[arg-type]


@pytest.fixture
def policy() -> Policy:
    return make_policy()


@pytest.fixture
def router(database: Database, policy: Policy) -> Router:
    return Router(database, policy)


@pytest.fixture
def chat(router: Router) -> Chat:
    return Chat(router)


@pytest.fixture
async def programme(chat: Chat) -> Chat:
    """Two linked proeftuinen (A in #proeftuin-a, B in #proeftuin-b) and three themes."""
    await chat.say("koppel Proeftuin A", user=LEADER, channel="proeftuin-a")
    await chat.say("koppel Proeftuin B", user=LEADER, channel="proeftuin-b")
    await chat.say("thema nieuw wonen Wonen | huur, woning, huis", user=LEADER)
    await chat.say("thema nieuw energie Energie | zon, zonnepanelen, warmte", user=LEADER)
    await chat.say("thema nieuw financiering Financiering | geld, subsidie, fonds", user=LEADER)
    return chat
