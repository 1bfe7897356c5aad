"""Cancelled and moved meetings in the rhythm: the outbox tells who said `ja` once (built when
sent), a cancelled meeting gets no reminders, a moved one gets them again at its new time."""

from __future__ import annotations

from datetime import timedelta

from schedules.outbox import outbox
from schedules.reminders import reminders_due
from schedules.rhythm import Rhythm
from storage.effect_keys import parse_key
from tests.conftest import LEADER, Chat
from tests.schedules.conftest import Recorder, utc

START = utc(2026, 12, 3, 18, 30)  # Thursday 19:30 in Amsterdam
BEFORE = START - timedelta(days=3)


async def planned(seven: Chat) -> Chat:
    await seven.say("bijeenkomst Samen leren | 2026-12-03 19:30", user=LEADER, at=BEFORE)
    slack = Chat(seven.router, platform="slack")
    for user in ("USARA", "UTOM"):
        await slack.say("ja 1", user=user, channel="C1", at=BEFORE)
    return slack


async def test_the_outbox_tells_who_still_says_yes_once(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    slack = await planned(seven)
    await seven.say("verzet 1 2026-12-04 19:30", user=LEADER, at=BEFORE + timedelta(minutes=1))
    await slack.say("nee 1", user="UTOM", channel="C1", at=BEFORE + timedelta(minutes=1))
    await outbox(rhythm, BEFORE + timedelta(minutes=2))
    await outbox(rhythm, BEFORE + timedelta(minutes=3))
    told = [(t.platform, t.user_id) for t, _ in recorder.sent]
    assert told == [("slack", "USARA")]  # UTOM said nee meanwhile
    assert "is nu op vr 4 dec 2026 19:30" in recorder.sent[0][1].text

    await seven.say("annuleer 1", user=LEADER, at=BEFORE + timedelta(minutes=4))
    await outbox(rhythm, BEFORE + timedelta(minutes=5))
    await outbox(rhythm, BEFORE + timedelta(minutes=6))
    assert [t.user_id for t, _ in recorder.sent] == ["USARA", "USARA"]
    assert "gaat niet door" in recorder.sent[1][1].text


async def test_a_change_overtaken_by_a_newer_one_is_not_sent(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await planned(seven)
    await seven.say("verzet 1 2026-12-04 19:30", user=LEADER, at=BEFORE)
    await seven.say("annuleer 1", user=LEADER, at=BEFORE)
    await outbox(rhythm, BEFORE + timedelta(minutes=1))
    assert sorted(t.user_id or "" for t, _ in recorder.sent) == ["USARA", "UTOM"]
    assert all("gaat niet door" in r.text for _, r in recorder.sent)  # only the newest


async def test_no_reminders_for_a_cancelled_meeting(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await planned(seven)
    await seven.say("annuleer 1", user=LEADER, at=BEFORE)
    assert await reminders_due(rhythm, START - timedelta(hours=23)) == []
    assert await reminders_due(rhythm, START - timedelta(minutes=50)) == []
    assert recorder.sent == []


async def test_a_moved_meeting_is_reminded_again_at_its_new_time(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await planned(seven)
    await reminders_due(rhythm, START - timedelta(hours=23))  # the 24 h reminder goes out
    assert len(recorder.sent) == 1
    moved_at = START - timedelta(hours=22)
    await seven.say("verzet 1 2026-12-10 19:30", user=LEADER, at=moved_at)
    assert await reminders_due(rhythm, START - timedelta(minutes=50)) == []  # old time: none
    new_start = START + timedelta(days=7)
    await reminders_due(rhythm, new_start - timedelta(hours=23))
    assert len(recorder.sent) == 2
    assert "do 10 dec 2026 19:30" in recorder.sent[1][1].text
    subject = parse_key("reminder:24h:meeting:1.1:console:proeftuin-a")
    assert subject is not None and (subject.meeting_id, subject.sequence) == (1, 1)
