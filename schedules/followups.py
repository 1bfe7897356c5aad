"""The prompt follow-up job: one friendly follow-up per asked proeftuin that has not answered,
`prompt_followup_days` after the prompt, in each channel the prompt was posted to."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.prompts import followup_post
from handlers.types import Reply, Target
from schedules.ledger import Effect, Outcome, run_effect
from schedules.rhythm import Rhythm
from storage import effect_queries, effects
from storage import prompts as prompt_store
from storage.effect_keys import followup_key
from storage.models import Proeftuin

log = logging.getLogger(__name__)

FOLLOWUP_GRACE = timedelta(days=2)


def followup_effect(
    r: Rhythm, prompt_id: int, proeftuin_id: int, platform: str, channel: str, due: datetime
) -> Effect:
    """The follow-up of a prompt for one proeftuin in one channel; its post is remembered, so a
    reply in its thread answers the prompt."""
    t = r.policy.translator()

    async def build(session: AsyncSession) -> list[Reply] | None:
        prompt = await prompt_store.get(session, prompt_id)
        proeftuin = await session.get(Proeftuin, proeftuin_id)
        if prompt is None or proeftuin is None:
            return None
        answered = await prompt_store.answered_by(session, [prompt_id])
        if proeftuin_id in answered.get(prompt_id, set()):
            return None  # they answered meanwhile
        return [followup_post(t, prompt, proeftuin.name, Target(platform, channel_id=channel))]

    async def remember(reply: Reply, message_id: str | None) -> None:
        if message_id:
            async with r.database.unit_of_work() as session:
                await prompt_store.record_prompt_post(
                    session, prompt_id, platform, channel, message_id
                )

    return Effect(
        key=followup_key(prompt_id, proeftuin_id, platform, channel),
        kind="followup",
        target=Target(platform, channel_id=channel),
        build=build,
        due_at=due,
        expires_at=due + FOLLOWUP_GRACE,
        after_send=remember,
    )


async def followups_due(r: Rhythm, now: datetime, prompt_id: int | None = None) -> list[Outcome]:
    """One follow-up per asked proeftuin without an answer, `prompt_followup_days` after the
    prompt; later than FOLLOWUP_GRACE it is recorded as missed instead."""
    wait = timedelta(days=r.policy.prompt_followup_days)
    plans = []
    async with r.database.unit_of_work() as session:
        found = await prompt_store.created_between(
            session, now - wait - FOLLOWUP_GRACE - r.grace, now - wait + timedelta(seconds=1)
        )
        for prompt in found:
            if prompt_id is not None and prompt.id != prompt_id:
                continue
            answered = (await prompt_store.answered_by(session, [prompt.id]))[prompt.id]
            for proeftuin_id in await prompt_store.asked_proeftuinen(session, prompt.id):
                if proeftuin_id in answered:
                    continue
                for platform, channel in await prompt_store.channels_of(
                    session, prompt.id, proeftuin_id
                ):
                    plans.append(
                        (prompt.id, proeftuin_id, platform, channel, prompt.created_at + wait)
                    )
        settled = await effect_queries.settled(
            session, [followup_key(p, q, pl, c) for p, q, pl, c, _ in plans]
        )
    outcomes = []
    for pid, proeftuin_id, platform, channel, due in plans:
        if followup_key(pid, proeftuin_id, platform, channel) in settled:
            continue
        effect = followup_effect(r, pid, proeftuin_id, platform, channel, due)
        if now - due > FOLLOWUP_GRACE:
            async with r.database.unit_of_work() as session:
                noticed = await effects.record_missed(
                    session, effect.key, "followup", now, due, "too late"
                )
            if noticed:
                log.warning("follow-up %s not sent: too late", effect.key)
            continue
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes
