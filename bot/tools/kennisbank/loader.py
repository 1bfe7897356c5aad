"""From the database to a kennisbank Snapshot: only what the buitenwereld may see."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from bot.tools.kennisbank.snapshot import PublishedLearning, Snapshot, ThemeRef, WeekCount
from handlers.text import unmask_links, without_platform_ids
from storage import exports, learnings, proeftuinen, themes
from storage.db import Database
from storage.models import Learning, Ring
from storage.visibility import Viewer

PUBLIC = Viewer.for_ring(Ring.BUITENWERELD)


def _published(learning: Learning) -> PublishedLearning:
    """A learning as the public may see it: proeftuin always, the author only when they chose
    so. Recognitions and enrichments only as counts of proeftuinen: their writers did not consent
    to publication. The source link is left out: it points into a private chat workspace and
    would reveal its name."""
    return PublishedLearning(
        id=learning.id,
        # Masked links shown as on Slack and Discord; no platform ids in mentions.
        text=without_platform_ids(unmask_links(learning.text)),
        proeftuin=learning.proeftuin.name,
        published_at=learning.published_at or learning.consent_at or learning.created_at,
        created_at=learning.created_at,
        themes=tuple(ThemeRef(t.slug, t.name) for t in learning.themes),
        author=_public_author(learning),
        recognitions=len({r.proeftuin_id for r in learning.recognitions}),
        enrichments=len({e.proeftuin_id for e in learning.enrichments}),
        ring=learning.ring,
    )


def _public_author(learning: Learning) -> str | None:
    """The author's name if they chose to be named and have one (a member known only by their
    platform id stays anonymous, as in the public export)."""
    author = learning.author
    if author is None or not learning.author_public or author.display_name == author.user_id:
        return None
    return author.display_name


async def load_snapshot(database: Database, *, language: str, timezone: ZoneInfo) -> Snapshot:
    """Everything one kennisbank build needs, read in one unit of work."""
    async with database.unit_of_work() as session:
        public = await learnings.list_visible(session, PUBLIC)
        all_themes = await themes.list_all(session)
        all_proeftuinen = await proeftuinen.list_all(session)
        names = {p.id: p.name for p in all_proeftuinen}
        weeks: Counter[tuple[str, str]] = Counter()
        async for proeftuin_id, created_at in exports.learning_moments(session):
            year, week, _ = created_at.astimezone(timezone).isocalendar()
            weeks[(names[proeftuin_id], f"{year}-W{week:02d}")] += 1
        return Snapshot(
            learnings=tuple(_published(learning) for learning in public),
            themes=tuple(ThemeRef(t.slug, t.name) for t in all_themes),
            proeftuinen=tuple(p.name for p in all_proeftuinen),
            participation=tuple(
                WeekCount(proeftuin, week, count)
                for (proeftuin, week), count in sorted(weeks.items())
            ),
            language=language,
            timezone=timezone.key,
        )
