"""What the command line prints for a person to read: `init` (a table, then one line; twice
changes nothing), `demo` (one line), `seed` (a table), `export` (a sentence), `digest --post`
without a digest channel (one line, non-zero); in the configured language, never a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.tools.programme_file import EXAMPLE
from tests.cli import samen_bot


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text


def test_init_shows_a_table_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    """As an operator runs it, on SQLite (tests/bot/test_programme.py applies files on both
    backends)."""
    example = samen_bot(tmp_path, "init", "--example")
    assert example.returncode == 0 and example.stdout == EXAMPLE.read_text(encoding="utf-8")
    (tmp_path / "programma.toml").write_text(example.stdout, encoding="utf-8")

    url = {"SAMEN_DATABASE_URL": f"sqlite:///{tmp_path}/samen.db"}
    dry = samen_bot(tmp_path, "init", "--dry-run", "programma.toml", **url)
    first = samen_bot(tmp_path, "init", "programma.toml", **url)
    second = samen_bot(tmp_path, "init", "programma.toml", SAMEN_LANGUAGE="en", **url)

    no_traceback(dry.stderr, first.stderr, second.stderr)
    assert dry.returncode == first.returncode == second.returncode == 0
    assert "programma.toml: 28 wijzigingen nodig; er is nog niets veranderd" in dry.stdout
    assert "Buurtkamer Zuiderwijk" in first.stdout and "nieuw" in first.stdout
    assert "#financiering" in first.stdout
    assert "programma.toml: 28 wijzigingen doorgevoerd." in first.stdout
    assert "programma.toml: nothing changed; the database already agrees" in second.stdout
    assert "all 12" in second.stdout and "unchanged" in second.stdout
    # Leaders and the digest channel are settings: init names the line for .env.
    assert "  SAMEN_LEADERS=console:floor,console:teun" in second.stdout.splitlines()
    assert "  SAMEN_DIGEST_CHANNEL=console:kenniskring" in second.stdout.splitlines()
    # --write-env puts them in ./.env, which the bot reads: then init has nothing to say.
    written = samen_bot(tmp_path, "init", "--write-env", "programma.toml", **url)
    settled = samen_bot(tmp_path, "init", "programma.toml", **url)
    assert ".env: SAMEN_LEADERS, SAMEN_DIGEST_CHANNEL gezet" in written.stdout
    assert "SAMEN_LEADERS=console:floor,console:teun\n" in (tmp_path / ".env").read_text()
    assert "SAMEN_" not in settled.stdout and "niets gewijzigd" in settled.stdout
    # The programme as it is now, as a file: init reads it back without a change.
    current = samen_bot(tmp_path, "init", "--current", **url)
    assert current.returncode == 0 and 'naam = "Buurtkamer Zuiderwijk"' in current.stdout
    assert 'accounts = ["console:floor"]' in current.stdout
    (tmp_path / "terug.toml").write_text(current.stdout, encoding="utf-8")
    again = samen_bot(tmp_path, "init", "terug.toml", **url)
    assert "terug.toml: niets gewijzigd" in again.stdout and "SAMEN_" not in again.stdout


def test_init_refuses_a_bad_file_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text('[[proeftuin]]\nnaam = "A"\nkanalen = ["zuid"]\n')

    bad = samen_bot(tmp_path, "init", "p.toml")
    missing = samen_bot(tmp_path, "init", "nergens.toml", SAMEN_LANGUAGE="en")
    without = samen_bot(tmp_path, "init")

    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("samen-bot: p.toml:3: [[proeftuin]] 1 kanalen: `zuid` is geen")
    assert missing.returncode == 2 and "nergens.toml" in missing.stderr
    assert without.returncode == 2 and "samen-bot init --example" in without.stderr
    for result in (bad, missing, without):
        no_traceback(result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "samen.db").exists()  # nothing was touched


def test_demo_seed_export_and_digest_post_say_what_they_did(tmp_path: Path) -> None:
    demo = samen_bot(tmp_path, "demo")
    seed = samen_bot(tmp_path, "seed", "--learnings", "300")
    export = samen_bot(tmp_path, "export", "--ring", "kenniskring", "--output", "uit.md")
    english = samen_bot(
        tmp_path, "export", "--format", "json", "--output", "alles.json", SAMEN_LANGUAGE="en"
    )
    post = samen_bot(tmp_path, "digest", "--post")

    no_traceback(demo.stderr, seed.stderr, export.stderr, english.stderr, post.stderr)
    assert demo.returncode == 0
    assert len(demo.stdout.strip().splitlines()) == 1
    assert demo.stdout.startswith("Demo klaar: 7 proeftuinen, 12 thema's, 92 inzichten")
    assert "`samen-bot digest`" in demo.stdout

    assert seed.returncode == 0 and "SeedSummary" not in seed.stdout
    assert "Inzichten toegevoegd" in seed.stdout and "300" in seed.stdout
    assert "#93–#392" in seed.stdout and "392" in seed.stdout

    assert export.returncode == 0
    line = export.stderr.strip()
    assert line.startswith("samen-bot: ") and line.endswith(
        "inzichten geschreven naar uit.md (wat ring kenniskring mag zien, MD)."
    )
    assert english.stderr.strip() == (
        "samen-bot: 392 learnings written to alles.json (everything, as the operator sees it, "
        "JSON)."
    )

    assert post.returncode == 2
    assert post.stderr.count("\n") == 1 and "SAMEN_DIGEST_CHANNEL" in post.stderr


@pytest.fixture
def discord_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    import bot.discord.adapter  # noqa: F401  (installs the filter and silences voice)

    caplog.set_level(logging.INFO)
    return caplog


def test_discord_without_network_logs_one_line_per_attempt(
    discord_log: pytest.LogCaptureFixture,
) -> None:
    import discord

    assert not discord.VoiceClient.warn_nacl  # no "PyNaCl is not installed" warning
    logger = logging.getLogger("discord.client")
    logger.info("logging in using static token")  # with every attempt: not shown
    try:
        raise OSError(101, "Network is unreachable")
    except OSError:
        logger.exception("Attempting a reconnect in %.2fs", 4.37)
    [record] = discord_log.records
    assert record.exc_info is None and record.levelno == logging.ERROR
    assert record.getMessage() == (
        "discord: cannot reach Discord (OSError: [Errno 101] Network is unreachable); "
        "next attempt in 4 s"
    )
    assert "Traceback" not in discord_log.text
