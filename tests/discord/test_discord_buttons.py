"""Buttons the handlers offer, pressed on Discord: RSVP under a meeting, the author's consent in
a DM, and a leader-only command on a button refused for a participant."""

from __future__ import annotations

import pytest

from handlers import registry
from handlers.router import load_handlers
from tests.discord.conftest import LEADER, Bot
from tests.fakes.discord_driver import components_of

load_handlers()


@pytest.mark.skipif("bijeenkomst" not in registry.COMMANDS, reason="meetings not registered")
async def test_rsvp_buttons_under_a_meeting(programme: Bot) -> None:
    planned = await programme.run(
        LEADER, "proeftuin-a", "bijeenkomst", titel="Buurtavond", wanneer="2030-12-03 19:30"
    )
    yes = next(c for c in planned.components() if c["custom_id"] == "samen:ja:1")
    pressed = await programme.fake.wait_done(await programme.fake.click("anna", yes))
    assert pressed.response_type == 6  # acknowledged without a 'thinking' message
    assert pressed.text(), "the presser hears back"
    agenda = await programme.run("bob", "proeftuin-a", "agenda")
    assert "Buurtavond" in agenda.text() and "1" in agenda.text()


@pytest.mark.skipif("akkoord" not in registry.COMMANDS, reason="consent not registered")
async def test_the_author_agrees_to_publication_in_a_dm(programme: Bot) -> None:
    fake = programme.fake
    await programme.run("anna", "proeftuin-a", "inzicht", tekst="Buurtbudget werkt #wonen")
    await programme.run(LEADER, "proeftuin-a", "deel", nummer=1, ring="buitenwereld")
    (request,) = await fake.wait_for(lambda: fake.dms("anna"), what="the consent request")
    agree = next(c for c in components_of(request) if c["custom_id"] == "samen:akkoord:1")
    pressed = await fake.wait_done(await fake.click("anna", agree))
    assert pressed.text()
    (learning,) = await programme.learnings()
    assert learning.ring == "buitenwereld"


async def test_a_leader_only_button_is_refused_for_a_participant(programme: Bot) -> None:
    fake = programme.fake
    planted = fake.post_as("bob", "proeftuin-a", "een bericht met een knop")
    planted["author"] = fake.bot
    planted["components"] = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 2, "label": "Koppel", "custom_id": "samen:koppel:Elders"}
            ],
        }
    ]
    (button,) = components_of(planted)
    pressed = await fake.wait_done(await fake.click("anna", button))
    assert pressed.response_type == 4 and pressed.callback["data"]["flags"] == 64  # type: ignore[index]
    assert "projectleiders" in pressed.text()
