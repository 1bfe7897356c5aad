"""Follow-notification fan-out: one learning on a theme followed by N members of another
proeftuin, through the real router (queue + immediate notices), then the hourly batch job for
notices queued within the hour. Prints a Markdown table.

    .venv/bin/python bench/notices_bench.py --followers 1000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from handlers.context import Policy
from handlers.router import Router
from handlers.types import Actor, Place, Visibility
from schedules.notices import notices_due
from schedules.rhythm import Rhythm
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Follow, Member, Theme


class NullSender:
    """Accepts every message, like a fast platform."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, target: object, reply: object) -> str:
        self.sent += 1
        return f"m{self.sent}"


async def setup(database: Database, router: Router, followers: int) -> None:
    leader = Actor("console", "floor")
    for name, channel in (("Proeftuin A", "a"), ("Proeftuin B", "b")):
        await router.dispatch(
            router.make_command(f"/samen koppel {name}", leader, Place("console", channel))
        )
    await router.dispatch(
        router.make_command("/samen thema nieuw wonen Wonen", leader, Place("console", "a"))
    )
    async with database.unit_of_work() as session:
        theme_id = await session.scalar(select(Theme.id).where(Theme.slug == "wonen"))
        b_id = 2
        now = datetime.now(UTC)
        await session.execute(
            insert(Member),
            [
                dict(
                    platform="console",
                    user_id=f"volger{i}",
                    display_name=f"Volger {i}",
                    role="deelnemer",
                    created_at=now,
                )
                for i in range(followers)
            ],
        )
        ids = (await session.scalars(select(Member.id).where(Member.user_id.like("volger%")))).all()
        await session.execute(
            insert(Follow),
            [dict(member_id=m, theme_id=theme_id, proeftuin_id=b_id, created_at=now) for m in ids],
        )


async def run(followers: int, rounds: int) -> list[tuple[str, float, int]]:
    folder = Path(tempfile.mkdtemp(prefix="samen-notices-"))
    url = f"sqlite:///{folder / 'notices.db'}"
    upgrade(url)
    database = Database(url)
    policy = Policy(leaders=frozenset({"console:floor"}))
    router = Router(database, policy)
    await setup(database, router, followers)
    author = Actor("console", "anna")
    place = Place("console", "a")
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    immediate, batch = [], []
    told_now = told_later = 0
    sender = NullSender()
    rhythm = Rhythm(database=database, sender=sender, policy=policy, owner="bench")
    for r in range(rounds):
        base = start + timedelta(hours=2 * r)
        began = time.perf_counter()
        replies = await router.dispatch(
            router.make_command(
                f"/samen inzicht Huur les {r} #wonen", author, place, received_at=base
            )
        )
        immediate.append(time.perf_counter() - began)
        told_now = sum(1 for x in replies if x.visibility is Visibility.DIRECT)
        # A second learning within the hour is queued for everyone...
        await router.dispatch(
            router.make_command(
                f"/samen inzicht Nog een les {r} #wonen",
                author,
                place,
                received_at=base + timedelta(minutes=10),
            )
        )
        # ...and the hourly job sends it in one batch per follower.
        before = sender.sent
        began = time.perf_counter()
        await notices_due(rhythm, base + timedelta(hours=1, minutes=1))
        batch.append(time.perf_counter() - began)
        told_later = sender.sent - before
    await database.close()
    capture_ms = statistics.median(immediate) * 1000
    job_ms = statistics.median(batch) * 1000
    return [
        ("capture command (first 20 told with the reply)", capture_ms, told_now),
        ("notice job: everyone not yet told, one DM each", job_ms, told_later),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = asyncio.run(run(args.followers, args.rounds))
    title = f"step ({args.followers:,} followers, SQLite, median of {args.rounds})"
    print(f"| {title} | ms | followers told |")
    print("|---|---:|---:|")
    for name, ms, told in rows:
        print(f"| {name} | {ms:.0f} | {told:,} |")


if __name__ == "__main__":
    main()
