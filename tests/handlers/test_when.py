"""Meeting times as people say them (handlers/when.py): the hand-written corpus in
when_corpus.py, checked as local time and as the UTC instant across the DST changes; refusals
that quote the input as typed and suggest a time in the future; and the cost of one parse."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.i18n import Translator
from handlers.types import UserError
from handlers.when import parse_when
from tests.handlers.when_corpus import CORPUS, REFUSALS, WEDNESDAY

AMS = ZoneInfo("Europe/Amsterdam")
CASES = [(now, typed, expected) for now, rows in CORPUS.items() for typed, expected in rows]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert len({(now, typed) for now, typed, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("now", "typed", "expected"), CASES, ids=[f"{n:%m-%d}:{t}" for n, t, _ in CASES]
)
def test_corpus(now: datetime, typed: str, expected: str) -> None:
    when = parse_when(typed, now, AMS)
    assert when.local.strftime("%Y-%m-%d %H:%M %z") == expected
    wall = datetime.strptime(expected[:16], "%Y-%m-%d %H:%M")
    sign = 1 if expected[17] == "+" else -1
    offset = timedelta(hours=int(expected[18:20]), minutes=int(expected[20:22])) * sign
    assert when.utc == (wall - offset).replace(tzinfo=UTC)  # the instant, worked out by hand
    assert when.utc > now


@pytest.mark.parametrize(("typed", "msgid", "values"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_quote_the_input_and_suggest_the_future(
    typed: str, msgid: str, values: dict[str, str]
) -> None:
    with pytest.raises(UserError) as error:
        parse_when(typed, WEDNESDAY, AMS)
    assert error.value.msgid == msgid
    assert error.value.values == values
    if "suggestion" in values:
        suggested = parse_when(values["suggestion"], WEDNESDAY, AMS)  # it is itself accepted
        assert suggested.utc > WEDNESDAY


@pytest.mark.parametrize("language", ["nl", "en"])
def test_refusal_text_has_no_stray_space_and_a_future_example(language: str) -> None:
    t = Translator(language, AMS)
    for typed in (" morgen ", " gisteren"):
        with pytest.raises(UserError) as error:
            parse_when(typed, WEDNESDAY, AMS)
        text = t(error.value.msgid, **error.value.values)
        assert (
            f"'{typed.strip()}'" in text and "` " not in text and "' " + typed.strip() not in text
        )
        assert "19:30`" in text and typed.strip() + " 19:30" not in text


def test_no_time_phrase_that_once_was_refused_is_read() -> None:
    assert parse_when(" morgen om half acht", WEDNESDAY, AMS).local == datetime(
        2026, 11, 26, 19, 30, tzinfo=AMS
    )


def test_one_parse_is_cheap() -> None:
    parse_when("3 december 19:30", WEDNESDAY, AMS)  # dateparser imported and warmed once
    for typed, budget in (("morgenavond 8 uur", 0.005), ("3 december 19:30", 0.25)):
        start = time.perf_counter()
        for _ in range(10):
            parse_when(typed, WEDNESDAY, AMS)
        assert (time.perf_counter() - start) / 10 < budget, typed
