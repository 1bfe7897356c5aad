"""Running `samen-bot` as an operator does, for tests of the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def samen_bot(
    tmp_path: Path, *args: str, stdin: str | None = None, database: str = "samen.db", **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in `tmp_path`, over the SQLite file `database` there, with an
    environment of PATH and the given SAMEN_* values only (nothing of the caller's)."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "SAMEN_DATABASE_URL": f"sqlite:///{tmp_path}/{database}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=180,
    )
