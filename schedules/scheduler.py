"""The scheduler inside `samen-bot serve`: APScheduler 3 (`AsyncIOScheduler`) in the bot's loop.

Its job store is in memory and rebuilt at every start from our own tables, never pickled:

- `digest`: CronTrigger.from_crontab(SAMEN_DIGEST_SCHEDULE, timezone=SAMEN_TIMEZONE);
- `reminder:<meeting>:<24h|1h>`: one DateTrigger per pending reminder of the coming days;
- `followup:<prompt>`: one DateTrigger per prompt whose follow-up is still to come;
- `sync` (every minute, the tick): adds the DateTriggers of meetings and prompts made since (in
  this or another process), with `replace_existing=True`, and re-checks everything that is due
  (digest, reminders, follow-ups, notices, the maatjes round of SAMEN_MAATJES_SCHEDULE), so a
  trigger whose run met an error only delays;
- `outbox` (every few seconds): queued effects (`/samen digest plaats`) and retries of failed
  ones;
- `catch-up` (once, at start): `jobs.run_due(now)` for whatever fell due while the bot was down.

All jobs coalesce and have a misfire grace time of hours; the effect of every job goes through
the ledger (schedules/ledger.py), so restarts and several processes never send anything twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from handlers.meetings import REMINDERS
from schedules.buddies import buddies_due
from schedules.followups import followups_due
from schedules.housekeeping import housekeeping
from schedules.jobs import run_due
from schedules.meeting_harvest import harvest_due
from schedules.notices import notices_due
from schedules.outbox import outbox
from schedules.quiet_proeftuinen import quiet_due
from schedules.reminders import reminders_due
from schedules.rhythm import GRACE, Rhythm
from schedules.weekly_digest import digest_due
from storage import files
from storage import meetings as meeting_store
from storage import prompts as prompt_store

log = logging.getLogger(__name__)

MISFIRE_GRACE = GRACE
SYNC_EVERY = timedelta(minutes=1)
OUTBOX_EVERY = timedelta(seconds=10)
HORIZON = timedelta(days=8)  # DateTriggers are made for this far ahead; `sync` adds the rest


def utcnow() -> datetime:
    return datetime.now(UTC)


class SchedulerService:
    """The `serve` service that runs the digest, reminders, follow-ups and the outbox."""

    name = "scheduler"

    def __init__(
        self,
        app: Any,
        *,
        clock: Callable[[], datetime] = utcnow,
        console_outbound: Callable[[Any], Any] | None = None,
    ) -> None:
        """`console_outbound(translator)` makes the outbound for `console:` channels, registered
        at start when no console adapter runs in this process (given by `bot.serve`, so that
        nothing here imports `bot`)."""
        self.app = app
        self.clock = clock
        self.console_outbound = console_outbound
        self.rhythm = Rhythm(
            database=app.database,
            sender=app.delivery,
            policy=app.policy,
            schedule=app.settings.SAMEN_DIGEST_SCHEDULE,
        )
        self.scheduler: AsyncIOScheduler | None = None
        self.caught_up = asyncio.Event()

    def _ensure_console_outbound(self) -> None:
        if self.console_outbound is not None and "console" not in self.app.delivery.platforms():
            self.app.delivery.register(self.console_outbound(self.app.policy.translator()))

    async def start(self) -> None:
        """Build the jobs from our tables, start APScheduler, and run the catch-up."""
        self._ensure_console_outbound()
        tz = self.rhythm.timezone
        scheduler = AsyncIOScheduler(
            timezone=tz,
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
                "max_instances": 1,
            },
        )
        self.scheduler = scheduler
        scheduler.add_job(
            self._guard("digest", lambda now: digest_due(self.rhythm, now)),
            self.rhythm.trigger(),
            id="digest",
            replace_existing=True,
        )
        scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=int(SYNC_EVERY.total_seconds()), timezone=tz),
            id="sync",
            replace_existing=True,
        )
        scheduler.add_job(
            self._guard("outbox", lambda now: outbox(self.rhythm, now)),
            IntervalTrigger(seconds=int(OUTBOX_EVERY.total_seconds()), timezone=tz),
            id="outbox",
            replace_existing=True,
        )
        exports = files.export_folder(self.rhythm.database.url, self.rhythm.policy.data_dir)
        scheduler.add_job(  # pruning the ledgers (storage/retention.py, docs/privacy.md), ANALYZE
            self._guard("retention", partial(housekeeping, self.rhythm.database, files=exports)),
            CronTrigger(hour=4, minute=15, timezone=tz),
            id="retention",
            replace_existing=True,
        )
        await self._sync()
        scheduler.start()
        scheduler.add_job(self._catch_up, DateTrigger(self.clock(), timezone=tz), id="catch-up")
        digest = scheduler.get_job("digest")
        log.info(
            "scheduler started: digest %r in %s, next at %s; %d jobs",
            self.rhythm.schedule,
            tz.key,
            digest.next_run_time.isoformat() if digest and digest.next_run_time else "never",
            len(scheduler.get_jobs()),
        )

    async def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None

    def _guard(
        self, name: str, work: Callable[[datetime], Awaitable[object]]
    ) -> Callable[[], Awaitable[None]]:
        """A job that runs `work(now)` and logs, never raises (a job error must not stop us)."""

        async def job() -> None:
            try:
                await work(self.clock())
            except Exception:
                log.exception("scheduled job %s failed", name)

        job.__name__ = f"samen_{name.replace(':', '_')}"
        return job

    async def _catch_up(self) -> None:
        try:
            outcomes = await run_due(self.rhythm, self.clock())
            log.info(
                "catch-up done: %s",
                {k: [str(o) for o in v] for k, v in outcomes.items()},
            )
        except Exception:
            log.exception("start-up catch-up failed")
        finally:
            self.caught_up.set()

    async def _tick(self) -> None:
        """Every minute: new DateTriggers, and anything due that no trigger covered or whose
        run failed (a meeting made a minute before its reminder, a trigger lost to a stalled
        loop, a database error at the digest moment): a transient error only delays."""
        await self._sync()
        now = self.clock()
        for name, work in (
            ("digest", digest_due),
            ("reminders", reminders_due),
            ("followups", followups_due),
            ("notices", notices_due),
            ("quiet", quiet_due),
            ("harvest", harvest_due),
            ("maatjes", buddies_due),
        ):
            try:
                await work(self.rhythm, now)
            except Exception:
                log.exception("scheduled check of %s failed", name)

    async def _sync(self) -> None:
        """(Re)make the DateTriggers of pending reminders and follow-ups for the coming days."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        now = self.clock()
        try:
            async with self.rhythm.database.unit_of_work() as session:
                found = await meeting_store.starting_between(session, now, now + HORIZON)
                wait = timedelta(days=self.rhythm.policy.prompt_followup_days)
                asked = await prompt_store.created_between(session, now - wait, now + HORIZON)
        except Exception:
            log.exception("scheduler sync failed")
            return
        for meeting in found:
            for kind, offset in REMINDERS.items():
                fire = meeting.starts_at - offset
                if fire <= now or fire < (meeting.updated_at or meeting.created_at):
                    continue  # past ones are the catch-up's; too-late ones do not apply
                work = partial(reminders_due, self.rhythm, meeting_id=meeting.id)
                self._at(scheduler, f"reminder:{meeting.id}:{kind}", work, fire)
        for prompt in asked:
            fire = prompt.created_at + wait
            if fire > now:
                work = partial(followups_due, self.rhythm, prompt_id=prompt.id)
                self._at(scheduler, f"followup:{prompt.id}", work, fire)

    def _at(
        self,
        scheduler: AsyncIOScheduler,
        job_id: str,
        work: Callable[[datetime], Awaitable[object]],
        fire: datetime,
    ) -> None:
        """One job at `fire`, replacing the one with the same id (rebuilt at every sync)."""
        trigger = DateTrigger(fire, timezone=self.rhythm.timezone)
        scheduler.add_job(self._guard(job_id, work), trigger, id=job_id, replace_existing=True)
