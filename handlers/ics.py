"""Each meeting as an iCalendar file: the .ics text and writing it into the data folder."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storage.models import Meeting

if TYPE_CHECKING:
    from icalendar import Component

DEFAULT_LENGTH = timedelta(hours=1, minutes=30)  # DTEND in the .ics; meetings have no end time
ICS_DOMAIN = "samen-bot"
_RULE_START_YEAR = 1970  # the observances' DTSTART year, as common calendar producers write it
_CHECK_YEARS = 12  # years after the meeting's in which a yearly rule must keep matching the zone
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def meeting_uid(meeting_id: int) -> str:
    """The UID of a meeting in every .ics file and in the agenda feed: stable for its life."""
    return f"meeting-{meeting_id}@{ICS_DOMAIN}"


def meeting_event(
    meeting: Meeting, timezone: ZoneInfo, *, description: str = "", summary: str = ""
) -> Component:
    """The VEVENT of a meeting, the one rule for the single .ics and the agenda feed: stable UID,
    SEQUENCE (raised by every change), DTSTAMP and LAST-MODIFIED at the last change, DTSTART and
    DTEND in the programme's zone, STATUS:CANCELLED for a cancelled meeting."""
    from icalendar import Event

    changed = meeting.updated_at or meeting.created_at
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    event.add("dtstamp", changed)
    event.add("sequence", meeting.sequence or 0)
    if meeting.updated_at is not None:
        event.add("last-modified", meeting.updated_at)
    event.add("dtstart", _wall_time(meeting.starts_at, timezone))
    event.add("dtend", _wall_time(meeting.starts_at + DEFAULT_LENGTH, timezone))
    event.add("summary", summary or meeting.title)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if meeting.cancelled_at is not None else "CONFIRMED")
    return event


def calendar_of(events: list[Component], timezone: ZoneInfo, year: int, **properties: str) -> bytes:
    """A VCALENDAR holding `events` and the VTIMEZONE their TZIDs need (built for `year`; its
    yearly rules hold for the years around it)."""
    from icalendar import Calendar  # only when a meeting is planned: keeps start-up short

    calendar = Calendar()
    calendar.add("prodid", "-//Programma SAMEN//samen-bot//NL")
    calendar.add("version", "2.0")
    for name, value in properties.items():
        calendar.add(name.replace("_", "-"), value)
    tzids = {
        event[name].params["TZID"]
        for event in events
        for name in ("dtstart", "dtend")
        if "TZID" in event[name].params
    }
    for tzid in sorted(tzids):  # none when the zone is UTC (written with Z)
        calendar.add_component(vtimezone(timezone, year, tzid))
    for event in events:
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def ics_text(meeting: Meeting, timezone: ZoneInfo, *, description: str = "") -> bytes:
    """The meeting as an iCalendar document: stable UID, DTSTART with the programme's TZID and
    a VTIMEZONE, so calendars keep the local time across daylight-saving changes."""
    event = meeting_event(meeting, timezone, description=description)
    return calendar_of([event], timezone, meeting.starts_at.astimezone(timezone).year)


