"""Meeting times as people type them, in Dutch and English, read in the programme's time zone.

The phrase is split in three: a time of day, a day part and a date. The time and day part are read
here ("half acht", "kwart voor acht", "tien over half acht", "8 uur", "om 8", "2pm", "half past
seven", "19:30", "'s avonds", "morgenavond", "tomorrow evening"); the date is read here when it is
one of the common relative forms ("vandaag", "morgen", "overmorgen", "donderdag", "volgende week
dinsdag", "over twee weken donderdag", "next tuesday", "in 3 days") and otherwise by dateparser
("3 december", "3-12-2026", "december 3"), which is slow, so most phrases never reach it.

Rules for the time of day:
- `HH:MM` / `HH.MM` is a 24-hour clock: `7:30` is 07:30; a day part word moves 1-11 to the
  afternoon or evening (`7:30 's avonds` is 19:30).
- `am` / `pm` are followed as said.
- Every other time (`8 uur`, `14u`, `om 8`, `at 8`, `half acht`, `kwart over zeven`, `acht uur`)
  is read as people say it: with `'s ochtends` / `morning` as said; with `'s middags`, `'s avonds`,
  `afternoon`, `evening`, `tonight` hours 1-11 get 12 added; without a day part hours 1-7 are in
  the afternoon or evening (13:00-19:59: "half acht" is 19:30, "om 2" is 14:00) and 8-23 as said.
- A day part without a time means 09:00 (morning), 14:00 (afternoon) or 19:30 (evening).
Rules for the date:
- No date: today, or tomorrow when that time has passed today.
- A weekday (`donderdag`, `volgende donderdag`, `next thursday`) is the first such day after today;
  `volgende week <dag>` / `next week <day>` is that day in next (Monday-based) week, `over N
  weken <dag>` / `in N weeks <day>` that day N weeks on; `over N weken` alone is N*7 days on.
A date that is past, or a phrase with a date but no time, is refused with a suggestion in the
future (`bijeenkomst.past`, `bijeenkomst.no_time`); the typed text is quoted as typed.

dateparser is asked for the wall-clock date only; the zone is attached with zoneinfo, so a time in
the spring-forward gap is refused and one in the autumn overlap is taken as its first occurrence.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.types import UserError

FARTHEST = timedelta(days=5 * 366)  # a meeting further ahead is surely a typo in the year
DATEPARSER_LANGUAGES = ["nl", "en"]
SUGGESTED_TIME = time(19, 30)
WEEKDAYS = {
    **dict.fromkeys(("maandag", "ma", "monday", "mon"), 0),
    **dict.fromkeys(("dinsdag", "di", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("woensdag", "wo", "wednesday", "wed"), 2),
    **dict.fromkeys(("donderdag", "do", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("vrijdag", "vr", "friday", "fri"), 4),
    **dict.fromkeys(("zaterdag", "za", "saturday", "sat"), 5),
    **dict.fromkeys(("zondag", "zo", "sunday", "sun"), 6),
}
NUMBERS = {
    **dict.fromkeys(("een", "één", "one", "a", "an"), 1),
    **dict.fromkeys(("twee", "two"), 2),
    **dict.fromkeys(("drie", "three"), 3),
    **dict.fromkeys(("vier", "four"), 4),
    **dict.fromkeys(("vijf", "five"), 5),
    **dict.fromkeys(("zes", "six"), 6),
    **dict.fromkeys(("zeven", "seven"), 7),
    **dict.fromkeys(("acht", "eight"), 8),
    **dict.fromkeys(("negen", "nine"), 9),
    **dict.fromkeys(("tien", "ten"), 10),
    **dict.fromkeys(("elf", "eleven"), 11),
    **dict.fromkeys(("twaalf", "twelve"), 12),
    **dict.fromkeys(("kwart", "quarter", "a quarter"), 15),
    **dict.fromkeys(("twintig", "twenty"), 20),
}
ENGLISH = frozenset(
    (
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    )
)
MORNING, AFTERNOON, EVENING = "morning", "afternoon", "evening"
PART_DEFAULT = {MORNING: time(9, 0), AFTERNOON: time(14, 0), EVENING: time(19, 30)}
_NUM = r"(\d{1,2}|" + "|".join(sorted((re.escape(k) for k in NUMBERS), key=len, reverse=True)) + ")"
_DAY = r"(?:morgen|overmorgen|" + "|".join(k for k in WEEKDAYS if len(k) > 4) + ")"

# (pattern, day part, date words put back in its place)
PARTS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\bvanochtend\b|\bvanmorgen\b|\bthis morning\b"), MORNING, " vandaag "),
    (re.compile(r"\bvanmiddag\b|\bthis afternoon\b"), AFTERNOON, " vandaag "),
    (re.compile(r"\bvanavond\b|\bthis evening\b|\btonight\b"), EVENING, " vandaag "),
    (re.compile(rf"\b({_DAY})(ochtend|morgen)\b"), MORNING, r" \1 "),
    (re.compile(rf"\b({_DAY})middag\b"), AFTERNOON, r" \1 "),
    (re.compile(rf"\b({_DAY})avond\b"), EVENING, r" \1 "),
    (
        re.compile(r"'s ochtends|'s morgens|\bin de ochtend\b|\b(?:in the )?morning\b|\bochtend\b"),
        MORNING,
        " ",
    ),
    (re.compile(r"'s middags|\bin de middag\b|\b(?:in the )?afternoon\b"), AFTERNOON, " "),
    (re.compile(r"'s avonds|\bin de avond\b|\b(?:in the )?evening\b|\bavond\b"), EVENING, " "),
)
# each yields (hour, minute, style): style "24" (HH:MM), "am"/"pm", or "said"
COLON_RE = re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(am|pm|a\.m\.|p\.m\.)?(?![\w.:-])")
AMPM_RE = re.compile(r"\b(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)(?!\w)")
HALF_RE = re.compile(rf"\b(?:{_NUM}\s+(over|voor)\s+)?half\s+{_NUM}\b")
PAST_TO_RE = re.compile(
    rf"\b(?:(half)|{_NUM}(?:\s+minut(?:en|es?))?)\s+(over|voor|past|to|after)\s+{_NUM}\b"
)
HOUR_WORD_RE = re.compile(  # 14u, 14u30, 14 uur, acht uur, 8 o'clock; not "in 2 uur"
    rf"(?<!\bin )(?<!\bover )\b{_NUM}\s*(?:u|uur|h|o'clock)(?:\s*(\d{{2}}))?(?![\w:])"
)
AT_RE = re.compile(rf"\b(?:om|at|rond|around)\s+{_NUM}(?![\w:.])")
NOON_RE = re.compile(r"\b(?:noon|midday)\b|\b12 uur 's middags\b")
DURATION_RE = re.compile(
    rf"^(?:in|over)\s+{_NUM}\s+(uur|hours?|minuten|minutes?|mins?)$|^(?:in|over)\s+(?:een|a)\s+(kwartier)$"
)
ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2})[:.](\d{2})$")
FILLER_RE = re.compile(r"\b(?:om|at|on|op|de|het|the|rond|around|van|of|uur)\b|[,]")
WEEKS_RE = re.compile(
    rf"^(?:over|in)\s+{_NUM}\s+(?:weken|week|weeks)(?:\s+(?:op\s+)?([a-z]+))?$|^([a-z]+)\s+over\s+{_NUM}\s+weken$"
)
DAYS_RE = re.compile(rf"^(?:over|in)\s+{_NUM}\s+(?:dagen|dag|days?)$")
NEXT_WEEK_RE = re.compile(
    r"^(?:(?:volgende|komende|next)\s+week\s+([a-z]+)|([a-z]+)\s+(?:volgende|komende|next)\s+week)$"
)
WEEKDAY_RE = re.compile(r"^(?:volgende|komende|aanstaande|next|this|deze|coming)?\s*([a-z]+)$")


@dataclass(frozen=True, slots=True)
class When:
    """A parsed meeting time: aware in the programme's zone, and whether the wall time occurs
    twice (autumn overlap; the first occurrence is taken)."""

    local: datetime
    ambiguous: bool

    @property
    def utc(self) -> datetime:
        return self.local.astimezone(UTC)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word]


def _clean(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"(?<![\w'])s (ochtends|morgens|middags|avonds|nachts)\b", r"'s \1", text)
    return " ".join(text.split())


def _day_part(text: str) -> tuple[str | None, str]:
    for pattern, part, put_back in PARTS:
        if pattern.search(text):
            return part, " ".join(pattern.sub(put_back, text, count=1).split())
    return None, text


def _said(hour: int, part: str | None) -> int:
    """The hour of a time said without am/pm or a 24-hour clock."""
    if part == MORNING:
        return 0 if hour == 12 else hour
    if part in (AFTERNOON, EVENING):
        return hour + 12 if 1 <= hour <= 11 else hour
    return hour + 12 if 1 <= hour <= 7 else hour


def _clock(text: str, part: str | None) -> tuple[time | None, str]:
    """The time of day in `text` and the text without it; (None, text) when there is none."""
    hour: int
    minute: int
    if match := COLON_RE.search(text):
        hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3)
        if half:
            hour = hour % 12 + (12 if half.startswith("p") else 0)
        elif part in (AFTERNOON, EVENING) and 1 <= hour <= 11:
            hour += 12
    elif match := AMPM_RE.search(text):
        hour, minute = int(match.group(1)) % 12 + (12 if match.group(2).startswith("p") else 0), 0
    elif match := HALF_RE.search(text):  # (tien over / vijf voor) half acht; English half seven
        said = _number(match.group(3))
        english = match.group(3) in ENGLISH
        hour, minute = _said(said if english else (said - 2) % 12 + 1, part), 30
        if match.group(1):
            shift = _number(match.group(1))
            minute += shift if match.group(2) == "over" else -shift
    elif match := PAST_TO_RE.search(text):  # kwart over zeven, quarter to eight, half past seven
        shift = 30 if match.group(1) else _number(match.group(2))
        said = _number(match.group(4))
        forward = match.group(3) in ("over", "past", "after")
        minute = shift if forward else 60 - shift
        hour = _said(said if forward else (said - 2) % 12 + 1, part)
    elif match := HOUR_WORD_RE.search(text):
        hour, minute = _said(_number(match.group(1)), part), int(match.group(2) or 0)
    elif match := NOON_RE.search(text):
        hour, minute = 12, 0
    elif match := AT_RE.search(text):
        hour, minute = _said(_number(match.group(1)), part), 0
    else:
        return None, text
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(text)
    rest = " ".join((text[: match.start()] + " " + text[match.end() :]).split())
    return time(hour % 24, minute), rest


def _weekday_after(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _date(rest: str, today: date) -> date | None:
    """The date meant by `rest` (the phrase without its time); None when it is not a date."""
    rest = " ".join(FILLER_RE.sub(" ", rest).split())
    simple = {
        "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2,
        "day after tomorrow": 2, "gisteren": -1, "yesterday": -1, "eergisteren": -2,
        "volgende week": 7, "next week": 7, "komende week": 7,
    }  # fmt: skip
    if rest in simple:
        return today + timedelta(days=simple[rest])
    monday = today - timedelta(days=today.weekday())
    if (match := NEXT_WEEK_RE.match(rest)) and (match.group(1) or match.group(2)) in WEEKDAYS:
        return monday + timedelta(days=7 + WEEKDAYS[match.group(1) or match.group(2)])
    if match := WEEKS_RE.match(rest):
        weeks = _number(match.group(1) or match.group(4))
        day = match.group(2) or match.group(3)
        if day is None:
            return today + timedelta(weeks=weeks)
        if day in WEEKDAYS:
            return monday + timedelta(weeks=weeks, days=WEEKDAYS[day])
        return None
    if match := DAYS_RE.match(rest):
        return today + timedelta(days=_number(match.group(1)))
    if (match := WEEKDAY_RE.match(rest)) and match.group(1) in WEEKDAYS:
        return _weekday_after(today, WEEKDAYS[match.group(1)])
    if not rest or not re.search(r"\d|[a-z]{3}", rest):
        return None
    import dateparser  # slow to import; only for dates the rules above do not read

    base = datetime.combine(today, time(12, 0))
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month"],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(rest, languages=DATEPARSER_LANGUAGES, settings=settings)
    return parsed.date() if parsed else None


def _wall_time(cleaned: str, base: datetime) -> tuple[datetime | None, date | None]:
    """(wall time, None) for a full phrase; (None, date) for a date without a time; (None, None)
    when the phrase is not understood. Naive local times, relative to the naive local `base`."""
    if iso := ISO_RE.match(cleaned):
        year, month, day, hour, minute = (int(g) for g in iso.groups())
        try:
            return datetime(year, month, day, hour, minute), None
        except ValueError:
            return None, None
    if duration := DURATION_RE.match(cleaned):
        if duration.group(3):
            return base + timedelta(minutes=15), None
        amount, unit = _number(duration.group(1)), duration.group(2)
        delta = (
            timedelta(hours=amount) if unit.startswith(("u", "h")) else timedelta(minutes=amount)
        )
        return base + delta, None
    part, text = _day_part(cleaned)
    try:
        clock, rest = _clock(text, part)
    except ValueError:
        return None, None
    if clock is None and part is not None:
        clock = PART_DEFAULT[part]
    meant = base.date() if not FILLER_RE.sub(" ", rest).strip() else _date(rest, base.date())
    if meant is None:
        return None, None
    if clock is None:
        return None, meant
    wall = datetime.combine(meant, clock)
    if not FILLER_RE.sub(" ", rest).strip() and wall <= base:
        wall += timedelta(days=1)  # a time without a date: the next time it comes round
    return wall, None


def _suggestion(base: datetime, day: date | None, clock: time) -> str:
    """A moment in the future close to what was meant, in the ISO form parse_when reads."""
    start = day if day is not None and day >= base.date() else base.date()
    wall = datetime.combine(start, clock)
    while wall <= base:
        wall += timedelta(days=1)
    return wall.strftime("%Y-%m-%d %H:%M")


def parse_when(text: str, now: datetime, timezone: ZoneInfo) -> When:
    """Read a meeting time typed by a person; UserError when unclear, past or non-existent."""
    typed = " ".join(text.split())
    if not typed:
        raise UserError("bijeenkomst.no_when")
    base = now.astimezone(timezone).replace(tzinfo=None, second=0, microsecond=0)
    wall, day = _wall_time(_clean(typed), base)
    if wall is None and day is not None:
        raise UserError(
            "bijeenkomst.no_time", when=typed, suggestion=_suggestion(base, day, SUGGESTED_TIME)
        )
    if wall is None:
        raise UserError("bijeenkomst.bad_when", when=typed)
    wall = wall.replace(second=0, microsecond=0)
    shown = wall.strftime("%Y-%m-%d %H:%M")
    first = wall.replace(tzinfo=timezone, fold=0)
    second = wall.replace(tzinfo=timezone, fold=1)
    later = _suggestion(base, None, wall.time())
    try:
        back = first.astimezone(UTC).astimezone(timezone).replace(tzinfo=None)
    except (OverflowError, ValueError):  # year 1: long past
        raise UserError("bijeenkomst.past", when=typed, shown=shown, suggestion=later) from None
    if back != wall:
        raise UserError("bijeenkomst.gap", when=shown)
    when = When(first, first.utcoffset() != second.utcoffset())
    if when.utc <= now:
        raise UserError("bijeenkomst.past", when=typed, shown=shown, suggestion=later)
    if when.utc > now + FARTHEST:
        raise UserError("bijeenkomst.too_far", when=shown)
    return when
