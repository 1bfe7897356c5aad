"""Follow notices queued within the hour go out in one batch from the scheduler, once, and a
failed send is retried without losing or repeating anything."""

from __future__ import annotations

from datetime import timedelta

from handlers.types import Visibility
from schedules.jobs import run_due
from schedules.ledger import Outcome
from schedules.notices import notices_due
from schedules.rhythm import Rhythm
from tests.conftest import Chat
from tests.schedules.conftest import Recorder, channel_of, utc

A, B = "Buurtkamer Zuiderwijk", "Energiecoöperatie Oostwind"


async def test_queued_notices_batched_once_an_hour(
    seven: Chat, rhythm: Rhythm, recorder: Recorder
) -> None:
    start = utc(2026, 11, 2, 9, 0)
    await seven.say("volg #wonen", user="bram", channel=channel_of(B))
    first = await seven.say("inzicht Huur een #wonen", channel=channel_of(A), at=start)
    assert [r for r in first if r.visibility is Visibility.DIRECT]  # told at once
    for minute, text in ((10, "Huur twee"), (20, "Huur drie")):
        replies = await seven.say(
            f"inzicht {text} #wonen", channel=channel_of(A), at=start + timedelta(minutes=minute)
        )
        assert not [r for r in replies if r.visibility is Visibility.DIRECT]
    # Before the hour is over, the job sends nothing.
    assert await notices_due(rhythm, start + timedelta(minutes=30)) == []
    assert recorder.sent == []
    # The first try fails; nothing is marked sent, so the next tick retries after backoff.
    recorder.failures = 1
    later = start + timedelta(hours=1, minutes=1)
    assert await notices_due(rhythm, later) == [Outcome.FAILED]
    outcomes = await run_due(rhythm, later + timedelta(minutes=5))
    assert outcomes["outbox"] == [Outcome.SENT]  # the same batch, retried
    assert len(recorder.sent) == 1
    target, reply = recorder.sent[0]
    assert target.user_id == "bram" and target.channel_id is None
    assert "Huur twee" in reply.text and "Huur drie" in reply.text
    assert "Huur een" not in reply.text  # already told
    # Nothing is pending any more: a second process or a replay sends nothing.
    assert await notices_due(rhythm, later + timedelta(hours=3)) == []
    assert len(recorder.sent) == 1
