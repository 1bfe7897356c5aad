"""Property: over random programmes (seven proeftuinen, random rings, recognitions, enrichments,
authors who chose to be named or not), nothing of ring `proeftuin` or `kenniskring` reaches the
kennisbank folder: not when building, and not after learnings are unpublished and it is rebuilt.

The loader (storage -> Snapshot) is simulated by its one rule: only ring `buitenwereld`.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.tools.kennisbank import (
    PublicationError,
    PublishedLearning,
    Snapshot,
    ThemeRef,
    build_kennisbank,
)
from tests.kennisbank.synthetic import PROEFTUIN_NAMES, START, THEME_REFS

RINGS = ("proeftuin", "kenniskring", "buitenwereld")

learning_specs = st.lists(
    st.fixed_dictionaries(
        {
            "ring": st.sampled_from(RINGS),
            "proeftuin": st.sampled_from(PROEFTUIN_NAMES),
            "themes": st.sets(st.sampled_from(THEME_REFS), max_size=3),
            "named": st.booleans(),
            "recognised_by": st.sets(st.sampled_from(PROEFTUIN_NAMES), max_size=3),
            "enriched": st.booleans(),
            "hours": st.integers(0, 24 * 400),
        }
    ),
    min_size=1,
    max_size=30,
)


def learning(number: int, spec: dict) -> PublishedLearning:
    """A learning whose text, author name and enrichment carry unique secret markers."""
    moment = START + timedelta(hours=spec["hours"])
    themes: tuple[ThemeRef, ...] = tuple(sorted(spec["themes"], key=lambda t: t.slug))
    return PublishedLearning(
        id=number,
        text=f"tekst-{number}-{spec['ring']} over de buurt",
        proeftuin=spec["proeftuin"],
        published_at=moment,
        created_at=moment,
        themes=themes,
        author=f"auteur-{number}-naam" if spec["named"] else None,
        recognitions=len(spec["recognised_by"]),
        enrichments=int(spec["enriched"]),
        ring=spec["ring"],
    )


def markers(item: PublishedLearning) -> list[bytes]:
    found = [f"tekst-{item.id}-".encode()]
    return found + ([item.author.encode()] if item.author else [])


def folder_bytes(root: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


@settings(max_examples=30, deadline=None)
@given(specs=learning_specs, unpublish=st.sets(st.integers(1, 30)))
def test_nothing_of_an_inner_ring_reaches_the_folder(
    specs: list[dict], unpublish: set[int]
) -> None:
    everything = [learning(number, spec) for number, spec in enumerate(specs, start=1)]
    public = tuple(item for item in everything if item.ring == "buitenwereld")
    inner = [item for item in everything if item.ring != "buitenwereld"]
    snapshot = Snapshot(learnings=public, themes=THEME_REFS, proeftuinen=PROEFTUIN_NAMES)
    with tempfile.TemporaryDirectory() as holder:
        root = Path(holder) / "site"
        if inner:  # handing the builder everything is refused outright
            try:
                build_kennisbank(dataclasses.replace(snapshot, learnings=tuple(everything)), root)
                raise AssertionError("an inner-ring learning was accepted")
            except PublicationError:
                assert not root.exists()

        build_kennisbank(snapshot, root)
        site = folder_bytes(root)
        for item in inner:
            assert not any(marker in site for marker in markers(item)), item
            assert not (root / f"inzicht/{item.id}.html").exists()
        for item in public:
            page = (root / f"inzicht/{item.id}.html").read_bytes()
            assert f"tekst-{item.id}-".encode() in page
            assert (item.author is not None) == (b"Gedeeld door" in page)

        # Later some are unpublished (consent withdrawn, forget-me): a rebuild drops them.
        still = tuple(item for item in public if item.id not in unpublish)
        report = build_kennisbank(dataclasses.replace(snapshot, learnings=still), root)
        site = folder_bytes(root)
        gone = [item for item in public if item.id in unpublish]
        assert report.removed >= len(gone)
        for item in [*inner, *gone]:
            assert not any(marker in site for marker in markers(item)), item
            assert not (root / f"inzicht/{item.id}.html").exists()
