"""Building: same snapshot, same bytes; incremental rebuilds; unpublished learnings disappear;
anything that is not ring buitenwereld is refused; a foreign folder is left alone; the feed."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.tools.kennisbank import (
    OutputError,
    PublicationError,
    PublishedLearning,
    Snapshot,
    ThemeRef,
    WeekCount,
    build_kennisbank,
)
from bot.tools.kennisbank.feed import FEED_SIZE, atom_time
from storage.models import Ring
from tests.kennisbank.synthetic import make_snapshot, week_of

ATOM = "{http://www.w3.org/2005/Atom}"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def with_one_more(snapshot: Snapshot) -> tuple[Snapshot, PublishedLearning]:
    """The snapshot plus one new learning (and its count in the participation)."""
    last = max(snapshot.learnings, key=lambda item: item.published_at)
    new = PublishedLearning(
        id=max(item.id for item in snapshot.learnings) + 1,
        text="Nieuw: de buurtkamer draait nu ook op zaterdag, met vrijwilligers uit de wijk.",
        proeftuin=last.proeftuin,
        published_at=last.published_at + timedelta(hours=1),
        created_at=last.published_at,
        themes=(ThemeRef("vrijwilligers", "Vrijwilligers"),),
    )
    counts = list(snapshot.participation)
    counts.append(WeekCount(new.proeftuin, week_of(new.created_at), 1))
    return (
        dataclasses.replace(
            snapshot, learnings=(*snapshot.learnings, new), participation=tuple(counts)
        ),
        new,
    )


def test_the_same_snapshot_gives_the_same_bytes(tmp_path: Path) -> None:
    snapshot = make_snapshot(150, seed=3)
    build_kennisbank(snapshot, tmp_path / "a")
    shuffled = dataclasses.replace(
        snapshot,
        learnings=tuple(reversed(snapshot.learnings)),
        themes=tuple(reversed(snapshot.themes)),
        proeftuinen=tuple(reversed(snapshot.proeftuinen)),
        participation=tuple(reversed(snapshot.participation)),
    )
    build_kennisbank(shuffled, tmp_path / "b")  # input order does not matter either
    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_rebuilding_with_one_learning_added_rewrites_only_what_changed(tmp_path: Path) -> None:
    snapshot = make_snapshot(300, seed=5)
    site = tmp_path / "site"
    first = build_kennisbank(snapshot, site)
    before = files(site)
    again = build_kennisbank(snapshot, site)
    assert (again.written, again.unchanged, again.removed) == (0, first.files, 0)

    bigger, new = with_one_more(snapshot)
    report = build_kennisbank(bigger, site)
    after = files(site)
    changed = {name for name in after if before.get(name) != after[name]}
    assert report.written == len(changed) and report.unchanged == report.files - len(changed)
    assert f"inzicht/{new.id}.html" in changed and "index.html" in changed
    assert {"feed.xml", "zoekindex.js", "thema/vrijwilligers.html"} <= changed
    assert not any(
        name.startswith("inzicht/") and name != f"inzicht/{new.id}.html" for name in changed
    )
    assert report.written < report.files // 10, sorted(changed)


def test_a_learning_no_longer_published_disappears_on_rebuild(tmp_path: Path) -> None:
    snapshot = make_snapshot(120, seed=9)
    site = tmp_path / "site"
    build_kennisbank(snapshot, site)
    gone = snapshot.learnings[40]
    (site / "notes.txt").write_text("the programme office's own file")
    report = build_kennisbank(
        dataclasses.replace(snapshot, learnings=tuple(i for i in snapshot.learnings if i != gone)),
        site,
    )
    assert report.removed == 1 and not (site / f"inzicht/{gone.id}.html").exists()
    for name, data in files(site).items():
        assert gone.text.encode() not in data, name
        assert f"inzicht/{gone.id}.html".encode() not in data, name
    assert (site / "notes.txt").exists()  # only the kennisbank's own folders are cleaned


def test_vanished_theme_and_pages_are_removed(tmp_path: Path) -> None:
    snapshot = make_snapshot(400, seed=4)
    site = tmp_path / "site"
    build_kennisbank(snapshot, site)
    assert any((site / "proeftuin").glob("*.2.html"))
    fewer = dataclasses.replace(snapshot, learnings=snapshot.learnings[:30], themes=())
    report = build_kennisbank(fewer, site)
    assert not any((site / "proeftuin").glob("*.2.html")) and report.removed > 370


@pytest.mark.parametrize("ring", ["kenniskring", "proeftuin", Ring.KENNISKRING, Ring.PROEFTUIN])
def test_a_learning_of_an_inner_ring_is_refused_before_anything_is_written(
    tmp_path: Path, ring: str
) -> None:
    snapshot = make_snapshot(20, seed=1)
    inner = dataclasses.replace(snapshot.learnings[3], ring=ring, text="geheim van de proeftuin")
    learnings = (*snapshot.learnings[:3], inner, *snapshot.learnings[4:])
    with pytest.raises(PublicationError, match="ring"):
        build_kennisbank(dataclasses.replace(snapshot, learnings=learnings), tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_only_published_learning_objects_are_accepted(tmp_path: Path) -> None:
    snapshot = make_snapshot(5, seed=1)
    look_alike = SimpleNamespace(
        **{
            f.name: getattr(snapshot.learnings[0], f.name)
            for f in dataclasses.fields(PublishedLearning)
        }
    )
    with pytest.raises(PublicationError, match="not a PublishedLearning"):
        build_kennisbank(
            dataclasses.replace(snapshot, learnings=(look_alike,)),  # type: ignore[arg-type]
            tmp_path / "x",
        )
    duplicate = (snapshot.learnings[0], snapshot.learnings[0])
    with pytest.raises(PublicationError, match="twice"):
        build_kennisbank(dataclasses.replace(snapshot, learnings=duplicate), tmp_path / "x")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        PublishedLearning(1, "x", "Hofje", datetime(2026, 1, 1), datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="2026-W48"):
        WeekCount("Hofje", "2026-48", 1)


def test_a_folder_with_other_files_is_not_touched(tmp_path: Path) -> None:
    (tmp_path / "thema").mkdir()
    (tmp_path / "thema" / "mine.html").write_text("not ours")
    with pytest.raises(OutputError, match="not empty"):
        build_kennisbank(make_snapshot(3), tmp_path)
    assert (tmp_path / "thema" / "mine.html").read_text() == "not ours"
    with pytest.raises(OutputError, match="is a file"):
        build_kennisbank(make_snapshot(3), tmp_path / "thema" / "mine.html")
    pages_clone = tmp_path / "pages"
    (pages_clone / ".git").mkdir(parents=True)  # a clone for GitHub Pages: hidden entries only
    assert build_kennisbank(make_snapshot(3), pages_clone).pages > 3
    assert (pages_clone / ".git").is_dir()


def test_the_feed_lists_the_newest_learnings_with_their_own_times(tmp_path: Path) -> None:
    snapshot = make_snapshot(80, seed=2)
    build_kennisbank(snapshot, tmp_path / "site", base_url="https://kennisbank.example.nl/samen/")
    feed = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    newest = sorted(snapshot.learnings, key=lambda i: (i.published_at, i.id), reverse=True)
    assert len(entries) == FEED_SIZE
    assert feed.findtext(f"{ATOM}updated") == atom_time(newest[0].published_at)
    for entry, learning in zip(entries, newest, strict=False):
        assert entry.findtext(f"{ATOM}updated") == atom_time(learning.published_at)
        found = entry.find(f"{ATOM}link")
        link = found.get("href") if found is not None else None
        assert link == f"https://kennisbank.example.nl/samen/inzicht/{learning.id}.html"
        assert entry.findtext(f"{ATOM}content") == learning.text
        authors = [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")]
        assert authors == ([learning.author] if learning.author else [])
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids) and all(i and i.startswith("urn:uuid:") for i in ids)


def test_the_search_index_holds_exactly_the_published_learnings(tmp_path: Path) -> None:
    snapshot = make_snapshot(60, seed=8)
    build_kennisbank(snapshot, tmp_path / "site")
    script = (tmp_path / "site" / "zoekindex.js").read_text(encoding="utf-8")
    prefix = "window.SAMEN_ZOEKINDEX = "
    assert script.startswith(prefix) and script.endswith(";\n")
    items = json.loads(script[len(prefix) : -2])["items"]
    assert sorted(item[0] for item in items) == sorted(i.id for i in snapshot.learnings)
    assert {item[1] for item in items} == {i.text for i in snapshot.learnings}
