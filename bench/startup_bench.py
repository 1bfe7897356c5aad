"""Console start-up: time from starting `samen-bot console` until it is ready for input (its
welcome line printed), against a bare `python -c pass` in the same run. Prints a table.

    .venv/bin/python bench/startup_bench.py --runs 20

Rows, run in turns so drift of the machine's speed hits all alike:
- ready for input, with the project's bytecode cached: as after `pip install .` (the README's
  first command; pip compiles what it installs), or any start after the first where Python may
  write bytecode;
- a whole session: start, answer `/samen themas`, end at end of input;
- ready for input with no cached bytecode for the project's own modules (an editable install
  where PYTHONDONTWRITEBYTECODE is set, as on the machines these figures come from);
- the frameworks alone: a Python that imports what the console cannot start without
  (SQLAlchemy's ORM and asyncio extension, pydantic-settings, click) and nothing of samen-bot;
- the bare interpreter.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMEN_BOT = Path(sys.executable).with_name("samen-bot")
PACKAGES = ("bot", "handlers", "storage", "schedules")
READY = "samen-bot console (ready for input)"
SESSION = "samen-bot console: start, answer `/samen themas`, end"
COLD = "samen-bot console (ready), project not compiled"
FRAMEWORKS = "python importing SQLAlchemy ORM + pydantic-settings + click, no samen-bot"
BARE = "python -c 'print()' (bare interpreter)"
IMPORT_FRAMEWORKS = (
    "import sqlalchemy.orm, sqlalchemy.ext.asyncio, pydantic_settings, click; print()"
)


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


def time_session(command: list[str], env: dict[str, str], cwd: str) -> float:
    """Seconds for a whole console session of one command, from start to exit."""
    began = time.perf_counter()
    subprocess.run(
        command, input=b"/samen themas\n", capture_output=True, env=env, cwd=cwd, check=True
    )
    return time.perf_counter() - began


def bytecode(compiled: bool) -> None:
    """Compile the project's own modules, or remove their cached bytecode."""
    for package in PACKAGES:
        if compiled:
            compileall.compile_dir(ROOT / package, quiet=1)
        else:
            for cache in (ROOT / package).rglob("__pycache__"):
                shutil.rmtree(cache)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="samen-startup-")
    env = {**os.environ, "SAMEN_DATABASE_URL": f"sqlite:///{work}/startup.db"}
    # The first start creates and migrates the database; measure the steady state after it.
    subprocess.run([str(SAMEN_BOT), "demo"], env=env, cwd=work, capture_output=True, check=True)
    console = [str(SAMEN_BOT), "console"]
    cold_env = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    rows: dict[str, list[float]] = {READY: [], SESSION: [], COLD: [], FRAMEWORKS: [], BARE: []}
    try:
        for _ in range(args.runs):
            bytecode(compiled=True)
            rows[READY].append(time_until_first_line(console, env, work))
            rows[SESSION].append(time_session(console, env, work))
            bytecode(compiled=False)
            rows[COLD].append(time_until_first_line(console, cold_env, work))
            rows[FRAMEWORKS].append(
                time_until_first_line([sys.executable, "-c", IMPORT_FRAMEWORKS], env, work)
            )
            rows[BARE].append(time_until_first_line([sys.executable, "-c", "print()"], env, work))
    finally:
        bytecode(compiled=True)
    print(f"| start-up ({args.runs} runs, demo database) | p50 s | p95 s | max s |")
    print("|---|---:|---:|---:|")
    for name, values in rows.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(f"| {name} | {statistics.median(values):.3f} | {p95:.3f} | {values[-1]:.3f} |")


if __name__ == "__main__":
    main()
