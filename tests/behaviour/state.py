"""A platform-neutral picture of the store, so one expectation fits all three adapters.

Every row is a plain tuple without platform ids: members are named by their role in the
table (`leader`, `participant`, `bob`), learnings by number and text. `Delta` is what one
command changed: per table, the rows that appeared and the rows that went.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.models import (
    BuddyOptIn,
    ChannelLink,
    Enrichment,
    Follow,
    Learning,
    Meeting,
    Member,
    Proeftuin,
    Prompt,
    Recognition,
    Rsvp,
    Theme,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the behaviour tests' programme zone


class LearningRow(NamedTuple):
    id: int
    text: str
    proeftuin: str
    ring: str
    themes: tuple[str, ...]
    author: str | None
    prompt: int | None
    consent: bool
    asked: bool


class MeetingRow(NamedTuple):
    id: int
    title: str
    theme: str | None
    proeftuin: str | None


Snapshot = dict[str, Counter[Any]]


async def snapshot(database: Any, who_is: Callable[[str, str], str]) -> Snapshot:
    """Every table a command can change, as multisets of neutral tuples."""

    async with database.unit_of_work() as session:

        async def rows(statement: Any) -> list[Any]:
            return list((await session.scalars(statement)).unique().all())

        members = {m.id: m for m in await rows(select(Member))}
        proeftuinen = {p.id: p.name for p in await rows(select(Proeftuin))}
        themes = {t.id: t.slug for t in await rows(select(Theme))}
        meetings = {m.id: m.title for m in await rows(select(Meeting))}

        def who(member_id: int | None) -> str | None:
            member = members.get(member_id) if member_id is not None else None
            return who_is(member.platform, member.user_id) if member else None

        learnings = await rows(select(Learning))
        state: Snapshot = {
            "members": Counter(who_is(m.platform, m.user_id) for m in members.values()),
            "proeftuinen": Counter(proeftuinen.values()),
            "channel_links": Counter(
                proeftuinen[c.proeftuin_id] for c in await rows(select(ChannelLink))
            ),
            "themes": Counter((t.slug, t.name) for t in await rows(select(Theme))),
            "archived": Counter(
                [f"#{t.slug}" for t in await rows(select(Theme)) if t.archived_at]
                + [p.name for p in await rows(select(Proeftuin)) if p.archived_at]
            ),
            "learnings": Counter(
                LearningRow(
                    row.id,
                    row.text,
                    proeftuinen[row.proeftuin_id],
                    row.ring,
                    tuple(sorted(t.slug for t in row.themes)),
                    who(row.author_id),
                    row.prompt_id,
                    row.consent_at is not None,
                    row.publish_requested_at is not None,
                )
                for row in learnings
            ),
            "recognitions": Counter(
                (r.learning_id, proeftuinen[r.proeftuin_id])
                for r in await rows(select(Recognition))
            ),
            "enrichments": Counter(
                (e.learning_id, proeftuinen[e.proeftuin_id], e.text, who(e.author_id))
                for e in await rows(select(Enrichment))
            ),
            "follows": Counter(
                (who(f.member_id), themes[f.theme_id]) for f in await rows(select(Follow))
            ),
            "meetings": Counter(
                MeetingRow(
                    m.id,
                    m.title,
                    themes.get(m.theme_id) if m.theme_id else None,
                    proeftuinen.get(m.proeftuin_id) if m.proeftuin_id else None,
                )
                for m in await rows(select(Meeting))
            ),
            # A meeting once cancelled or moved (its version above 0): title, local start,
            # cancelled, version. Unchanged meetings are not listed, so `bijeenkomst` rows
            # change the table `meetings` only.
            "meeting_changes": Counter(
                (
                    m.title,
                    m.starts_at.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M"),
                    m.cancelled_at is not None,
                    m.sequence,
                )
                for m in await rows(select(Meeting))
                if m.sequence
            ),
            "rsvps": Counter(
                (meetings[r.meeting_id], who(r.member_id), r.answer)
                for r in await rows(select(Rsvp))
            ),
            "prompts": Counter(
                (p.id, p.question, proeftuinen.get(p.proeftuin_id) if p.proeftuin_id else None)
                for p in await rows(select(Prompt))
            ),
            "maatjes": Counter(
                (who(o.member_id), proeftuinen.get(o.proeftuin_id) if o.proeftuin_id else None)
                for o in await rows(select(BuddyOptIn))
            ),
        }
    return state


@dataclass(frozen=True)
class Delta:
    """What changed between two snapshots."""

    before: Snapshot
    after: Snapshot

    def added(self, table: str) -> list[Any]:
        return sorted((self.after[table] - self.before[table]).elements(), key=repr)

    def removed(self, table: str) -> list[Any]:
        return sorted((self.before[table] - self.after[table]).elements(), key=repr)

    def tables(self) -> set[str]:
        """The tables with any row added or removed."""
        return {t for t in self.after if self.after[t] != self.before.get(t, Counter())}

    def describe(self) -> str:
        lines = []
        for table in sorted(self.tables()):
            for row in self.added(table):
                lines.append(f"+ {table}: {row}")
            for row in self.removed(table):
                lines.append(f"- {table}: {row}")
        return "\n".join(lines) or "(nothing changed)"


async def reset(database: Any) -> None:
    """Empty every table the bot writes (numbers start at 1 again), so the next row starts
    from the same world without a new database or a new adapter."""
    from sqlalchemy import inspect, text

    from storage.models import Base

    async with database.unit_of_work() as session:
        connection = await session.connection()
        present = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        ours = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in present]
        skip = ("alembic_version", "sqlite_", "learnings_fts")  # FTS follows by triggers
        others = sorted(n for n in present - set(ours) if not n.startswith(skip))
        for name in others + ours:  # children before parents
            await session.execute(text(f'DELETE FROM "{name}"'))
        if connection.dialect.name == "postgresql":  # DELETE and RESTART: faster than TRUNCATE
            sequences = await session.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
            )
            for sequence in sequences.all():
                await session.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        elif await _has_sequence(session):
            await session.execute(text("DELETE FROM sqlite_sequence"))


async def _has_sequence(session: Any) -> bool:
    from sqlalchemy import text

    found = await session.execute(
        text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
    )
    return found.first() is not None
