"""The jobs with a controllable clock: the digest cron across both DST changes, the bot down
across digest time (within and beyond the grace time, three weeks), reminders, follow-ups, the
outbox, a failing send, and two 'processes' (separate engines) ticking the same moments."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from schedules.followups import followups_due
from schedules.jobs import run_due
from schedules.ledger import Outcome
from schedules.outbox import outbox
from schedules.reminders import reminders_due
from schedules.rhythm import Rhythm, digest_trigger, last_fire_time
from schedules.weekly_digest import digest_due, digest_week_for, post_digest
from storage import effect_queries
from storage import meetings as meeting_store
from storage.db import Database
from tests.conftest import LEADER, Chat
from tests.schedules.conftest import Recorder, utc

AMS = ZoneInfo("Europe/Amsterdam")
FRIDAY_W48 = utc(2026, 11, 27, 15, 0)  # Friday 16:00 in Amsterdam (CET)


async def ledger(database: Database, prefix: str) -> dict[str, str]:
    async with database.unit_of_work() as session:
        return {row.key: row.status for row in await effect_queries.by_prefix(session, prefix)}


def headers(recorder: Recorder) -> list[tuple[str, str]]:
    """(channel, title) of every digest header sent."""
    return [
        (target.channel_id or "", reply.title or "")
        for target, reply in recorder.sent
        if (reply.title or "").startswith("Weekdigest")
    ]


def test_cron_stays_at_16_local_across_both_dst_changes() -> None:
    trigger = digest_trigger("0 16 * * fri", AMS)
    for start, expected_utc_hours, shift in (
        (utc(2026, 3, 13), [15, 15, 15, 14], -1),  # clocks go forward on Sunday 29 March
        (utc(2026, 10, 16), [14, 14, 15, 15], +1),  # clocks go back on Sunday 25 October
    ):
        fire = trigger.get_next_fire_time(None, start)
        fires = []
        for _ in range(4):
            assert fire is not None
            fires.append(fire)
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        local = [f.astimezone(AMS) for f in fires]
        assert [(t.weekday(), t.hour, t.minute) for t in local] == [(4, 16, 0)] * 4
        assert [f.astimezone(ZoneInfo("UTC")).hour for f in fires] == expected_utc_hours
        in_utc = [f.astimezone(ZoneInfo("UTC")) for f in fires]
        gaps = [b - a for a, b in zip(in_utc, in_utc[1:], strict=False)]
        assert timedelta(days=7, hours=shift) in gaps  # the week across the change


def test_last_fire_time_and_the_week_it_covers() -> None:
    trigger = digest_trigger("0 16 * * fri", AMS)
    saturday = utc(2026, 11, 28, 9, 0)
    assert last_fire_time(trigger, saturday) == FRIDAY_W48
    assert last_fire_time(trigger, FRIDAY_W48) == FRIDAY_W48
    assert last_fire_time(trigger, FRIDAY_W48 - timedelta(seconds=1)) == utc(2026, 11, 20, 15)
    assert digest_week_for(FRIDAY_W48, AMS).label == "2026-W48"
    monday = digest_trigger("0 9 * * mon", AMS)
    fire = last_fire_time(monday, saturday + timedelta(days=3))
    assert fire is not None and digest_week_for(fire, AMS).label == "2026-W48"
    every_minute = digest_trigger("* * * * *", AMS)
    assert last_fire_time(every_minute, utc(2026, 1, 1, 12, 0, 30)) == utc(2026, 1, 1, 12)


async def week_of_learnings(chat: Chat) -> None:
    await chat.say(
        "inzicht Huurders willen meedoen #wonen",
        channel="buurtkamer",
        at=FRIDAY_W48 - timedelta(days=2),
    )
    await chat.say(
        "inzicht Zon op het dak #energie",
        channel="energiecoöperatie",
        at=FRIDAY_W48 - timedelta(days=1),
    )


async def test_down_across_digest_time_posts_once_when_back_within_grace(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await week_of_learnings(seven)
    back = FRIDAY_W48 + timedelta(hours=3)
    assert await digest_due(rhythm, back) == [Outcome.SENT, Outcome.SENT]
    assert sorted(c for c, _ in headers(recorder)) == ["CKENNIS", "kenniskring"]
    for later in (back, back + timedelta(minutes=1), back + timedelta(days=6)):
        await run_due(rhythm, later)
    assert len(headers(recorder)) == 2
    assert set((await ledger(rhythm.database, "digest:")).values()) == {"done"}


async def test_far_past_digest_is_reported_not_posted(
    seven: Chat, rhythm: Rhythm, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    # A running install: last week's digest went out, then the bot was down past this one's.
    await digest_due(rhythm, FRIDAY_W48 - timedelta(days=7) + timedelta(minutes=1))
    recorder.sent.clear()
    await week_of_learnings(seven)
    caplog.set_level(logging.WARNING, logger="schedules.weekly_digest")
    late = FRIDAY_W48 + timedelta(hours=10)
    assert await digest_due(rhythm, late) == [Outcome.SENT] * 3  # told: three leaders
    assert await digest_due(rhythm, late + timedelta(hours=1)) == []
    assert headers(recorder) == []
    assert all(target.user_id for target, _ in recorder.sent)  # only the leaders' DMs
    recorder.sent.clear()
    missed = [r for r in caplog.records if "MISSED" in r.getMessage()]
    assert len(missed) == 2  # one report per channel, not one per check
    assert "2026-W48" in missed[0].getMessage()
    assert set((await ledger(rhythm.database, "digest:2026-W48")).values()) == {"missed"}
    # an operator may still post it by hand (samen-bot digest --week 2026-W48 --post)
    week = digest_week_for(FRIDAY_W48, AMS)
    results = await post_digest(rhythm, week, late + timedelta(hours=2))
    assert [r[2] for r in results] == ["sent", "sent"]
    assert len(headers(recorder)) == 2


async def test_first_start_long_after_a_digest_time_reports_nothing_missed(
    seven: Chat, rhythm: Rhythm, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """A new install (no digest ever in these channels) starts on Saturday: last Friday's
    digest is not 'missed', and the first one comes at the next digest time."""
    await week_of_learnings(seven)
    caplog.set_level(logging.INFO, logger="schedules.weekly_digest")
    saturday = FRIDAY_W48 + timedelta(hours=20)
    assert await digest_due(rhythm, saturday) == []
    assert await digest_due(rhythm, saturday + timedelta(hours=1)) == []
    assert recorder.sent == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    firsts = [r.getMessage() for r in caplog.records if "first start" in r.getMessage()]
    assert len(firsts) == 2  # once per channel, not at every check
    assert "2026-12-04T16:00:00+01:00" in firsts[0] and "--week 2026-W48 --post" in firsts[0]
    # The next Friday's digest goes out as usual.
    friday = FRIDAY_W48 + timedelta(days=7, minutes=1)
    assert await digest_due(rhythm, friday) == [Outcome.SENT, Outcome.SENT]
    # From now on, a digest time slept through is a real miss, told to the three leaders.
    caplog.clear()
    assert await digest_due(rhythm, friday + timedelta(days=7, hours=10)) == [Outcome.SENT] * 3
    assert len([r for r in caplog.records if "MISSED" in r.getMessage()]) == 2


async def test_three_weeks_down_gives_one_digest_for_the_last_week(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await week_of_learnings(seven)
    back = FRIDAY_W48 + timedelta(hours=1)  # down since three weeks before
    await run_due(rhythm, back)
    assert [title for _, title in headers(recorder)] == [
        "Weekdigest week 48 (23 nov 2026 – 29 nov 2026)"
    ] * 2
    assert set(await ledger(rhythm.database, "digest:")) == {
        "digest:2026-W48:console:kenniskring",
        "digest:2026-W48:slack:CKENNIS",
    }


async def test_send_that_fails_then_succeeds(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await week_of_learnings(seven)
    recorder.failures = 1  # the first channel's first send fails
    outcomes = await digest_due(rhythm, FRIDAY_W48)
    assert sorted(outcomes) == sorted([Outcome.FAILED, Outcome.SENT])
    assert len(headers(recorder)) == 1
    assert await outbox(rhythm, FRIDAY_W48 + timedelta(seconds=10)) == []  # backoff
    assert len(headers(recorder)) == 1
    assert await outbox(rhythm, FRIDAY_W48 + timedelta(minutes=2)) == [Outcome.SENT]
    assert sorted(c for c, _ in headers(recorder)) == ["CKENNIS", "kenniskring"]
    await run_due(rhythm, FRIDAY_W48 + timedelta(minutes=5))
    assert len(headers(recorder)) == 2


async def schedule(chat: Chat, line: str, at: object) -> int:
    replies = await chat.say(f"bijeenkomst {line}", user=LEADER, channel="buurtkamer", at=at)  # type: ignore[arg-type]
    assert replies[0].title and replies[0].title.startswith("Bijeenkomst #"), replies[0].text
    return int(replies[0].title.split("#")[1].split(":")[0])


async def test_reminders_24h_and_1h_each_once(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    made = utc(2026, 11, 30, 9, 0)
    number = await schedule(
        seven, "Kenniskring wonen | 2026-12-03 19:30 | proeftuin:Wooninitiatief Hofje", made
    )
    starts = utc(2026, 12, 3, 18, 30)
    assert await reminders_due(rhythm, starts - timedelta(hours=25)) == []
    moments = [
        starts - timedelta(hours=24),
        starts - timedelta(hours=23),
        starts - timedelta(hours=1),
    ]
    moments += [starts - timedelta(minutes=30), starts + timedelta(minutes=5)]
    for moment in moments:
        await run_due(rhythm, moment)
        await run_due(rhythm, moment)
    texts = recorder.texts()
    assert len(texts) == 2
    assert all(f"#{number}" in text for text in texts)
    assert "over 1 dag" in texts[0] or "over 24 uur" in texts[0]
    assert "over 1 uur" in texts[1]
    assert {t.channel_id for t, _ in recorder.sent} == {"wooninitiatief"}  # the proeftuin's channel
    assert all(a.command in ("ja", "nee") for _, r in recorder.sent for a in r.actions)


async def test_down_across_both_reminders_sends_only_the_last(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await schedule(seven, "Bijeenkomst | 2026-12-03 19:30", utc(2026, 11, 30, 9))
    starts = utc(2026, 12, 3, 18, 30)
    await run_due(rhythm, starts - timedelta(minutes=40))  # was down for a day
    assert len(recorder.sent) == 1 and "over 40 minuten" in recorder.texts()[0]
    states = await ledger(rhythm.database, "reminder:")
    assert states == {
        "reminder:1h:meeting:1:console:buurtkamer": "done",
        "reminder:24h:meeting:1:console:buurtkamer": "missed",
    }


async def test_reminder_later_than_grace_is_not_sent(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await schedule(seven, "Bijeenkomst | 2026-12-03 19:30", utc(2026, 11, 30, 9))
    starts = utc(2026, 12, 3, 18, 30)
    await run_due(rhythm, starts - timedelta(hours=17))  # 7 h after the 24 h reminder
    assert recorder.sent == []
    await run_due(rhythm, starts - timedelta(hours=1))
    assert len(recorder.sent) == 1


async def test_meeting_made_less_than_a_day_ahead_gets_only_the_1h_reminder(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    made = utc(2026, 12, 3, 8, 0)
    await schedule(seven, "Kort dag | 2026-12-03 19:30", made)
    for minutes in range(0, 11 * 60, 30):
        await run_due(rhythm, made + timedelta(minutes=minutes))
    assert len(recorder.sent) == 1 and "over 1 uur" in recorder.texts()[0]
    assert "reminder:24h:meeting:1:console:buurtkamer" not in await ledger(
        rhythm.database, "reminder:"
    )


async def test_reminders_of_meetings_in_the_dst_overlap_and_after_the_gap(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    made = utc(2026, 10, 1, 9, 0)
    replies = await seven.say(
        "bijeenkomst Nacht | 2026-10-25 02:30", user=LEADER, channel="buurtkamer", at=made
    )
    assert "twee keer" in replies[0].text  # taken as the first 02:30 (CEST, 00:30 UTC)
    starts = utc(2026, 10, 25, 0, 30)
    await run_due(rhythm, starts - timedelta(hours=24))  # Saturday 02:30 CEST
    assert len(recorder.sent) == 1 and "over 1 dag" in recorder.texts()[0]
    await run_due(rhythm, starts - timedelta(hours=1, minutes=1))
    assert len(recorder.sent) == 1
    await run_due(rhythm, starts - timedelta(hours=1))
    assert [t.split("(")[0] for t in recorder.texts()][-1].startswith("⏰ Bijeenkomst #1")
    assert "zo 25 okt 2026 02:30" in recorder.texts()[-1]
    gap = await seven.say(
        "bijeenkomst Gat | 2027-03-28 02:30", user=LEADER, channel="buurtkamer", at=made
    )
    assert "bestaat niet" in gap[0].text


async def test_followups_once_to_proeftuinen_that_did_not_answer(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    asked = utc(2026, 11, 23, 9, 0)
    await seven.say(
        "vraag Wat leerden jullie van de gemeente?", user=LEADER, channel="buurtkamer", at=asked
    )
    await seven.say(
        "antwoord 1 Een vaste contactpersoon", channel="buurtkamer", at=asked + timedelta(days=1)
    )
    await seven.say(
        "antwoord 1 Niets nog #wonen", channel="wooninitiatief", at=asked + timedelta(days=2)
    )
    assert await followups_due(rhythm, asked + timedelta(days=4)) == []
    due = asked + timedelta(days=rhythm.policy.prompt_followup_days)
    for moment in (due, due + timedelta(hours=1), due + timedelta(days=1)):
        await run_due(rhythm, moment)
    channels = sorted(t.channel_id or "" for t, _ in recorder.sent)
    assert len(channels) == 5 and "buurtkamer" not in channels and "wooninitiatief" not in channels
    assert all("👋" in text for text in recorder.texts())


async def test_leader_post_is_queued_and_sent_by_the_outbox(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    await week_of_learnings(seven)
    now = FRIDAY_W48 - timedelta(hours=2)
    replies = await seven.say("digest plaats", user=LEADER, channel="kenniskring", at=now)
    assert "console:kenniskring: nu geplaatst" in replies[0].text
    assert "slack:CKENNIS: wordt binnen een minuut geplaatst" in replies[0].text
    assert await outbox(rhythm, now + timedelta(seconds=5)) == [Outcome.SENT]
    assert await outbox(rhythm, now + timedelta(seconds=15)) == []
    await run_due(rhythm, FRIDAY_W48)  # the cron finds the week done in both channels
    assert headers(recorder) == [("CKENNIS", headers(recorder)[0][1])]
    again = await seven.say("digest plaats", user=LEADER, channel="kenniskring", at=now)
    assert again[0].text.count("was al geplaatst") == 2 and len(again) == 1


async def test_two_engines_ticking_the_same_weeks_send_everything_once(
    seven: Chat, migrated_url: str, rhythm: Rhythm
) -> None:
    start = utc(2026, 10, 19, 8, 0)  # four weeks across the end of summer time
    for week in range(4):
        at = start + timedelta(weeks=week)
        await seven.say(f"inzicht Week {week} #wonen", channel="buurtkamer", at=at)
        await seven.say(
            f"bijeenkomst Overleg {week} | {(at + timedelta(days=2)).date()} 19:30",
            user=LEADER,
            at=at,
        )
    recorders = [Recorder(), Recorder()]
    databases = [Database(migrated_url), Database(migrated_url)]
    rhythms = [
        Rhythm(database=db, sender=rec, policy=rhythm.policy, owner=f"proc{i}")
        for i, (db, rec) in enumerate(zip(databases, recorders, strict=True))
    ]
    ticks = {start + timedelta(hours=h) for h in range(0, 4 * 7 * 24, 2)}  # every two hours
    async with rhythm.database.unit_of_work() as session:
        for meeting in await meeting_store.between(session, start, start + timedelta(weeks=5)):
            for offset in (timedelta(hours=24), timedelta(hours=1)):
                ticks |= {
                    meeting.starts_at - offset,
                    meeting.starts_at - offset + timedelta(minutes=1),
                }
    trigger = rhythm.trigger()
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < start + timedelta(weeks=4):
        ticks |= {fire, fire + timedelta(seconds=1)}  # the cron moment itself, and a replay
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    try:
        for moment in sorted(ticks):
            await asyncio.gather(*(run_due(r, moment) for r in rhythms))
    finally:
        for db in databases:
            await db.close()
    sent = [(t.channel_id, r.title, r.text) for rec in recorders for t, r in rec.sent]
    digests = [s for s in sent if (s[1] or "").startswith("Weekdigest")]
    assert len(digests) == 8 and len(set(digests)) == 8  # 4 weeks x 2 channels, once each
    assert all(rec.sent for rec in recorders)  # both processes did part of the work
    reminders = [s for s in sent if (s[1] or "").startswith("Herinnering")]
    assert len(reminders) == 8 and len(set(reminders)) == 8  # 4 meetings x (24 h, 1 h)
    keys = await ledger(rhythm.database, "reminder:")
    assert len(keys) == 8 and set(keys.values()) == {"done"}
