"""Reflection prompts (vragen): where they were posted, and which proeftuinen answered.

Adapters tell us the platform message id of every prompt they post, so a thread reply to that
message can become an answer: `record_prompt_post` after sending, `prompt_for_thread` when a
thread reply arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelLink, Learning, Member, Proeftuin, Prompt, PromptPost


async def create(
    session: AsyncSession,
    *,
    question: str,
    proeftuin: Proeftuin | None,
    created_by: Member | None,
    created_at: datetime,
) -> Prompt:
    """Store a prompt asked of one proeftuin (or, with None, of every linked proeftuin)."""
    prompt = Prompt(
        question=question,
        proeftuin_id=proeftuin.id if proeftuin else None,
        created_by_id=created_by.id if created_by else None,
        created_at=created_at,
    )
    session.add(prompt)
    await session.flush()
    return prompt


async def get(session: AsyncSession, prompt_id: int) -> Prompt | None:
    """Prompt `prompt_id`, if it exists."""
    return await session.get(Prompt, prompt_id)


async def target_channels(
    session: AsyncSession, proeftuin: Proeftuin | None
) -> list[tuple[int, str, str]]:
    """(proeftuin id, platform, channel id) of every channel linked to `proeftuin`, or to any
    proeftuin not archived when None."""
    query = select(ChannelLink.proeftuin_id, ChannelLink.platform, ChannelLink.channel_id)
    if proeftuin is not None:
        query = query.where(ChannelLink.proeftuin_id == proeftuin.id)
    else:  # every active proeftuin: an archived one is asked no more
        query = query.join(Proeftuin, Proeftuin.id == ChannelLink.proeftuin_id).where(
            Proeftuin.archived_at.is_(None)
        )
    rows = await session.execute(query.order_by(ChannelLink.proeftuin_id, ChannelLink.id))
    return [(int(p), str(pl), str(c)) for p, pl, c in rows.all()]


async def add_post(
    session: AsyncSession,
    prompt: Prompt,
    proeftuin_id: int,
    platform: str,
    channel_id: str,
    posted_at: datetime,
) -> PromptPost:
    """Record that the prompt goes to a channel (its message id follows from the adapter)."""
    post = PromptPost(
        prompt_id=prompt.id,
        proeftuin_id=proeftuin_id,
        platform=platform,
        channel_id=channel_id,
        posted_at=posted_at,
    )
    session.add(post)
    await session.flush()
    return post


async def record_prompt_post(
    session: AsyncSession, prompt_id: int, platform: str, channel_id: str, message_id: str
) -> PromptPost | None:
    """Remember the platform message that carries prompt `prompt_id` in a channel, so replies in
    its thread become answers. Fills the channel's first post without a message id, or adds a
    row (a follow-up is a second message). None when the channel was never sent the prompt."""
    existing = await session.scalar(
        select(PromptPost).where(
            PromptPost.prompt_id == prompt_id,
            PromptPost.platform == platform,
            PromptPost.message_id == message_id,
        )
    )
    if existing is not None:
        return existing
    posts = list(
        (
            await session.scalars(
                select(PromptPost)
                .where(
                    PromptPost.prompt_id == prompt_id,
                    PromptPost.platform == platform,
                    PromptPost.channel_id == channel_id,
                )
                .order_by(PromptPost.id)
            )
        ).all()
    )
    if not posts:
        return None
    empty = next((p for p in posts if p.message_id is None), None)
    if empty is not None:
        empty.message_id = message_id
        await session.flush()
        return empty
    post = PromptPost(
        prompt_id=prompt_id,
        proeftuin_id=posts[0].proeftuin_id,
        platform=platform,
        channel_id=channel_id,
        message_id=message_id,
        posted_at=posts[0].posted_at,
    )
    session.add(post)
    await session.flush()
    return post


async def prompt_for_thread(
    session: AsyncSession, platform: str, channel_id: str | None, thread_id: str
) -> Prompt | None:
    """The prompt whose posted message starts thread `thread_id` (Slack: the parent `ts`;
    Discord: the message the thread was started from). `channel_id` None matches any channel."""
    query = select(PromptPost.prompt_id).where(
        PromptPost.platform == platform, PromptPost.message_id == thread_id
    )
    if channel_id is not None:
        query = query.where(PromptPost.channel_id == channel_id)
    prompt_id = await session.scalar(query.limit(1))
    return await session.get(Prompt, prompt_id) if prompt_id is not None else None


async def asked_proeftuinen(session: AsyncSession, prompt_id: int) -> list[int]:
    """The proeftuinen a prompt was posted to."""
    rows = await session.scalars(
        select(PromptPost.proeftuin_id)
        .where(PromptPost.prompt_id == prompt_id)
        .distinct()
        .order_by(PromptPost.proeftuin_id)
    )
    return [int(p) for p in rows.all()]


async def channels_of(
    session: AsyncSession, prompt_id: int, proeftuin_id: int
) -> list[tuple[str, str]]:
    """The channels where a prompt was posted for one proeftuin (each once)."""
    rows = await session.execute(
        select(PromptPost.platform, PromptPost.channel_id)
        .where(PromptPost.prompt_id == prompt_id, PromptPost.proeftuin_id == proeftuin_id)
        .group_by(PromptPost.platform, PromptPost.channel_id)
        .order_by(PromptPost.platform, PromptPost.channel_id)
    )
    return [(str(p), str(c)) for p, c in rows.all()]


async def answered_by(session: AsyncSession, prompt_ids: Sequence[int]) -> dict[int, set[int]]:
    """For each prompt, the proeftuinen that answered it (any ring: answering privately within
    the proeftuin is still an answer)."""
    if not prompt_ids:
        return {}
    rows = await session.execute(
        select(Learning.prompt_id, Learning.proeftuin_id)
        .where(Learning.prompt_id.in_(list(prompt_ids)))
        .distinct()
    )
    found: dict[int, set[int]] = {int(p): set() for p in prompt_ids}
    for prompt_id, proeftuin_id in rows.all():
        if prompt_id is not None:
            found[int(prompt_id)].add(int(proeftuin_id))
    return found


async def created_between(session: AsyncSession, start: datetime, end: datetime) -> list[Prompt]:
    """Prompts created in [start, end), oldest first (their follow-ups may be due)."""
    rows = await session.scalars(
        select(Prompt)
        .where(Prompt.created_at >= start, Prompt.created_at < end)
        .order_by(Prompt.created_at, Prompt.id)
    )
    return list(rows.all())


async def count_posts(session: AsyncSession, prompt_id: int) -> int:
    """How many channel messages carry prompt `prompt_id`."""
    return int(
        await session.scalar(
            select(func.count()).select_from(PromptPost).where(PromptPost.prompt_id == prompt_id)
        )
        or 0
    )
