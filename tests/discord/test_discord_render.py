"""The pure Discord renderer: a stored fixture, mention neutralisation and splitting to Discord's
limits (checked by the fake's own, separately written limits)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from bot.discord.render import (
    OutMessage,
    as_plain,
    custom_id,
    neutralise,
    render,
)
from handlers.types import Action, Field, Reply, Visibility
from tests.fakes.discord_limits import message_errors

FIXTURES = Path(__file__).parent / "fixtures"
THEMES = [("wonen", "Wonen"), ("energie", "Energie"), ("zorg", "Zorg")]


def payload(message: OutMessage) -> dict:
    """The JSON body discord.py would send for a rendered message."""
    rows = []
    for start in range(0, len(message.buttons), 5):
        rows.append(
            {
                "type": 1,
                "components": [
                    {"type": 2, "label": b.label, "custom_id": b.custom_id}
                    for b in message.buttons[start : start + 5]
                ],
            }
        )
    for select in message.selects:
        options = [{"label": label, "value": value} for label, value in select.options]
        rows.append(
            {
                "type": 1,
                "components": [{"type": 3, "custom_id": select.custom_id, "options": options}],
            }
        )
    return {"content": message.content, "embeds": list(message.embeds), "components": rows}


def learning_reply() -> Reply:
    return Reply(
        text="💡 Inzicht #12 bewaard voor proeftuin Proeftuin A.\n> Huur eerst @everyone <@42>",
        title="Inzicht #12",
        fields=(Field("Proeftuin", "Proeftuin A"), Field("Thema's", "#wonen")),
        actions=(Action("Ongedaan maken", "intrekken", "12", "danger"),),
    )


def test_a_learning_reply_matches_the_stored_fixture() -> None:
    rendered = [asdict(m) for m in render(learning_reply(), THEMES)]
    stored = json.loads((FIXTURES / "learning_reply.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(rendered)) == stored


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("@everyone kijk", "@\u200beveryone kijk"),
        ("hoi @here!", "hoi @\u200bhere!"),
        ("<@123> en <@!456>", "<\u200b@123> en <\u200b@!456>"),
        ("rol <@&789>", "rol <\u200b@&789>"),
        ("mail anna@example.org, #wonen <#12>", "mail anna@example.org, #wonen <#12>"),
    ],
)
def test_mentions_are_neutralised(typed: str, shown: str) -> None:
    assert neutralise(typed) == shown


def test_long_plain_text_is_split_at_2000_without_losing_a_word() -> None:
    words = [f"woord{n}" for n in range(1500)]
    messages = render(Reply(" ".join(words), actions=(Action("Ja", "ja", "3"),)))
    assert len(messages) > 1
    assert all(len(m.content or "") <= 2000 for m in messages)
    assert " ".join(" ".join(m.content or "" for m in messages).split()) == " ".join(words)
    assert [bool(m.buttons) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert all(not message_errors(payload(m)) for m in messages)


def test_big_embeds_are_split_over_messages_within_every_limit() -> None:
    reply = Reply(
        text="\n".join(f"Regel {n}: " + "x" * 90 for n in range(150)),  # ~15,000 characters
        title="T" * 300,
        fields=tuple(Field(f"Veld {n}", "w" * 1500) for n in range(40)),
        actions=tuple(Action(f"Knop {n}", "tag", f"{n} #wonen") for n in range(30)),
        visibility=Visibility.ONLY_CALLER,
    )
    messages = render(reply, THEMES)
    assert len(messages) >= 4
    for message in messages:
        assert not message_errors(payload(message)), message_errors(payload(message))
    embeds = [e for m in messages for e in m.embeds]
    assert sum(len(e.get("fields", [])) for e in embeds) == 40
    assert all(
        len(f["value"]) == 1024 and f["value"].endswith("…")
        for e in embeds
        for f in e.get("fields", [])
    )
    assert len(embeds[0]["title"]) == 256
    descriptions = "\n".join(e.get("description", "") for e in embeds)
    assert "Regel 0:" in descriptions and "Regel 149:" in descriptions
    last = messages[-1]
    assert len(last.buttons) == 20  # four rows of buttons, the fifth for the theme select
    assert [select.custom_id for select in last.selects] == ["samen-thema:0"]
    assert all(not m.buttons for m in messages[:-1])


def test_the_theme_select_offers_what_the_reply_does_not_show() -> None:
    (message,) = render(learning_reply(), THEMES)
    (select,) = message.selects
    assert select.custom_id == "samen-thema:12"
    assert [value for _, value in select.options] == ["energie", "zorg"]
    assert render(Reply("Geen inzicht"), THEMES)[0].selects == ()


def test_custom_ids_carry_the_command_and_too_long_ones_are_dropped() -> None:
    assert custom_id("tag", "12  #wonen") == "samen:tag:12 #wonen"
    assert custom_id("tag", "1 " + "#x" * 60) is None
    assert custom_id("Tag!", "1") is None
    reply = Reply(
        "x", actions=(Action("lang", "tag", "1 " + "#x" * 60), Action("kort", "tag", "1 #y"))
    )
    assert [b.label for b in render(reply)[0].buttons] == ["kort"]


def test_plain_fallback_keeps_everything() -> None:
    (embedded,) = render(learning_reply(), THEMES)
    plain = as_plain(embedded)
    text = "\n".join(m.content or "" for m in plain)
    assert "**Inzicht #12**" in text and "Proeftuin: Proeftuin A" in text
    assert "@\u200beveryone" in text
    assert plain[-1].buttons == embedded.buttons and plain[-1].selects == embedded.selects
    assert render(Reply("", title=None))[0].content == "…"
