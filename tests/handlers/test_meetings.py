"""bijeenkomst, agenda, ja/nee: time parsing (Dutch, English, ISO, DST gap and overlap), RSVPs
counted once per member, buttons, and the .ics file (stable UID, TZID, VTIMEZONE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from handlers.meetings import parse_when
from handlers.types import UserError, Visibility
from tests.conftest import LEADER, Chat

AMS = ZoneInfo("Europe/Amsterdam")
WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam


def local(text: str, now: datetime = WEDNESDAY) -> str:
    return parse_when(text, now, AMS).local.strftime("%Y-%m-%d %H:%M %z")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("donderdag 19:30", "2026-11-26 19:30 +0100"),
        ("do 19:30", "2026-11-26 19:30 +0100"),
        ("volgende week dinsdag 14u", "2026-12-01 14:00 +0100"),
        ("volgende week dinsdag 14u30", "2026-12-01 14:30 +0100"),
        ("next week tuesday 2pm", "2026-12-01 14:00 +0100"),
        ("dinsdag 14 uur", "2026-12-01 14:00 +0100"),
        ("tomorrow 10am", "2026-11-26 10:00 +0100"),
        ("morgen om 10:00", "2026-11-26 10:00 +0100"),
        ("2026-12-03 19:30", "2026-12-03 19:30 +0100"),
        ("3-12-2026 19.30", "2026-12-03 19:30 +0100"),
        ("3 december 19:30", "2026-12-03 19:30 +0100"),
        ("in 2 uur", "2026-11-25 12:00 +0100"),
        ("2027-06-03 19:30", "2027-06-03 19:30 +0200"),
    ],
)
def test_times_people_type(typed: str, expected: str) -> None:
    assert local(typed) == expected


def test_spring_forward_gap_is_refused() -> None:
    with pytest.raises(UserError) as error:
        parse_when("2027-03-28 02:30", WEDNESDAY, AMS)
    assert error.value.msgid == "bijeenkomst.gap"


def test_fall_back_overlap_takes_the_first_occurrence() -> None:
    when = parse_when("2026-10-25 02:30", datetime(2026, 10, 1, tzinfo=UTC), AMS)
    assert when.ambiguous
    assert when.utc == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # CEST, the first 02:30
    assert not parse_when("2026-10-25 04:30", datetime(2026, 10, 1, tzinfo=UTC), AMS).ambiguous


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("2020-01-01 10:00", "bijeenkomst.past"),
        ("vandaag 09:00", "bijeenkomst.past"),
        ("donderdag", "bijeenkomst.no_time"),
        ("ooit 12:00 misschien", "bijeenkomst.bad_when"),
        ("2026-02-31 10:00", "bijeenkomst.bad_when"),
        ("", "bijeenkomst.no_when"),
        ("0001-01-01 00:10", "bijeenkomst.past"),
        ("9999-12-31 23:59", "bijeenkomst.too_far"),
    ],
)
def test_unclear_or_past_times_are_refused(typed: str, msgid: str) -> None:
    with pytest.raises(UserError) as error:
        parse_when(typed, WEDNESDAY, AMS)
    assert error.value.msgid == msgid


async def test_schedule_stores_utc_and_attaches_ics(programme: Chat, tmp_path: Path) -> None:
    replies = await programme.say(
        "bijeenkomst Kenniskring wonen | 2026-12-03 19:30 | #wonen | proeftuin:Proeftuin B",
        user=LEADER,
        at=WEDNESDAY,
    )
    reply = replies[0]
    assert reply.title == "Bijeenkomst #1: Kenniskring wonen"
    assert "do 3 dec 2026 19:30" in reply.text and "#wonen" in reply.text
    assert "Proeftuin B" in reply.text
    assert [(a.command, a.args) for a in reply.actions] == [("ja", "1"), ("nee", "1")]
    path = Path(reply.attachments[0])
    assert path.name == "meeting-1.ics" and path.parent.name == "ics"
    calendar = Calendar.from_ical(path.read_bytes())
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == "meeting-1@samen-bot"
    assert event.decoded("DTSTART") == datetime(2026, 12, 3, 19, 30, tzinfo=AMS)
    assert "TZID=Europe/Amsterdam" in path.read_text()
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    before = path.read_bytes()
    agenda = await programme.say("agenda", at=WEDNESDAY + timedelta(hours=1))
    assert Path(agenda[0].attachments[0]).read_bytes() == before  # stable file, stable UID


async def test_schedule_refusals_are_friendly(programme: Chat) -> None:
    refused = await programme.say("bijeenkomst Zonder tijd", user=LEADER, at=WEDNESDAY)
    assert refused[0].visibility is Visibility.ONLY_CALLER and "| <wanneer>" in refused[0].text
    gap = await programme.text("bijeenkomst Nacht | 2027-03-28 02:30", user=LEADER, at=WEDNESDAY)
    assert "bestaat niet" in gap and "zomertijd" in gap
    theme = await programme.text("bijeenkomst X | morgen 10:00 | #wonnen", user=LEADER)
    assert "#wonnen" in theme and "#wonen" in theme
    where = await programme.text("bijeenkomst X | morgen 10:00 | proeftuin:Nergens", user=LEADER)
    assert "Nergens" in where and "Proeftuin A" in where
    odd = await programme.text("bijeenkomst X | morgen 10:00 | iets", user=LEADER)
    assert "iets" in odd
    participant = await programme.text("bijeenkomst X | morgen 10:00", user="anna")
    assert "projectleiders" in participant
    assert "Er staan geen bijeenkomsten" in await programme.text("agenda")


async def test_overlap_hour_is_explained(programme: Chat) -> None:
    text = await programme.text(
        "meeting Night | 2026-10-25 02:30", user=LEADER, at=datetime(2026, 10, 1, tzinfo=UTC)
    )
    assert "twee keer" in text and "UTC+02:00" in text


async def test_rsvp_twice_counts_once_and_can_change(programme: Chat) -> None:
    await programme.say("bijeenkomst Overleg | 2026-12-03 19:30", user=LEADER, at=WEDNESDAY)
    first = await programme.say("ja 1", user="anna", at=WEDNESDAY)
    assert "1 ja, 0 nee" in first[0].text and first[0].visibility is Visibility.ONLY_CALLER
    assert [a.command for a in first[0].actions] == ["ja", "nee"]
    again = await programme.text("ja 1", user="anna", at=WEDNESDAY)
    assert "al doorgegeven" in again and "1 ja, 0 nee" in again
    await programme.say("yes 1", user="bram", at=WEDNESDAY)
    changed = await programme.text("nee 1", user="anna", at=WEDNESDAY)
    assert "Aangepast" in changed and "1 ja, 1 nee" in changed
    agenda = await programme.say("agenda", at=WEDNESDAY)
    assert "1 ja, 1 nee" in agenda[0].text


async def test_rsvp_refusals(programme: Chat) -> None:
    assert "#9" in await programme.text("ja 9", at=WEDNESDAY)
    assert "#999999999999" in await programme.text("nee 999999999999", at=WEDNESDAY)
    assert "geen nummer" in await programme.text("ja morgen", at=WEDNESDAY)
    await programme.say("bijeenkomst Kort | 2026-11-25 11:00", user=LEADER, at=WEDNESDAY)
    late = await programme.text("ja 1", at=WEDNESDAY + timedelta(hours=3))
    assert "al begonnen" in late


async def test_agenda_lists_upcoming_with_counts_in_english(database: object) -> None:
    from handlers.router import Router
    from tests.conftest import make_policy

    chat = Chat(Router(database, make_policy("en")))  # type: ignore[arg-type]
    await chat.say("meeting Circle | 2026-12-03 19:30", user=LEADER, at=WEDNESDAY)
    await chat.say("meeting Later | 2026-12-10 19:30", user=LEADER, at=WEDNESDAY)
    await chat.say("meeting Past | 2026-11-25 10:30", user=LEADER, at=WEDNESDAY)
    replies = await chat.say("meetings", at=WEDNESDAY + timedelta(hours=2))
    assert len(replies) == 1 and replies[0].title == "Upcoming meetings"
    lines = replies[0].text.splitlines()
    assert lines[1] == "• #1 · Thu 3 Dec 2026 19:30 · Circle · 0 yes, 0 no"
    assert "Later" in lines[2] and "Past" not in "\n".join(lines[:3])
    # A meeting that was is shown after the upcoming ones, with what was harvested (item 4).
    assert lines[3] == "Recently held, with what people took with them:" and "Past" in lines[4]
    assert [(a.command, a.args) for a in replies[0].actions] == [
        ("ja", "1"),
        ("nee", "1"),
        ("ja", "2"),
        ("nee", "2"),
    ]
    assert replies[0].actions[0].label == "I'll come #1"
    assert [Path(p).name for p in replies[0].attachments] == ["meeting-1.ics", "meeting-2.ics"]
