"""lijkt and the offer after a capture (issue 17, item 1): learnings of other proeftuinen that
say something alike, never the caller's own, never outside the caller's ring; Herken and
Verrijk buttons that run `herken N` / `verrijk N`."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from handlers.router import Router
from handlers.types import Action, Actor, Place, Reply
from storage.db import Database
from storage.models import Ring
from tests.conftest import LEADER, Chat, make_policy

ANNA = "Vrijwilligers blijven langer als ze zelf hun taken mogen kiezen #wonen"
BRAM = "Wie als vrijwilliger zelf een taak kiest, blijft veel langer betrokken"


def _actions(replies: list[Reply]) -> list[Action]:
    return [a for r in replies for a in r.actions]


async def test_a_capture_offers_what_another_proeftuin_learned(programme: Chat) -> None:
    await programme.say(f"inzicht {ANNA}", channel="proeftuin-a")
    replies = await programme.say(f"inzicht {BRAM}", user="bram", channel="proeftuin-b")
    assert "Inzicht #2 bewaard" in replies[0].text
    offer = replies[1]
    assert "Lijkt op #1 van Proeftuin A: herken je het?" in offer.text
    assert "> Vrijwilligers blijven langer" in offer.text
    assert [(a.label, a.command, a.args) for a in offer.actions] == [
        ("Herken #1", "herken", "1"),
        ("Verrijk #1", "verrijk", "1"),
    ]
    # the buttons work as typed commands
    assert "herkent inzicht #1" in await programme.text(
        "herken 1", user="bram", channel="proeftuin-b"
    )


async def test_lijkt_from_the_other_side_and_in_english(programme: Chat, chat: Chat) -> None:
    await programme.say(f"inzicht {ANNA}", channel="proeftuin-a")
    await programme.say(f"inzicht {BRAM}", user="bram", channel="proeftuin-b")
    (reply,) = await programme.say("lijkt 1", channel="proeftuin-a")
    assert reply.text.startswith("1 inzicht van een andere proeftuin lijkt op #1:")
    assert "Lijkt op #2 van Proeftuin B" in reply.text and "#1 van" not in reply.text
    (english,) = await programme.say("similar 2", user="bram", channel="proeftuin-b")
    assert "Lijkt op #1 van Proeftuin A" in english.text
    # from a channel of no proeftuin: the learning's own proeftuin left out, no buttons
    (kring,) = await programme.say("lijkt 1", user=LEADER, channel="kenniskring")
    assert "Lijkt op #2 van Proeftuin B." in kring.text and not kring.actions


async def test_never_the_own_proeftuin_nor_a_proeftuin_ring(programme: Chat) -> None:
    await programme.say(f"inzicht {ANNA}", channel="proeftuin-a")
    await programme.say("deel 1 proeftuin", channel="proeftuin-a")  # #1 stays in A
    own = await programme.say(f"inzicht {BRAM}", channel="proeftuin-a")  # #2, A's own too
    assert len(own) == 1 and not any(a.command == "herken" for a in _actions(own))
    elsewhere = await programme.say(f"inzicht {BRAM}", user="bram", channel="proeftuin-b")
    offered = "\n".join(r.text for r in elsewhere)
    assert "Lijkt op #2 van Proeftuin A" in offered
    assert "#1 van" not in offered  # #1 is not for B's eyes
    found = await programme.text("lijkt 3", user="bram", channel="proeftuin-b")
    assert "Lijkt op #2" in found and "#1 van" not in found and "#3 van" not in found
    assert "vind ik niet" in await programme.text("lijkt 1", user="bram", channel="proeftuin-b")
    # in A's own channel: B's #3 is offered, never A's #1 or #2
    found = await programme.text("lijkt 2", channel="proeftuin-a")
    assert "Lijkt op #3 van Proeftuin B" in found
    assert "#1 van" not in found and "#2 van" not in found
    # in a DM nothing of a proeftuin ring: #1 is out of sight, and so not offered either
    dm = await programme.text("lijkt 3", user="bram", channel="dm-bram", direct=True)
    assert "#1 van" not in dm


async def test_few_words_no_offer_and_no_query(programme: Chat, database: Database) -> None:
    await programme.say(f"inzicht {ANNA}", channel="proeftuin-a")
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", note)
    try:
        replies = await programme.say("inzicht Vrijwilligers!", user="bram", channel="proeftuin-b")
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", note)
    assert len(replies) == 1
    assert not any("learnings_fts" in s or "to_tsquery" in s for s in seen)
    assert "te weinig woorden" in await programme.text("lijkt 2", channel="proeftuin-b")


@pytest.mark.parametrize("policy", [make_policy("en")])
async def test_english_catalog(programme: Chat) -> None:
    await programme.say(f"inzicht {ANNA}", channel="proeftuin-a")
    replies = await programme.say(f"inzicht {BRAM}", user="bram", channel="proeftuin-b")
    assert "Like #1 of Proeftuin A: do you recognise it?" in replies[1].text
    assert [a.label for a in replies[1].actions] == ["Recognise #1", "Enrich #1"]
    assert "1 learning of another proeftuin says something like #2:" in await programme.text(
        "similar 2", user="bram", channel="proeftuin-b"
    )


# --- property: over random rings, nothing offered from the caller's own proeftuin or from
# a proeftuin ring elsewhere (SQLite; the query is the same statement on PostgreSQL, whose
# ring checks the tests above run on both backends) ---------------------------------------

OFFERED = re.compile(r"Lijkt op #(\d+) van")
PLACES = 4
ALIKE_TEXTS = (
    "Vrijwilligers blijven langer betrokken als ze zelf hun taken kiezen",
    "Zelf taken kiezen houdt vrijwilligers langer betrokken",
    "Onze vrijwilligers kiezen hun taken zelf en blijven daardoor langer",
)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    learnings=st.lists(
        st.tuples(st.integers(0, PLACES - 1), st.sampled_from(("proeftuin", "kenniskring"))),
        min_size=2,
        max_size=8,
    )
)
def test_offers_keep_to_the_ring(
    learnings: list[tuple[int, str]],
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    work = tmp_path_factory.mktemp("related")
    shutil.copy(sqlite_template, work / "r.db")
    asyncio.run(_offers_keep_to_the_ring(learnings, f"sqlite:///{work / 'r.db'}"))


async def _offers_keep_to_the_ring(learnings: list[tuple[int, str]], url: str) -> None:
    database = Database(url)
    router = Router(database, make_policy(default_ring=Ring.PROEFTUIN))

    async def say(line: str, user: str, where: str, direct: bool = False) -> str:
        command = router.make_command(
            f"/samen {line}",
            Actor("console", user, user),
            Place("console", where, is_direct=direct),
        )
        return "\n".join(r.text for r in await router.dispatch(command))

    def allowed(offered: str, place: int | None, asked: int | None = None) -> None:
        for m in map(int, OFFERED.findall(offered)):
            owner, ring = final[m]
            assert m != asked and owner != place, (m, place)
            assert ring != "proeftuin", (m, place)

    final: dict[int, tuple[int, str]] = {}
    try:
        for p in range(PLACES):
            await say(f"koppel Proeftuin {p}", LEADER, f"proeftuin-{p}")
        for n, (p, ring) in enumerate(learnings, start=1):
            text = ALIKE_TEXTS[n % len(ALIKE_TEXTS)]
            offered = await say(f"inzicht {text}", f"auteur{n}", f"proeftuin-{p}")
            allowed(offered, p)
            final[n] = (p, ring)
            if ring != "proeftuin":
                await say(f"deel {n} {ring}", f"auteur{n}", f"proeftuin-{p}")
        for n in final:
            for p in range(PLACES):
                allowed(await say(f"lijkt {n}", "lezer", f"proeftuin-{p}"), p, n)
            elsewhere = await say(f"lijkt {n}", "lezer", "kenniskring")
            allowed(elsewhere, final[n][0], n)
            allowed(await say(f"lijkt {n}", "lezer", "dm-lezer", direct=True), final[n][0], n)
    finally:
        await database.close()
