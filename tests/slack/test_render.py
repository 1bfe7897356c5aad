"""The pure Slack renderer against stored JSON fixtures, plus its escaping and splitting rules.

Regenerate the fixtures after an intended change with `SAMEN_REGEN_FIXTURES=1 pytest …` and
review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.slack.forms import FormLabels, form, read_submission
from bot.slack.render import Labels, cut, escape, link_urls, render, split_text
from handlers.types import Action, Field, Reply, Visibility
from tests.fakes.slack_api import check_blocks, check_message

FIXTURES = Path(__file__).parent.parent / "render" / "fixtures"
THEMES = [("energie", "Energie"), ("wonen", "Wonen"), ("zorg", "Zorg & welzijn")]

CASES: dict[str, tuple[Reply, dict]] = {
    "learning_card": (
        Reply(
            text="💡 Inzicht #12 bewaard voor proeftuin Zuid (ring kenniskring).\n"
            "> Huurders willen eerst zien wat het oplevert\n"
            "Nog geen thema. Past dit? #wonen",
            title="Inzicht #12",
            fields=(
                Field("Proeftuin", "Zuid"),
                Field("Ring", "kenniskring"),
                Field("Thema's", "geen"),
                Field("Door", "Anna"),
            ),
            actions=(
                Action("Ongedaan maken", "intrekken", "12", "danger"),
                Action("#wonen", "tag", "12 #wonen"),
            ),
        ),
        {"themes": THEMES},
    ),
    "injection": (
        Reply(
            text="Let op <!channel> <!here> <!subteam^S1|@team> <@U0BOSS> @everyone "
            "<http://evil.example|https://bank.example> & meer: https://samen.example/a?b=1&c=2.",
            title="<!channel> kop",
            fields=(Field("<@U1>", "<!everyone> & <#C1|x>"),),
        ),
        {},
    ),
    "only_caller": (Reply(text="Typ `/samen help`.", visibility=Visibility.ONLY_CALLER), {}),
    "long_split": (
        Reply(
            text="\n".join(f"• regel {n}: " + "woord " * 150 for n in range(40)),
            title="Zoeken: woord",
            actions=(Action("Meer", "zoek", "woord pagina:2", "primary"),),
        ),
        {},
    ),
    "attachments": (
        Reply(text="Bijeenkomst #3: Lunch", attachments=("/tmp/samen/bijeenkomst-3.ics",)),
        {"note_attachments": True},
    ),
}


def _check(name: str, rendered: object) -> None:
    path = FIXTURES / f"slack_{name}.json"
    text = json.dumps(rendered, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("SAMEN_REGEN_FIXTURES"):
        FIXTURES.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)


@pytest.mark.parametrize("name", sorted(CASES))
def test_render_matches_fixture_and_slack_accepts_it(name: str) -> None:
    reply, options = CASES[name]
    messages = render(reply, labels=Labels(), **options)
    _check(name, messages)
    for message in messages:
        check_message(message)


def test_modal_matches_fixture() -> None:
    labels = FormLabels(
        "Nieuw inzicht",
        "Wat heb je geleerd?",
        "Bewaren",
        "Annuleren",
        "Schrijf het zo dat een andere proeftuin er iets aan heeft.",
        "Thema's",
        "Kies thema's",
        "Wie mag het zien?",
    )
    view = form(
        labels,
        {"c": "C0PTA", "l": "inzicht", "r": "https://hooks.slack.com/x", "i": "kenniskring"},
        max_length=4000,
        themes=THEMES,
        rings=[("proeftuin", "Alleen onze proeftuin"), ("kenniskring", "De kenniskring")],
        initial_ring="kenniskring",
    )
    _check("modal", view)
    check_blocks(view["blocks"], max_blocks=100)
    state = {
        "text": {"value": {"value": "  Tekst  "}},
        "themes": {"value": {"selected_options": [{"value": "wonen"}]}},
        "ring": {"value": {"selected_option": {"value": "proeftuin"}}},
    }
    submission = read_submission({**view, "state": {"values": state}})
    assert (submission.text, submission.slugs, submission.ring) == (
        "Tekst",
        ("wonen",),
        "proeftuin",
    )
    assert submission.metadata["c"] == "C0PTA"
    assert submission.line() == "inzicht Tekst #wonen"


def test_escape_neutralises_every_kind_of_markup() -> None:
    shown = escape("<!channel> <@U1> <http://a|b> & @here @Channel ＠everyone")
    assert "<" not in shown and ">" not in shown
    assert shown.startswith("&lt;!channel&gt; &lt;@U1&gt; &lt;http://a|b&gt; &amp; @\u2060here")
    assert "@\u2060Channel" in shown and "＠\u2060everyone" in shown


def test_links_show_their_own_url_and_never_a_label() -> None:
    assert link_urls(escape("zie https://x.example/a?b=1&c=2.")) == (
        "zie <https://x.example/a?b=1&amp;c=2>."
    )
    assert link_urls(escape("<http://evil|good>")) == "&lt;<http://evil>|good&gt;"
    assert link_urls(escape("(https://x.example/p)")) == "(<https://x.example/p>)"


@pytest.mark.parametrize("limit", [10, 50, 1100, 3000])
def test_split_text_respects_the_limit_and_keeps_entities_whole(limit: int) -> None:
    url = "https://example.org/pad" if limit > 1000 else "no-link"
    long_url = "https://example.org/" + "p" * 1200  # too long to link: stays plain text
    text = link_urls(escape((f"a & b <c> {url} " * 400 + long_url + "\n") * 3))
    pieces = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )
    for piece in pieces:
        assert piece.count("<") == piece.count(">")
        assert not piece.rstrip().endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g", "&gt"))


def test_cut_never_breaks_an_entity() -> None:
    assert cut("ab &amp; cd", 5) == "ab…"
    assert cut("kort", 10) == "kort"


def test_every_message_stays_within_the_limits_for_huge_replies() -> None:
    reply = Reply(
        text="x" * 200_000,
        title="t" * 1000,
        fields=tuple(Field("l" * 3000, "v" * 3000) for _ in range(37)),
        actions=tuple(Action("b" * 100, "ja", str(n)) for n in range(60)),
        attachments=tuple(f"/tmp/f{n}.ics" for n in range(13)),
    )
    messages = render(reply, themes=[(f"t{n}", "naam " * 30) for n in range(150)])
    assert len(messages) > 10
    for message in messages:
        check_message(message)
        assert len(message["text"]) <= 3000
