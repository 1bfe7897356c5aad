"""The programme file of `samen-bot init FILE`, read and checked.

The file (see docs/programma.example.toml, bundled as bot/tools/programma.toml) names the
programme's proeftuinen with their channels and own default ring, its themes with names and
keywords, its leaders with their accounts, the kenniskring's channel(s) for the digest and the
default ring. `read_programme` checks it all before anything is changed and refuses with one line
that names the file, the line and the key, and says what to write instead; applying it is
bot/tools/programme_apply.py.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handlers import limits
from handlers.i18n import Translator
from storage import programme
from storage.models import Ring

EXAMPLE = Path(__file__).with_name("programma.toml")
PLATFORMS = ("slack", "discord", "console")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RINGS = (Ring.KENNISKRING.value, Ring.PROEFTUIN.value)

TOP_KEYS = ("naam", "standaard_ring", "kenniskring", "leider", "proeftuin", "thema")
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "kenniskring": ("kanalen",),
    "leider": ("naam", "accounts"),
    "proeftuin": ("naam", "kanalen", "standaard_ring"),
    "thema": ("slug", "naam", "trefwoorden"),
}


class ProgrammeError(Exception):
    """The programme file cannot be applied; the message is the one line to show."""


@dataclass(frozen=True, slots=True)
class SiteSpec:
    name: str
    channels: tuple[tuple[str, str], ...]
    default_ring: str | None


@dataclass(frozen=True, slots=True)
class ThemeSpec:
    slug: str
    name: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LeaderSpec:
    name: str
    accounts: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Programme:
    """A programme file, checked."""

    source: Path
    name: str
    default_ring: str | None
    digest_channels: tuple[tuple[str, str], ...]
    leaders: tuple[LeaderSpec, ...]
    proeftuinen: tuple[SiteSpec, ...]
    themes: tuple[ThemeSpec, ...]


class _Lines:
    """Finds the line of a key in the file's text, for error messages (tomllib gives none)."""

    HEADER = re.compile(r"^\s*\[(\[?)\s*([^\]\s]+)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _section(self, table: str | None, index: int | None) -> tuple[int, int]:
        """The (first, end) line indexes of a table (its header first); the top level when
        `table` is None; the whole file when the table is not found."""
        headers = [
            (number, match.group(2))
            for number, line in enumerate(self.lines)
            if (match := self.HEADER.match(line))
        ]
        if table is None:
            return 0, headers[0][0] if headers else len(self.lines)
        starts = [number for number, name in headers if name == table]
        wanted = index or 0
        if wanted >= len(starts):
            return 0, len(self.lines)
        first = starts[wanted]
        later = [number for number, _ in headers if number > first]
        return first, later[0] if later else len(self.lines)

    def find(self, table: str | None, index: int | None, key: str | None, value: str = "") -> int:
        """The 1-based line of `key` (or of `value` in its array) in that table, else of the
        table's header."""
        first, end = self._section(table, index)
        key_line = None
        if key is not None:
            pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
            for number in range(first, end):
                if pattern.match(self.lines[number]):
                    key_line = number
                    break
        if key_line is not None and value:
            for number in range(key_line, end):
                if f'"{value}"' in self.lines[number] or f"'{value}'" in self.lines[number]:
                    return number + 1
        return (key_line if key_line is not None else first) + 1


class _Reader:
    def __init__(self, source: Path, text: str, t: Translator) -> None:
        self.source = source
        self.lines = _Lines(text)
        self.t = t

    def fail(
        self,
        message: str,
        table: str | None,
        index: int | None,
        at: str | None,
        value: str = "",
        **values: object,
    ) -> ProgrammeError:
        """The error `message` at key `at` of a table (its `index`-th when an array)."""
        line = self.lines.find(table, index, at, value)
        where = self._where(table, index, at)
        text = self.t(message, where=where, key=at, value=value, **values)
        return ProgrammeError(f"{self.source}:{line}: {text}")

    def _where(self, table: str | None, index: int | None, key: str | None) -> str:
        parts = []
        if table is not None:
            parts.append(f"[[{table}]] {index + 1}" if index is not None else f"[{table}]")
        if key is not None:
            parts.append(key)
        return " ".join(parts) if parts else "?"

    def keys(
        self, data: Mapping[str, Any], allowed: Sequence[str], table: str | None, i: int | None
    ) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                raise self.fail(
                    "init.error_unknown_key",
                    table,
                    i,
                    key,
                    expected=", ".join(f"`{k}`" for k in (close or allowed)),
                )

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        table: str | None,
        i: int | None,
        limit: int,
        example: str,
        *,
        required: bool = True,
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail("init.error_missing", table, i, key, example=example)
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail("init.error_not_text", table, i, key, example=example)
        value = limits.clean(value).strip()
        if len(value) > limit:
            raise self.fail("init.error_too_long", table, i, key, length=len(value), limit=limit)
        return value

    def places(
        self, data: Mapping[str, Any], key: str, table: str | None, i: int | None, kind: str
    ) -> tuple[tuple[str, str], ...]:
        """A list of platform:id strings."""
        raw = data.get(key, [])
        example = '"slack:C0123ABCD"' if kind == "channel" else '"slack:U0123ABCD"'
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            raise self.fail("init.error_not_list", table, i, key, example=example)
        found: list[tuple[str, str]] = []
        for item in raw:
            if not isinstance(item, str):
                raise self.fail("init.error_not_list", table, i, key, example=example)
            platform, sep, ident = item.strip().partition(":")
            platform, ident = platform.strip().lower(), ident.strip()
            if platform == "console":
                ident = ident.lstrip("#")
            if not sep or platform not in PLATFORMS or not ident or " " in ident:
                raise self.fail("init.error_place", table, i, key, item, example=example)
            if platform == "slack" and ident.startswith("#"):
                raise self.fail("init.error_slack_name", table, i, key, item)
            if platform == "discord" and not ident.isdigit():
                raise self.fail("init.error_discord_id", table, i, key, item)
            if (platform, ident) not in found:
                found.append((platform, ident))
        return tuple(found)

    def ring(self, data: Mapping[str, Any], table: str | None, i: int | None) -> str | None:
        value = data.get("standaard_ring")
        if value is None:
            return None
        if value not in RINGS:
            raise self.fail("init.error_ring", table, i, "standaard_ring", str(value))
        return str(value)

    def array(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail("init.error_table", None, None, key)
        return value


def read_programme(source: Path, t: Translator) -> Programme:
    """The programme in `source`, checked; ProgrammeError (one line) when it cannot be used.
    OSError when the file cannot be read."""
    raw = source.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        where = raw[: error.start].count(b"\n") + 1
        raise ProgrammeError(f"{source}:{where}: {t('init.error_encoding')}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = found.group(1) if found else "1"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise ProgrammeError(f"{source}:{line}: {t('init.error_syntax', reason=reason)}") from None
    reader = _Reader(source, text, t)
    reader.keys(data, TOP_KEYS, None, None)
    name = reader.text(data, "naam", None, None, 200, '"Programma SAMEN"', required=False)

    kenniskring = data.get("kenniskring", {})
    if not isinstance(kenniskring, dict):
        raise reader.fail("init.error_table", None, None, "kenniskring")
    reader.keys(kenniskring, TABLE_KEYS["kenniskring"], "kenniskring", None)
    digest = reader.places(kenniskring, "kanalen", "kenniskring", None, "channel")
    channel_owner: dict[tuple[str, str], str] = {place: "kenniskring" for place in digest}

    leaders = []
    for i, row in enumerate(reader.array(data, "leider")):
        reader.keys(row, TABLE_KEYS["leider"], "leider", i)
        leader = reader.text(row, "naam", "leider", i, limits.DISPLAY_NAME, '"Floor Ziegler"')
        accounts = reader.places(row, "accounts", "leider", i, "account")
        if not accounts:
            raise reader.fail(
                "init.error_missing",
                "leider",
                i,
                "accounts",
                example='["slack:U0123ABCD"]',
            )
        leaders.append(LeaderSpec(str(leader), accounts))

    sites: list[SiteSpec] = []
    names: dict[str, int] = {}
    for i, row in enumerate(reader.array(data, "proeftuin")):
        reader.keys(row, TABLE_KEYS["proeftuin"], "proeftuin", i)
        site = str(
            reader.text(row, "naam", "proeftuin", i, limits.PROEFTUIN_NAME, '"Buurtkamer Zuid"')
        )
        if site.lower() in names:
            raise reader.fail(
                "init.error_duplicate",
                "proeftuin",
                i,
                "naam",
                site,
                other=f"[[proeftuin]] {names[site.lower()] + 1}",
            )
        names[site.lower()] = i
        channels = reader.places(row, "kanalen", "proeftuin", i, "channel")
        for place in channels:
            owner = channel_owner.get(place)
            if owner is not None:
                raise reader.fail(
                    "init.error_channel_twice",
                    "proeftuin",
                    i,
                    "kanalen",
                    ":".join(place),
                    other=owner,
                )
            channel_owner[place] = site
        sites.append(SiteSpec(site, channels, reader.ring(row, "proeftuin", i)))

    theme_specs: list[ThemeSpec] = []
    slugs: dict[str, int] = {}
    for i, row in enumerate(reader.array(data, "thema")):
        reader.keys(row, TABLE_KEYS["thema"], "thema", i)
        slug = str(reader.text(row, "slug", "thema", i, limits.THEME_SLUG, '"wonen"'))
        slug = slug.removeprefix("#")
        if not SLUG_RE.match(slug):
            raise reader.fail(
                "init.error_slug",
                "thema",
                i,
                "slug",
                slug,
                example=re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-") or "wonen",
            )
        if slug in slugs:
            raise reader.fail(
                "init.error_duplicate",
                "thema",
                i,
                "slug",
                slug,
                other=f"[[thema]] {slugs[slug] + 1}",
            )
        slugs[slug] = i
        title = str(reader.text(row, "naam", "thema", i, limits.THEME_NAME, '"Wonen"'))
        words = row.get("trefwoorden", [])
        if isinstance(words, str):
            words = words.split(",")
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise reader.fail(
                "init.error_not_list",
                "thema",
                i,
                "trefwoorden",
                example='"huur", "woning"',
            )
        keywords = tuple(limits.clean(w).strip().lower() for w in words if w.strip())
        if len(programme.keywords_text(keywords)) > limits.THEME_KEYWORDS:
            raise reader.fail(
                "init.error_too_long",
                "thema",
                i,
                "trefwoorden",
                length=len(programme.keywords_text(keywords)),
                limit=limits.THEME_KEYWORDS,
            )
        theme_specs.append(ThemeSpec(slug, title, keywords))

    if not sites and not theme_specs:
        raise ProgrammeError(f"{source}:1: {t('init.error_empty')}")
    return Programme(
        source=source,
        name=name or "",
        default_ring=reader.ring(data, None, None),
        digest_channels=digest,
        leaders=tuple(leaders),
        proeftuinen=tuple(sites),
        themes=tuple(theme_specs),
    )
