"""Valid HTML5, CSS and SVG: the Nu Html Checker (the W3C's validator, `vnu-jar` from npm, run
with the system's Java) over every kind of page, the stylesheet and the charts.

Without Java or vnu.jar (`npm ci --prefix tests/kennisbank`) this skips with the reason, or
fails with it when CI is set.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.kennisbank.conftest import BuiltSite, require

VNU = Path(__file__).resolve().parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_missing() -> str | None:
    if not shutil.which("java"):
        return "java not found: install Debian's `default-jre-headless` for the Nu Html Checker"
    if not VNU.is_file():
        return f"vnu.jar not found at {VNU}: run `npm ci --prefix tests/kennisbank`"
    return None


def sample(site: BuiltSite) -> list[Path]:
    root = site.root
    picks = [
        root / "index.html",
        root / "zoeken.html",
        root / "deelname.html",
        root / "static" / "kennisbank.css",
        root / "grafiek" / "deelname.svg",
        *sorted((root / "inzicht").glob("*.html"))[:5],
        *sorted((root / "thema").glob("*.html"))[:3],
        *sorted((root / "proeftuin").glob("*.html"))[:3],
        *sorted((root / "grafiek").glob("*.svg"))[:2],
    ]
    with_extras = [
        next((root / "inzicht").glob(f"{i.id}.html"))
        for i in site.snapshot.learnings
        if i.enrichments and i.author
    ][:2]
    return picks + with_extras + sorted(root.glob("*/*.2.html"))[:2]


def test_pages_stylesheet_and_charts_are_valid(site: BuiltSite, site_en: BuiltSite) -> None:
    require(vnu_missing())
    english = [site_en.root / "index.html", *sorted(site_en.root.glob("inzicht/*"))[:2]]
    files = sample(site) + english
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--also-check-css",
            "--also-check-svg",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    problems = [
        f"{m.get('url', '').rsplit('/', 2)[-2:]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
        or (m.get("subType") == "warning" and "does not validate RDF" not in m["message"])
    ]
    assert not problems, "\n".join(problems[:20])
