"""The README's console walkthrough is what the bot really answers.

The walkthrough's input (the first `text` block after the README's first code block) is piped
into `samen-bot console` after `samen-bot demo`, as the README's first command does, on a fresh
data folder; the output block after it must be that run's output, shortened by the rule of
`shorten` (dates, week numbers and the data folder differ from run to run and are compared as
placeholders). When the bot's replies change, regenerate the README's block from a real run:

    .venv/bin/python -m tests.bot.test_readme_walkthrough
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"(?ms)^```(\w*)\n(.*?)^```\n")
MONTHS = r"(?:jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)\.?"
DATE = re.compile(rf"\b(?:(?:ma|di|wo|do|vr|za|zo)\.? )?\d{{1,2}} {MONTHS} \d{{4}}")
WEEK = re.compile(r"\b[Ww]eek \d{1,2}\b")
ISO_WEEK = re.compile(r"\b\d{4}-W\d{2}\b")  # `deelname`'s weeks and the chart's file name


def blocks(text: str) -> list[tuple[str, str, int, int]]:
    """The fenced blocks of the README: (language, body, start, end of body)."""
    return [(m.group(1), m.group(2), m.start(2), m.end(2)) for m in BLOCK.finditer(text)]


def walkthrough(text: str) -> tuple[str, tuple[int, int]]:
    """The walkthrough's input and the span of its output block in the README."""
    found = blocks(text)
    sh, given, shown = found[0], found[1], found[2]
    assert sh[0] == "sh" and given[0] == "text" and shown[0] == "text"
    return given[1], (shown[2], shown[3])


def run(given: str, home: Path) -> str:
    """`samen-bot demo && samen-bot console < given`, as the README's first command runs them:
    the default database in the user's data folder (here a fresh one), nothing else set."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
    }
    for args, stdin in ((["demo"], None), (["console"], given)):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=home,
            env=env,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    return done.stdout.replace(str(home / "data"), "/…")


def messages(output: str) -> list[list[str]]:
    """The bot's messages: a `[#channel] samen-bot:` line and its indented lines (the console's
    own lines, its greeting and `(je bent nu …)`, are left out)."""
    found: list[list[str]] = []
    for line in output.splitlines():
        if line.startswith("[") and line.endswith("] samen-bot:"):
            found.append([line])
        elif line.startswith("  ") and found:
            found[-1].append(line)
    return found


def shorten(output: str) -> str:
    """What the README shows of a run: every message, except that a message sent alike to
    several channels at once (a prompt) is shown for its first channel, and of the digest only
    the first two lines of its first message."""
    shown: list[str] = []
    previous: list[str] | None = None
    for message in messages(output):
        body = message[1:]
        if body == previous:
            continue
        previous = body
        if body and body[0].lstrip().startswith(("*Weekdigest", "*Weekly digest")):
            shown += [*message[:3], "  …"]
            break
        shown += message
    return "\n".join(shown) + "\n"


def placeholders(text: str) -> str:
    return ISO_WEEK.sub("<week>", WEEK.sub("week <N>", DATE.sub("<date>", text)))


def test_the_readme_walkthrough_is_what_the_bot_answers(tmp_path: Path) -> None:
    readme = README.read_text(encoding="utf-8")
    first = blocks(readme)[0][1]
    assert len(first.strip().splitlines()) == 2  # the README starts with two commands
    given, (start, end) = walkthrough(readme)

    real = shorten(run(given, tmp_path))

    assert placeholders(readme[start:end]) == placeholders(real), (
        "the README's console walkthrough drifted from what the bot answers; regenerate it: "
        ".venv/bin/python -m tests.bot.test_readme_walkthrough"
    )


def test_shorten_keeps_one_of_a_fan_out_and_the_digest_head() -> None:
    output = "\n".join(
        [
            "samen-bot console: je bent floor in #kenniskring.",
            "[#a] samen-bot:",
            "  *Vraag #1*",
            "(je bent nu in #b)",
            "[#b] samen-bot:",
            "  *Vraag #1*",
            "[#b, alleen voor floor] samen-bot:",
            "  *Weekdigest week 49 (30 nov 2026 – 6 dec 2026)*",
            "  Deze week …",
            "  Per proeftuin …",
            "[#b, alleen voor floor] samen-bot:",
            "  *#zorg*",
        ]
    )
    assert shorten(output).splitlines() == [
        "[#a] samen-bot:",
        "  *Vraag #1*",
        "[#b, alleen voor floor] samen-bot:",
        "  *Weekdigest week 49 (30 nov 2026 – 6 dec 2026)*",
        "  Deze week …",
        "  …",
    ]
    assert placeholders("do 3 dec 2026 19:30 · 27 nov 2026 · week 48 · 2026-W49") == (
        "<date> 19:30 · <date> · week <N> · <week>"
    )


def regenerate() -> None:
    """Rewrite the README's output block from a real run."""
    readme = README.read_text(encoding="utf-8")
    given, (start, end) = walkthrough(readme)
    with tempfile.TemporaryDirectory(prefix="samen-readme-") as folder:
        real = shorten(run(given, Path(folder)))
    README.write_text(readme[:start] + real + readme[end:], encoding="utf-8")
    print(f"{README}: walkthrough output regenerated ({len(real.splitlines())} lines)")


if __name__ == "__main__":
    regenerate()
