"""A cancelled or moved meeting on Discord (issue 17, item 5): the leader's slash command over
the wire fake, and the notice to whoever said `ja` as a direct message, sent once by the outbox
of `serve`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from schedules.ledger import Outcome
from schedules.outbox import outbox
from schedules.rhythm import Rhythm
from tests.discord.conftest import LEADER, Bot


async def test_who_said_yes_hears_of_the_cancellation_once(programme: Bot) -> None:
    bot = programme
    await bot.run(LEADER, "proeftuin-a", "bijeenkomst", titel="Buurtavond",
                  wanneer="2030-02-07 19:30")  # fmt: skip
    await bot.run("anna", "proeftuin-a", "ja", nummer=1)
    moved = await bot.run(LEADER, "proeftuin-a", "verzet", nummer=1, wanneer="2030-02-14 20:00")
    assert "verzet naar do 14 feb 2030 20:00" in moved.text()
    cancelled = await bot.run(LEADER, "proeftuin-a", "annuleer", nummer=1)
    assert "gaat niet door" in cancelled.text() and "Wie ja zei (1)" in cancelled.text()
    rhythm = Rhythm(database=bot.app.database, sender=bot.app.delivery, policy=bot.app.policy)
    later = datetime.now(UTC) + timedelta(minutes=1)
    # The move's notice was overtaken by the cancellation: built to nothing, never sent.
    assert sorted(await outbox(rhythm, later)) == sorted([Outcome.NOTHING, Outcome.SENT])
    assert await outbox(rhythm, later + timedelta(minutes=1)) == []
    [told] = bot.fake.dms("anna")
    assert "gaat niet door" in json.dumps(told, ensure_ascii=False)
    refused = await bot.run("anna", "proeftuin-a", "annuleer", nummer=1)
    assert "projectleiders" in refused.text(ephemeral=True)
