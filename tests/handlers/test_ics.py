"""Meeting .ics files read the same in other calendar parsers (issue 15, item 7): an RRULE-based
VTIMEZONE derived from zoneinfo, checked with vobject and ics (not icalendar, which writes them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import ics
import pytest
import vobject

from handlers.ics import ics_text
from storage.models import Meeting

CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# (zone, UTC instants of its DST changes in 2026 and 2027; none for a zone without DST)
ZONES = {
    "Europe/Amsterdam": [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
    ],
    "America/New_York": [
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
        datetime(2027, 3, 14, 7, 0, tzinfo=UTC),
        datetime(2027, 11, 7, 6, 0, tzinfo=UTC),
    ],
    "Asia/Tokyo": [],
}
SEASONS = [datetime(2026, 1, 14, 18, 30, tzinfo=UTC), datetime(2026, 7, 8, 17, 0, tzinfo=UTC)]
# within a day of each change, including the hour a fall-back repeats (both occurrences)
NEAR = [timedelta(minutes=m) for m in (-23 * 60, -5 * 60, -60, -30, 30, 60, 3 * 60, 20 * 60)]


def _cases() -> list[tuple[str, datetime]]:
    cases = []
    for zone, changes in ZONES.items():
        cases += [(zone, moment) for moment in SEASONS]
        cases += [(zone, change + near) for change in changes for near in NEAR]
    return cases


def _meeting(starts_at: datetime) -> Meeting:
    return Meeting(
        id=42,
        title="Bijeenkomst",
        starts_at=starts_at,
        platform="console",
        channel_id="c",
        created_at=CREATED,
    )


@pytest.mark.parametrize(("zone", "starts_at"), _cases())
def test_other_parsers_read_the_stored_utc_start(zone: str, starts_at: datetime) -> None:
    text = ics_text(_meeting(starts_at), ZoneInfo(zone)).decode()

    event = vobject.readOne(text).vevent
    assert event.dtstart.value.astimezone(UTC) == starts_at, "vobject"
    assert event.dtend.value.astimezone(UTC) == starts_at + timedelta(minutes=90), "vobject"
    assert event.uid.value == "meeting-42@samen-bot"

    (parsed,) = ics.Calendar(text).events
    assert parsed.begin.to("UTC").datetime == starts_at, "ics"
    assert parsed.end.to("UTC").datetime == starts_at + timedelta(minutes=90), "ics"
    assert parsed.uid == "meeting-42@samen-bot"


def test_the_repeated_hour_is_written_in_utc_only_for_its_second_occurrence() -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    first = ics_text(_meeting(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)), amsterdam).decode()
    second = ics_text(_meeting(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)), amsterdam).decode()

    assert "DTSTART;TZID=Europe/Amsterdam:20261025T023000" in first
    assert "DTEND;TZID=Europe/Amsterdam:20261025T030000" in first
    assert "DTSTART:20261025T013000Z" in second
    assert "DTEND;TZID=Europe/Amsterdam:20261025T040000" in second
    assert "BEGIN:VTIMEZONE" in second


def test_vtimezone_is_rrule_based_like_common_producers() -> None:
    text = ics_text(_meeting(SEASONS[1]), ZoneInfo("Europe/Amsterdam")).decode()

    assert "DTSTART;TZID=Europe/Amsterdam:20260708T190000" in text
    assert "UID:meeting-42@samen-bot" in text
    assert "RDATE" not in text and "COMMENT" not in text and "2038" not in text
    unfolded = text.replace("\r\n ", "")
    daylight = unfolded.split("BEGIN:DAYLIGHT")[1].split("END:DAYLIGHT")[0]
    standard = unfolded.split("BEGIN:STANDARD")[1].split("END:STANDARD")[0]
    for line in ("DTSTART:19700329T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200"):
        assert line in daylight
    for line in ("DTSTART:19701025T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100"):
        assert line in standard
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in daylight
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in standard


def test_new_york_rules_count_weeks_and_tokyo_has_one_fixed_offset() -> None:
    york = ics_text(_meeting(SEASONS[0]), ZoneInfo("America/New_York")).decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in york
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in york

    tokyo = ics_text(_meeting(SEASONS[0]), ZoneInfo("Asia/Tokyo")).decode()
    assert "BEGIN:DAYLIGHT" not in tokyo and "RRULE" not in tokyo
    assert tokyo.count("BEGIN:STANDARD") == 1
    assert "TZOFFSETFROM:+0900" in tokyo and "TZOFFSETTO:+0900" in tokyo


@pytest.mark.parametrize(
    ("zone", "starts_at"),
    [
        ("Asia/Jerusalem", datetime(2027, 3, 26, 1, 0, tzinfo=UTC)),  # Friday before last Sunday
        ("America/Nuuk", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),  # Saturday 23:00 local
        ("Africa/Casablanca", datetime(2026, 2, 20, 12, 0, tzinfo=UTC)),  # Ramadan, irregular
        ("Australia/Sydney", datetime(2026, 4, 4, 15, 30, tzinfo=UTC)),  # southern hemisphere
        ("UTC", datetime(2026, 7, 8, 17, 0, tzinfo=UTC)),  # written with Z, no VTIMEZONE
    ],
)
def test_unusual_zones_still_read_the_same(zone: str, starts_at: datetime) -> None:
    text = ics_text(_meeting(starts_at), ZoneInfo(zone)).decode()

    assert vobject.readOne(text).vevent.dtstart.value.astimezone(UTC) == starts_at
    (parsed,) = ics.Calendar(text).events
    assert parsed.begin.to("UTC").datetime == starts_at
