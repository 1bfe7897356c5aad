"""Console start-up: time from starting `samen-bot console` until it is ready for input (its
welcome line printed), against a bare `python -c pass` in the same run. Prints a table.

    .venv/bin/python bench/startup_bench.py --runs 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMEN_BOT = Path(sys.executable).with_name("samen-bot")


def time_until_first_line(command: list[str], env: dict[str, str], cwd: str) -> float:
    """Seconds until the process prints its first line (or exits)."""
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
    )
    assert process.stdout is not None
    process.stdout.readline()
    elapsed = time.perf_counter() - began
    process.communicate(b"", timeout=60)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="samen-startup-")
    env = {**os.environ, "SAMEN_DATABASE_URL": f"sqlite:///{work}/startup.db"}
    # The first start creates and migrates the database; measure the steady state after it.
    subprocess.run([str(SAMEN_BOT), "demo"], env=env, cwd=work, capture_output=True, check=True)
    rows = {"samen-bot console (ready for input)": [], "python -c 'print()' (bare interpreter)": []}
    for _ in range(args.runs):
        rows["samen-bot console (ready for input)"].append(
            time_until_first_line([str(SAMEN_BOT), "console"], env, work)
        )
        rows["python -c 'print()' (bare interpreter)"].append(
            time_until_first_line([sys.executable, "-c", "print()"], env, work)
        )
    print(f"| start-up ({args.runs} runs, demo database) | p50 s | p95 s | max s |")
    print("|---|---:|---:|---:|")
    for name, values in rows.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(f"| {name} | {statistics.median(values):.3f} | {p95:.3f} | {values[-1]:.3f} |")


if __name__ == "__main__":
    main()
