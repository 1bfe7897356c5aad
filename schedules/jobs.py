"""The scheduler's jobs, each a plain coroutine of an explicit `now` (tests drive the clock),
one module per kind:

- `weekly_digest.digest_due`: the digest of the most recent cron fire time, to every digest
  channel, when within the grace time; otherwise recorded as missed and reported (only the last
  fire time counts: three weeks down gives one digest, not three);
- `reminders.reminders_due`: the 24 h and 1 h meeting reminders (only the latest that fell due);
- `followups.followups_due`: one friendly follow-up per asked proeftuin that has not answered;
- `outbox.outbox`: queued effects (`digest plaats`) and failed ones whose backoff has passed;
- `notices.notices_due`: follow notices, batched to at most one message an hour per follower;
- `buddies.buddies_due`: the maatjes round (pairing once, then one message per person);
- `run_due` (here): all of the above, the start-up catch-up.

Every effect goes through schedules/ledger.py, so any number of processes may run these at the
same moment and each message still goes out once. What they share is `rhythm.Rhythm`.
"""

from __future__ import annotations

from datetime import datetime

from schedules.buddies import buddies_due
from schedules.followups import followups_due
from schedules.ledger import Outcome
from schedules.notices import notices_due
from schedules.outbox import outbox
from schedules.reminders import reminders_due
from schedules.rhythm import Rhythm
from schedules.weekly_digest import digest_due


async def run_due(r: Rhythm, now: datetime) -> dict[str, list[Outcome]]:
    """Everything that is due at `now`: the start-up catch-up (and one simulated tick)."""
    return {
        "digest": await digest_due(r, now),
        "reminders": await reminders_due(r, now),
        "followups": await followups_due(r, now),
        "outbox": await outbox(r, now),
        "notices": await notices_due(r, now),
        "maatjes": await buddies_due(r, now),
    }
