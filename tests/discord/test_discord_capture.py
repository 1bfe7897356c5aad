"""Capturing messages on Discord: a 💡 reaction (raw events, so any message counts) and the
message context-menu command "Bewaar als inzicht"; the author is told in a DM and can withdraw
with one click; prompt posts get a thread whose replies become answers."""

from __future__ import annotations

from tests.discord.conftest import LEADER, Bot
from tests.fakes.discord_driver import components_of


def jump_url(bot: Bot, message: dict) -> str:
    return (
        f"https://discord.com/channels/{bot.fake.guild_id}/{message['channel_id']}/{message['id']}"
    )


async def test_reaction_captures_answers_in_reply_and_the_author_can_withdraw(
    programme: Bot,
) -> None:
    fake = programme.fake
    said = fake.post_as("bob", "proeftuin-a", "Bewoners willen eerst weten wat het kost")
    await fake.react("anna", said)
    (reply,) = await fake.wait_for(lambda: fake.posts("proeftuin-a"), what="the channel reply")
    assert reply["message_reference"]["message_id"] == said["id"]
    (learning,) = await programme.learnings()
    assert learning.author is not None
    assert learning.text == said["content"] and learning.author.display_name == "Bob"
    assert learning.source_url == jump_url(programme, said)
    assert learning.proeftuin.name == "Proeftuin A"
    (note,) = await fake.wait_for(lambda: fake.dms("bob"), what="the DM to the author")
    assert "Anna" in note["content"] and "#1" in note["content"]
    withdraw = next(c for c in components_of(note) if c["custom_id"] == "samen:intrekken:1")
    pressed = await fake.wait_done(await fake.click("bob", withdraw))
    assert "ingetrokken" in pressed.text()
    assert await programme.learnings() == []


async def test_the_same_reaction_twice_is_handled_once(programme: Bot) -> None:
    fake = programme.fake
    said = fake.post_as("bob", "proeftuin-a", "Een vaste contactpersoon scheelt veel")
    await fake.react("anna", said)
    await fake.react("anna", said)  # the gateway delivers it again
    await fake.react("carol", said)  # and someone else agrees
    await fake.wait_for(lambda: fake.dms("carol"), what="carol's note")
    # Carol's answer may arrive before the note to the author is delivered: wait for both.
    await fake.wait_for(lambda: fake.dms("bob"), what="the note to the author")
    assert len(await programme.learnings()) == 1
    assert len(fake.posts("proeftuin-a")) == 1
    assert len(fake.dms("bob")) == 1
    (already,) = fake.dms("carol")
    assert "#1" in already["content"]
    fetches = [c for c in fake.calls if c.method == "GET" and said["id"] in c.path]
    assert len(fetches) == 2  # anna once, carol once; the repeat was dropped before any work


async def test_other_emoji_own_reactions_and_own_messages(programme: Bot) -> None:
    fake = programme.fake
    said = fake.post_as("anna", "proeftuin-a", "Eigen inzicht van Anna over zonnepanelen")
    await fake.react("anna", said, emoji="\N{THUMBS UP SIGN}")
    await fake.react("bot", said)  # the bot reacting (e.g. in a later version) is ignored
    await fake.react("anna", said)  # her own message: saved, no DM
    await fake.wait_for(lambda: fake.posts("proeftuin-a"), what="the reply")
    (learning,) = await programme.learnings()
    assert learning.author is not None and learning.author.display_name == "Anna"
    assert fake.dms("anna") == []
    assert len([c for c in fake.calls if c.method == "GET" and said["id"] in c.path]) == 1


async def test_a_bots_message_is_not_captured(programme: Bot) -> None:
    """The router's one rule on every platform: only what people wrote becomes a learning."""
    fake = programme.fake
    said = fake.post_as("bob", "proeftuin-a", "Herinnering: de bijeenkomst is morgen")
    said["author"] = fake.bot
    await fake.react("anna", said)
    (note,) = await fake.wait_for(lambda: fake.dms("anna"), what="the refusal")
    assert "mensen" in note["content"]
    assert await programme.learnings() == []


async def test_capture_in_an_unlinked_channel_keeps_the_text(programme: Bot) -> None:
    fake = programme.fake
    said = fake.post_as("bob", "kenniskring", "Dit geldt voor alle proeftuinen")
    await fake.react("anna", said)
    (note,) = await fake.wait_for(lambda: fake.dms("anna"), what="the refusal")
    assert "Dit geldt voor alle proeftuinen" in note["content"]
    assert await programme.learnings() == []


async def test_context_menu_captures_the_message(programme: Bot) -> None:
    fake = programme.fake
    said = fake.post_as("bob", "proeftuin-b", "Energiecoaches aan de keukentafel werken #energie")
    record = await fake.wait_done(await fake.menu(LEADER, said))
    assert record.response_type == 5 and "Inzicht #1" in record.text(ephemeral=False)
    (learning,) = await programme.learnings()
    assert learning.proeftuin.name == "Proeftuin B" and [t.slug for t in learning.themes] == [
        "energie"
    ]
    assert learning.source_url == jump_url(programme, said)
    await fake.wait_for(lambda: fake.dms("bob"), what="the DM to the author")


async def test_prompt_threads_and_the_answer_button(programme: Bot) -> None:
    fake = programme.fake
    asked = await programme.run(LEADER, "kenniskring", "vraag", vraag="Wat werkt bij jullie?")
    assert "#1" in asked.text(ephemeral=True)
    posted = await fake.wait_for(lambda: fake.posts("proeftuin-a"), what="the prompt post")
    thread = await fake.wait_for(
        lambda: next((c for c in fake.channels.values() if c["id"] == posted[0]["id"]), None),
        what="the thread on the prompt",
    )
    assert thread is not None
    assert thread["type"] == 11 and thread["parent_id"] == fake.channel_id("proeftuin-a")
    assert fake.posts("proeftuin-b"), "every linked channel gets the prompt"
    await fake.say("bob", thread["id"], "Bij ons werkt de buurtkamer goed #wonen")
    await fake.wait_for(lambda: fake.posts(thread["id"]), what="the answer's reply")
    (learning,) = await programme.learnings()
    assert learning.prompt_id == 1 and learning.proeftuin.name == "Proeftuin A"
    button = next(c for c in components_of(posted[0]) if c["custom_id"] == "samen:antwoord:1")
    opened = await fake.wait_done(await fake.click("anna", button))
    assert opened.response_type == 9
    modal = opened.callback["data"]  # type: ignore[index]
    sent = await fake.submit_modal("anna", "proeftuin-a", modal["custom_id"], {"tekst": "Koffie"})
    await fake.wait_done(sent)
    answers = [lr for lr in await programme.learnings() if lr.prompt_id == 1]
    assert sorted(lr.text for lr in answers) == [
        "Bij ons werkt de buurtkamer goed #wonen",
        "Koffie",
    ]
