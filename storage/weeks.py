"""ISO weeks in the programme's time zone (the digest's unit), with their bounds in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week in the programme's time zone, with its bounds in UTC."""

    year: int
    number: int
    start: datetime  # Monday 0:00 local, as UTC
    end: datetime  # the next Monday 0:00 local, as UTC

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def first_day(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return date.fromisocalendar(self.year, self.number, 7)

    def next(self, timezone: ZoneInfo) -> Week:
        return week_of_day(self.first_day + timedelta(days=7), timezone)


def week_of_day(day: date, timezone: ZoneInfo) -> Week:
    """The ISO week that contains `day`."""
    year, number, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    start = datetime.combine(monday, time(0), tzinfo=timezone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=timezone)
    return Week(year, number, start.astimezone(UTC), end.astimezone(UTC))


def week_of(moment: datetime, timezone: ZoneInfo) -> Week:
    """The ISO week, in the programme's time zone, that contains `moment`."""
    return week_of_day(moment.astimezone(timezone).date(), timezone)


def parse_week(text: str, timezone: ZoneInfo) -> Week:
    """`2026-W48` (or `2026W48`) -> Week; ValueError for anything else."""
    match = WEEK_RE.match(text)
    if not match:
        raise ValueError(f"not an ISO week like 2026-W48: {text!r}")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        day = date.fromisocalendar(year, number, 1)
    except ValueError as exc:
        raise ValueError(f"week {number} does not exist in {year}") from exc
    return week_of_day(day, timezone)
