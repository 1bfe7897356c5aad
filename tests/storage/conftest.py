"""A fresh, empty database per test: a SQLite file always, PostgreSQL when configured.

Set SAMEN_TEST_DATABASE_URL (e.g. `postgresql+psycopg://postgres@127.0.0.1:5432/test`) to run
every test that uses `database_url` on PostgreSQL too: each test gets its own database
`samen_test_<random>`, created through that URL and dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.db import Database, make_engine
from storage.migrate import upgrade

TEST_DATABASE_ENV = "SAMEN_TEST_DATABASE_URL"


def _backends() -> list[object]:
    backends: list[object] = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get(TEST_DATABASE_ENV):
        backends.append(pytest.param("postgresql", id="postgresql"))
    return backends


@pytest.fixture(params=_backends())
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of a new, empty database (no tables) that is removed after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'samen.db'}"
        return
    server = os.environ[TEST_DATABASE_ENV]
    name = f"samen_test_{uuid.uuid4().hex[:16]}"
    engine = make_engine(server)
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite file, for the tests of SQLite's own writer and reader."""
    url = f"sqlite:///{tmp_path / 'samen.db'}"
    upgrade(url)
    db = Database(url)
    yield db
    await db.close()
