"""`samen-bot init --current`: the programme as stored and as set, written out as a programme
file that `init` reads back without changing anything."""

from __future__ import annotations

from collections.abc import Sequence

from bot.tools.programme_apply import CurrentSettings
from handlers.i18n import Translator
from storage import members, programme
from storage.db import Database


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_toml(v) for v in values) + "]"


async def current_programme(
    database: Database,
    settings: CurrentSettings,
    t: Translator,
) -> str:
    """The programme as stored (proeftuinen with their channels and own ring, themes) and as set
    (leaders, digest channels, default ring), written as a programme file that `init` reads back
    without changing anything."""
    async with database.reading() as session:
        sites, topics = await programme.structure(session)
        accounts = sorted(settings.leaders)
        people = {}
        for account in accounts:
            platform, _, user = account.partition(":")
            member = await members.find(session, platform, user)
            people[account] = member.display_name if member is not None else user
    lines = [f"# {t('init.current_header')}", ""]
    lines.append(f"standaard_ring = {_toml(settings.default_ring)}")
    if settings.digest_channels:
        digest = [f"{p}:{c}" for p, c in settings.digest_channels]
        lines += ["", "[kenniskring]", f"kanalen = {_toml_list(digest)}"]
    by_name: dict[str, list[str]] = {}
    for account in accounts:
        by_name.setdefault(people[account], []).append(account)
    for name, ids in by_name.items():
        lines += ["", "[[leider]]", f"naam = {_toml(name)}", f"accounts = {_toml_list(ids)}"]
    for site, channels in sites:
        lines += ["", "[[proeftuin]]", f"naam = {_toml(site.name)}"]
        lines.append(f"kanalen = {_toml_list([f'{p}:{c}' for p, c in channels])}")
        if site.default_ring:
            lines.append(f"standaard_ring = {_toml(site.default_ring)}")
    for theme in topics:
        lines += ["", "[[thema]]", f"slug = {_toml(theme.slug)}", f"naam = {_toml(theme.name)}"]
        lines.append(f"trefwoorden = {_toml_list(theme.keyword_list)}")
    return "\n".join(lines) + "\n"
