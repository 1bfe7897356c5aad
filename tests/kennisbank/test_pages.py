"""Every page of a built kennisbank: structure for accessibility, links that resolve inside the
folder, nothing loaded from elsewhere, safe text, both languages."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from bot.tools.kennisbank import PublishedLearning, Snapshot, ThemeRef, build_kennisbank
from tests.kennisbank.conftest import BuiltSite
from tests.kennisbank.htmlcheck import Page, heading_problems, read_page
from tests.kennisbank.synthetic import START

EXTERNAL = re.compile(r"(?:https?:)?//", re.IGNORECASE)  # at the start of an attribute
LOADS = re.compile(r"https?://|url\(\s*['\"]?//|@import", re.IGNORECASE)  # in CSS and scripts


@cache
def _pages(root: Path) -> tuple[Page, ...]:
    return tuple(read_page(path, root) for path in sorted(root.rglob("*.html")))


def pages(site: BuiltSite) -> tuple[Page, ...]:
    return _pages(site.root)


def test_site_has_every_kind_of_page(site: BuiltSite) -> None:
    root, snapshot = site.root, site.snapshot
    for name in ("index.html", "zoeken.html", "deelname.html", "feed.xml", "zoekindex.js"):
        assert (root / name).is_file(), name
    assert len(list((root / "inzicht").glob("*.html"))) == len(snapshot.learnings)
    assert len(list((root / "proeftuin").glob("*.html"))) >= 7
    assert (root / "grafiek" / "deelname.svg").is_file()
    assert site.report.pages == len(pages(site))
    assert site.report.written == site.report.files and site.report.removed == 0


def test_every_page_is_structured_for_assistive_technology(site: BuiltSite) -> None:
    problems: list[str] = []
    for page in pages(site):
        found = [
            *heading_problems(page),
            *page.unclosed,
            *(
                f"landmark {mark} missing"
                for mark in ("header", "nav", "main", "footer")
                if mark not in page.landmarks
            ),
        ]
        if page.landmarks.count("main") != 1:
            found.append("not exactly one <main>")
        if page.lang != "nl" or not page.title.strip() or not page.viewport:
            found.append(f"lang={page.lang!r} title={page.title!r} viewport={page.viewport}")
        duplicates = {i for i in page.ids if page.ids.count(i) > 1}
        if duplicates:
            found.append(f"duplicate ids {duplicates}")
        skip = page.first_focusable or {}
        if skip.get("href", "").lstrip("#") not in page.ids or "skip-link" not in skip.get(
            "class", ""
        ):
            found.append(f"first focusable element is not a skip link: {skip}")
        found += [f"image without alt: {img}" for img in page.images if not img.get("alt")]
        found += [
            f"input without label: {field}"
            for field in page.inputs
            if field.get("id") not in page.label_for and not field.get("aria-label")
        ]
        problems += [f"{page.path}: {problem}" for problem in found]
    assert not problems, "\n".join(problems[:20])


def _resolve(root: Path, page: str, url: str) -> tuple[Path, str]:
    parts = urlsplit(url)
    target = (root / page).parent / unquote(parts.path) if parts.path else root / page
    return target.resolve(), parts.fragment


def test_every_internal_link_and_source_resolves_inside_the_folder(site: BuiltSite) -> None:
    root = site.root.resolve()
    ids = {page.path: set(page.ids) for page in pages(site)}
    broken: list[str] = []
    for page in pages(site):
        urls = [link["href"] for link in page.links] + [src for _, src in page.sources]
        for url in urls:
            if EXTERNAL.match(url):
                continue  # checked below: only learnings' own source links
            target, fragment = _resolve(root, page.path, url)
            if not target.is_relative_to(root) or not target.is_file():
                broken.append(f"{page.path}: {url}")
            elif fragment and fragment not in ids.get(target.relative_to(root).as_posix(), ()):
                broken.append(f"{page.path}: {url} (no such id)")
    assert not broken, "\n".join(broken[:20])


def test_nothing_is_loaded_from_elsewhere(site: BuiltSite) -> None:
    loaded: list[str] = []
    for page in pages(site):
        loaded += [
            f"{page.path}: <{tag} src={src}>"
            for tag, src in page.sources
            if ":" in src or src.startswith("//")
        ]
        for link in page.links:
            if link["tag"] == "link" and EXTERNAL.match(link["href"]):
                loaded.append(f"{page.path}: <link href={link['href']}>")
            elif link["tag"] == "a" and EXTERNAL.match(link["href"]):
                # A learning's own source: a plain link people may follow, never loaded.
                assert page.path.startswith("inzicht/"), (page.path, link)
                assert "noopener" in link.get("rel", ""), link
    for path in [*site.root.rglob("*.css"), *site.root.rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        if path.name != "zoekindex.js":  # the index holds learnings' text, which is only data
            loaded += [f"{path.name}: {m.group()}" for m in LOADS.finditer(text)]
    assert not loaded, "\n".join(loaded[:20])
    for page in pages(site):
        assert "fonts.googleapis" not in page.text and "analytics" not in page.text


def test_a_page_per_learning_with_enrichments_recognitions_and_author_only_when_named(
    site: BuiltSite,
) -> None:
    named = next(item for item in site.snapshot.learnings if item.author)
    anonymous = next(item for item in site.snapshot.learnings if not item.author)
    recognised = next(item for item in site.snapshot.learnings if item.recognitions > 1)
    enriched = next(item for item in site.snapshot.learnings if item.enrichments > 1)
    html = {
        item.id: (site.root / f"inzicht/{item.id}.html").read_text()
        for item in (named, anonymous, recognised, enriched)
    }
    assert "Gedeeld door" in html[named.id] and (named.author or "?") in html[named.id]
    assert "Gedeeld door" not in html[anonymous.id]
    assert anonymous.proeftuin.replace("'", "&#39;") in html[anonymous.id]
    page = html[recognised.id]
    assert "Herkend door" in page and f"{recognised.recognitions} andere proeftuinen" in page
    # Enrichments are counted, never quoted: their writers did not consent to publication.
    assert f"Verrijkt door {enriched.enrichments} andere proeftuinen" in html[enriched.id]


def test_theme_and_proeftuin_pages_paginate_and_list_every_learning_once(site: BuiltSite) -> None:
    listed: dict[str, list[str]] = {}
    for page in pages(site):
        if page.path.startswith("proeftuin/"):
            stem = page.path.split("/")[1].split(".")[0]
            listed.setdefault(stem, []).extend(
                link["href"] for link in page.links if link["href"].startswith("../inzicht/")
            )
    assert sum(len(v) for v in listed.values()) == len(site.snapshot.learnings)
    assert all(len(v) == len(set(v)) for v in listed.values())
    second_page = re.compile(r"(thema|proeftuin)/[a-z0-9-]+\.2\.html")
    second = [p for p in pages(site) if second_page.fullmatch(p.path)]
    assert second, "400 learnings over 7 proeftuinen need a second page somewhere"
    assert any(link.get("rel") == "prev" for link in second[0].links)


def test_charts_have_a_text_alternative_and_a_data_table(site: BuiltSite) -> None:
    start = (site.root / "index.html").read_text()
    participation = (site.root / "deelname.html").read_text()
    assert 'src="grafiek/deelname.svg" alt="Staafdiagrammen' in start
    weeks = {c.week for c in site.snapshot.participation}
    assert participation.count('<th scope="row">') >= len(weeks)
    svg = (site.root / "grafiek" / "deelname.svg").read_bytes()
    assert b"<dc:date>" not in svg and b"<title>" in svg


def test_learning_text_is_escaped_and_unsafe_sources_are_not_linked(tmp_path: Path) -> None:
    moment = START
    snapshot = Snapshot(
        learnings=(
            PublishedLearning(
                1,
                "<script>alert('x')</script> & meer",
                "Hofje",
                moment,
                moment,
                source_url="javascript:alert(1)",
            ),
            PublishedLearning(
                2,
                "Bron\x07 met link",
                "Hofje",
                moment,
                moment,
                themes=(ThemeRef("wonen", "Wonen"),),
                source_url="https://example.org/bericht?id=2",
            ),
        ),
        proeftuinen=("Hofje",),
    )
    build_kennisbank(snapshot, tmp_path / "site")
    first = (tmp_path / "site/inzicht/1.html").read_text()
    assert "<script>alert" not in first and "&lt;script&gt;alert(&#39;x&#39;)" in first
    assert "javascript:" not in first
    second = (tmp_path / "site/inzicht/2.html").read_text()
    assert 'href="https://example.org/bericht?id=2" rel="nofollow noopener noreferrer"' in second
    assert "\x07" not in second


def test_english_pages(site_en: BuiltSite) -> None:
    problems = []
    for page in _pages(site_en.root):
        if page.lang != "en":
            problems.append(f"{page.path}: lang {page.lang}")
        for dutch in ("Gedeeld door", "Verrijkingen", "Zoek in de kennisbank", "inzichten"):
            if dutch in page.text:
                problems.append(f"{page.path}: {dutch!r}")
    assert not problems, problems[:10]
    start = (site_en.root / "index.html").read_text()
    assert "Recent learnings" in start and "Programma SAMEN knowledge base" in start
    first = site_en.snapshot.learnings[0]
    assert f"Learning #{first.id}" in (site_en.root / f"inzicht/{first.id}.html").read_text()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_empty_programme_still_builds(tmp_path: Path, language: str) -> None:
    report = build_kennisbank(Snapshot(learnings=(), language=language), tmp_path / "site")
    assert report.pages == 3  # start, search, participation
    assert "grafiek" not in {p.name for p in (tmp_path / "site").iterdir()}


def test_every_message_key_of_the_kennisbank_exists_in_both_catalogs() -> None:
    from handlers.i18n import catalog

    package = Path(__file__).resolve().parents[2] / "bot" / "tools" / "kennisbank"
    used: set[str] = set()
    for path in package.rglob("*"):
        if path.suffix in (".j2", ".py"):
            used |= set(re.findall(r"""["'](kennisbank\.[\w.]+)["']""", path.read_text()))
    plurals = {
        "learning_count",
        "recognised_count",
        "enrichment_count",
        "recognised_by",
        "enriched_by",
    }
    for base in plurals:
        used.discard(f"kennisbank.{base}")
        used |= {f"kennisbank.{base}_one", f"kennisbank.{base}_many"}
    if "kennisbank.proeftuinen_heading" in used:  # through Translator.plural: .one / .other
        used.discard("kennisbank.proeftuinen_heading")
        used |= {"kennisbank.proeftuinen_heading.one", "kennisbank.proeftuinen_heading.other"}
    for language in ("nl", "en"):
        missing = sorted(key for key in used if key not in catalog(language))
        assert not missing, (language, missing)
