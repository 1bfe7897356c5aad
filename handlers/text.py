"""Small text helpers shared by handlers: theme tags, numbers, shortening, suggestions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from handlers import limits
from handlers.types import UserError

SLUG_RE = re.compile(r"(?<![\w&])#([^\W_][\w-]{0,59})", re.UNICODE)
VALID_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
WORD_RE = re.compile(r"\w+", re.UNICODE)
# `[label](target)`, `[label](<target>)`, `[label](target "title")`: a Markdown masked link
MASKED_LINK_RE = re.compile(r'\[([^\[\]\n]*)\]\(\s*<?([^\s()<>]+)>?(?:\s+"[^"\n]*")?\s*\)')
# `#zorg#wonen`: tags typed together, each a tag of its own
JOINED_SLUGS_RE = re.compile(r"(?<![\w&])#[^\W_][\w-]*(?:#[^\W_][\w-]*)+", re.UNICODE)
REPLY_TEXT_LIMIT = 280


def slugs_in(text: str) -> list[str]:
    """The `#slug` words in a text, lower-case, in order, without repeats."""
    seen: dict[str, None] = {}
    text = JOINED_SLUGS_RE.sub(lambda m: m.group(0).replace("#", " #"), text)
    for match in SLUG_RE.finditer(text):
        slug = match.group(1).lower().rstrip("-")
        if not slug.isdigit():
            seen.setdefault(slug, None)
    return list(seen)


def theme_words(text: str) -> list[str]:
    """The themes an argument of only theme words names, with or without `#`, also when they
    were typed together: `'zorg #wonen#energie'` -> `['zorg', 'wonen', 'energie']` (what a
    Discord option holds, and what people type on every platform)."""
    return slugs_in(" ".join(f"#{word}" for word in text.replace("#", " ").split()))


def unmask_links(text: str) -> str:
    """User text with no masked link left: `[label](target)` becomes `label (target)`, so the
    real target shows beside whatever the label pretends; any other `](` is split apart, so no
    platform can read it as a link. Used alike by the Slack and Discord renderers and the
    kennisbank."""
    if "](" not in text:
        return text

    def plain(match: re.Match[str]) -> str:
        label = match.group(1).strip()
        return f"{label} ({match.group(2)})" if label else f"({match.group(2)})"

    return MASKED_LINK_RE.sub(plain, text).replace("](", "] (")


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or punctuation)."""
    return any(ch.isalnum() for ch in text)


def has_words_besides_tags(text: str) -> bool:
    """True when the text holds a word that is not part of a `#slug` tag (`#zorg` alone is no
    learning)."""
    text = JOINED_SLUGS_RE.sub(lambda m: m.group(0).replace("#", " #"), text)
    return has_words(SLUG_RE.sub(" ", text))


def usage_syntax(usage: str) -> str:
    """Only the syntax of a usage line: "`/samen x <y>`: does z" -> "`/samen x <y>`" (errors say
    what went wrong themselves; help shows the whole line)."""
    head, sep, _ = usage.partition("`: ")
    return f"{head}`" if sep else usage


def shorten(text: str, limit: int = REPLY_TEXT_LIMIT) -> str:
    """The text on one line, cut at a word boundary with an ellipsis when longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def parse_number(word: str, usage: str, unknown: str = "error.no_such_learning") -> int:
    """A learning, meeting or prompt number as typed (`12` or `#12`); a friendly error otherwise:
    `error.not_a_number` for what is no number, `unknown` (the reply to a number that does not
    exist) for one beyond the column's range (`limits.MAX_ID`), so it never reaches the database.
    """
    cleaned = word.strip().lstrip("#")
    if not cleaned:
        raise UserError("error.missing_number", usage=usage)
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise UserError("error.not_a_number", word=shorten(word, 40) or "…", usage=usage)
    digits = cleaned.lstrip("0") or "0"
    if len(digits) > len(str(limits.MAX_ID)) or not limits.fits_id(int(digits)):
        shown = digits if len(digits) <= limits.NUMBER_ECHO else digits[: limits.NUMBER_ECHO] + "…"
        raise UserError(unknown, number=shown)
    return int(digits)


class ThemeLike(Protocol):
    """What suggestions need of a theme (a Theme row or a cached ThemeInfo)."""

    @property
    def slug(self) -> str: ...

    @property
    def keyword_list(self) -> Sequence[str]: ...


T = TypeVar("T", bound=ThemeLike)


def closest_slug(slug: str, known: Iterable[str]) -> str | None:
    """The known slug nearest to a mistyped one."""
    matches = difflib.get_close_matches(slug, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest_themes(text: str, themes: Sequence[T], limit: int = 3) -> list[T]:
    """Themes whose keywords (or slug) occur in the text, best first."""
    words = {w.lower() for w in WORD_RE.findall(text)}
    lowered = text.lower()
    scored: list[tuple[int, str, T]] = []
    for theme in themes:
        score = 0
        for keyword in [*theme.keyword_list, theme.slug]:
            if " " in keyword:
                score += 2 if keyword in lowered else 0
            elif keyword in words or any(w.startswith(keyword) for w in words if len(keyword) > 3):
                score += 1
        if score:
            scored.append((-score, theme.slug, theme))
    return [theme for _, _, theme in sorted(scored)[:limit]]


def tags(themes: Iterable[ThemeLike]) -> str:
    """`#a, #b` for a list of themes."""
    return ", ".join(f"#{t.slug}" for t in themes)


PLATFORM_MENTION_RE = re.compile(r"<([@#])[!&]?[A-Za-z0-9]+(?:\|([^<>|]*))?>")


def without_platform_ids(text: str) -> str:
    """Text for the public: mentions of people as `@…`, channels by name (else `#…`)."""

    def plain(match: re.Match[str]) -> str:
        if match.group(1) == "#":
            return f"#{match.group(2).strip() or '…'}" if match.group(2) else "#…"
        return "@…"

    return PLATFORM_MENTION_RE.sub(plain, text)
