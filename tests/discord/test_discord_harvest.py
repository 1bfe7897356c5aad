"""The meeting harvest on Discord (issue 17, item 4): the question arrives as a direct message
whose button opens a modal; what is typed there becomes a learning linked to the meeting."""

from __future__ import annotations

from handlers.harvest import harvest_question
from handlers.types import Target
from storage import meetings
from tests.discord.conftest import LEADER, Bot
from tests.fakes.discord_driver import components_of


async def test_the_question_button_opens_a_modal_whose_text_is_the_harvest(
    programme: Bot,
) -> None:
    fake = programme.fake
    await programme.run(
        LEADER,
        "proeftuin-a",
        "bijeenkomst",
        titel="Buurtavond",
        wanneer="2030-02-07 19:30",
        proeftuin="Proeftuin A",
    )
    async with programme.app.database.unit_of_work() as session:
        meeting = await meetings.get(session, 1)
        assert meeting is not None and meeting.proeftuin is not None
        question = harvest_question(programme.app.policy.translator(), meeting)
    anna = fake.person("anna")
    await programme.app.delivery.send(Target("discord", user_id=anna["id"]), question)
    [posted] = await fake.wait_for(lambda: fake.dms("anna"), what="the question in a DM")
    assert "Wat neem je mee uit Buurtavond?" in str(posted.get("embeds") or posted["content"])
    button = next(c for c in components_of(posted) if c["custom_id"] == "samen:oogst:1")
    opened = await fake.wait_done(await fake.click("anna", button))
    assert opened.response_type == 9
    modal = opened.callback["data"]  # type: ignore[index]
    channel = posted["channel_id"]
    sent = await fake.submit_modal("anna", channel, modal["custom_id"], {"tekst": "Bellen werkt"})
    await fake.wait_done(sent)
    [learning] = await programme.learnings()
    assert (learning.text, learning.meeting_id) == ("Bellen werkt", 1)
    assert learning.proeftuin.name == "Proeftuin A"
