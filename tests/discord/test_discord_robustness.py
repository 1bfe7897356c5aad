"""What must hold whatever happens: no message can ping, long replies are split (never refused),
a 403 channel is logged once and skipped, gateway reconnects and restarts neither set anything
up twice nor lose or repeat an event, buttons outlive the client, and the bot still works when
the Message Content intent is not granted."""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest

from bot.app import build_app
from bot.delivery import DeliveryError
from bot.discord.adapter import DiscordService
from handlers.types import Field, Reply, Target
from tests.discord.conftest import GUILD_READY, LEADER, Bot, discord_settings, message_payloads
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.discord_payloads import text_of

PINGS = "@everyone @here <@123> <@!456> <@&789> hallo"


async def test_nothing_the_bot_sends_can_ping(programme: Bot) -> None:
    fake = programme.fake
    await programme.run("anna", "proeftuin-a", "inzicht", tekst=f"Let op {PINGS} #wonen")
    said = fake.post_as("bob", "proeftuin-a", f"Bob zegt {PINGS}")
    await fake.react("anna", said)
    await fake.wait_for(lambda: fake.dms("bob"), what="the DM to Bob")
    await programme.run("anna", "proeftuin-a", "mijn-gegevens")
    await programme.run("anna", "proeftuin-a", "zoek", woorden="hallo")
    payloads = message_payloads(fake)
    assert len(payloads) >= 5
    for payload in payloads:
        mentions = payload.get("allowed_mentions")
        assert mentions is not None, payload
        assert mentions.get("parse") == [] and not mentions.get("users")
        assert not mentions.get("roles") and not mentions.get("replied_user")
        text = text_of(payload)
        for raw in ("@everyone", "@here", "<@123>", "<@!456>", "<@&789>"):
            assert raw not in text, (raw, text)
    assert any("@\u200beveryone" in text_of(p) for p in payloads)


async def test_long_replies_are_split_within_discords_limits(programme: Bot) -> None:
    """A long private reply goes out as several messages within Discord's limits. (It used
    `mijn-gegevens`, which now hands the data over as a JSON file instead.)"""
    fake = programme.fake
    texts = [f"Inzicht {n}: " + " ".join(["huurders en verhuurders"] * 160) for n in range(3)]
    anna = fake.person("anna")["id"]
    reply = Reply(text="\n".join(text[:4000] for text in texts), title="Jouw inzichten")
    await programme.service.send(Target("discord", user_id=anna), reply)
    dms = fake.dms("anna")
    assert len(dms) >= 3, "about 12,000 characters cannot fit one message"
    refused = [c for c in fake.calls if c.status >= 400]
    assert not refused, [(c.path, c.status) for c in refused]
    joined = "".join(text_of(m) for m in dms).replace("\n", " ")
    for text in texts:
        assert " ".join(text[:4000].split()[-5:]) in joined


