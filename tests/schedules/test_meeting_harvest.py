"""Meeting harvest (issue 17, item 4): an hour after a meeting's start everybody who said `ja`
gets one question, once per meeting and person through the ledger; `oogst` saves the answer as
a learning linked to the meeting and its theme; `agenda` shows it under the meeting."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.types import Visibility
from schedules.jobs import run_due
from schedules.ledger import Outcome
from schedules.meeting_harvest import harvest_due
from schedules.rhythm import Rhythm
from storage.models import Learning, Meeting
from tests.conftest import LEADER, Chat
from tests.schedules.conftest import SEVEN, Recorder, channel_of, utc

ZUID, OOST = SEVEN[0], SEVEN[1]
START = utc(2026, 11, 26, 18, 30)  # Thursday 19:30 in Amsterdam
BEFORE = START - timedelta(days=3)
HOURS_2 = timedelta(hours=2)


def questions(recorder: Recorder) -> list[tuple[str, str]]:
    return [
        (target.user_id or "", reply.text)
        for target, reply in recorder.sent
        if reply.actions and reply.actions[0].command == "oogst"
    ]


async def test_everybody_who_came_is_asked_once(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    line = f"bijeenkomst Leren van elkaar | 2026-11-26 19:30 | #wonen | proeftuin:{ZUID}"
    await seven.say(line, user=LEADER, channel="kring", at=BEFORE)
    for user, answer in (("anna", "ja"), ("bram", "ja"), ("cees", "nee"), ("dirk", "ja")):
        await seven.say(f"{answer} 1", user=user, channel=channel_of(OOST), at=BEFORE)
    await seven.say("nee 1", user="bram", channel=channel_of(OOST), at=BEFORE)  # changed
    assert await harvest_due(rhythm, START + timedelta(minutes=59)) == []  # not over yet
    recorder.failures = 1  # anna's first send fails: the outbox retries it from its key
    outcomes = await harvest_due(rhythm, START + timedelta(hours=1, minutes=1))
    assert outcomes == [Outcome.FAILED, Outcome.SENT]
    later = await run_due(rhythm, START + timedelta(hours=1, minutes=5))
    assert later["outbox"] == [Outcome.SENT]
    assert await harvest_due(rhythm, START + timedelta(hours=3)) == []  # once each
    asked = questions(recorder)
    assert sorted(user for user, _ in asked) == ["anna", "dirk"]
    assert all("Wat neem je mee uit Leren van elkaar?" in text for _, text in asked)
    target, reply = next((t, r) for t, r in recorder.sent if t.user_id == "anna")
    assert reply.visibility is Visibility.DIRECT and target.channel_id is None
    assert (reply.actions[0].command, reply.actions[0].args) == ("oogst", "1")

    # Anna answers in the direct message: a learning of the meeting's proeftuin, #wonen.
    said = await seven.say(
        "oogst 1 Bellen werkt beter dan mailen", direct=True, channel="dm", at=START + HOURS_2
    )
    assert "bijeenkomst #1 (Leren van elkaar)" in said[0].text and ZUID in said[0].text
    async with rhythm.database.unit_of_work() as session:
        learning = (await session.scalars(select(Learning))).one()
        assert (learning.meeting_id, learning.proeftuin.name) == (1, ZUID)
        assert [t.slug for t in learning.themes] == ["wonen"]
    # The digest of that week lists it under the meeting (its text shows under #wonen).
    parts = await seven.say("digest 2026-W48", user=LEADER, channel="kring", at=START)
    [harvested] = [p.text for p in parts if p.title == "Oogst van de bijeenkomsten"]
    assert "Bijeenkomst #1, Leren van elkaar" in harvested and f"#1 ({ZUID})" in harvested
    # `agenda` shows it under the meeting that was; a deleted meeting unlinks, keeps it.
    agenda = await seven.text("agenda", channel=channel_of(OOST), at=START + timedelta(days=1))
    assert "Onlangs geweest" in agenda and "Bellen werkt beter dan mailen" in agenda
    async with rhythm.database.unit_of_work() as session:
        await session.delete(await session.get(Meeting, 1))
    async with rhythm.database.unit_of_work() as session:
        learning = (await session.scalars(select(Learning))).one()
        assert learning.meeting_id is None


async def test_no_question_long_after_and_none_after_nee(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await seven.say("bijeenkomst Terugblik | 2026-11-26 19:30", user=LEADER, channel="kring",
                    at=BEFORE)  # fmt: skip
    await seven.say("ja 1", channel=channel_of(OOST), at=BEFORE)
    assert await harvest_due(rhythm, START + timedelta(days=4)) == []  # down too long
    assert questions(recorder) == []


async def test_oogst_needs_a_proeftuin(seven: Chat) -> None:
    await seven.say("bijeenkomst Terugblik | 2026-11-26 19:30", user=LEADER, channel="kring",
                    at=BEFORE)  # fmt: skip
    refused = await seven.text("oogst 1 Goed gesprek", direct=True, channel="dm")
    assert "geen proeftuin" in refused and "/samen oogst 1 Goed gesprek" in refused
    saved = await seven.text("oogst 1 Goed gesprek", channel=channel_of(OOST))
    assert f"inzicht #1 van {OOST}" in saved
    assert "Schrijf het erachter" in await seven.text("oogst 1", channel=channel_of(OOST))
    assert "vind ik niet" in await seven.text("oogst 7 Iets", channel=channel_of(OOST))
