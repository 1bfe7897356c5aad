"""`samen-bot digest [--week W] [--post]` through the real command line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli import samen_bot


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return samen_bot(
        tmp_path,
        *args,
        stdin=stdin,
        database="cli.db",
        SAMEN_LEADERS="console:floor",
        SAMEN_DIGEST_CHANNEL="console:kenniskring,slack:CKENNIS",
    )


SESSION = """\
:channel proeftuin-a
/samen koppel Proeftuin A
/samen inzicht Samen koken verbindt de straat
:channel kenniskring
/samen bijeenkomst Kenniskring | 2099-01-01 19:30
"""


def test_print_post_once_and_bad_week(tmp_path: Path) -> None:
    assert run(tmp_path, "console", stdin=SESSION).returncode == 0
    printed = run(tmp_path, "digest")
    assert printed.returncode == 0, printed.stderr
    assert "*Weekdigest week" in printed.stdout and "Samen koken" in printed.stdout

    posted = run(tmp_path, "digest", "--post")
    assert posted.returncode == 0, posted.stderr
    assert "[#kenniskring] samen-bot:" in posted.stdout and "Samen koken" in posted.stdout
    assert "console:kenniskring: digest van" in posted.stderr
    assert "slack:CKENNIS: wordt binnen een minuut geplaatst" in posted.stderr

    again = run(tmp_path, "digest", "--post")
    assert again.returncode == 0 and "Weekdigest" not in again.stdout
    assert again.stderr.count("al geplaatst") == 2

    empty = run(tmp_path, "digest", "--week", "2020-W10")
    assert "rustige week" in empty.stdout

    bad = run(tmp_path, "digest", "--week", "2026-W60")
    assert bad.returncode == 2 and "--week" in bad.stderr and bad.stderr.count("\n") == 1
