"""What every job needs (`Rhythm`: the store, a sender, the policy, the digest schedule) and
the digest's cron arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from handlers.context import Policy
from schedules.ledger import Sender, process_owner
from storage.db import Database

GRACE = timedelta(hours=6)  # a digest or reminder later than this is reported, not sent
LOOKBACKS = (timedelta(hours=1), timedelta(days=1), timedelta(days=8), timedelta(days=32))


@dataclass
class Rhythm:
    """What the jobs need: the store, a sender, the policy and the digest schedule."""

    database: Database
    sender: Sender
    policy: Policy
    schedule: str = "0 16 * * fri"
    grace: timedelta = GRACE
    owner: str = field(default_factory=process_owner)

    @property
    def timezone(self) -> ZoneInfo:
        return self.policy.timezone

    def trigger(self) -> CronTrigger:
        return digest_trigger(self.schedule, self.timezone)

    def platforms(self) -> set[str]:
        """The platforms this process can send to."""
        return set(getattr(self.sender, "platforms", lambda: ())())


def digest_trigger(schedule: str, timezone: ZoneInfo) -> CronTrigger:
    """The digest cron in the programme's zone (Friday 16:00 stays 16:00 local all year)."""
    return CronTrigger.from_crontab(schedule, timezone=timezone)


def last_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The most recent fire time at or before `now` (within 32 days), computed by the trigger."""
    for lookback in LOOKBACKS:
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
            if following is None or following > now:
                return fire
            fire = following
    return None
