"""Through Slack, two core behaviours found while building the adapter: a new person's first
commands in parallel (member upsert races on the unique key) and withdrawing a tagged learning."""

from __future__ import annotations

import asyncio

from tests.slack.conftest import ANNA, SlackDriver, stored_learnings


async def test_new_persons_first_commands_in_parallel(programme: SlackDriver) -> None:
    sends = [programme.command(f"inzicht Eerste keer {n}", user="U0NIEUW") for n in range(3)]
    await asyncio.gather(*sends)
    await programme.idle()
    assert len(await stored_learnings(programme.app)) == 3


async def test_withdrawing_a_learning_with_themes(programme: SlackDriver) -> None:
    await programme.run("inzicht Met een thema #wonen", user=ANNA)
    await programme.run("intrekken 1", user=ANNA)
    assert await stored_learnings(programme.app) == []
