"""A separate process that drives the scheduler's jobs over simulated time (used by
test_two_processes.py):
`python tests/schedules/sim_worker.py URL OUTFILE TICKS.json NAME PEERS`.

It calls `jobs.run_due(rhythm, now)` for every moment in TICKS.json, as a `samen-bot serve`
process would at those moments, delivering console messages to OUTFILE; PEERS of these run at
once against one PostgreSQL database. So that they really race, each one, once connected,
writes `ready-NAME` beside TICKS.json and waits (at most a minute) for a file `go` there; and
before every moment it waits until all PEERS have reached that moment (files `at-N-NAME`), so a
worker slowed down by a busy machine does not simply arrive after the other every time.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.console.outbound import ConsoleOutbound
from bot.delivery import Delivery
from handlers.context import Policy
from schedules.jobs import run_due
from schedules.ledger import Outcome
from schedules.rhythm import Rhythm
from storage.db import Database

WAIT_STEPS = 30_000  # 2 ms each: at most a minute for the others


async def wait_for_files(folder: Path, pattern: str, count: int) -> None:
    """Wait until `count` files match `pattern` in `folder` (at most a minute)."""
    for _ in range(WAIT_STEPS):
        if len(list(folder.glob(pattern))) >= count:
            return
        await asyncio.sleep(0.002)
    raise TimeoutError(f"waited a minute for {count} files {pattern}")


async def main(url: str, outfile: str, ticks_file: str, name: str, peers: str) -> None:
    policy = Policy(
        timezone=ZoneInfo("Europe/Amsterdam"), digest_channels=(("console", "kenniskring"),)
    )
    delivery = Delivery()
    delivery.register(ConsoleOutbound(policy.translator(), path=Path(outfile)))
    database = Database(url)
    rhythm = Rhythm(database=database, sender=delivery, policy=policy, owner=name)
    sent = 0
    try:
        async with database.unit_of_work() as session:  # connected, and every import done
            await session.execute(text("SELECT 1"))
        folder = Path(ticks_file).parent
        (folder / f"ready-{name}").touch()
        await wait_for_files(folder, "go", 1)
        for index, moment in enumerate(json.loads(Path(ticks_file).read_text())):
            (folder / f"at-{index}-{name}").touch()
            await wait_for_files(folder, f"at-{index}-*", int(peers))
            outcomes = await run_due(rhythm, datetime.fromisoformat(moment))
            sent += sum(o == Outcome.SENT for found in outcomes.values() for o in found)
    finally:
        await database.close()
    print(f"{name}: {sent} sent")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
