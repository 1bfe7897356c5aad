"""The commands that run the bot and keep its schema: `serve` (every adapter whose credentials
are set, plus the scheduler) and `db upgrade` / `db current`."""

from __future__ import annotations

import logging

import click


def register(main: click.Group) -> None:
    """Add the commands to the `samen-bot` group."""
    main.add_command(serve)
    main.add_command(db)


@click.command()
@click.option("--slack-http", is_flag=True, help="Serve Slack over HTTP (POST /slack/events).")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP listen address.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--scheduler-only",
    is_flag=True,
    help="Run only the scheduler (digest, reminders, notices), no Slack or Discord.",
)
def serve(slack_http: bool, host: str, port: int, scheduler_only: bool) -> None:
    """Run every adapter whose credentials are set, plus the scheduler, until stopped."""
    from bot import cli
    from bot.serve import serve as run_services

    settings = cli._settings()
    t = cli.load_translator(settings)
    if scheduler_only:
        settings = settings.model_copy(update={"SLACK_BOT_TOKEN": "", "DISCORD_BOT_TOKEN": ""})
    elif slack_http and not settings.slack_enabled:
        cli._refuse(t("cli.serve_slack_http_token"))
    elif not settings.slack_enabled and not settings.discord_enabled:
        cli._refuse(t("cli.serve_no_platform"))
    elif (
        settings.slack_enabled
        and not settings.SLACK_SIGNING_SECRET
        and not settings.SLACK_APP_TOKEN
    ):
        cli._refuse(t("cli.serve_slack_mode"))
    cli._prepare(settings)
    from bot.ops.logs import use

    use(settings.SAMEN_LOG_FORMAT)  # also when it is set in .env
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    # APScheduler says every job it adds and runs at INFO (every minute, with the tick): that is
    # not for the operator; our own scheduler logs what happened. `-v` shows it all again.
    if logging.getLogger().level >= logging.INFO and not cli._verbose():
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    cli._run(settings, lambda app: run_services(app, slack_http=slack_http, host=host, port=port))


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations (keeps every row)."""
    from bot import cli
    from storage.migrate import current_revision, upgrade

    settings = cli._settings()
    before = current_revision(settings.SAMEN_DATABASE_URL)
    upgrade(settings.SAMEN_DATABASE_URL, revision)
    after = current_revision(settings.SAMEN_DATABASE_URL)
    t = cli.load_translator(settings)
    if before is None:
        click.echo(t("cli.db_created", after=after))
    elif before == after:
        click.echo(t("cli.db_unchanged", after=after))
    else:
        click.echo(t("cli.db_upgraded", before=before, after=after))


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one."""
    from bot import cli
    from storage.migrate import current_revision, head_revision

    settings = cli._settings()
    click.echo(f"{current_revision(settings.SAMEN_DATABASE_URL)} (head {head_revision()})")
