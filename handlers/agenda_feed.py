"""The agenda feed: the programme's meetings as one iCalendar document that calendar apps
subscribe to (`GET /agenda/<token>.ics` on the HTTP server of `serve`, bot/ops/agenda_route.py).

What it holds is what `agenda` shows in the kenniskring channel, and no more: each meeting's
title, time, theme and proeftuin (meetings have no ring; `agenda` shows every meeting in every
channel), from `FEED_PAST` ago on, cancelled ones included with STATUS:CANCELLED so subscribed
calendars drop them. Never RSVPs or their counts, who made a meeting, channels, or what was
harvested from it (learnings have rings; the feed shows none). Each event comes from
`handlers.ics.meeting_event`, the one rule for a meeting in iCalendar (stable UID, SEQUENCE,
DTSTAMP/LAST-MODIFIED at the last change).

The document depends on the stored meetings and the window only, so equal data gives equal
bytes and the ETag (a hash of them) tells a calendar app that nothing changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import Translator
from handlers.ics import calendar_of, meeting_event
from handlers.meetings import meeting_details
from storage import meetings
from storage.models import Meeting

FEED_PAST = timedelta(days=30)  # meetings of the last 30 days stay in the feed
FEED_LIMIT = 2000  # at most this many meetings, the oldest of the window first
REFRESH = "PT1H"  # how often a calendar app should fetch the feed again


@dataclass(frozen=True, slots=True)
class Feed:
    """The feed document, its ETag (quoted) and the last change of what it shows."""

    body: bytes
    etag: str
    last_modified: datetime | None


def feed_document(meetings_shown: list[Meeting], t: Translator, timezone: ZoneInfo) -> bytes:
    """The VCALENDAR of `meetings_shown` (in the given order)."""
    events = []
    for meeting in meetings_shown:
        summary = ""
        if meeting.cancelled_at is not None:
            summary = t("feed.cancelled_summary", title=meeting.title)
        events.append(
            meeting_event(
                meeting,
                timezone,
                description=meeting_details(t, meeting),
                summary=summary,
            )
        )
    year = meetings_shown[0].starts_at.astimezone(timezone).year if meetings_shown else 1970
    return calendar_of(
        events,
        timezone,
        year,
        method="PUBLISH",
        x_wr_calname=t("feed.name"),
        x_wr_timezone=str(timezone.key),
        x_published_ttl=REFRESH,
    )


def etag_of(body: bytes) -> str:
    """A strong ETag of the document."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


async def agenda_feed(
    session: AsyncSession, t: Translator, timezone: ZoneInfo, now: datetime
) -> Feed:
    """The feed as of `now`."""
    shown = await meetings.since(session, now - FEED_PAST, FEED_LIMIT)
    body = feed_document(shown, t, timezone)
    changes = [m.updated_at or m.created_at for m in shown]
    return Feed(body, etag_of(body), max(changes) if changes else None)
