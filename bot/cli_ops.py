"""The operator's commands of issue 16: `backup`, `restore`, `import`, and the whole-programme
export behind `export --format json --all` (bot/ops/)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

import click

from bot.ops.dump import DumpError


def _refuse_dump(error: DumpError, settings: Any) -> None:
    from bot.cli import _refuse, load_translator

    t = load_translator(settings)
    _refuse(t(error.msgid, **error.values))


def export_all(output: Path | None) -> None:
    """`samen-bot export --format json --all`: the whole programme as one JSON document."""
    from bot import cli
    from bot.ops.dump import write_document

    settings = cli._settings()
    cli._prepare(settings)

    async def work(app: Any) -> int:
        async def write(out: TextIO) -> int:
            return await write_document(app.database, out)

        if output is None:
            return await write(sys.stdout)
        with output.open("w", encoding="utf-8") as handle:
            return await write(handle)

    written = cli._run(settings, work)
    if output is not None:
        t = cli.load_translator(settings)
        line = t("ops.export_done", rows=t.number(written), path=output)
        click.echo(f"samen-bot: {line}", err=True)


def register(main: click.Group) -> None:
    """Add the commands to the `samen-bot` group."""
    main.add_command(backup_command)
    main.add_command(restore_command)
    main.add_command(import_command)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE, also while `serve` runs."""
    from bot import cli
    from bot.ops.backup import backup

    settings = cli._settings()
    cli._prepare(settings)
    t = cli.load_translator(settings)
    try:
        report = cli._run(settings, lambda app: backup(app.database, file))
    except DumpError as error:
        _refuse_dump(error, settings)
        return
    click.echo(
        t(
            "ops.backup_done",
            path=report.path,
            size=f"{report.size / 1_000_000:.1f} MB",
            kind=t(f"ops.kind_{report.kind}"),
        )
    )


def _restore_like(file: Path, *, document_only: bool) -> None:
    from bot import cli
    from bot.ops.backup import load_file, restore
    from bot.ops.dump import import_document

    settings = cli._settings()
    if not file.is_file():
        t = cli.load_translator(settings)
        cli._refuse(t("cli.error_file", path=file, reason=t("ops.no_such_file")))
    cli._prepare(settings, auto_upgrade=True)  # an empty database gets the schema first
    t = cli.load_translator(settings)

    async def work(app: Any) -> tuple[str, int]:
        if document_only:
            imported = await import_document(app.database, load_file(file))
            return "document", imported.total
        return await restore(app.database, file)

    try:
        how, rows = cli._run(settings, work)
    except DumpError as error:
        _refuse_dump(error, settings)
        return
    if how == "sqlite":
        click.echo(t("ops.restore_copied", path=file))
    else:
        click.echo(t("ops.import_done", rows=t.number(rows), path=file))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore a backup (made by `samen-bot backup`) into an empty database."""
    _restore_like(file, document_only=False)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import a programme (`samen-bot export --format json --all`) into an empty database."""
    _restore_like(file, document_only=True)
