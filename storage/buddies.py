"""Maatjes: who opted in, what each of them is about, and who met whom (the pairing itself is
the pure handlers.buddy_pairing; the round is schedules/buddies.py).

Which proeftuin a person belongs to, one rule: the proeftuin of the channel where they said
`maatje aan`; said in a direct message, the proeftuin they captured most learnings in over the
last six months (the latest on a tie); without any, the proeftuin of the channel where they
most recently followed a theme. Somebody with none of these is not paired (`maatje` tells them
to say `maatje aan` in their proeftuin's channel).

What a person is about, as a weight per theme: 2 for every theme they follow, plus 1 for every
learning they captured on it in the last six months (themes are the programme's shared words;
no learning is shown by them). Archived themes do not count.

Like every repository these take the caller's session and never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import core
from storage.models import (
    BuddyOptIn,
    BuddyPair,
    Follow,
    Learning,
    LearningTheme,
    Member,
    Proeftuin,
    Theme,
)
from storage.rings import SHARED
from storage.visibility import visible

LOOKBACK = timedelta(days=183)  # learnings that count for themes and proeftuin; pairs kept
FOLLOW_WEIGHT = 2.0
LEARNING_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class Loaded:
    """One opted-in person as the pairing needs them."""

    member_id: int
    platform: str
    proeftuin_id: int | None
    themes: dict[int, float]


async def opt_in(
    session: AsyncSession, member: Member, proeftuin_id: int | None, at: datetime
) -> bool:
    """`maatje aan` said at `at` (the command's time, which the round's cut-off compares
    with): True when newly opted in; said again from a proeftuin's channel, that proeftuin
    becomes theirs (said again in a direct message, the one known stays)."""
    row = await session.get(BuddyOptIn, member.id)
    if row is not None:
        if proeftuin_id is not None:
            row.proeftuin_id = proeftuin_id
        return False
    session.add(BuddyOptIn(member_id=member.id, proeftuin_id=proeftuin_id, opted_in_at=at))
    await session.flush()
    return True


async def opt_out(session: AsyncSession, member_id: int) -> bool:
    """`maatje uit`: True when they were opted in (the past pairs stay, six months)."""
    result = await session.execute(delete(BuddyOptIn).where(BuddyOptIn.member_id == member_id))
    return bool(getattr(result, "rowcount", 0))


async def opted_in(session: AsyncSession, member_id: int) -> BuddyOptIn | None:
    return await session.get(BuddyOptIn, member_id)


async def proeftuin_of(session: AsyncSession, member_id: int, now: datetime) -> Proeftuin | None:
    """The proeftuin the rule above gives one opted-in member (None: not known)."""
    loaded = await participants(session, now, now, only=member_id)
    if not loaded or loaded[0].proeftuin_id is None:
        return None
    return await session.get(Proeftuin, loaded[0].proeftuin_id)


async def participants(
    session: AsyncSession, now: datetime, cutoff: datetime, only: int | None = None
) -> list[Loaded]:
    """Everybody opted in at `cutoff`, with their proeftuin and theme weights: four queries,
    each one pass over the opted-in people's rows (2,000 people: some tens of milliseconds)."""
    since = now - LOOKBACK
    optins = select(BuddyOptIn.member_id)
    if only is not None:  # one person, whenever they opted in
        optins = optins.where(BuddyOptIn.member_id == only)
    else:
        optins = optins.where(BuddyOptIn.opted_in_at <= cutoff)
    people = (
        await session.execute(
            select(BuddyOptIn.member_id, Member.platform, BuddyOptIn.proeftuin_id)
            .join(Member, Member.id == BuddyOptIn.member_id)
            .where(BuddyOptIn.member_id.in_(optins))
            .order_by(BuddyOptIn.member_id)
        )
    ).all()
    themes: dict[int, dict[int, float]] = defaultdict(dict)
    follows = await session.execute(
        select(Follow.member_id, Follow.theme_id, Follow.proeftuin_id, Follow.created_at)
        .join(Theme, Theme.id == Follow.theme_id)
        .where(Follow.member_id.in_(optins), Theme.archived_at.is_(None))
    )
    followed_in: dict[int, tuple[datetime, int]] = {}
    for member_id, theme_id, proeftuin_id, created_at in follows:
        themes[member_id][theme_id] = themes[member_id].get(theme_id, 0.0) + FOLLOW_WEIGHT
        if proeftuin_id is not None:
            latest = followed_in.get(member_id)
            if latest is None or created_at > latest[0]:
                followed_in[member_id] = (created_at, proeftuin_id)
    tagged = await session.execute(
        select(Learning.author_id, LearningTheme.theme_id, func.count())
        .join(LearningTheme, LearningTheme.learning_id == Learning.id)
        .join(Theme, Theme.id == LearningTheme.theme_id)
        .where(
            Learning.author_id.in_(optins),
            Learning.created_at >= since,
            Theme.archived_at.is_(None),
        )
        .group_by(Learning.author_id, LearningTheme.theme_id)
    )
    for author, tagged_theme, count in tagged:
        if author is not None:
            weight = themes[author].get(tagged_theme, 0.0) + LEARNING_WEIGHT * int(count)
            themes[author][tagged_theme] = weight
    captured = await session.execute(
        select(
            Learning.author_id, Learning.proeftuin_id, func.count(), func.max(Learning.created_at)
        )
        .where(Learning.author_id.in_(optins), Learning.created_at >= since)
        .group_by(Learning.author_id, Learning.proeftuin_id)
    )
    most: dict[int, tuple[int, datetime, int]] = {}
    for author, garden, count, last in captured:
        if author is None:
            continue
        candidate = (int(count), last, garden)
        if author not in most or candidate[:2] > most[author][:2]:
            most[author] = candidate
    loaded = []
    for member_id, platform, said_in in people:
        proeftuin = said_in
        if proeftuin is None and member_id in most:
            proeftuin = most[member_id][2]
        if proeftuin is None and member_id in followed_in:
            proeftuin = followed_in[member_id][1]
        loaded.append(Loaded(member_id, platform, proeftuin, dict(themes.get(member_id, {}))))
    return loaded


