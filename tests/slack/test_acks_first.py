"""Acks before work (issue 18): the work after an ack waits for the acknowledgements under way,
never for later ones; a user Slack cannot tell about is looked up once, not at every command."""

from __future__ import annotations

import asyncio

from bot.slack.http import AcksFirst
from tests.slack.conftest import CHAN_A, SlackDriver


async def test_work_waits_for_the_acks_under_way_and_not_for_later_ones() -> None:
    acks = AcksFirst()
    await asyncio.wait_for(acks.settled(), 1)  # nothing under way: at once
    first = acks.acking()
    first.__enter__()
    waiting = asyncio.ensure_future(acks.settled())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    later = acks.acking()
    later.__enter__()  # arrives after the work started waiting: does not hold it up
    first.__exit__(None, None, None)
    await asyncio.wait_for(waiting, 1)
    later.__exit__(None, None, None)


async def test_a_user_slack_does_not_know_is_asked_about_once(programme: SlackDriver) -> None:
    slack = programme
    for n in range(3):
        await slack.run(f"inzicht Les {n} over de buurt", user="UNOBODY", channel=CHAN_A)
    asked = [c for c in slack.fake.calls if c.method == "users.info"]  # refused ones too
    assert [c.args.get("user") for c in asked] == ["UNOBODY"]
