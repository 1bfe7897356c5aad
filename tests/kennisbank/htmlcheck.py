"""A small structural reader for the kennisbank's pages (stdlib html.parser): what the tests
assert on (language, headings, landmarks, labels, alt texts, ids, links and sources).

It is no validator (test_validity.py runs the Nu Html Checker for that); it collects facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}


@dataclass
class Page:
    """Facts about one HTML page."""

    path: str
    lang: str | None = None
    title: str = ""
    viewport: bool = False
    headings: list[tuple[int, str]] = field(default_factory=list)
    landmarks: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)  # <a>, <link> with href
    sources: list[tuple[str, str]] = field(default_factory=list)  # (tag, src)
    images: list[dict[str, str]] = field(default_factory=list)
    inputs: list[dict[str, str]] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    first_focusable: dict[str, str] | None = None
    unclosed: list[str] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.heading: tuple[int, list[str]] | None = None
        self.in_title = False
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        page = self.page
        if tag not in VOID:
            self.stack.append(tag)
        if "id" in a:
            page.ids.append(a["id"])
        if tag == "html":
            page.lang = a.get("lang")
        elif tag == "title":
            self.in_title = True
        elif tag == "meta" and a.get("name") == "viewport":
            page.viewport = "width=device-width" in a.get("content", "")
        elif tag in ("header", "nav", "main", "footer"):
            page.landmarks.append(tag)
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.heading = (int(tag[1]), [])
        elif tag == "img":
            page.images.append(a)
        elif tag in ("input", "select", "textarea"):
            page.inputs.append({"tag": tag, **a})
        elif tag == "label" and a.get("for"):
            page.label_for.add(a["for"])
        if tag in ("a", "link") and "href" in a:
            page.links.append({"tag": tag, **a})
        if "src" in a:
            page.sources.append((tag, a["src"]))
        if page.first_focusable is None and tag in FOCUSABLE and a.get("type") != "hidden":
            page.first_focusable = {"tag": tag, **a}

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.heading and tag == f"h{self.heading[0]}":
            self.page.headings.append((self.heading[0], "".join(self.heading[1]).strip()))
            self.heading = None
        if tag in VOID:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.page.unclosed.append(f"</{tag}> while open: {self.stack[-3:]}")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.heading:
            self.heading[1].append(data)
        self.chunks.append(data)


def read_page(path: Path, root: Path) -> Page:
    """Parse one page; `root` is the site folder (for the page's relative name)."""
    page = Page(path=path.relative_to(root).as_posix())
    reader = _Reader(page)
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    page.unclosed.extend(f"<{tag}> never closed" for tag in reader.stack)
    page.text = " ".join(reader.chunks)
    return page


def heading_problems(page: Page) -> list[str]:
    """One h1, first heading h1, and no level skipped on the way down."""
    problems = []
    levels = [level for level, _ in page.headings]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 elements")
    if levels and levels[0] != 1:
        problems.append(f"first heading is h{levels[0]}")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"h{before} followed by h{after}")
    if any(not text for _, text in page.headings):
        problems.append("an empty heading")
    return problems
