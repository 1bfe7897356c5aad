"""The `samen-bot` command line: console, demo, init, serve, digest, db, seed, export and
kennisbank."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

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


@main.command()
@click.option("--user", default="floor", show_default=True, help="Who is typing (console:ID).")
@click.option("--channel", default="kenniskring", show_default=True, help="Channel you type in.")
def console(user: str, channel: str) -> None:
    """The bot in a terminal: reads lines from standard input until end of input."""
    from bot.console.adapter import Console

    settings = _settings()
    _prepare(settings)

    async def work(app: Any) -> None:
        await Console(
            app,
            user=user,
            channel=channel.lstrip("#"),
            out=sys.stdout,
            prompt=sys.stdin.isatty(),
        ).run()

    _run(settings, work)


@main.command()
def demo() -> None:
    """Create the demo programme (idempotent): the example programme file and invented learnings."""
    from bot.tools.demo import build_demo, demo_meeting_of

    settings = _settings()
    _prepare(settings, auto_upgrade=True)

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

    _run(settings, work)


@main.command()
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
    from bot.tools.programme import EXAMPLE, ProgrammeError, current_programme, read_programme

    if example:
        click.echo(EXAMPLE.read_text(encoding="utf-8"), nl=False)
        return
    settings = _settings()
    t = load_translator(settings)
    if current:
        _prepare(settings)
        now = _current_settings(settings)
        click.echo(_run(settings, lambda app: current_programme(app.database, now, t)), nl=False)
        return
    if file is None:
        _refuse(t("init.no_file"))
    assert file is not None
    try:
        plan = read_programme(file, t)
    except ProgrammeError as error:
        _refuse(str(error))
    _prepare(settings, auto_upgrade=True)
    outcome = _run(settings, lambda app: _apply_programme(app, plan, settings, dry_run))
    _print_outcome(outcome, t, file, dry_run, write_env)


def _current_settings(settings: Settings) -> Any:
    from bot.tools.programme import CurrentSettings

    return CurrentSettings(
        leaders=settings.leaders,
        digest_channels=settings.digest_channels,
        default_ring=settings.SAMEN_DEFAULT_RING,
    )


async def _apply_programme(app: Any, plan: Any, settings: Settings, dry_run: bool) -> Any:
    from bot.tools.programme import apply_programme

    current = _current_settings(settings)
    return await apply_programme(app.database, plan, current, dry_run=dry_run)


def _print_outcome(outcome: Any, t: Any, file: Path, dry_run: bool, write_env: bool) -> None:
    from bot.tools.programme import write_env as set_in_env
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


@main.command()
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
    from bot.serve import serve as run_services

    settings = _settings()
    t = load_translator(settings)
    if scheduler_only:
        settings = settings.model_copy(update={"SLACK_BOT_TOKEN": "", "DISCORD_BOT_TOKEN": ""})
    elif slack_http and not settings.slack_enabled:
        _refuse(t("cli.serve_slack_http_token"))
    elif not settings.slack_enabled and not settings.discord_enabled:
        _refuse(t("cli.serve_no_platform"))
    elif (
        settings.slack_enabled
        and not settings.SLACK_SIGNING_SECRET
        and not settings.SLACK_APP_TOKEN
    ):
        _refuse(t("cli.serve_slack_mode"))
    _prepare(settings)
    from bot.ops.logs import use

    use(settings.SAMEN_LOG_FORMAT)  # also when it is set in .env
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    # APScheduler says every job it adds and runs at INFO (every minute, with the tick): that is
    # not for the operator; our own scheduler logs what happened. `-v` shows it all again.
    if logging.getLogger().level >= logging.INFO and not _verbose():
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    _run(settings, lambda app: run_services(app, slack_http=slack_http, host=host, port=port))


@main.command()
@click.option("--week", default=None, help="ISO week such as 2026-W48 (default: this week).")
@click.option("--post", is_flag=True, help="Post it to every SAMEN_DIGEST_CHANNEL, once a week.")
def digest(week: str | None, post: bool) -> None:
    """Print (or post) the digest of an ISO week in SAMEN_TIMEZONE."""
    from bot.tools.digest import post_digest, print_digest, resolve_week

    settings = _settings()
    if post and not settings.digest_channels:
        _refuse(load_translator(settings)("cli.digest_post_no_channel"))
    try:
        resolve_week(week, settings.timezone, datetime.now(UTC))
    except ValueError as error:
        click.echo(f"samen-bot: --week: {error}", err=True)
        sys.exit(2)
    _prepare(settings)

    async def work(app: Any) -> None:
        now = datetime.now(UTC)
        chosen = resolve_week(week, settings.timezone, now)
        if not post:
            await print_digest(app, chosen, now, sys.stdout)
            return
        for line in await post_digest(app, chosen, now, sys.stdout):
            click.echo(f"samen-bot: {line}", err=True)

    _run(settings, work)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations (keeps every row)."""
    from storage.migrate import current_revision, upgrade

    settings = _settings()
    before = current_revision(settings.SAMEN_DATABASE_URL)
    upgrade(settings.SAMEN_DATABASE_URL, revision)
    after = current_revision(settings.SAMEN_DATABASE_URL)
    t = load_translator(settings)
    if before is None:
        click.echo(t("cli.db_created", after=after))
    elif before == after:
        click.echo(t("cli.db_unchanged", after=after))
    else:
        click.echo(t("cli.db_upgraded", before=before, after=after))


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one."""
    from storage.migrate import current_revision, head_revision

    settings = _settings()
    click.echo(f"{current_revision(settings.SAMEN_DATABASE_URL)} (head {head_revision()})")


@main.command()
@click.option("--learnings", "count", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--random-seed", default=1, show_default=True, type=int)
def seed(count: int, random_seed: int) -> None:
    """Add N synthetic learnings spread over proeftuinen, themes and weeks."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from bot.tools.seed import seed_learnings
    from bot.tools.summary import print_seed

    settings = _settings()
    _prepare(settings, auto_upgrade=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    ) as progress:
        task = progress.add_task("seed", total=count)
        summary = seed_learnings(
            settings.SAMEN_DATABASE_URL,
            count,
            random_seed=random_seed,
            progress=lambda done: progress.update(task, completed=done),
        )
    print_seed(summary, load_translator(settings), sys.stdout)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md", show_default=True
)
@click.option(
    "--ring",
    type=click.Choice(["kenniskring", "buitenwereld"]),
    default=None,
    help="Only what this ring may see (default: everything, the operator's view).",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="The whole programme, every table (JSON only), for `samen-bot import`.",
)
def export(fmt: str, ring: str | None, output: Path | None, everything: bool) -> None:
    """Write learnings as Markdown, CSV or JSON."""
    from bot.tools.export import ExportFormat, export_learnings
    from storage.models import Ring

    if everything:
        from bot.cli_ops import export_all

        if fmt != "json" or ring is not None:
            _refuse(load_translator(_settings())("ops.export_all_json"))
        export_all(output)
        return
    settings = _settings()
    _prepare(settings)

    async def work(app: Any) -> int:
        ring_value = Ring(ring) if ring else None

        async def write(out: TextIO) -> int:
            return await export_learnings(
                app.database,
                cast(ExportFormat, fmt),  # click.Choice allows only the three
                ring_value,
                out,
                language=settings.SAMEN_LANGUAGE,
                timezone=settings.timezone,
            )

        if output is None:
            return await write(sys.stdout)
        with output.open("w", encoding="utf-8", newline="") as handle:
            return await write(handle)

    written = _run(settings, work)
    if output is not None:
        from bot.tools.summary import plural

        t = load_translator(settings)
        scope = t("cli.export_scope_ring", ring=ring) if ring else t("cli.export_scope_all")
        line = plural(t, "cli.export_done", written, file=output, scope=scope, format=fmt.upper())
        click.echo(f"samen-bot: {line}", err=True)


