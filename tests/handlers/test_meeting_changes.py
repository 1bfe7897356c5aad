"""annuleer and verzet (issue 17, item 5): a leader cancels or moves a meeting, the people who
said `ja` are told once through the ledger, the agenda and RSVPs follow, and every refusal says
what to type instead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import select

from handlers.types import Visibility
from storage.models import Effect, Meeting
from tests.conftest import LEADER, Chat

WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
LATER = WEDNESDAY + timedelta(hours=1)


async def planned(chat: Chat) -> None:
    """Meeting #1 on Thursday 3 December 19:30; anna and bram say ja, cees nee, and on Slack
    ULEAD (a leader) and USARA say ja."""
    await chat.say("bijeenkomst Leren van elkaar | 2026-12-03 19:30", user=LEADER, at=WEDNESDAY)
    for user, answer in (("anna", "ja"), ("bram", "ja"), ("cees", "nee")):
        await chat.say(f"{answer} 1", user=user, at=WEDNESDAY)
    slack = Chat(chat.router, platform="slack")
    await slack.say("ja 1", user="USARA", channel="C1", at=WEDNESDAY)


async def ledger(chat: Chat) -> dict[str, str]:
    async with chat.router.database.unit_of_work() as session:
        rows = await session.scalars(select(Effect).where(Effect.kind == "change"))
        return {row.key: row.status for row in rows}


async def meeting_one(chat: Chat) -> Meeting:
    async with chat.router.database.unit_of_work() as session:
        meeting = await session.get(Meeting, 1)
        assert meeting is not None
        return meeting


async def test_cancel_tells_who_said_yes_once_and_leaves_the_agenda(programme: Chat) -> None:
    await planned(programme)
    replies = await programme.say("annuleer 1", user=LEADER, at=LATER)
    confirmation, *notices = replies
    assert "Bijeenkomst #1 'Leren van elkaar' op do 3 dec 2026 19:30 gaat niet door" in (
        confirmation.text
    )
    assert "Wie ja zei (3)" in confirmation.text
    assert sorted((n.to.platform, n.to.user_id) for n in notices if n.to) == [
        ("console", "anna"),
        ("console", "bram"),
    ]
    assert all(n.visibility is Visibility.DIRECT for n in notices)
    assert "gaat niet door: die is geannuleerd" in notices[0].text
    assert await ledger(programme) == {
        "change:meeting:1:1:console:anna": "done",
        "change:meeting:1:1:console:bram": "done",
        "change:meeting:1:1:slack:USARA": "queued",  # the outbox of `serve` sends it
    }
    meeting = await meeting_one(programme)
    assert meeting.cancelled_at == LATER and meeting.sequence == 1 and meeting.updated_at == LATER

    assert "Er staan geen bijeenkomsten" in await programme.text("agenda", at=LATER)
    refused = await programme.say("ja 1", user="dirk", at=LATER)
    assert refused[0].visibility is Visibility.ONLY_CALLER
    assert "is geannuleerd; aanmelden kan niet meer" in refused[0].text
    harvest = await programme.text("oogst 1 Toch iets geleerd", user="anna", at=LATER)
    assert "is geannuleerd, dus daar valt niets uit te oogsten" in harvest
    again = await programme.text("annuleer 1", user=LEADER, at=LATER)
    assert "al geannuleerd" in again and "`/samen bijeenkomst Leren van elkaar |" in again
    assert len(await ledger(programme)) == 3  # nobody told twice


async def test_move_bumps_the_sequence_and_tells_who_said_yes(programme: Chat) -> None:
    await planned(programme)
    replies = await programme.say("verzet 1 vrijdag 4 december 20:00", user=LEADER, at=LATER)
    moved, *notices = replies
    assert "verzet naar vr 4 dec 2026 20:00 (was do 3 dec 2026 19:30)" in moved.text
    assert [(a.command, a.args) for a in moved.actions] == [("ja", "1"), ("nee", "1")]
    event = Calendar.from_ical(Path(moved.attachments[0]).read_bytes()).walk("VEVENT")[0]
    assert event.decoded("SEQUENCE") == 1 and str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART").isoformat() == "2026-12-04T20:00:00+01:00"
    assert sorted(n.to.user_id or "" for n in notices if n.to) == ["anna", "bram"]
    assert "is nu op vr 4 dec 2026 20:00" in notices[0].text
    assert [a.command for a in notices[0].actions] == ["ja", "nee"]
    assert "vr 4 dec 2026 20:00" in await programme.text("agenda", at=LATER)

    # A second move is a second change: told again, under the next version.
    await programme.say("verzet 1 2026-12-05 10:00", user=LEADER, at=LATER)
    assert (await meeting_one(programme)).sequence == 2
    keys = await ledger(programme)
    assert "change:meeting:1:2:console:anna" in keys and "change:meeting:1:1:console:anna" in keys


async def test_refusals_say_what_to_type(programme: Chat) -> None:
    await planned(programme)
    unknown = await programme.say("annuleer 99", user=LEADER, at=LATER)
    assert unknown[0].visibility is Visibility.ONLY_CALLER
    assert "#99 vind ik niet" in unknown[0].text and "`/samen agenda`" in unknown[0].text
    word = await programme.text("annuleer morgen", user=LEADER, at=LATER)
    assert "`/samen annuleer <nummer>`" in word
    participant = await programme.text("annuleer 1", user="anna", at=LATER)
    assert "projectleiders" in participant
    assert "projectleiders" in await programme.text("verzet 1 morgen 10:00", user="anna")
    no_when = await programme.text("verzet 1", user=LEADER, at=LATER)
    assert "Naar wanneer verzet je bijeenkomst #1?" in no_when
    assert "`/samen verzet 1 donderdag 19:30`" in no_when
    past = await programme.text("verzet 1 2020-01-01 10:00", user=LEADER, at=LATER)
    assert "al voorbij" in past
    same = await programme.text("verzet 1 2026-12-03 19:30", user=LEADER, at=LATER)
    assert "staat al op do 3 dec 2026 19:30" in same
    started = WEDNESDAY + timedelta(days=9)
    over = await programme.text("annuleer 1", user=LEADER, at=started)
    assert "al begonnen of voorbij" in over and "`/samen bijeenkomst" in over
    assert "al begonnen" in await programme.text("verzet 1 morgen 10:00", user=LEADER, at=started)
    meeting = await meeting_one(programme)
    assert meeting.cancelled_at is None and meeting.sequence == 0  # nothing changed
    assert await ledger(programme) == {}


async def test_english_aliases(programme: Chat) -> None:
    await planned(programme)
    assert "verzet naar" in await programme.text("move 1 2026-12-10 19:30", user=LEADER, at=LATER)
    assert "gaat niet door" in await programme.text("cancel 1", user=LEADER, at=LATER)
