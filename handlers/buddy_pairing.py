"""Pairing a round of maatjes, as a pure function: no storage, no clock, no platform.

Who takes part comes in as `Participant`s (a proeftuin, a platform, and a weight per theme: what
they follow and what they captured, see storage/buddies.py); who met whom as past pairs with
their dates. Out comes a `Round`: pairs of people of different proeftuinen on one platform who
share at least one theme and did not meet within `REPEAT_WINDOW`, everyone at most once, and the
people left over (`alone`), who are told kindly.

The pairing is greedy by shared-theme strength and deterministic: the same input and round key
give the same pairs in every process (so a preview shows what the round would make, and two
processes agree). People with the fewest themes go first (they have the fewest chances); each
takes, over their themes and the other proeftuinen, the person not yet paired who has the most
weight in that theme, and the theme where the weaker of the two is strongest wins. Candidates
sit in buckets per (platform, theme, proeftuin), sorted once, with a head that skips people
already paired, so a round of thousands takes a few milliseconds per hundred people.

Nobody left over could have been paired with anyone else left over: when the first of two
such people had their turn, the other was free and would have been found.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

REPEAT_WINDOW = timedelta(days=183)  # nobody meets the same person again within six months


@dataclass(frozen=True, slots=True)
class Participant:
    """Somebody who opted in: their proeftuin, platform and how much each theme is theirs."""

    member_id: int
    proeftuin_id: int
    themes: Mapping[int, float]  # theme id -> weight (> 0)
    platform: str = ""  # pairs stay on one platform: they are to message each other


@dataclass(frozen=True, slots=True)
class PastPair:
    """Two members introduced before, and when."""

    a: int
    b: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Pair:
    """Two members introduced on one theme; `a` < `b`."""

    a: int
    b: int
    theme_id: int
    strength: float


@dataclass(frozen=True, slots=True)
class Round:
    """The pairs of a round and the people left over (by member id)."""

    pairs: list[Pair] = field(default_factory=list)
    alone: list[int] = field(default_factory=list)


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def recent(past: Iterable[PastPair], now: datetime, window: timedelta) -> set[tuple[int, int]]:
    """The pairs that met within `window` before `now`, as (smaller id, larger id)."""
    since = now - window
    return {_key(p.a, p.b) for p in past if p.at > since}


def shared_theme(a: Participant, b: Participant) -> tuple[int, float] | None:
    """The theme the two share most (the weaker one's weight highest; lowest id on a tie)."""
    best: tuple[int, float] | None = None
    for theme, weight in a.themes.items():
        other = b.themes.get(theme)
        if other is None:
            continue
        strength = min(weight, other)
        if best is None or (strength, -theme) > (best[1], -best[0]):
            best = (theme, strength)
    return best


def pair_round(
    participants: Iterable[Participant],
    past: Iterable[PastPair],
    now: datetime,
    round_key: str,
    window: timedelta = REPEAT_WINDOW,
) -> Round:
    """Pair a round (see the module's text); deterministic for a given `round_key`."""
    given = list(participants)
    people = {p.member_id: p for p in given if p.themes}
    without_themes = sorted({p.member_id for p in given if p.member_id not in people})
    met = recent(past, now, window)
    rng = random.Random(f"maatjes:{round_key}")
    ids = sorted(people)
    rng.shuffle(ids)
    rank = {member: i for i, member in enumerate(ids)}

    buckets: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    proeftuinen: dict[tuple[str, int], set[int]] = defaultdict(set)
    for member in ids:
        person = people[member]
        for theme in person.themes:
            buckets[(person.platform, theme, person.proeftuin_id)].append(member)
            proeftuinen[(person.platform, theme)].add(person.proeftuin_id)
    for (_, theme, _), bucket in buckets.items():
        weights = {m: people[m].themes[theme] for m in bucket}
        bucket.sort(key=lambda m: (-weights[m], rank[m]))
    heads = dict.fromkeys(buckets, 0)

    paired: set[int] = set()
    pairs: list[Pair] = []
    order = sorted(ids, key=lambda m: (len(people[m].themes), rank[m]))
    for member in order:
        if member in paired:
            continue
        person = people[member]
        best: tuple[float, int, int, int] | None = None  # strength, -rank, theme, partner
        for theme, weight in sorted(person.themes.items(), key=lambda tw: (-tw[1], tw[0])):
            for proeftuin in sorted(proeftuinen[(person.platform, theme)]):
                if proeftuin == person.proeftuin_id:
                    continue
                bucket_key = (person.platform, theme, proeftuin)
                other = _first_free(buckets[bucket_key], heads, bucket_key, paired, member, met)
                if other is None:
                    continue
                strength = min(weight, people[other].themes[theme])
                candidate = (strength, -rank[other], -theme, other)
                if best is None or candidate > best:
                    best = candidate
        if best is None:
            continue
        partner = best[3]
        paired.update((member, partner))
        theme, strength = shared_theme(person, people[partner]) or (-best[2], best[0])
        a, b = _key(member, partner)
        pairs.append(Pair(a, b, theme, strength))
    alone = sorted([m for m in ids if m not in paired] + without_themes)
    pairs.sort(key=lambda p: (p.a, p.b))
    return Round(pairs=pairs, alone=alone)


def _first_free(
    bucket: list[int],
    heads: dict[tuple[str, int, int], int],
    bucket_key: tuple[str, int, int],
    paired: set[int],
    member: int,
    met: set[tuple[int, int]],
) -> int | None:
    """The first person in `bucket` not paired yet and not met by `member` recently; the head
    moves past the paired ones for good (they never come free again)."""
    head = heads[bucket_key]
    while head < len(bucket) and bucket[head] in paired:
        head += 1
    heads[bucket_key] = head
    for other in bucket[head:]:
        if other in paired or other == member:
            continue
        if _key(member, other) in met:
            continue
        return other
    return None