def _wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` in the programme's zone, or in UTC in the hour a fall-back repeats: a local time
    with a TZID means its first occurrence (RFC 5545, 3.3.5), so the second needs UTC."""
    local = moment.astimezone(zone)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


@dataclass(frozen=True)
class _Transition:
    """One change of UTC offset: its local onset (wall time in the offset before) and offsets."""

    local: datetime  # naive
    offset_from: timedelta
    offset_to: timedelta
    name: str

    @property
    def shape(self) -> tuple[int, object, timedelta, timedelta]:
        return (self.local.month, self.local.time(), self.offset_from, self.offset_to)


@lru_cache(maxsize=64)
def _transitions(zone: tzinfo, year: int) -> tuple[_Transition, ...]:
    """The zone's changes of UTC offset whose local onset falls in `year` (from zoneinfo)."""

    def offset(moment: datetime) -> timedelta:
        value = moment.astimezone(zone).utcoffset()
        assert value is not None
        return value

    found: list[_Transition] = []
    step = timedelta(hours=6)
    moment = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=2)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=2)
    before = offset(moment)
    while moment < end:
        after_moment = moment + step
        after = offset(after_moment)
        if after != before:
            low, high = moment, after_moment  # offset(low) == before, offset(high) != before
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset(middle) == before:
                    low = middle
                else:
                    high = middle
            onset = high.replace(microsecond=0)
            local = (onset + before).replace(tzinfo=None)
            if local.year == year:
                name = onset.astimezone(zone).tzname() or ""
                found.append(_Transition(local, before, offset(onset), name))
            before = offset(onset)
            moment = onset
            continue
        moment = after_moment
    return tuple(found)


def _day(year: int, month: int, weekday: int, kind: str, number: int) -> int:
    """The day of the month a yearly rule picks: the n-th or last weekday, or the first one on or
    after day `number` ("window")."""
    first_weekday, length = _calendar.monthrange(year, month)
    first = 1 + (weekday - first_weekday) % 7
    if kind == "last":
        return first + 7 * ((length - first) // 7)
    if kind == "nth":
        return first + 7 * (number - 1)
    return number + (weekday - date(year, month, number).weekday()) % 7


def _rule_for(changes: list[_Transition]) -> tuple[str, int] | None:
    """The yearly rule (kind, number) that gives the onset day in each year of `changes` (the
    same month, time and offsets every year), or None when no weekday rule fits."""
    first = changes[0].local
    weekday = first.weekday()
    days = [change.local.day for change in changes]
    candidates = [("last", 0), ("nth", (first.day - 1) // 7 + 1), ("window", min(days))]
    for kind, number in candidates:
        if all(
            change.local.weekday() == weekday
            and _day(change.local.year, change.local.month, weekday, kind, number)
            == change.local.day
            for change in changes
        ):
            return kind, number
    return None


def _observance(kind: str, start: datetime, change: _Transition | None = None) -> Component:
    from icalendar import TimezoneDaylight, TimezoneStandard

    observance = TimezoneDaylight() if kind == "DAYLIGHT" else TimezoneStandard()
    observance.add("dtstart", start)
    if change is not None:
        observance.add("tzoffsetfrom", change.offset_from)
        observance.add("tzoffsetto", change.offset_to)
        if change.name:
            observance.add("tzname", change.name)
    return observance


def vtimezone(zone: tzinfo, year: int, tzid: str) -> Component:
    """A VTIMEZONE for `zone` as common calendar producers write it: a STANDARD and a DAYLIGHT
    observance from 1970 with a yearly RRULE (e.g. BYMONTH=10;BYDAY=-1SU), derived from the
    zone's transitions in `year` and checked against the years after; a single fixed-offset
    STANDARD when the zone does not change its offset that year. Irregular zones (rules that
    are not a weekday of a month) get each onset from the year before to the year after."""
    from icalendar import Timezone, vRecur

    component = Timezone()
    component.add("tzid", tzid)
    changes = _transitions(zone, year)
    if not changes:
        moment = datetime(year, 7, 1, tzinfo=UTC).astimezone(zone)
        offset = moment.utcoffset() or timedelta(0)
        fixed = _Transition(datetime(year, 7, 1), offset, offset, moment.tzname() or "")
        component.add_component(_observance("STANDARD", datetime(_RULE_START_YEAR, 1, 1), fixed))
        return component
    pair = len(changes) == 2 and changes[0].offset_to == changes[1].offset_from
    pair = pair and changes[1].offset_to == changes[0].offset_from
    if pair:
        rules = []
        for index, change in enumerate(changes):
            same = [change]
            for later in range(year + 1, year + 1 + _CHECK_YEARS):
                following = _transitions(zone, later)
                if len(following) != 2 or following[index].shape != change.shape:
                    break
                same.append(following[index])
            rules.append(_rule_for(same))
        if all(rule is not None for rule in rules):
            for change, rule in zip(changes, rules, strict=True):
                assert rule is not None
                kind, number = rule
                weekday = change.local.weekday()
                month = change.local.month
                first = _day(_RULE_START_YEAR, month, weekday, kind, number)
                start = datetime.combine(date(_RULE_START_YEAR, month, first), change.local.time())
                daylight = change.offset_to > change.offset_from
                observance = _observance("DAYLIGHT" if daylight else "STANDARD", start, change)
                recur: dict[str, object] = {"freq": "yearly", "bymonth": month}
                if kind == "window":
                    recur["byday"] = _WEEKDAYS[weekday]
                    recur["bymonthday"] = list(range(number, number + 7))
                else:
                    position = -1 if kind == "last" else number
                    recur["byday"] = f"{position}{_WEEKDAYS[weekday]}"
                observance.add("rrule", vRecur(recur))
                component.add_component(observance)
            return component
    # Irregular: the offset before the first known onset from 1970, then each onset once.
    onsets = _transitions(zone, year - 1) + changes + _transitions(zone, year + 1)
    base = onsets[0].offset_from
    initial = _Transition(datetime(_RULE_START_YEAR, 1, 1), base, base, "")
    component.add_component(_observance("STANDARD", datetime(_RULE_START_YEAR, 1, 1), initial))
    for change in onsets:
        daylight = change.offset_to > change.offset_from
        component.add_component(
            _observance("DAYLIGHT" if daylight else "STANDARD", change.local, change)
        )
    return component


def write_ics(meeting: Meeting, timezone: ZoneInfo, folder: Path, description: str = "") -> Path:
    """Write `<folder>/ics/meeting-<id>.ics` (replacing an older version) and return its path."""
    target = folder / "ics"
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"meeting-{meeting.id}.ics"
    partial = path.with_suffix(".ics.tmp")
    partial.write_bytes(ics_text(meeting, timezone, description=description))
    partial.replace(path)
    return path
