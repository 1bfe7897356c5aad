"""Renaming, merging and archiving proeftuinen and themes (issue 15: "there is no way to
rename, merge or archive a proeftuin or a theme")."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import proeftuinen, themes
from storage.models import Follow, Learning, LearningTheme, Recognition
from tests.conftest import LEADER, Chat


async def _count(chat: Chat, query: object) -> int:
    async with chat.router.database.unit_of_work() as session:
        return int(await session.scalar(query) or 0)  # type: ignore[call-overload]


async def test_rename_a_proeftuin_and_a_theme(programme: Chat) -> None:
    said = await programme.text("hernoem Proeftuin A | Buurtkamer Zuiderwijk", user=LEADER)
    assert "Proeftuin A heet nu Buurtkamer Zuiderwijk" in said
    assert "Buurtkamer Zuiderwijk" in await programme.text("inzicht Koffie helpt", user="anna")
    await programme.say("hernoem #energie | Energie en warmte", user=LEADER)
    await programme.say("hernoem #wonen | #huisvesting Wonen en huisvesting", user=LEADER)
    listed = await programme.text("themas")
    assert "#huisvesting" in listed and "Energie en warmte" in listed and "#wonen" not in listed
    taken = await programme.text("hernoem Buurtkamer Zuiderwijk | Proeftuin B", user=LEADER)
    assert "bestaat al" in taken and "voeg-samen" in taken
    assert "projectleiders" in await programme.text("hernoem Proeftuin B | X", user="anna")
    assert "hernoem" in await programme.text("hernoem Proeftuin B", user=LEADER)


async def test_merging_proeftuinen_asks_first_then_moves_everything(programme: Chat) -> None:
    await programme.say("koppel bevestig Zuiderwijk", user=LEADER, channel="zuid")
    await programme.say("inzicht Buurtbudget werkt #financiering", channel="zuid", user="anna")
    await programme.say("inzicht Huurders eerst #wonen", channel="proeftuin-b", user="bram")
    await programme.say("herken 2", channel="zuid", user="anna")  # Zuiderwijk recognises B's
    await programme.say("herken 1", channel="proeftuin-b", user="bram")  # B recognises Zuid's
    asked = await programme.text("voeg-samen Zuiderwijk | Proeftuin B", user=LEADER)
    assert "1 inzicht" in asked and "voeg-samen bevestig Zuiderwijk | Proeftuin B" in asked
    assert await _count(programme, select(func.count()).select_from(Learning)) == 2
    done = await programme.text("voeg-samen bevestig Zuiderwijk | Proeftuin B", user=LEADER)
    assert "samengevoegd" in done
    async with programme.router.database.unit_of_work() as session:
        names = [p.name for p in await proeftuinen.list_all(session)]
        b = await proeftuinen.find_by_name(session, "Proeftuin B")
        assert b is not None
        owners = set(await session.scalars(select(Learning.proeftuin_id)))
        recognitions = (await session.execute(select(Recognition.proeftuin_id))).all()
    assert "Zuiderwijk" not in names and owners == {b.id}
    assert recognitions == []  # a proeftuin does not recognise its own learnings
    # the channel went along: what is said there is B's now
    assert "Proeftuin B" in await programme.text("inzicht Nog een #wonen", channel="zuid")


async def test_merging_themes_keeps_every_tag_and_follower_once(programme: Chat) -> None:
    await programme.say("thema nieuw geld Geld | budget", user=LEADER)
    await programme.say("inzicht Subsidie gevonden #geld #financiering", channel="proeftuin-a")
    await programme.say("inzicht Buurtbudget #geld", channel="proeftuin-a")
    await programme.say("volg #geld", user="anna")
    await programme.say("volg #geld #financiering", user="bram")
    kinds = await programme.text("voeg-samen #geld | Proeftuin A", user=LEADER)
    assert "twee van dezelfde soort" in kinds
    await programme.say("voeg-samen bevestig #geld | #financiering", user=LEADER)
    tagged = select(func.count()).select_from(LearningTheme)
    assert await _count(programme, tagged) == 2
    assert await _count(programme, select(func.count()).select_from(Follow)) == 2
    async with programme.router.database.unit_of_work() as session:
        found = await themes.by_slugs(session, ["geld", "financiering"])
        assert list(found) == ["financiering"]
        assert "budget" in found["financiering"].keyword_list
    assert "2 gevonden" in await programme.text("zoek #financiering")


async def test_archived_themes_and_proeftuinen_leave_the_lists_not_the_data(
    programme: Chat,
) -> None:
    await programme.say("inzicht Zonnepanelen op de school #energie", channel="proeftuin-a")
    said = await programme.text("archiveer #energie", user=LEADER)
    assert "gearchiveerd" in said and "heropen #energie" in said
    assert "#energie" not in await programme.text("themas")
    assert "gearchiveerd" in await programme.text("tag 1 #energie", channel="proeftuin-a")
    assert "gearchiveerd" in await programme.text("volg #energie")
    assert "1 gevonden" in await programme.text("zoek zonnepanelen")
    assert ("energie", "Energie") not in await programme.router.suggestions.themes()
    await programme.say("archiveer Proeftuin B", user=LEADER)
    asked = await programme.text("vraag Hoe gaat het?", user=LEADER, channel="leiding")
    assert "Proeftuin A" in asked and "Proeftuin B" not in asked
    assert "gearchiveerd" in await programme.text("koppel Proeftuin B", user=LEADER, channel="x")
    assert "al gearchiveerd" in await programme.text("archiveer Proeftuin B", user=LEADER)
    assert "weer actief" in await programme.text("heropen Proeftuin B", user=LEADER)
    assert "weer actief" in await programme.text("heropen #energie", user=LEADER)
    assert "#energie" in await programme.text("themas")
