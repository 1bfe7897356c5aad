"""The commands that read the programme's learnings out: `digest` (print or post a week's),
`export` (Markdown, CSV or JSON), `kennisbank` (the public static site) and `seed` (synthetic
learnings for trying the others at scale)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, cast

import click


def register(main: click.Group) -> None:
    """Add the commands to the `samen-bot` group."""
    main.add_command(digest)
    main.add_command(export)
    main.add_command(kennisbank)
    main.add_command(seed)


@click.command()
@click.option("--week", default=None, help="ISO week such as 2026-W48 (default: this week).")
@click.option("--post", is_flag=True, help="Post it to every SAMEN_DIGEST_CHANNEL, once a week.")
def digest(week: str | None, post: bool) -> None:
    """Print (or post) the digest of an ISO week in SAMEN_TIMEZONE."""
    from bot import cli
    from bot.tools.digest import post_digest, print_digest, resolve_week

    settings = cli._settings()
    if post and not settings.digest_channels:
        cli._refuse(cli.load_translator(settings)("cli.digest_post_no_channel"))
    try:
        resolve_week(week, settings.timezone, datetime.now(UTC))
    except ValueError as error:
        click.echo(f"samen-bot: --week: {error}", err=True)
        sys.exit(2)
    cli._prepare(settings)

    async def work(app: Any) -> None:
        now = datetime.now(UTC)
        chosen = resolve_week(week, settings.timezone, now)
        if not post:
            await print_digest(app, chosen, now, sys.stdout)
            return
        for line in await post_digest(app, chosen, now, sys.stdout):
            click.echo(f"samen-bot: {line}", err=True)

    cli._run(settings, work)


@click.command()
@click.option("--learnings", "count", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--random-seed", default=1, show_default=True, type=int)
def seed(count: int, random_seed: int) -> None:
    """Add N synthetic learnings spread over proeftuinen, themes and weeks."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from bot import cli
    from bot.tools.seed import seed_learnings
    from bot.tools.summary import print_seed

    settings = cli._settings()
    cli._prepare(settings, auto_upgrade=True)
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
    print_seed(summary, cli.load_translator(settings), sys.stdout)


@click.command()
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
    from bot import cli
    from bot.tools.export import ExportFormat, export_learnings
    from storage.models import Ring

    if everything:
        from bot.cli_ops import export_all

        if fmt != "json" or ring is not None:
            cli._refuse(cli.load_translator(cli._settings())("ops.export_all_json"))
        export_all(output)
        return
    settings = cli._settings()
    cli._prepare(settings)

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

    written = cli._run(settings, work)
    if output is not None:
        from bot.tools.summary import plural

        t = cli.load_translator(settings)
        scope = t("cli.export_scope_ring", ring=ring) if ring else t("cli.export_scope_all")
        line = plural(t, "cli.export_done", written, file=output, scope=scope, format=fmt.upper())
        click.echo(f"samen-bot: {line}", err=True)


@click.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the site to (created if needed).",
)
@click.option("--base-url", default=None, help="Public address of the site, for the Atom feed.")
def kennisbank(output: Path, base_url: str | None) -> None:
    """Write the public kennisbank: a static website of the ring buitenwereld learnings."""
    from bot import cli
    from bot.tools.kennisbank.build import build_kennisbank
    from bot.tools.kennisbank.loader import load_snapshot

    settings = cli._settings()
    cli._prepare(settings)

    async def work(app: Any) -> Any:
        return await load_snapshot(
            app.database, language=settings.SAMEN_LANGUAGE, timezone=settings.timezone
        )

    snapshot = cli._run(settings, work)
    report = build_kennisbank(snapshot, output, base_url=base_url)
    t = cli.load_translator(settings)
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