@main.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the site to (created if needed).",
)
@click.option("--base-url", default=None, help="Public address of the site, for the Atom feed.")
def kennisbank(output: Path, base_url: str | None) -> None:
    """Write the public kennisbank: a static website of the ring buitenwereld learnings."""
    from bot.tools.kennisbank.build import build_kennisbank
    from bot.tools.kennisbank.loader import load_snapshot

    settings = _settings()
    _prepare(settings)

    async def work(app: Any) -> Any:
        return await load_snapshot(
            app.database, language=settings.SAMEN_LANGUAGE, timezone=settings.timezone
        )

    snapshot = _run(settings, work)
    report = build_kennisbank(snapshot, output, base_url=base_url)
    t = load_translator(settings)
    click.echo(
        t(
            "cli.kennisbank_done",
            output=output,
            pages=t.plural("count.pagina", report.pages),
            size=f"{report.bytes / 1_000_000:.1f} MB",
            written=t.plural("count.bestand", report.written),
            unchanged=t.number(report.unchanged),
            removed=t.number(report.removed),
            seconds=f"{report.seconds:.1f}",
        )
    )


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


def _register_ops() -> None:
    from bot.cli_ops import register

    register(main)


_register_ops()

if __name__ == "__main__":  # pragma: no cover
    main()
