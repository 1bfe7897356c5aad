"""Participation at a glance (issue 17, item 3): the counts per proeftuin and week, the
`deelname` chart and its text, and the weekly note on quiet proeftuinen to every leader, once
per week and leader through the ledger, with a button that sends a suggested prompt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from handlers.participation import last_weeks
from handlers.types import Visibility
from schedules.jobs import run_due
from schedules.ledger import Outcome
from schedules.quiet_proeftuinen import quiet_due
from schedules.rhythm import Rhythm
from storage import participation
from storage.models import Enrichment, Recognition, Ring
from storage.visibility import Viewer
from tests.conftest import LEADER, Chat
from tests.schedules.conftest import SEVEN, Recorder, channel_of, utc

ZUID, OOST, HOOI, HOFJE, DORP, KROON, LOODS = SEVEN
FRIDAY = utc(2026, 11, 27, 15, 5)  # Friday 16:05 in Amsterdam: just after the digest time
QUIET = [KROON, LOODS, HOOI, DORP]


@pytest.fixture(autouse=True)
def _files_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # charts go to ./data on PostgreSQL


@pytest.fixture
async def active(seven: Chat) -> Chat:
    """Three weeks up to the Friday of 2026-W48: who did what, and who stayed quiet."""
    said = seven.say
    await said("inzicht Huurders willen eerst zekerheid", channel=channel_of(ZUID),
               at=utc(2026, 11, 24, 10))  # fmt: skip
    await said("vraag Wat werkte?", user=LEADER, channel="kring", at=utc(2026, 11, 9, 9))
    await said("antwoord 1 Samen koken werkt", channel=channel_of(OOST), at=utc(2026, 11, 10, 9))
    await said("inzicht Te vroeg om te tellen", channel=channel_of(HOOI), at=utc(2026, 11, 3, 9))
    await said("herken 1", user="henk", channel=channel_of(HOFJE), at=utc(2026, 11, 25, 9))
    await said("verrijk 1 Bij ons ook", user="henk", channel=channel_of(HOFJE),
               at=utc(2026, 11, 25, 10))  # fmt: skip
    async with seven.router.database.unit_of_work() as session:  # they are stamped when stored
        for model in (Recognition, Enrichment):
            await session.execute(update(model).values(created_at=utc(2026, 11, 25, 9)))
    await said("inzicht Alleen voor ons", user="dirk", channel=channel_of(DORP),
               at=utc(2026, 11, 26, 9))  # fmt: skip
    await said("deel 4 proeftuin", user="dirk", channel=channel_of(DORP), at=utc(2026, 11, 26, 9))
    return seven


async def test_counts_per_kind_and_week_follow_the_ring(active: Chat, rhythm: Rhythm) -> None:
    weeks = last_weeks(FRIDAY, 4, rhythm.timezone)
    assert [w.label for w in weeks] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    async with rhythm.database.unit_of_work() as session:
        kring = {r.name: r for r in await participation.table(session, weeks, Viewer())}
        ring = Viewer.for_ring(Ring.KENNISKRING)
        assert {r.name for r in await participation.table(session, weeks, ring)} == set(SEVEN)
        dorp_id = kring[DORP].proeftuin_id
        own = {r.name: r for r in await participation.table(session, weeks, Viewer(dorp_id))}
    assert kring[ZUID].weeks[3].learnings == 1 and kring[ZUID].total.total == 1
    assert kring[OOST].weeks[1].answers == 1 and kring[OOST].weeks[1].learnings == 0
    assert kring[HOOI].weeks[0].learnings == 1 and kring[HOOI].quiet_weeks() == 3
    assert (kring[HOFJE].weeks[3].recognitions, kring[HOFJE].weeks[3].enrichments) == (1, 1)
    assert kring[DORP].total.total == 0  # its learning is for Dorpsgoed alone
    assert own[DORP].weeks[3].learnings == 1  # seen from its own channel
    names = [r.name for r in participation.quiet(list(kring.values()), 3)]
    assert sorted(names) == sorted(QUIET)


async def test_deelname_answers_a_chart_and_a_text(active: Chat) -> None:
    replies = await active.say("deelname 4", user=LEADER, channel="kring", at=FRIDAY)
    assert len(replies) == 1
    reply = replies[0]
    assert reply.visibility is Visibility.ONLY_CALLER
    assert "4 weken" in reply.text and "2026-W45 – 2026-W48" in (reply.title or "")
    assert f"{HOFJE}: 0 inzichten, 0 antwoorden, 1 herkenning, 1 verrijking" in reply.text
    assert f"{OOST}: 0 inzichten, 1 antwoord," in reply.text
    assert f"{KROON}: 0 inzichten" in reply.text and "(de hele periode stil)" in reply.text
    quiet_line = reply.text.splitlines()[-1]
    assert quiet_line.startswith("Al 3 weken stil:") and all(n in quiet_line for n in QUIET)
    (path,) = reply.attachments
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    refused = await active.text("deelname 0", user=LEADER, channel="kring", at=FRIDAY)
    assert "1 tot en met 104" in refused
    assert "projectleiders" in await active.text("deelname", channel=channel_of(ZUID))


async def test_weekly_quiet_note_once_per_week_and_leader(
    active: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    assert await quiet_due(rhythm, FRIDAY - timedelta(days=1)) == []  # last week: too late
    recorder.failures = 1  # the first send fails; the outbox retries it from its ledger key
    outcomes = await quiet_due(rhythm, FRIDAY)
    assert sorted(outcomes) == sorted([Outcome.FAILED, Outcome.SENT, Outcome.SENT])
    later = await run_due(rhythm, FRIDAY + timedelta(minutes=5))
    assert later["outbox"] == [Outcome.SENT]
    assert await quiet_due(rhythm, FRIDAY + timedelta(hours=1)) == []  # once per week
    notes = [(t, r) for t, r in recorder.sent if r.title == "Stille proeftuinen"]  # no digests
    assert sorted(t.user_id or "" for t, _ in notes) == sorted([LEADER, "ULEAD", "4242"])
    for target, note in notes:
        assert target.channel_id is None and note.visibility is Visibility.DIRECT
        assert "Al 3 weken" in note.text and all(name in note.text for name in QUIET)
        assert ZUID not in note.text and OOST not in note.text and HOFJE not in note.text
        assert [a.command for a in note.actions] == ["vraag"] * len(QUIET)
    # One press of a button asks that proeftuin the suggested question.
    action = notes[0][1].actions[0]
    pressed = await active.say(f"{action.command} {action.args}", user=LEADER, channel="kring",
                               at=FRIDAY + timedelta(hours=2))  # fmt: skip
    posted = [r for r in pressed if r.to is not None and r.to.channel_id]
    assert [r.to.channel_id for r in posted if r.to] == [channel_of(KROON)]  # the first by name
    assert "Wat houdt jullie op dit moment bezig" in posted[0].text


async def test_no_note_when_nobody_was_quiet(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    for name in SEVEN:
        await seven.say("inzicht Wij doen mee", channel=channel_of(name), at=FRIDAY)
    assert set(await quiet_due(rhythm, FRIDAY + timedelta(minutes=1))) == {Outcome.NOTHING}
    assert recorder.sent == []
    assert await quiet_due(rhythm, FRIDAY + timedelta(minutes=2)) == []  # settled: not rebuilt