async def past_pairs(session: AsyncSession, since: datetime) -> list[tuple[int, int, datetime]]:
    """The pairs made after `since` (members a, b and when)."""
    rows = await session.execute(
        select(BuddyPair.member_a_id, BuddyPair.member_b_id, BuddyPair.created_at).where(
            BuddyPair.created_at > since
        )
    )
    return [(a, b, at) for a, b, at in rows]


async def save_round(
    session: AsyncSession,
    round_key: str,
    pairs: Sequence[tuple[int, int, int | None]],
    now: datetime,
) -> None:
    """Store the pairs of a round (member a, member b, theme); a pair already stored stays."""
    if not pairs:
        return
    insert = core.dialect_insert(session.get_bind().dialect.name)
    await session.execute(
        insert(BuddyPair).on_conflict_do_nothing(),
        [
            dict(round_key=round_key, member_a_id=a, member_b_id=b, theme_id=t, created_at=now)
            for a, b, t in pairs
        ],
    )


async def round_pairs(session: AsyncSession, round_key: str) -> list[BuddyPair]:
    """The pairs of a round, in the order they were made."""
    result = await session.scalars(
        select(BuddyPair).where(BuddyPair.round_key == round_key).order_by(BuddyPair.id)
    )
    return list(result.all())


async def pair_of(session: AsyncSession, round_key: str, member_id: int) -> BuddyPair | None:
    """The pair `member_id` is in this round, if any."""
    result = await session.scalar(
        select(BuddyPair).where(
            BuddyPair.round_key == round_key,
            or_(BuddyPair.member_a_id == member_id, BuddyPair.member_b_id == member_id),
        )
    )
    return result


async def shared_learning(
    session: AsyncSession, member_id: int, theme_id: int | None, now: datetime
) -> Learning | None:
    """One recent learning of `member_id` that may travel outside its proeftuin (ring
    kenniskring or buitenwereld, never `proeftuin`): on the theme when there is one, else any
    of the last six months."""
    base = (
        select(Learning)
        .where(
            Learning.author_id == member_id,
            Learning.created_at >= now - LOOKBACK,
            visible(SHARED),
        )
        .order_by(Learning.created_at.desc(), Learning.id.desc())
        .limit(1)
    )
    if theme_id is not None:
        on_theme = base.join(LearningTheme, LearningTheme.learning_id == Learning.id).where(
            LearningTheme.theme_id == theme_id
        )
        found = (await session.scalars(on_theme)).unique().first()
        if found is not None:
            return found
    return (await session.scalars(base)).unique().first()


async def has_any(session: AsyncSession, member_id: int) -> bool:
    """Whether anything of maatjes is stored about the member (an opt-in or a pair)."""
    if await session.get(BuddyOptIn, member_id) is not None:
        return True
    found = await session.scalar(
        select(BuddyPair.id)
        .where(or_(BuddyPair.member_a_id == member_id, BuddyPair.member_b_id == member_id))
        .limit(1)
    )
    return found is not None


async def erase(session: AsyncSession, member_id: int) -> int:
    """Vergeet-mij: the member's opt-in and every pair they were in go."""
    removed = 0
    for statement in (
        delete(BuddyOptIn).where(BuddyOptIn.member_id == member_id),
        delete(BuddyPair).where(
            or_(BuddyPair.member_a_id == member_id, BuddyPair.member_b_id == member_id)
        ),
    ):
        removed += int(getattr(await session.execute(statement), "rowcount", 0) or 0)
    return removed


async def prune(session: AsyncSession, before: datetime) -> int:
    """Delete the pairs made before `before` (retention: six months)."""
    result = await session.execute(delete(BuddyPair).where(BuddyPair.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def collect(session: AsyncSession, member_id: int) -> dict[str, object]:
    """What mijn-gegevens shows of maatjes: `buddy_optin` (None when not opted in) and
    `buddy_pairs` (the rounds they were paired in, with the other's name and the theme)."""
    row = await session.get(BuddyOptIn, member_id)
    pairs = (
        await session.scalars(
            select(BuddyPair)
            .where(or_(BuddyPair.member_a_id == member_id, BuddyPair.member_b_id == member_id))
            .order_by(BuddyPair.id)
        )
    ).all()
    others = {p.member_b_id if p.member_a_id == member_id else p.member_a_id for p in pairs}
    names = dict(
        (
            await session.execute(
                select(Member.id, Member.display_name).where(Member.id.in_(others))
            )
        ).all()
    )
    slugs = dict(
        (
            await session.execute(
                select(Theme.id, Theme.slug).where(
                    Theme.id.in_({p.theme_id for p in pairs if p.theme_id is not None})
                )
            )
        ).all()
    )
    return {
        "buddy_optin": None
        if row is None
        else {
            "proeftuin_id": row.proeftuin_id,
            "opted_in_at": row.opted_in_at.isoformat(),
        },
        "buddy_pairs": [
            {
                "round": p.round_key,
                "with": names.get(p.member_b_id if p.member_a_id == member_id else p.member_a_id),
                "theme": slugs.get(p.theme_id) if p.theme_id is not None else None,
                "created_at": p.created_at.isoformat(),
            }
            for p in pairs
        ],
    }
