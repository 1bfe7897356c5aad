"""Kennisbank benchmark: build the static site for N published learnings, rebuild it unchanged,
then rebuild it with one learning added; prints a Markdown table (seconds, pages, bytes, files
written vs unchanged).

    .venv/bin/python bench/kennisbank_bench.py --learnings 10000

The snapshot is generated (tests/kennisbank/synthetic.py: seven proeftuinen, twelve themes,
two years of weeks) before the clock starts. `--screenshot docs/kennisbank-start.png` also saves
a screenshot of a start page in headless Chromium: of `--site DIR` when given (e.g. a folder
written by `samen-bot kennisbank --output DIR` after `samen-bot demo`), else of the demo data's
public learnings built into a temporary folder. `--skip-bench` takes only the screenshot.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
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
    args = parser.parse_args()
    ok = True
    if not args.skip_bench:
        ok = bench(args.learnings, args.seed, args.output)
    if args.screenshot:
        screenshot(args.screenshot, args.site)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
