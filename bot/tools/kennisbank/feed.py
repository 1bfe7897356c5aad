"""The kennisbank's Atom feed (RFC 4287), written with xml.etree (no feed library is installed).

The bytes depend only on the learnings: entries newest first (ties by number), an entry's
`updated` is the learning's publication time, the feed's `updated` the newest of those (never the
build time), and ids are name-based UUIDs, so the same learning keeps the same id in every build.
Links are relative to the feed (it lives at the site's root) unless a base URL is given.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.tools.kennisbank.snapshot import PublishedLearning

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_SIZE = 50  # the newest learnings; the site holds the rest
NO_UPDATES = datetime(1970, 1, 1, tzinfo=UTC)  # an empty feed still needs an <updated>
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM)


def atom_time(moment: datetime) -> str:
    """RFC 3339 in UTC, to the second: '2026-12-03T18:30:00Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def xml_text(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry."""
    return NOT_XML.sub("", text)


def entry_id(learning_id: int, base_url: str | None = None) -> str:
    name = f"{base_url or 'samen-bot'}:kennisbank:inzicht:{learning_id}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = xml_text(text)
    return element


def atom_feed(
    learnings: Sequence[PublishedLearning],
    *,
    title: str,
    subtitle: str,
    publisher: str,
    language: str,
    entry_title: dict[int, str],
    base_url: str | None = None,
) -> bytes:
    """The feed of the newest `FEED_SIZE` learnings; `learnings` must be sorted newest first.

    `entry_title` maps a learning's id to its (translated) title; `publisher` is the feed's
    author, used for entries whose author chose not to be named.
    """
    base = base_url.rstrip("/") + "/" if base_url else ""
    newest = learnings[:FEED_SIZE]
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: language})
    _sub(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"{base or 'samen-bot'}:kennisbank").urn)
    _sub(feed, "title", title)
    _sub(feed, "subtitle", subtitle)
    _sub(feed, "updated", atom_time(newest[0].published_at if newest else NO_UPDATES))
    _sub(_sub(feed, "author"), "name", publisher)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}feed.xml")
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{base}index.html")
    _sub(feed, "generator", "samen-bot")
    for learning in newest:
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(learning.id, base_url))
        _sub(entry, "title", entry_title[learning.id])
        _sub(entry, "updated", atom_time(learning.published_at))
        _sub(entry, "published", atom_time(learning.published_at))
        if learning.author:
            _sub(_sub(entry, "author"), "name", learning.author)
        _sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{base}inzicht/{learning.id}.html",
        )
        for theme in learning.themes:
            _sub(entry, "category", term=theme.slug, label=xml_text(theme.name))
        _sub(entry, "content", learning.text, type="text")
    ET.indent(feed, space="  ")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
