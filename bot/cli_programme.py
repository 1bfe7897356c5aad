"""The commands that set up and try the programme: `init` (from a programme file), `demo` (the
example programme with invented learnings) and `console` (the bot in a terminal)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from bot.config import Settings


def register(main: click.Group) -> None:
    """Add the commands to the `samen-bot` group."""
    main.add_command(init)
    main.add_command(demo)
    main.add_command(console)


@click.command()
@click.option("--user", default="floor", show_default=True, help="Who is typing (console:ID).")
@click.option("--channel", default="kenniskring", show_default=True, help="Channel you type in.")
def console(user: str, channel: str) -> None:
    """The bot in a terminal: reads lines from standard input until end of input."""
    from bot import cli
    from bot.console.adapter import Console

    settings = cli._settings()
    cli._prepare(settings)

    async def work(app: Any) -> None:
        await Console(
            app,
            user=user,
            channel=channel.lstrip("#"),
            out=sys.stdout,
            prompt=sys.stdin.isatty(),
        ).run()

    cli._run(settings, work)


@click.command()
def demo() -> None:
    """Create the demo programme (idempotent): the example programme file and invented learnings."""
    from bot import cli
    from bot.tools.demo import build_demo, demo_meeting_of

    settings = cli._settings()
    cli._prepare(settings, auto_upgrade=True)

    async def work(app: Any) -> None:
        summary = await build_demo(app.database, app.policy)
        meeting, moment = await demo_meeting_of(app, datetime.now(UTC))
        t = app.policy.translator()
        click.echo(
            t(
                "cli.demo_ready",
                proeftuinen=t.plural("count.proeftuin", summary.proeftuinen),
                themes=t.plural("count.thema", summary.themes),
                total=t.plural("count.inzicht", summary.learnings_total),
                meeting=meeting,
                moment=moment,
            )
        )

    cli._run(settings, work)


@click.command()
@click.argument(
    "file", type=click.Path(dir_okay=False, path_type=Path), required=False, default=None
)
@click.option("--dry-run", is_flag=True, help="Only show what would change; change nothing.")
@click.option("--example", is_flag=True, help="Print the example programme file (Programma SAMEN).")
@click.option(
    "--write-env",
    is_flag=True,
    help="Also set SAMEN_LEADERS, SAMEN_DIGEST_CHANNEL and SAMEN_DEFAULT_RING in ./.env.",
)
@click.option(
    "--current", is_flag=True, help="Print the programme as it is now, as a programme file."
)
def init(file: Path | None, dry_run: bool, example: bool, write_env: bool, current: bool) -> None:
    """Set up the programme from a TOML file: proeftuinen, channels, themes, leaders."""
    from bot import cli
    from bot.tools.programme_current import current_programme
    from bot.tools.programme_file import EXAMPLE, ProgrammeError, read_programme

    if example:
        click.echo(EXAMPLE.read_text(encoding="utf-8"), nl=False)
        return
    settings = cli._settings()
    t = cli.load_translator(settings)
    if current:
        cli._prepare(settings)
        now = _current_settings(settings)
        click.echo(
            cli._run(settings, lambda app: current_programme(app.database, now, t)), nl=False
        )
        return
    if file is None:
        cli._refuse(t("init.no_file"))
    assert file is not None
    try:
        plan = read_programme(file, t)
    except ProgrammeError as error:
        cli._refuse(str(error))
    cli._prepare(settings, auto_upgrade=True)
    outcome = cli._run(settings, lambda app: _apply_programme(app, plan, settings, dry_run))
    _print_outcome(outcome, t, file, dry_run, write_env)


def _current_settings(settings: Settings) -> Any:
    from bot.tools.programme_apply import CurrentSettings

    return CurrentSettings(
        leaders=settings.leaders,
        digest_channels=settings.digest_channels,
        default_ring=settings.SAMEN_DEFAULT_RING,
    )


async def _apply_programme(app: Any, plan: Any, settings: Settings, dry_run: bool) -> Any:
    from bot.tools.programme_apply import apply_programme

    current = _current_settings(settings)
    return await apply_programme(app.database, plan, current, dry_run=dry_run)


def _print_outcome(outcome: Any, t: Any, file: Path, dry_run: bool, write_env: bool) -> None:
    from bot.tools.programme_apply import write_env as set_in_env
    from bot.tools.summary import plural, print_programme

    print_programme(outcome, t, sys.stdout)
    if dry_run:
        click.echo(plural(t, "init.dry_run", outcome.changed, file=file))
    elif outcome.changed:
        click.echo(plural(t, "init.done", outcome.changed, file=file))
    else:
        click.echo(t("init.unchanged", file=file))
    if outcome.env_lines and write_env and not dry_run:
        keys = set_in_env(Path(".env"), outcome.env_lines)
        click.echo(t("init.env_written", keys=", ".join(keys or ["-"])))
    elif outcome.env_lines:
        click.echo(t("init.env"))
        for line in outcome.env_lines:
            click.echo(f"  {line}")
