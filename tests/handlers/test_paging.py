"""Long answers come in pages with a "Meer" button and `… pagina N`, never cut off silently
(issue 15: `zoek gemeente` said "10 gevonden" for 18 matches; `agenda` stopped at 10)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import LEADER, Chat

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


async def test_search_pages_through_every_match(programme: Chat) -> None:
    for n in range(1, 19):
        await programme.say(f"inzicht De gemeente hielp bij stap {n}", channel="proeftuin-a")
    first = (await programme.say("zoek gemeente"))[0]
    assert "18 gevonden" in first.text and "1–10 getoond" in first.text
    assert first.text.count("#") >= 10
    more = [a for a in first.actions if a.label == "Meer"]
    assert len(more) == 1 and more[0].command == "zoek"
    assert more[0].args == "gemeente pagina 2"
    assert "`/samen zoek gemeente pagina 2`" in first.text
    second = (await programme.say(f"zoek {more[0].args}"))[0]
    assert "18 gevonden" in second.text and "11–18 getoond" in second.text
    assert not second.actions
    shown = {line.split()[0] for line in (first.text + second.text).splitlines() if "#" in line}
    assert len([s for s in shown if s.startswith("#")]) == 18
    empty = await programme.text("zoek gemeente pagina 3")
    assert "leeg" in empty
    assert "bestaat niet" in await programme.text("zoek gemeente pagina 0")


async def test_a_single_page_says_how_many_were_found(programme: Chat) -> None:
    await programme.say("inzicht Vrijwilligers vasthouden #wonen", channel="proeftuin-a")
    reply = (await programme.say("zoek vrijwilligers"))[0]
    assert reply.text.startswith("1 gevonden") and not reply.actions


async def test_the_next_page_keeps_theme_and_proeftuin(programme: Chat) -> None:
    for n in range(12):
        await programme.say(f"inzicht Huur en woning stap {n} #wonen", channel="proeftuin-a")
    first = (await programme.say("zoek huur #wonen proeftuin:Proeftuin A"))[0]
    more = next(a for a in first.actions if a.label == "Meer")
    assert more.args == "huur #wonen proeftuin:Proeftuin A pagina 2"
    second = await programme.text(f"zoek {more.args}")
    assert "12 gevonden" in second and "11–12 getoond" in second


async def test_the_agenda_pages_too(programme: Chat) -> None:
    for n in range(1, 13):
        await programme.say(
            f"bijeenkomst Kennissessie {n} | 2027-01-{n:02d} 19:30", user=LEADER, at=NOW
        )
    first = (await programme.say("agenda", at=NOW))[0]
    assert "1–10 van 12" in first.text
    more = next(a for a in first.actions if a.command == "agenda")
    assert more.args == "pagina 2"
    second = (await programme.say("agenda pagina 2", at=NOW))[0]
    assert "Kennissessie 11" in second.text and "Kennissessie 12" in second.text
    assert "Kennissessie 1 " not in second.text
    assert not [a for a in second.actions if a.command == "agenda"]


async def test_themes_come_25_to_a_page_with_the_true_count(programme: Chat) -> None:
    for n in range(24):
        await programme.say(f"thema nieuw extra{n:02d} Extra {n}", user=LEADER)
    first = (await programme.say("themas"))[0]
    assert first.text.startswith("27 thema's") and "(1–25 getoond)" in first.text
    assert len(first.fields) == 25
    more = next(a for a in first.actions if a.command == "themas")
    second = (await programme.say(f"themas {more.args}"))[0]
    assert "(26–27 getoond)" in second.text and len(second.fields) == 2
    assert not second.actions
    assert "leeg" in await programme.text("themas pagina 3")


async def test_english_shows_english_commands(programme: Chat) -> None:
    from tests.conftest import make_policy

    programme.router.policy = make_policy("en")
    programme.router.t = programme.router.policy.translator()
    for n in range(11):
        await programme.say(f"inzicht The council helped with step {n}", channel="proeftuin-a")
    text = await programme.text("search council")
    assert "`/samen search council pagina 2`" in text


async def test_the_count_sees_only_what_the_caller_may_see(programme: Chat) -> None:
    from storage.search_count import count_matches
    from storage.visibility import Viewer

    for n in range(11):
        await programme.say(f"inzicht Vrijwilligers bedankt {n}", channel="proeftuin-a")
    for n in range(12, 16):
        await programme.say(f"inzicht Vrijwilligers binnen B {n}", channel="proeftuin-b")
        await programme.say(f"deel {n} proeftuin", channel="proeftuin-b")
    from_a = await programme.text("zoek vrijwilligers", channel="proeftuin-a")
    assert "11 gevonden" in from_a  # B's four stay inside B: not even counted
    from_b = await programme.text("zoek vrijwilligers", channel="proeftuin-b")
    assert "15 gevonden" in from_b
    async with programme.router.database.reading() as reader:
        assert await count_matches(reader, Viewer(), "vrijwilligers", cap=5) == 5
        assert await count_matches(reader, Viewer(), "bestaatnergens") == 0
