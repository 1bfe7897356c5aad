"""The `samen-bot` command line: the click group, the plumbing every command shares (settings,
the database made ready, the app run in an event loop, one-line refusals) and the registration
of the command families (bot/cli_programme.py, cli_serve.py, cli_data.py, cli_ops.py)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.config import ConfigError, Settings, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        click.echo(str(error), err=True)
        sys.exit(2)


def _prepare(settings: Settings, *, auto_upgrade: bool | None = None) -> None:
    from bot.app import ensure_database
    from storage.db import DatabaseSetupError

    created = _new_sqlite_file(settings.SAMEN_DATABASE_URL)
    try:
        ensure_database(settings, auto_upgrade=auto_upgrade)
    except DatabaseSetupError as error:
        click.echo(f"samen-bot: {error}", err=True)
        sys.exit(3)
    if created is not None and created.exists():
        t = load_translator(settings)
        click.echo(f"samen-bot: {t('cli.database_new', path=created)}", err=True)


def _new_sqlite_file(url: str) -> Path | None:
    """The SQLite file `url` names if it does not exist yet (so its creation can be said)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(str(parsed.database)).expanduser().resolve()
    return None if path.exists() else path


def _run(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Build the app, run `work(app)` in a fresh event loop and close the app."""
    from bot.app import build_app

    async def main() -> T:
        app = build_app(settings)
        try:
            return await work(app)
        finally:
            await app.close()

    return asyncio.run(main())


class OperatorGroup(click.Group):
    """A command group that turns every operator mistake into one line and a non-zero exit,
    never a traceback; `-v` logs the details to standard error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as error:  # noqa: BLE001 - the one place the CLI's errors end
            from bot.cli_errors import explain

            line, status = explain(error, _language())
            logging.getLogger("samen-bot").info("details of the error below", exc_info=True)
            click.echo(f"samen-bot: {line}", err=True)
            sys.exit(status)


def _language() -> str:
    """The operator's language for error lines, even when the settings cannot be read."""
    import os

    return "en" if os.environ.get("SAMEN_LANGUAGE", "nl") == "en" else "nl"


@click.group(cls=OperatorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log more detail to standard error.")
def main(verbose: bool) -> None:
    """samen-bot: capture, tag and share what the proeftuinen of Programma SAMEN learn."""
    import os

    from bot.ops.logs import configure

    configure(logging.INFO if verbose else logging.WARNING, os.environ.get("SAMEN_LOG_FORMAT"))


def _verbose() -> bool:
    """Whether `-v` was given to the command line."""
    context = click.get_current_context(silent=True)
    root = context.find_root() if context else None
    return bool(root and root.params.get("verbose"))


def _refuse(line: str) -> None:
    """Stop with one line for the operator (exit status 2)."""
    click.echo(f"samen-bot: {line}", err=True)
    sys.exit(2)


def load_translator(settings: Settings) -> Any:
    """The translator for the CLI's own messages."""
    from handlers.i18n import Translator

    return Translator(settings.SAMEN_LANGUAGE, settings.timezone)


def _register_commands() -> None:
    from bot import cli_data, cli_ops, cli_programme, cli_serve

    for family in (cli_programme, cli_serve, cli_data, cli_ops):
        family.register(main)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
