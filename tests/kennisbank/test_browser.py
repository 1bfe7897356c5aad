"""The kennisbank in headless Chromium (Debian's `chromium` + `chromedriver`, via Selenium):
a screenshot of the start page, axe-core on every kind of page (no serious or critical
violations), no request leaving 127.0.0.1, the search, a phone-sized window, a sub-folder.

Without chromium, chromedriver or axe-core (`npm ci --prefix tests/kennisbank`) these tests
skip with the reason, or fail with it when CI is set.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.support.wait import WebDriverWait

from tests.kennisbank import browser
from tests.kennisbank.conftest import BuiltSite, require

PAGES = {
    "start": "index.html",
    "theme": "thema/{theme}.html",
    "proeftuin": "proeftuin/{proeftuin}.html",
    "learning": "inzicht/{learning}.html",
    "search": "zoeken.html?q=gemeente",
    "participation": "deelname.html",
}


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    paths = browser.chromium_paths()
    require(paths if isinstance(paths, str) else None)
    with browser.chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture(scope="module")
def served(site: BuiltSite) -> Iterator[str]:
    with browser.serve(site.root) as base:
        yield base


def page_url(base: str, site: BuiltSite, kind: str) -> str:
    learning = site.snapshot.learnings[-1]
    theme = next(item for item in site.snapshot.learnings if item.themes).themes[0].slug
    proeftuin = next((site.root / "proeftuin").glob("*.html")).stem.split(".")[0]
    return base + PAGES[kind].format(theme=theme, proeftuin=proeftuin, learning=learning.id)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", header[16:24])


def test_screenshot_of_the_start_page(
    chromium: Any, served: str, site: BuiltSite, tmp_path: Path
) -> None:
    shot = browser.screenshot(chromium, served + "index.html", tmp_path / "kennisbank-start.png")
    width, height = png_size(shot)
    assert width == 1280 and height > 800 and shot.stat().st_size > 20_000
    assert chromium.find_element("css selector", "h1").text == "Kennisbank Programma SAMEN"
    header = chromium.find_element("css selector", ".site-header")
    assert header.value_of_css_property("background-color") == "rgba(18, 69, 58, 1)"  # CSS loaded


@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_serious_or_critical_violation(
    chromium: Any, served: str, site: BuiltSite, kind: str
) -> None:
    require(browser.axe_missing())
    violations = browser.run_axe(chromium, page_url(served, site, kind))
    severe = [v for v in violations if v.get("impact") in ("serious", "critical")]
    assert not severe, browser.describe(severe)


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_request_leaves_the_site(chromium: Any, served: str, site: BuiltSite, kind: str) -> None:
    chromium.get(page_url(served, site, kind))
    loaded = browser.resources(chromium)
    assert loaded and all(url.startswith(served) for url in loaded), loaded
    images = chromium.execute_script(
        "return [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0]);"
    )
    assert all(ok for _, ok in images), images


def test_search_finds_learnings_in_the_page(chromium: Any, served: str, site: BuiltSite) -> None:
    learning = site.snapshot.learnings[7]
    chromium.get(served + "index.html")
    field = chromium.find_element("id", "zoekveld-kop")
    field.send_keys(learning.proeftuin.split()[-1] + " nr. " + str(learning.id) + ")")
    field.submit()
    # submit() does not wait for the search page, nor for its script to fill in the status.
    status = WebDriverWait(chromium, 10).until(
        lambda driver: "".join(e.text for e in driver.find_elements("id", "zoekstatus"))
    )
    results = chromium.find_elements("css selector", "#zoekresultaten a")
    assert "gevonden" in status and results, status
    assert any(a.get_attribute("href").endswith(f"inzicht/{learning.id}.html") for a in results)
    results[0].click()
    assert chromium.find_element("css selector", "h1").text.startswith("Inzicht #")


def test_readable_on_a_phone(chromium: Any, served: str, site: BuiltSite) -> None:
    try:
        chromium.set_window_size(375, 800)
        for kind in ("start", "learning", "participation"):
            chromium.get(page_url(served, site, kind))
            inner, scroll = chromium.execute_script(
                "return [window.innerWidth, document.documentElement.scrollWidth];"
            )
            assert scroll <= inner, f"{kind}: page is {scroll}px wide in a {inner}px window"
    finally:
        chromium.set_window_size(1280, 900)


def test_works_from_a_sub_folder_of_a_host(chromium: Any, site: BuiltSite) -> None:
    with browser.serve(site.root, prefix="gemeente/kennisbank/") as base:
        chromium.get(base + "index.html")
        chromium.find_element("css selector", "#themas + ul a").click()
        assert chromium.current_url.startswith(base + "thema/")
        chromium.find_element("css selector", ".card h3 a").click()
        assert chromium.current_url.startswith(base + "inzicht/")
        loaded = browser.resources(chromium)
        assert any(url.endswith("static/kennisbank.css") for url in loaded), loaded
