"""Each meeting as an iCalendar file: the .ics text and writing it into the data folder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.models import Meeting

DEFAULT_LENGTH = timedelta(hours=1, minutes=30)  # DTEND in the .ics; meetings have no end time
ICS_DOMAIN = "samen-bot"


def ics_text(meeting: Meeting, timezone: ZoneInfo, *, description: str = "") -> bytes:
    """The meeting as an iCalendar document: stable UID, DTSTART with the programme's TZID and
    a VTIMEZONE, so calendars keep the local time across daylight-saving changes."""
    from icalendar import Calendar, Event  # only when a meeting is planned: keeps start-up short

    calendar = Calendar()
    calendar.add("prodid", "-//Programma SAMEN//samen-bot//NL")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{ICS_DOMAIN}")
    event.add("dtstamp", meeting.created_at)
    start = meeting.starts_at.astimezone(timezone)
    event.add("dtstart", start)
    event.add("dtend", (meeting.starts_at + DEFAULT_LENGTH).astimezone(timezone))
    event.add("summary", meeting.title)
    if description:
        event.add("description", description)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def write_ics(meeting: Meeting, timezone: ZoneInfo, folder: Path, description: str = "") -> Path:
    """Write `<folder>/ics/meeting-<id>.ics` (replacing an older version) and return its path."""
    target = folder / "ics"
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"meeting-{meeting.id}.ics"
    partial = path.with_suffix(".ics.tmp")
    partial.write_bytes(ics_text(meeting, timezone, description=description))
    partial.replace(path)
    return path
