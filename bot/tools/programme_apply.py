"""A checked programme file (bot/tools/programme_file.py) applied to the store and compared with
the settings.

`apply_programme` makes the database agree with the file through the repositories
(storage.proeftuinen, storage.themes, storage.members, storage.programme): what is missing is
created, what differs is updated, a channel linked elsewhere is moved; nothing that is not in the
file is removed. A second run changes nothing. Leaders, digest channels and the default ring are
settings (SAMEN_LEADERS, SAMEN_DIGEST_CHANNEL, SAMEN_DEFAULT_RING): where the settings differ
from the file, the outcome says which line to put in `.env`, and `write_env` puts it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.tools.programme_file import Programme
from storage import members, proeftuinen, programme, themes
from storage.db import Database
from storage.models import Proeftuin, Role


@dataclass(frozen=True, slots=True)
class Change:
    """One line of init's summary: what (proeftuin, kanaal, thema, leider, instelling), which
    one, and what happens (`action`: new, updated, moved, unchanged, setting)."""

    kind: str
    name: str
    action: str
    detail: str = ""


@dataclass(slots=True)
class Outcome:
    """What `apply_programme` did (or would do, on a dry run)."""

    changes: list[Change] = field(default_factory=list)
    env_lines: list[str] = field(default_factory=list)  # KEY=value the settings lack

    @property
    def changed(self) -> int:
        return sum(1 for c in self.changes if c.action in ("new", "updated", "moved"))


class _DryRun(Exception):
    """Raised at the end of a dry run's unit of work, so it is rolled back."""


@dataclass(frozen=True, slots=True)
class CurrentSettings:
    """The settings init compares the file with."""

    leaders: frozenset[str]
    digest_channels: tuple[tuple[str, str], ...]
    default_ring: str


async def apply_programme(
    database: Database,
    plan: Programme,
    settings: CurrentSettings,
    *,
    dry_run: bool = False,
) -> Outcome:
    """Make the database agree with `plan` (see the module's docstring); with `dry_run`,
    only say what would change."""
    outcome = Outcome()
    try:
        async with database.unit_of_work() as session:
            await apply_to(session, plan, outcome)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    _compare_settings(plan, settings, outcome)
    return outcome


async def apply_to(
    session: AsyncSession, plan: Programme, outcome: Outcome, *, move_channels: bool = True
) -> dict[str, Proeftuin]:
    """`apply_programme` inside the caller's unit of work, without the settings; returns the
    file's proeftuinen by name. `move_channels=False` leaves a channel that is linked to another
    proeftuin where it is (the demo does not undo what a leader linked)."""
    add = outcome.changes.append
    sites: dict[str, Proeftuin] = {}
    links = await programme.channel_links(session)
    for site in plan.proeftuinen:
        proeftuin, created = await proeftuinen.get_or_create(session, site.name)
        sites[site.name] = proeftuin
        ring_changed = await programme.set_default_ring(session, proeftuin, site.default_ring)
        if created:
            add(Change("proeftuin", site.name, "new"))
        elif ring_changed:
            add(Change("proeftuin", site.name, "updated", site.default_ring or "-"))
        else:
            add(Change("proeftuin", site.name, "unchanged"))
        for platform, channel in site.channels:
            place = f"{platform}:{channel}"
            before = links.get((platform, channel))
            if before is not None and before.lower() == proeftuin.name.lower():
                add(Change("channel", place, "unchanged", proeftuin.name))
                continue
            if before is not None and not move_channels:
                add(Change("channel", place, "kept", before))
                continue
            await proeftuinen.link_channel(session, platform, channel, proeftuin)
            if before is None:
                add(Change("channel", place, "new", proeftuin.name))
            else:
                add(Change("channel", place, "moved", f"{before} → {proeftuin.name}"))

    for platform, channel in plan.digest_channels:
        owner = links.get((platform, channel))
        if owner is not None:  # the digest would land in one proeftuin's channel
            add(Change("digest", f"{platform}:{channel}", "warning", owner))

    existing = await themes.by_slugs(session, [t.slug for t in plan.themes])
    for spec in plan.themes:
        theme = existing.get(spec.slug)
        if theme is None:
            await themes.create(
                session, spec.slug, spec.name, programme.keywords_text(spec.keywords)
            )
            add(Change("theme", f"#{spec.slug}", "new", spec.name))
        elif await programme.set_theme_details(session, theme, spec.name, spec.keywords):
            add(Change("theme", f"#{spec.slug}", "updated", spec.name))
        else:
            add(Change("theme", f"#{spec.slug}", "unchanged", spec.name))

    for leader in plan.leaders:
        for platform, user in leader.accounts:
            member = await members.find(session, platform, user)
            if member is None:
                action = "new"
            elif member.display_name != leader.name or member.role != Role.LEIDER.value:
                action = "updated"
            else:
                action = "unchanged"
            await members.upsert(session, platform, user, leader.name, Role.LEIDER.value)
            add(Change("leader", leader.name, action, f"{platform}:{user}"))
    return sites


def _compare_settings(plan: Programme, current: CurrentSettings, outcome: Outcome) -> None:
    accounts = [f"{p}:{u}" for leader in plan.leaders for p, u in leader.accounts]
    if accounts and set(accounts) != set(current.leaders):
        outcome.env_lines.append(f"SAMEN_LEADERS={','.join(accounts)}")
    if plan.digest_channels and set(plan.digest_channels) != set(current.digest_channels):
        channels = ",".join(f"{p}:{c}" for p, c in plan.digest_channels)
        outcome.env_lines.append(f"SAMEN_DIGEST_CHANNEL={channels}")
    if plan.default_ring and plan.default_ring != current.default_ring:
        outcome.env_lines.append(f"SAMEN_DEFAULT_RING={plan.default_ring}")


def write_env(path: Path, lines: list[str]) -> list[str]:
    """Set these `KEY=value` lines in the .env file at `path` (made when missing), keeping every
    other line and comment; returns the keys whose line was added or changed."""
    existing = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    wanted = dict(line.split("=", 1) for line in lines)
    kept: list[str] = []
    changed: list[str] = []
    for line in existing:
        key = line.split("=", 1)[0].strip()
        if "=" not in line or line.lstrip().startswith("#") or key not in wanted:
            kept.append(line)
            continue
        new = f"{key}={wanted.pop(key)}"
        if line.strip() != new:
            changed.append(key)
        kept.append(new)
    for key, value in wanted.items():
        kept.append(f"{key}={value}")
        changed.append(key)
    if changed:
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return changed
