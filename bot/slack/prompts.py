"""The seam between Slack threads and reflection prompts (`vraag`).

`vraag` returns one Reply per proeftuin channel, each carrying the prompt's answer button;
after posting one, the adapter records the message (`record_posts`), so that a reply in its
thread becomes `antwoord <prompt> <text>` (`prompt_for_thread`). Both go through
`storage.prompts` and do nothing while that module or its functions are absent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.app import App
from handlers.types import Reply

log = logging.getLogger(__name__)

PLATFORM = "slack"


async def prompt_for_thread(app: App, channel_id: str, thread_ts: str) -> int | None:
    """The prompt posted as the root of this thread, if any."""
    try:
        from storage import prompts

        lookup = prompts.prompt_for_thread
    except (ImportError, AttributeError):
        return None
    async with app.database.unit_of_work() as session:
        found = await lookup(session, PLATFORM, channel_id, thread_ts)
    if found is None:
        return None
    return found if isinstance(found, int) else getattr(found, "id", None)


async def record_posts(
    app: App, replies: Sequence[Reply], message_ids: Sequence[str | None]
) -> None:
    """Remember the message of every posted prompt (replies with `to` a channel)."""
    try:
        from handlers.prompts import prompt_of
        from storage.prompts import record_prompt_post
    except ImportError:
        return
    posted = []
    for reply, message_id in zip(replies, message_ids, strict=False):
        prompt_id = prompt_of(reply)
        if prompt_id is not None and message_id and reply.to and reply.to.channel_id:
            posted.append((prompt_id, reply.to.platform, reply.to.channel_id, message_id))
    if not posted:
        return
    async with app.database.unit_of_work() as session:
        for prompt_id, platform, channel_id, message_id in posted:
            await record_prompt_post(session, prompt_id, platform, channel_id, message_id)
