"""The console driven end to end through its real stdin and stdout, in Dutch and English."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli import samen_bot

SESSION = """\
/samen koppel Voedseltuin Oost
/samen thema nieuw wonen Wonen | huur, woning
/samen inzicht Huurders doen mee als de woning centraal staat
/samen tag 1 #wonen
:user anna
/samen koppel Elders
/samen inzicht Samen koken verbindt de straat #wonen
:channel elders
/samen inzicht dit kanaal hoort nergens bij
/samen zoek huurders
gewoon een bericht
"""


def run_console(tmp_path: Path, stdin: str, **env: str) -> subprocess.CompletedProcess[str]:
    env = {"SAMEN_LEADERS": "console:floor", **env}
    return samen_bot(
        tmp_path, "console", "--channel", "voedseltuin", stdin=stdin, database="console.db", **env
    )


def test_console_session_in_dutch(tmp_path: Path) -> None:
    result = run_console(tmp_path, SESSION)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[#voedseltuin] samen-bot:" in out
    assert "Nieuwe proeftuin Voedseltuin Oost" in out
    assert "Inzicht #1 bewaard voor proeftuin Voedseltuin Oost" in out
    assert "Nog geen thema" in out and "#wonen" in out
    assert "(je bent nu anna, deelnemer)" in out  # the role the router will see
    assert "[#voedseltuin, alleen voor anna]" in out and "Alleen projectleiders" in out
    assert "Inzicht #2 bewaard" in out
    assert "(je bent nu in #elders)" in out
    assert "dit kanaal hoort nergens bij" in out  # echoed back, not lost
    assert "**Huurders**" in out or "**huurders**" in out
    assert "commando's beginnen met `/samen`" in out
    assert "Traceback" not in out + result.stderr


def test_console_session_in_english(tmp_path: Path) -> None:
    result = run_console(
        tmp_path,
        "/samen link Pilot\n/samen learning We learned a lot\n/samen themes\n",
        SAMEN_LANGUAGE="en",
    )
    assert result.returncode == 0, result.stderr
    assert "Created the new proeftuin Pilot" in result.stdout
    assert "Learning #1 saved for proeftuin Pilot" in result.stdout
    assert "There are no themes yet" in result.stdout


def test_console_ends_cleanly_on_empty_input(tmp_path: Path) -> None:
    result = run_console(tmp_path, "")
    assert result.returncode == 0
    assert "samen-bot console" in result.stdout


def test_console_keeps_a_members_name(tmp_path: Path) -> None:
    """Typing as `mehmet` must not replace the name the demo gave him with his user id."""
    demo = samen_bot(tmp_path, "demo", database="console.db")
    assert demo.returncode == 0, demo.stderr
    result = run_console(tmp_path, ":user mehmet\n/samen mijn-gegevens\n", SAMEN_LEADERS="")
    assert result.returncode == 0, result.stderr
    assert "naam 'Mehmet Kaya'" in result.stdout


def test_without_leaders_the_console_says_everyone_leads(tmp_path: Path) -> None:
    result = run_console(tmp_path, ":user bram\n", SAMEN_LEADERS="")
    assert result.returncode == 0, result.stderr
    assert "SAMEN_LEADERS is leeg" in result.stdout
    assert "(je bent nu bram, projectleider)" in result.stdout
