"""Masked links (`[looks like this](goes there)`) are neutralised alike on Slack, Discord and in
the kennisbank: the mask is removed and the real target shows as plain text beside the label."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from bot.discord import render as discord_render
from bot.slack import render as slack_render
from bot.tools.kennisbank.loader import load_snapshot
from handlers.text import unmask_links
from handlers.types import Field, Reply
from tests.conftest import Chat

MASKED = "Zie [https://gemeente.nl](https://evil.example/login) voor het plan"
SHOWN = "Zie https://gemeente.nl (https://evil.example/login) voor het plan"
BIDI = "\u202e"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (MASKED, SHOWN),
        ("[klik](<https://evil.example>)", "klik (https://evil.example)"),
        ('[klik](https://evil.example "titel")', "klik (https://evil.example)"),
        ("[](https://evil.example)", "(https://evil.example)"),
        # What the pattern cannot read is still broken up, so no platform makes it a link.
        ("[a [b]](https://evil.example/(x))", "[a [b]] (https://evil.example/(x))"),
        ("[tekst]\n(https://evil.example)", "[tekst]\n(https://evil.example)"),
        ("gewoon [tekst] en (haakjes)", "gewoon [tekst] en (haakjes)"),
    ],
)
def test_unmask_links(typed: str, shown: str) -> None:
    assert unmask_links(typed) == shown


def _discord_texts(reply: Reply) -> str:
    return json.dumps(
        [(m.content, m.embeds) for m in discord_render.render(reply)], ensure_ascii=False
    )


def test_discord_shows_the_real_target() -> None:
    for reply in (
        Reply(text=MASKED),
        Reply(text=MASKED, title="Inzicht #1", fields=(Field("Tekst", MASKED),)),
    ):
        rendered = _discord_texts(reply)
        assert "](" not in rendered
        assert "https://evil.example/login" in rendered
    (plain,) = discord_render.render(Reply(text=MASKED))
    assert plain.content == SHOWN


def test_slack_shows_the_real_target_alike() -> None:
    (message,) = slack_render.render(Reply(text=MASKED))
    section = message["blocks"][0]["text"]["text"]
    assert section == "Zie <https://gemeente.nl> (<https://evil.example/login>) voor het plan"


def test_renderers_drop_bidi_overrides_of_old_texts() -> None:
    reply = Reply(text=f"bijlage {BIDI}gnp.exe", title=f"t{BIDI}", fields=(Field("a", BIDI),))
    assert BIDI not in _discord_texts(reply)
    assert BIDI not in json.dumps(slack_render.render(reply), ensure_ascii=False)


async def test_kennisbank_text_is_unmasked_alike(programme: Chat) -> None:
    await programme.say(f"inzicht {MASKED} #wonen")
    await programme.say("deel 1 buitenwereld")
    snapshot = await load_snapshot(
        programme.router.database, language="nl", timezone=ZoneInfo("Europe/Amsterdam")
    )
    (learning,) = snapshot.learnings
    assert learning.text == f"{SHOWN} #wonen"
