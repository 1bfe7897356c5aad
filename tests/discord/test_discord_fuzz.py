"""Hostile and odd input through the real Discord adapter (discord.py against the wire fake):
random unicode, control characters, lone surrogates, bidi overrides, masked links, pings and
long texts in every free-text option. Every interaction is answered, the fake refuses no call
the bot makes, nothing is logged as an error, and a stored learning is the text as cleaned
(`handlers.limits.clean`): nothing lost, nothing hostile kept. Seeded; `SAMEN_FUZZ_EXAMPLES`
runs more."""

from __future__ import annotations

import logging
import os
import random

import pytest

from handlers import limits
from tests.discord.conftest import Bot

EXAMPLES = int(os.environ.get("SAMEN_FUZZ_EXAMPLES", "24"))
PIECES = (
    "huur",
    "bewoners",
    " ",
    "\n",
    "\t",
    "\x00",
    "\x07",
    "\r\n",
    "\u202e",
    "\u2066",
    "\ud800",
    "\U0001f4a1",
    "\u200d",
    "مرحبا",
    "coöperatie",
    "[https://gemeente.nl](https://evil.example)",
    "@everyone",
    "<@123>",
    "<#456|intern>",
    "#wonen",
    "#",
    "'; DROP TABLE learnings; --",
    "%_\\",
    "`code`",
    "*vet*",
)


def hostile(rng: random.Random) -> str:
    """A random text of tricky pieces, now and then a long one."""
    size = rng.choice((1, 3, 8, 20, 400))
    text = "".join(rng.choice(PIECES) for _ in range(size))
    return text[: rng.choice((40, 300, 3900))]


def error_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info is not None
    ]


async def test_hostile_options_are_answered_and_stored_clean(
    programme: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(20261202)
    caplog.set_level(logging.WARNING)
    stored_before = len(await programme.learnings())
    for example in range(EXAMPLES):
        value = hostile(rng)
        record = await programme.run("anna", "proeftuin-a", "inzicht", tekst=value)
        assert record.done, (example, value)
        learnings = await programme.learnings()
        if len(learnings) > stored_before:
            stored_before = len(learnings)
            assert learnings[-1].text == limits.clean(value).strip(), (example, value)
        for sub, options in (
            ("zoek", {"woorden": value[:300]}),
            ("verrijk", {"nummer": 1, "tekst": value[:2000]}),
            ("tag", {"nummer": 1, "themas": value[:300]}),
        ):
            answered = await programme.run("bob", "proeftuin-b", sub, **options)
            assert answered.done, (example, sub, value)
    refused = [(c.path, c.status) for c in programme.fake.calls if c.status >= 400]
    assert not refused, refused
    assert not error_records(caplog), error_records(caplog)[:5]
    for learning in await programme.learnings():
        assert learning.text == limits.clean(learning.text)
