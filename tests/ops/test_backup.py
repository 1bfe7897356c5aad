"""`samen-bot backup` and `restore`: a backup taken during a stream of captures restores to a
sound database holding every capture confirmed before the backup began; the command line
refuses with one line what it cannot do."""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.ops.backup import backup, file_kind, restore
from bot.ops.dump import DumpError, read_document
from handlers.router import Router
from storage.db import Database
from storage.models import Learning
from tests.cli import samen_bot
from tests.conftest import LEADER, Chat, fresh_migrated, make_policy

NUMBER = re.compile(r"#(\d+)")


async def captured_ids(database: Database) -> set[int]:
    async with database.reading() as session:
        return set((await session.execute(select(Learning.id))).scalars())


@pytest.mark.parametrize("target_backend", ["same", "sqlite"])
async def test_a_backup_during_captures_restores_every_confirmed_capture(
    migrated_url: str,
    tmp_path: Path,
    sqlite_template: Path,
    pg_template: str | None,
    target_backend: str,
) -> None:
    if target_backend == "sqlite" and "sqlite" in migrated_url:
        pytest.skip("SQLite into SQLite is already the 'same' target of this test")
    database = Database(migrated_url)
    chat = Chat(Router(database, make_policy()))
    await chat.say("koppel Proeftuin A", user=LEADER, channel="a")
    confirmed: list[int] = []
    stop = asyncio.Event()

    async def stream() -> None:
        n = 0
        while not stop.is_set() and n < 2000:  # bounded
            n += 1
            text = await chat.text(f"inzicht Vastleggen tijdens de back-up {n}", channel="a")
            found = NUMBER.search(text)
            assert found, text
            confirmed.append(int(found.group(1)))

    writer = asyncio.create_task(stream())
    try:
        while len(confirmed) < 20:
            await asyncio.sleep(0.01)
        before = set(confirmed)
        path = tmp_path / ("backup.db" if database.dialect == "sqlite" else "backup.json.gz")
        report = await backup(Database(migrated_url), path)
        during = len(confirmed) - len(before)
    finally:
        stop.set()
        await writer
        await database.close()
    assert report.size > 0
    if database.dialect == "sqlite":
        assert file_kind(path) == "sqlite"
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    else:
        assert file_kind(path) == "gzip"
    same = "sqlite" if database.dialect == "sqlite" else "postgresql"
    backend = "sqlite" if target_backend == "sqlite" else same
    with fresh_migrated(backend, tmp_path / "restored.db", sqlite_template, pg_template) as url:
        target = Database(url)
        try:
            await restore(target, path)
        finally:
            await target.close()
        restored = Database(url)
        try:
            ids = await captured_ids(restored)
            document = await read_document(restored)
        finally:
            await restored.close()
    assert before <= ids, sorted(before - ids)
    assert ids <= set(confirmed)  # nothing half-written, nothing invented
    assert document["numbers"]["learnings"] >= max(ids)
    print(f"{len(before)} confirmed before, {during} during the backup")


async def test_restore_refuses_a_database_that_is_not_empty(
    database: Database, tmp_path: Path
) -> None:
    chat = Chat(Router(database, make_policy()))
    await chat.say("koppel Proeftuin A", user=LEADER, channel="a")
    path = tmp_path / "b.json"
    await backup(database, path)
    with pytest.raises(DumpError) as refused:
        await restore(database, path)
    assert refused.value.msgid == "ops.not_empty"
    with pytest.raises(DumpError) as again:
        await backup(database, path)
    assert again.value.msgid == "ops.backup_exists"


def test_backup_and_restore_on_the_command_line(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "samen.db")

    async def programme() -> None:
        database = Database(f"sqlite:///{tmp_path / 'samen.db'}")
        try:
            chat = Chat(Router(database, make_policy()))
            await chat.say("koppel Proeftuin A", user=LEADER, channel="a")
            await chat.say("inzicht Een back-up is pas een back-up als hij terug kan", channel="a")
        finally:
            await database.close()

    asyncio.run(programme())
    # as an operator runs it: two real processes
    made = samen_bot(tmp_path, "backup", "copy.db", SAMEN_LANGUAGE="en")
    assert made.returncode == 0, made.stderr
    assert "backup written to copy.db" in made.stdout
    back = samen_bot(tmp_path, "restore", "copy.db", database="new.db", SAMEN_LANGUAGE="en")
    assert back.returncode == 0, back.stderr
    assert "restored" in back.stdout
    # the rest in process (the same command line, faster)
    from click.testing import CliRunner

    from bot.cli import main

    def run(*args: str, database: str = "samen.db") -> tuple[int, str]:
        env = {"SAMEN_DATABASE_URL": f"sqlite:///{tmp_path / database}", "SAMEN_LANGUAGE": "en"}
        result = CliRunner().invoke(main, list(args), env=env)
        return result.exit_code, result.output

    status, said = run("backup", str(tmp_path / "copy.db"))
    assert status == 2
    assert said.strip().splitlines() == [
        f"samen-bot: {tmp_path / 'copy.db'} exists already; choose a new file name "
        "(a backup overwrites nothing)."
    ]
    status, said = run("restore", str(tmp_path / "copy.db"), database="new.db")
    assert status == 2
    (line,) = said.strip().splitlines()
    assert line.startswith("samen-bot: the database is not empty (tables: ")
    status, said = run("export", "--format", "json", "--all", "--output", str(tmp_path / "a.json"))
    assert status == 0, said
    status, said = run("import", str(tmp_path / "a.json"), database="moved.db")
    assert status == 0, said
    assert "rows read from" in said
    status, said = run("export", "--format", "json", "--all", database="moved.db")
    assert status == 0
    assert said.strip() == (tmp_path / "a.json").read_text().strip()


def test_the_command_line_refuses_in_one_line(tmp_path: Path, sqlite_template: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    shutil.copy(sqlite_template, tmp_path / "samen.db")
    env = {"SAMEN_DATABASE_URL": f"sqlite:///{tmp_path / 'samen.db'}", "SAMEN_LANGUAGE": "en"}
    runner = CliRunner()
    wrong = runner.invoke(main, ["export", "--format", "md", "--all"], env=env)
    assert wrong.exit_code == 2
    assert "`--all` writes the whole programme as JSON" in wrong.output
    (tmp_path / "notes.txt").write_text("geen programma")
    junk = runner.invoke(main, ["import", str(tmp_path / "notes.txt")], env=env)
    assert junk.exit_code == 2, junk.output
    assert junk.output.strip().splitlines() == [
        "samen-bot: this is not a samen-bot programme; use a file from "
        "`samen-bot export --format json --all` or `samen-bot backup`."
    ]
    missing = runner.invoke(main, ["restore", str(tmp_path / "nergens.db")], env=env)
    assert missing.exit_code == 2
    assert "file not found" in missing.output
