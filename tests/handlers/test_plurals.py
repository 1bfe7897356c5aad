"""Counts read right in both languages: one form for one, another for more (the .po's
Plural-Forms rule through `Translator.plural`), never "proeftuin(en)" or "1 inzichten"."""

from __future__ import annotations

import re

import pytest

from handlers.i18n import LANGUAGES, Translator, catalog
from tests.conftest import LEADER, Chat

HEDGED = re.compile(r"\w\((en|s|n)\)")  # `proeftuin(en)`, `learning(s)`


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_follow_the_count(language: str) -> None:
    t = Translator(language)
    one, many = t.plural("count.proeftuin", 1), t.plural("count.proeftuin", 3)
    assert one == "1 proeftuin" and many == "3 proeftuinen"
    assert t.plural("count.inzicht", 0).startswith("0 ")
    assert t.plural("count.inzicht", 0) == t.plural("count.inzicht", 2).replace("2", "0")
    assert t.plural("count.inzicht", 12345).startswith("12")  # written as this language's number


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_message_has_both_forms(language: str) -> None:
    keys = set(catalog(language))
    for key in keys:
        if key.endswith(".one"):
            assert key.removesuffix(".one") + ".other" in keys, key


async def test_replies_say_one_and_many_right(programme: Chat) -> None:
    await programme.say("inzicht De buurtkamer werkt #wonen", channel="proeftuin-a")
    await programme.say("koppel Proeftuin C", user=LEADER, channel="proeftuin-c")
    once = await programme.text("herken 1", channel="proeftuin-b", user="bram")
    assert "Herkend door 1 proeftuin:" in once
    twice = await programme.text("herken 1", channel="proeftuin-c", user="carla")
    assert "Herkend door 2 proeftuinen:" in twice
    explain = await programme.text("vergeet-mij", channel="proeftuin-a")
    assert "(1 inzicht) blijft bewaard" in explain
    sent = await programme.text("vraag Wat werkte?", user=LEADER, channel="leiding")
    assert "3 proeftuinen (3 kanalen)" in sent
    assert "1 proeftuin" in await programme.text(
        "vraag Wat werkte bij A? proeftuin:Proeftuin A", user=LEADER, channel="leiding"
    )
    assert "3 thema's" in await programme.text("themas")
    for text in (once, twice, explain, sent):
        assert not HEDGED.search(text), text


ONE_WITH_PLURAL = {
    "nl": re.compile(
        r"\b1 (inzichten|proeftuinen|kanalen|dagen|bijeenkomsten|thema's|berichten|meldingen"
        r"|verrijkingen|pagina's|bestanden|wijzigingen|acties)\b"
    ),
    "en": re.compile(
        r"\b1 (learnings|proeftuinen|channels|days|meetings|themes|messages|notices"
        r"|enrichments|pages|files|changes|actions)\b"
    ),
}
FORMAT_FIELD = re.compile(r"\{(\w+)\}")


def _fits(key: str, n: int) -> bool:
    """Whether a message is ever shown for count `n` (its plural form, if it has one)."""
    if key.endswith((".one", "_one")):
        return n == 1
    if key.endswith((".other", "_many", ".many")):
        return n != 1
    return True


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_catalog_message_hedges_a_plural(language: str) -> None:
    """Every message, rendered with 0, 1 and 2 for each of its numbers, reads right: no
    "proeftuin(en)" / "learning(s)", no "1 inzichten"."""
    wrong = []
    for key, template in catalog(language).items():
        for n in (0, 1, 2):
            if not _fits(key, n):
                continue
            text = template.format(**{name: n for name in FORMAT_FIELD.findall(template)})
            if HEDGED.search(text) or ONE_WITH_PLURAL[language].search(text):
                wrong.append((key, text[:120]))
    assert not wrong, wrong
