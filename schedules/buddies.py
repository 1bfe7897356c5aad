"""The maatjes round: at every moment of SAMEN_MAATJES_SCHEDULE (default the first Monday of
the month, 10:00 in SAMEN_TIMEZONE), everybody who had opted in by then is paired with
somebody of another proeftuin on a shared theme (handlers/buddy_pairing.py), and everybody in
the round gets one direct message: their introduction, or a kind note that nobody was free.

Exactly once, in two steps, both through the effect ledger:

1. the pairing (`maatjes:2026-12-07`): claimed, paired, its pairs stored and the claim
   completed in one transaction, so of two processes one pairs and the other finds it done
   (and a crash leaves nothing, to be paired again by the next tick);
2. one effect per person (`maatje:2026-12-07:slack:U9`), built from the stored pairs when it
   is sent: a person erased or opted out meanwhile gets nothing, and their partner gets a
   short note instead of an introduction to somebody who left.

Who was left over is read again at every tick as "opted in by the round's moment, and in no
pair of it", which stays the same while the round's messages go out. The messages go out up to
`ROUND_WINDOW` after the round's moment (the bot was down); a round further back is skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.buddies import (
    introduction,
    left_over,
    plan_round,
    round_key,
    trigger,
)
from handlers.types import Reply, Target
from schedules.ledger import Effect, Outcome, run_effect
from schedules.rhythm import Rhythm, last_fire_time
from storage import buddies, effect_queries, effects, members
from storage.effect_keys import maatje_key, maatjes_key
from storage.models import BuddyOptIn, Member, Theme

ROUND_WINDOW = timedelta(days=3)


def intro_effect(
    r: Rhythm, key: str, platform: str, user: str, due: datetime, now: datetime
) -> Effect:
    """One person's message of round `key`, built when it is sent."""
    t = r.policy.translator()

    async def build(session: AsyncSession) -> list[Reply] | None:
        member = await members.find(session, platform, user)
        if member is None or await buddies.opted_in(session, member.id) is None:
            return None  # erased, or opted out since
        pair = await buddies.pair_of(session, key, member.id)
        if pair is None:
            return [left_over(t)]
        other_id = pair.member_b_id if pair.member_a_id == member.id else pair.member_a_id
        other = await session.get(Member, other_id)
        if other is None or await buddies.opted_in(session, other_id) is None:
            return [left_over(t, why="maatje.partner_left")]
        theme = await session.get(Theme, pair.theme_id) if pair.theme_id is not None else None
        theme_id = theme.id if theme is not None else None
        theirs = await buddies.shared_learning(session, other_id, theme_id, now)
        mine = await buddies.shared_learning(session, member.id, theme_id, now)
        garden = await buddies.proeftuin_of(session, other_id, now)
        name = garden.name if garden is not None else t("maatje.unknown_proeftuin")
        return [introduction(t, other, name, theme, theirs, mine)]

    return Effect(
        key=maatje_key(key, platform, user),
        kind="maatje",
        target=Target(platform, user_id=user),
        build=build,
        due_at=due,
        expires_at=due + ROUND_WINDOW,
    )


async def pair_once(r: Rhythm, key: str, fire: datetime, now: datetime) -> bool:
    """Pair round `key` unless it was (True when this call paired it)."""
    async with r.database.unit_of_work() as session:
        if await effect_queries.settled(session, [maatjes_key(key)]):
            return False
    async with r.database.unit_of_work() as session:
        held = await effects.claim(
            session,
            maatjes_key(key),
            "maatjes",
            r.owner,
            now,
            due_at=fire,
            expires_at=fire + ROUND_WINDOW,
        )
        if held is None:
            return False
        plan = await plan_round(session, key, now, fire)
        pairs = [(p.a, p.b, p.theme_id) for p in plan.round.pairs]
        await buddies.save_round(session, key, pairs, now)
        return await effects.complete(session, held, now)


async def _recipients(
    session: AsyncSession, key: str, fire: datetime, available: set[str]
) -> list[tuple[str, str]]:
    """Everybody in round `key`: in one of its pairs, or opted in by its moment and left
    over; on a platform this process can send to."""
    paired = {
        m for p in await buddies.round_pairs(session, key) for m in (p.member_a_id, p.member_b_id)
    }
    rows = await session.execute(
        select(Member.platform, Member.user_id)
        .outerjoin(BuddyOptIn, BuddyOptIn.member_id == Member.id)
        .where(
            or_(
                Member.id.in_(paired) if paired else false(),
                BuddyOptIn.opted_in_at <= fire,
            )
        )
        .order_by(Member.id)
    )
    return [(platform, user) for platform, user in rows if platform in available]


async def buddies_due(r: Rhythm, now: datetime) -> list[Outcome]:
    """Pair the latest round once (within its window) and send each of its messages once."""
    cron = trigger(r.policy.maatjes_schedule, r.timezone)
    if cron is None:
        return []
    fire = last_fire_time(cron, now)
    if fire is None or now - fire > ROUND_WINDOW:
        return []
    key = round_key(fire, r.timezone)
    await pair_once(r, key, fire, now)
    async with r.database.unit_of_work() as session:
        if not await effect_queries.settled(session, [maatjes_key(key)]):
            return []  # another process is pairing it; the next tick sends
        plans = await _recipients(session, key, fire, r.platforms())
        settled = await effect_queries.settled(session, [maatje_key(key, p, u) for p, u in plans])
    outcomes = []
    for platform, user in plans:
        if maatje_key(key, platform, user) in settled:
            continue
        effect = intro_effect(r, key, platform, user, fire, now)
        outcomes.append(await run_effect(r.database, r.sender, effect, now, owner=r.owner))
    return outcomes
