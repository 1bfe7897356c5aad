"""Operator mistakes on the command line: one line in the operator's language and a non-zero
exit, never a traceback; `-v` adds the details for whoever wants them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import samen_bot

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nope"


def one_line(stderr: str) -> str:
    """The one error line (besides the note that a new database was made, on a first run)."""
    assert "Traceback" not in stderr, stderr
    lines = [
        line
        for line in stderr.splitlines()
        if line.strip() and "nieuwe database gemaakt" not in line
    ]
    assert len(lines) == 1, stderr
    return lines[0]


def test_export_into_a_missing_folder(tmp_path: Path) -> None:
    result = samen_bot(tmp_path, "export", "--output", "/nonexistent/dir/x.md")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "/nonexistent/dir/x.md" in line and "Kies een pad" in line


def test_kennisbank_into_a_folder_of_other_files(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine")
    result = samen_bot(tmp_path, "kennisbank", "--output", "site")
    assert result.returncode == 2
    assert "not empty" in one_line(result.stderr)
    assert (tmp_path / "site" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("command", [("console",), ("demo",), ("digest",), ("export",)])
def test_unreachable_postgresql(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = samen_bot(tmp_path, *command, stdin="", SAMEN_DATABASE_URL=UNREACHABLE)
    assert result.returncode == 3
    line = one_line(result.stderr)
    assert "database is niet bereikbaar" in line and "SAMEN_DATABASE_URL" in line


def test_unreachable_postgresql_in_english(tmp_path: Path) -> None:
    result = samen_bot(
        tmp_path, "console", stdin="", SAMEN_DATABASE_URL=UNREACHABLE, SAMEN_LANGUAGE="en"
    )
    assert result.returncode == 3
    assert "database cannot be reached" in one_line(result.stderr)


def test_sqlite_file_in_a_folder_that_cannot_exist(tmp_path: Path) -> None:
    result = samen_bot(
        tmp_path, "console", stdin="", SAMEN_DATABASE_URL="sqlite:////proc/nope/x.db"
    )
    assert result.returncode in (2, 3)
    assert "/proc/nope" in one_line(result.stderr)


def test_verbose_logs_the_details(tmp_path: Path) -> None:
    result = samen_bot(tmp_path, "-v", "export", "--output", "/nonexistent/dir/x.md")
    assert result.returncode == 2
    assert "FileNotFoundError" in result.stderr and "samen-bot: /nonexistent" in result.stderr


def test_serve_without_any_platform_refuses_and_names_the_keys(tmp_path: Path) -> None:
    result = samen_bot(tmp_path, "serve")
    assert result.returncode == 2
    line = one_line(result.stderr)
    for key in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN", "--scheduler-only"):
        assert key in line


def test_serve_with_only_a_slack_token_names_both_modes(tmp_path: Path) -> None:
    result = samen_bot(tmp_path, "serve", SLACK_BOT_TOKEN="xoxb-test")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "SLACK_SIGNING_SECRET" in line and "SLACK_APP_TOKEN" in line


def _serve_briefly(tmp_path: Path, *flags: str) -> str:
    """The log of `samen-bot [flags] serve --scheduler-only` over its first seconds."""
    import os
    import signal
    import subprocess
    import sys

    from tests.cli import ROOT

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "SAMEN_DATABASE_URL": f"sqlite:///{tmp_path}/samen.db",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *flags, "serve", "--scheduler-only"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, err = process.communicate(timeout=6)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    return err


def test_serve_logs_what_the_operator_needs_not_every_scheduler_job(tmp_path: Path) -> None:
    quiet = _serve_briefly(tmp_path)
    assert "scheduler started" in quiet and "apscheduler" not in quiet
    assert "Traceback" not in quiet
    verbose = _serve_briefly(tmp_path, "-v")
    assert "apscheduler" in verbose