async def test_a_forbidden_channel_is_logged_once_and_skipped(
    programme: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fake = programme.fake
    channel = fake.channel_id("proeftuin-a")
    fake.forbidden.add(channel)
    first = fake.post_as("bob", "proeftuin-a", "Eerste les over huur")
    second = fake.post_as("carol", "proeftuin-a", "Tweede les over energie")
    with caplog.at_level(logging.WARNING, logger="bot.discord.outbound"):
        await fake.react("anna", first)
        await fake.wait_for(lambda: fake.dms("bob"), what="the DM to Bob")
        await fake.react("anna", second)
        await fake.wait_for(lambda: fake.dms("carol"), what="the DM to Carol")
        with pytest.raises(DeliveryError):
            await programme.service.send(Target("discord", channel_id=channel), Reply("digest"))
    assert len(await programme.learnings()) == 2, "the learnings are saved all the same"
    posts = [c for c in fake.calls if c.method == "POST" and c.path.endswith(f"{channel}/messages")]
    assert len(posts) == 1 and posts[0].status == 403, "one try, then skipped"
    warnings = [r for r in caplog.records if channel in r.getMessage()]
    assert len(warnings) == 1


async def test_outbound_posts_to_channels_and_dms_people(programme: Bot) -> None:
    fake = programme.fake
    reply = Reply("Weekdigest", title="Digest week 48", fields=(Field("Inzichten", "12"),))
    message_id = await programme.service.send(
        Target("discord", channel_id=fake.channel_id("kenniskring")), reply
    )
    (posted,) = fake.posts("kenniskring")
    assert posted["id"] == message_id and posted["embeds"][0]["title"] == "Digest week 48"
    bob = fake.person("bob")
    await programme.service.send(Target("discord", user_id=bob["id"]), Reply("Hoi Bob"))
    assert [m["content"] for m in fake.dms("bob")] == ["Hoi Bob"]


async def test_a_reconnect_resumes_without_setting_anything_up_twice(programme: Bot) -> None:
    fake, service = programme.fake, programme.service
    client = service.client
    assert client is not None
    dynamic = dict(client._connection._view_store._dynamic_items)
    guild = discord.Object(int(fake.guild_id))
    commands = len(client.tree.get_commands(guild=guild))
    fake.gateway.hold = True  # the network drops events for a while …
    held = await fake.slash("anna", "proeftuin-a", "inzicht", tekst="Tijdens de storing #wonen")
    await fake.gateway.request_reconnect()  # … then Discord asks for a reconnect (op 7)
    await fake.wait_for(lambda: fake.gateway.resumes == 1, what="RESUME")
    await fake.wait_done(held)
    after = await programme.run("anna", "proeftuin-a", "inzicht", tekst="Na de storing #wonen")
    assert "Inzicht #2" in after.text()
    assert len(await programme.learnings()) == 2
    assert fake.gateway.identifies == 1 and fake.gateway.connections == 2
    assert service.setups == 1 and service.syncs == 1 and service.client is client
    assert len(programme.calls("PUT", "/commands")) == 1
    assert dict(client._connection._view_store._dynamic_items) == dynamic
    assert len(client.tree.get_commands(guild=guild)) == commands == 2
    assert programme.app.delivery.platforms().count("discord") == 1
    assert [c.status for c in programme.calls("POST", "/callback")].count(400) == 0


async def test_an_invalidated_session_identifies_again_but_sets_up_once(programme: Bot) -> None:
    fake, service = programme.fake, programme.service
    service.ready.clear()
    await fake.gateway.invalidate(resumable=False)
    # discord.py waits 5 s before any IDENTIFY that is not its first (Discord's rate limit)
    await fake.wait_for(lambda: fake.gateway.identifies == 2, timeout=12, what="a new IDENTIFY")
    await fake.wait_for(service.ready.is_set, what="READY again")
    record = await programme.run("anna", "proeftuin-a", "inzicht", tekst="Na een nieuwe sessie")
    assert "Inzicht #1" in record.text()
    assert service.setups == 1 and len(programme.calls("PUT", "/commands")) == 1


async def test_buttons_and_selects_still_work_after_a_restart(programme: Bot) -> None:
    record = await programme.run("anna", "proeftuin-a", "inzicht", tekst="Koffie met de buren")
    undo = next(c for c in record.components() if c["custom_id"] == "samen:intrekken:1")
    select = next(c for c in record.components() if c["custom_id"] == "samen-thema:1")
    old_client = programme.service.client
    await programme.restart()  # a new process would do the same: a new client, no views kept
    assert programme.service.client is not old_client
    chosen = await programme.fake.wait_done(await programme.fake.choose("anna", select, ["wonen"]))
    assert "#wonen" in chosen.text()
    (learning,) = await programme.learnings()
    assert [t.slug for t in learning.themes] == ["wonen"]
    pressed = await programme.fake.wait_done(await programme.fake.click("anna", undo))
    assert "ingetrokken" in pressed.text()
    assert await programme.learnings() == []


async def test_without_the_message_content_intent(
    migrated_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = await FakeDiscord(allow_privileged=False).start()
    fake.person(LEADER, "4242")
    app = build_app(discord_settings(migrated_url, fake))
    service = DiscordService(app, state_dir=tmp_path, guild_ready_timeout=GUILD_READY)
    bot = Bot(fake, app, service, tmp_path)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.discord.adapter"):
            await service.start()
        assert service.ready.is_set() and not service.message_content
        assert any("Message Content" in r.getMessage() for r in caplog.records)
        await bot.run(LEADER, "proeftuin-a", "koppel", proeftuin="Proeftuin A")
        said = fake.post_as("bob", "proeftuin-a", "Tekst die de bot niet mag lezen")
        await fake.react("anna", said)
        (hint,) = await fake.wait_for(lambda: fake.dms("anna"), what="the hint")
        assert "Bewaar als inzicht" in hint["content"]
        menu = await fake.wait_done(await fake.menu("anna", said))  # still works: no intent needed
        assert "Inzicht #1" in menu.text()
    finally:
        await service.stop()
        await app.close()
        await fake.stop()


async def test_a_refused_token_stops_start_up_with_one_clear_error(
    migrated_url: str, fake: FakeDiscord, tmp_path: Path
) -> None:
    app = build_app(discord_settings(migrated_url, fake, DISCORD_BOT_TOKEN="wrong"))
    service = DiscordService(app, state_dir=tmp_path, guild_ready_timeout=GUILD_READY)
    try:
        with pytest.raises(RuntimeError, match="DISCORD_BOT_TOKEN was refused"):
            await service.start()
    finally:
        await service.stop()
        await app.close()


async def test_an_unreachable_discord_is_retried_in_the_background(
    migrated_url: str, tmp_path: Path
) -> None:
    gone = await FakeDiscord().start()
    await gone.stop()  # nothing listens on its port now
    app = build_app(discord_settings(migrated_url, gone))
    service = DiscordService(app, state_dir=tmp_path, guild_ready_timeout=GUILD_READY)
    back = FakeDiscord()
    try:
        await service.start()  # returns: the other adapters must not wait for Discord
        assert not service.ready.is_set()
        await back.start(port=gone.port)
        await back.wait_for(service.ready.is_set, timeout=10, what="a late READY")
        assert back.gateway.identifies == 1
    finally:
        await service.stop()
        await app.close()
        await back.stop()
