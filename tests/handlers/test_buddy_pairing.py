"""The pairing of a maatjes round, as a property: whatever the participants and history, no pair
repeats within the window, no pair is of one proeftuin, everyone is in at most one pair, every
pair shares a theme, and nobody left over could have been paired with anyone else left over."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.buddy_pairing import (
    REPEAT_WINDOW,
    Participant,
    PastPair,
    pair_round,
    shared_theme,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


PERSON = st.tuples(
    st.integers(1, 4),  # proeftuin
    st.dictionaries(st.integers(1, 6), st.sampled_from([1.0, 2.0, 3.0]), max_size=4),
    st.sampled_from(["slack", "slack", "discord"]),
)


@st.composite
def rounds(draw: st.DrawFn) -> tuple[list[Participant], list[PastPair]]:
    drawn = draw(st.lists(PERSON, max_size=40))
    people = [
        Participant(member, proeftuin, themes, platform)
        for member, (proeftuin, themes, platform) in enumerate(drawn, start=1)
    ]
    past: list[PastPair] = []
    if len(people) >= 2:
        ids = st.integers(1, len(people))
        met = draw(st.lists(st.tuples(ids, ids, st.integers(1, 400)), max_size=len(people) * 2))
        past = [PastPair(a, b, NOW - timedelta(days=days)) for a, b, days in met if a != b]
    return people, past


def _valid(a: Participant, b: Participant, met: set[frozenset[int]]) -> bool:
    return (
        a.proeftuin_id != b.proeftuin_id
        and a.platform == b.platform
        and shared_theme(a, b) is not None
        and frozenset((a.member_id, b.member_id)) not in met
    )


@settings(max_examples=150, deadline=None)
@given(rounds(), st.text(min_size=1, max_size=12))
def test_pairing_keeps_every_rule(
    data: tuple[list[Participant], list[PastPair]], round_key: str
) -> None:
    people, past = data
    result = pair_round(people, past, NOW, round_key)
    by_id = {p.member_id: p for p in people}
    met = {frozenset((p.a, p.b)) for p in past if p.at > NOW - REPEAT_WINDOW}

    seen: list[int] = []
    for pair in result.pairs:
        a, b = by_id[pair.a], by_id[pair.b]
        assert pair.a < pair.b
        assert a.proeftuin_id != b.proeftuin_id, "a pair of one proeftuin"
        assert a.platform == b.platform
        assert pair.theme_id in a.themes and pair.theme_id in b.themes, "no shared theme"
        assert frozenset((pair.a, pair.b)) not in met, "met again within six months"
        seen += [pair.a, pair.b]
    assert len(seen) == len(set(seen)), "someone in two pairs"
    assert sorted(seen + result.alone) == sorted(by_id), "everyone paired or left over, once"
    left = [by_id[m] for m in result.alone]
    for i, a in enumerate(left):
        for b in left[i + 1 :]:
            assert not _valid(a, b, met), "two people left over could have met"
    # Deterministic: the same round key gives the same round.
    assert pair_round(list(reversed(people)), past, NOW, round_key) == result


def test_pairs_met_longer_ago_than_the_window_may_meet_again() -> None:
    a = Participant(1, 1, {7: 1.0})
    b = Participant(2, 2, {7: 1.0})
    recent = [PastPair(1, 2, NOW - timedelta(days=30))]
    assert pair_round([a, b], recent, NOW, "r").alone == [1, 2]
    old = [PastPair(2, 1, NOW - REPEAT_WINDOW - timedelta(days=1))]
    assert [(p.a, p.b, p.theme_id) for p in pair_round([a, b], old, NOW, "r").pairs] == [(1, 2, 7)]


def test_the_strongest_shared_theme_names_the_pair() -> None:
    a = Participant(1, 1, {3: 1.0, 5: 3.0})
    b = Participant(2, 2, {3: 2.0, 5: 2.0})
    (pair,) = pair_round([a, b], [], NOW, "r").pairs
    assert (pair.theme_id, pair.strength) == (5, 2.0)


def test_two_thousand_participants_pair_quickly() -> None:
    people = [
        Participant(m, m % 7, {(m * 7 + k) % 12: 1.0 + k for k in range(3)}, "slack")
        for m in range(2000)
    ]
    past = [
        PastPair(m, (m + 1) % 2000, NOW - timedelta(days=30 * r))
        for r in range(5)
        for m in range(0, 2000, 2)
    ]
    started = time.perf_counter()
    result = pair_round(people, past, NOW, "2026-12-07")
    assert time.perf_counter() - started < 1.0
    assert len(result.pairs) >= 950
