"""Side paths of the ring and consent rules: nothing starts public, enrichments and recognitions
stay inside the programme, and answers about a ring-`proeftuin` learning asked from elsewhere go
to the caller alone."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.tools.kennisbank.build import build_kennisbank
from bot.tools.kennisbank.loader import load_snapshot
from handlers.router import Router
from handlers.types import Actor, Place, Visibility
from storage.db import Database
from storage.models import Learning, Ring
from tests.conftest import LEADER, Chat, make_policy


async def test_a_buitenwereld_default_still_starts_in_the_kenniskring(database: Database) -> None:
    """Even a policy built around the start-up check never stores a learning as public."""
    chat = Chat(Router(database, make_policy(default_ring=Ring.BUITENWERELD)))
    await chat.say("koppel Proeftuin A", user=LEADER, channel="proeftuin-a")
    text = await chat.text("inzicht Zonder toestemming nooit naar buiten")
    assert "ring kenniskring" in text
    async with database.unit_of_work() as session:
        learning = await session.get(Learning, 1)
        assert learning is not None
        assert learning.ring == Ring.KENNISKRING.value and learning.consent_at is None


async def test_kennisbank_counts_enrichments_and_recognitions_without_their_text(
    programme: Chat, tmp_path: Path
) -> None:
    await programme.say("inzicht Een buurtbudget werkt als de buurt zelf kiest #financiering")
    await programme.say("deel 1 buitenwereld")
    await programme.say("herken 1", channel="proeftuin-b", user="bram")
    await programme.say(
        "verrijk 1 GEHEIME-VERRIJKING van Bram uit B", channel="proeftuin-b", user="bram"
    )
    snapshot = await load_snapshot(
        programme.router.database, language="nl", timezone=ZoneInfo("Europe/Amsterdam")
    )
    (published,) = snapshot.learnings
    assert (published.recognitions, published.enrichments) == (1, 1)
    build_kennisbank(snapshot, tmp_path / "site")
    site = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.*ml"))
    assert "buurtbudget" in site
    assert "GEHEIME-VERRIJKING" not in site and "Bram" not in site
    page = (tmp_path / "site" / "inzicht" / "1.html").read_text(encoding="utf-8")
    assert "Verrijkt door 1 andere proeftuin" in page and "1 andere proeftuin zegt" in page


async def test_own_inner_learning_changed_from_elsewhere_is_answered_privately(
    programme: Chat,
) -> None:
    await programme.say("inzicht GEHEIM plan voor de huur")
    await programme.say("deel 1 proeftuin")
    for line in ("tag 1 #wonen", "untag 1 #wonen", "deel 1 proeftuin"):
        replies = await programme.say(line, channel="kenniskring")
        assert replies, line
        for reply in replies:
            assert reply.visibility is not Visibility.CHANNEL, (line, reply.text)
            assert reply.visibility is not Visibility.THREAD, (line, reply.text)
    # In its own proeftuin's channel the answer is for everyone there, as before.
    here = await programme.say("tag 1 #wonen")
    assert any(r.visibility is Visibility.CHANNEL for r in here)
    # Publishing asks consent privately; the leader's own answer elsewhere stays private too.
    asked = await programme.say("deel 1 buitenwereld", user=LEADER, channel="kenniskring")
    assert all(r.visibility is not Visibility.CHANNEL for r in asked)
    withdrawn = await programme.say("intrekken 1", channel="kenniskring")
    assert all(r.visibility is not Visibility.CHANNEL for r in withdrawn)


async def test_kenniskring_learning_is_still_answered_in_the_channel(programme: Chat) -> None:
    await programme.say("inzicht Open voor iedereen in de kring")
    replies = await programme.say("tag 1 #wonen", channel="kenniskring")
    assert any(r.visibility is Visibility.CHANNEL for r in replies)


async def test_kennisbank_names_no_platform_id(database: Database, tmp_path: Path) -> None:
    """A named author known only by their platform id stays anonymous, and mentions in the text
    lose their ids, as in the public export."""
    router = Router(database, make_policy())
    chat = Chat(router, platform="slack")
    await chat.say("koppel Proeftuin A", user="ULEAD", channel="C0A")
    command = router.make_command(
        "/samen inzicht Vraag het <@U0SECRET1> of <#C0PRIV|intern>",
        Actor("slack", "U0AUTHOR9", "U0AUTHOR9"),  # no name but the id
        Place("slack", "C0A"),
    )
    await router.dispatch(command)
    published = router.make_command(
        "/samen deel 1 buitenwereld naam",
        Actor("slack", "U0AUTHOR9", "U0AUTHOR9"),
        Place("slack", "C0A"),
    )
    await router.dispatch(published)
    snapshot = await load_snapshot(database, language="nl", timezone=ZoneInfo("Europe/Amsterdam"))
    (learning,) = snapshot.learnings
    assert learning.author is None
    assert "U0SECRET1" not in learning.text and "C0PRIV" not in learning.text
    assert "@…" in learning.text and "#intern" in learning.text
