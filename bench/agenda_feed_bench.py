"""Agenda feed benchmark (issue 17, item 5): how long `GET /agenda/<token>.ics` takes to build
its document at N meetings: the query and the iCalendar text (handlers/agenda_feed.py), as the
route runs it in a read session; not the HTTP round trip.

    .venv/bin/python bench/agenda_feed_bench.py [--meetings 500] [--runs 3]

A fresh SQLite database in a temporary folder at the newest schema gets N meetings, one a
day from 20 days ago on, every seventh with a theme and a proeftuin, one in ten cancelled and
one in ten moved. Prints the median of `--runs` builds with their spread (min-max) in
milliseconds, and the size of the document.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.agenda_feed import agenda_feed  # noqa: E402
from handlers.i18n import Translator  # noqa: E402
from storage import meetings, proeftuinen, themes  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")


async def seed(db: Database, count: int, now: datetime) -> None:
    async with db.unit_of_work() as session:
        proeftuin, _ = await proeftuinen.get_or_create(session, "Buurtkamer Zuiderwijk")
        theme = await themes.create(session, "wonen", "Wonen")
        for n in range(count):
            start = now - timedelta(days=20) + timedelta(days=n, hours=n % 5)
            meeting = await meetings.create(
                session,
                title=f"Kenniskring {n}: wat werkt bij bewonersinitiatieven",
                starts_at=start,
                platform="slack",
                channel_id="C1",
                theme=theme if n % 7 == 0 else None,
                proeftuin=proeftuin if n % 7 == 0 else None,
                created_at=now - timedelta(days=30),
            )
            if n % 10 == 3:
                await meetings.cancel(session, meeting, now - timedelta(days=1))
            elif n % 10 == 6:
                await meetings.move(session, meeting, start + timedelta(hours=2), now)


async def main(count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'feed.db'}"
        upgrade(url)
        db = Database(url)
        now = datetime.now(UTC)
        try:
            await seed(db, count, now)
            t = Translator("nl", TZ)
            times = []
            size = 0
            for _ in range(runs):
                start = time.perf_counter()
                async with db.reading() as session:
                    feed = await agenda_feed(session, t, TZ, now)
                times.append((time.perf_counter() - start) * 1000)
                size = len(feed.body)
        finally:
            await db.close()
    print(
        f"agenda feed, {count} meetings (SQLite):"
        f" median {statistics.median(times):.1f} ms over {runs} runs"
        f" (spread {min(times):.1f}-{max(times):.1f} ms), {size / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.meetings, args.runs))
