"""Kennisbank benchmark: build the static site for N published learnings, rebuild it unchanged,
then rebuild it with one learning added; prints a Markdown table (seconds, pages, bytes, files
written vs unchanged).

    .venv/bin/python bench/kennisbank_bench.py --learnings 10000

The snapshot is generated (tests/kennisbank/synthetic.py: seven proeftuinen, twelve themes,
two years of weeks) before the clock starts. `--screenshot docs/kennisbank-start.png` also saves
a screenshot of a start page in headless Chromium: of `--site DIR` when given (e.g. a folder
written by `samen-bot kennisbank --output DIR` after `samen-bot demo`), else of the demo data's
public learnings built into a temporary folder. `--skip-bench` takes only the screenshot.

`--cli` measures what an operator runs instead, end to end: a SQLite database the bench creates
(in `--cache-dir`, kept for the next run) is seeded with `bot.tools.seed` until it holds about
`--learnings` published (ring buitenwereld) learnings among some 125,000; then
`samen-bot kennisbank --output DIR` runs `--runs` times as a new process into an empty folder,
timed from the start of the process to its exit (loading from the database included). Prints
the median with the spread.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tools.kennisbank import (  # noqa: E402
    BuildReport,
    PublishedLearning,
    Snapshot,
    ThemeRef,
    WeekCount,
    build_kennisbank,
)
from tests.kennisbank.synthetic import demo_snapshot, make_snapshot, week_of  # noqa: E402

TARGET_SECONDS = 20.0
PUBLIC_SHARE = 0.08  # bot.tools.seed.RING_WEIGHTS: 8 of 100 learnings are ring buitenwereld
ROOT = Path(__file__).resolve().parent.parent


def one_more(snapshot: Snapshot) -> Snapshot:
    """The snapshot plus one newly published learning (and its count in the participation)."""
    last = max(snapshot.learnings, key=lambda item: (item.published_at, item.id))
    new = PublishedLearning(
        id=max(item.id for item in snapshot.learnings) + 1,
        text="Nieuw inzicht: een vast aanspreekpunt bij de gemeente scheelt weken wachten.",
        proeftuin=last.proeftuin,
        published_at=last.published_at + timedelta(hours=1),
        created_at=last.published_at,
        themes=(ThemeRef("samenwerking-gemeente", "Samenwerking met de gemeente"),),
    )
    counts = (*snapshot.participation, WeekCount(new.proeftuin, week_of(new.created_at), 1))
    return dataclasses.replace(snapshot, learnings=(*snapshot.learnings, new), participation=counts)


def row(step: str, report: BuildReport) -> str:
    return (
        f"| {step} | {report.seconds:.2f} | {report.pages:,} | {report.files:,} | "
        f"{report.bytes / 1_000_000:.1f} MB | {report.written:,} | {report.unchanged:,} | "
        f"{report.removed:,} |"
    )


def bench(count: int, seed: int, output: Path) -> bool:
    started = time.perf_counter()
    snapshot = make_snapshot(count, seed=seed)
    print(
        f"generated {count:,} learnings in {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    if output.exists():
        shutil.rmtree(output)
    cold = build_kennisbank(snapshot, output)
    same = build_kennisbank(snapshot, output)
    grown = build_kennisbank(one_more(snapshot), output)
    print(f"| kennisbank, {count:,} published learnings | seconds | pages | files | size "
          "| written | unchanged | removed |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(row("build into an empty folder", cold))
    print(row("rebuild, nothing changed", same))
    print(row("rebuild, one learning added", grown))
    ok = cold.seconds < TARGET_SECONDS and grown.written < grown.files // 20
    print(f"\ntarget: build under {TARGET_SECONDS:.0f} s, and a rebuild with one learning added "
          f"rewrites only what changed: {'met' if ok else 'NOT met'}")  # fmt: skip
    return ok


def _published_count(url: str) -> int:
    from sqlalchemy import func, select

    from storage.db import make_engine
    from storage.models import Learning, Ring

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).where(Learning.ring == Ring.BUITENWERELD.value)
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def bench_cli(count: int, cache: Path, runs: int) -> bool:
    """`samen-bot kennisbank` end to end on a seeded SQLite database with ~`count` published."""
    from bot.tools.seed import seed_learnings
    from storage.migrate import upgrade

    cache.mkdir(parents=True, exist_ok=True)
    total = round(count / PUBLIC_SHARE)
    url = f"sqlite:///{cache / f'kennisbank-cli-{total}.db'}"
    upgrade(url)
    if not _published_count(url):
        started = time.perf_counter()
        seed_learnings(url, total, random_seed=count)
        print(
            f"seeded {total:,} learnings in {time.perf_counter() - started:.0f} s", file=sys.stderr
        )
    published = _published_count(url)
    env = {**os.environ, "SAMEN_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    timings = []
    with tempfile.TemporaryDirectory(prefix="samen-kennisbank-") as work:
        for run in range(runs):
            output = Path(work) / f"site-{run}"
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "bot", "kennisbank", "--output", str(output)],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            timings.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"samen-bot kennisbank failed:\n{done.stderr}")
            print(f"  run {run + 1}: {timings[-1]:.2f} s; {done.stdout.strip()}", file=sys.stderr)
    median = statistics.median(timings)
    print(f"| end to end through the CLI, {published:,} published of {total:,} learnings "
          "| median s | lowest s | highest s |")  # fmt: skip
    print("|---|---:|---:|---:|")
    print(f"| `samen-bot kennisbank --output DIR` into an empty folder, {runs} runs "
          f"| {median:.2f} | {min(timings):.2f} | {max(timings):.2f} |")  # fmt: skip
    ok = median < TARGET_SECONDS
    print(f"\ntarget: under {TARGET_SECONDS:.0f} s end to end: {'met' if ok else 'NOT met'}")
    return ok


def screenshot(png: Path, site: Path | None) -> None:
    from tests.kennisbank import browser

    paths = browser.chromium_paths()
    if isinstance(paths, str):
        raise SystemExit(f"kennisbank_bench: {paths}")
    with tempfile.TemporaryDirectory() as work:
        if site is None:
            site = Path(work) / "site"
            build_kennisbank(demo_snapshot(), site)
        with browser.serve(site) as base, browser.chromium(Path(work) / "profile") as driver:
            browser.screenshot(driver, base + "index.html", png, max_height=1900)
    print(f"screenshot: {png}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learnings", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=Path("bench/out/kennisbank"))
    parser.add_argument("--screenshot", type=Path, help="also save a start-page PNG here")
    parser.add_argument("--site", type=Path, help="screenshot this built kennisbank instead")
    parser.add_argument("--skip-bench", action="store_true", help="only take the screenshot")
    parser.add_argument("--cli", action="store_true", help="end to end: the CLI on a database")
    parser.add_argument("--cache-dir", type=Path, default=Path("data"), help="--cli's database")
    parser.add_argument("--runs", type=int, default=3, help="--cli: how many builds")
    args = parser.parse_args()
    ok = True
    if args.cli:
        ok = bench_cli(args.learnings, args.cache_dir, args.runs)
    elif not args.skip_bench:
        ok = bench(args.learnings, args.seed, args.output)
    if args.screenshot:
        screenshot(args.screenshot, args.site)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
