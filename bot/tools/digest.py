"""What the `samen-bot digest` command (and the end of `samen-bot demo`) does, apart from click.

`digest` prints the digest of an ISO week as the console shows it, or posts it through the
ledger: `console:` channels are printed here with their channel name, other platforms go to their
adapter when one is registered in this process, and are otherwise queued for `samen-bot serve`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.console.outbound import ConsoleOutbound
from bot.console.render import render_reply
from handlers.digest import digest_replies
from schedules import weekly_digest
from schedules.ledger import Outcome
from schedules.rhythm import Rhythm
from storage.weeks import Week, parse_week, week_of


def resolve_week(text: str | None, timezone: ZoneInfo, now: datetime) -> Week:
    """`--week 2026-W48`, or this week in SAMEN_TIMEZONE; ValueError when malformed."""
    return parse_week(text, timezone) if text else week_of(now, timezone)


async def print_digest(app: Any, week: Week, now: datetime, out: TextIO) -> int:
    """Write the digest of `week` as console text; returns how many messages it has."""
    t = app.policy.translator()
    async with app.database.reading() as reader:
        replies = await digest_replies(reader, t, app.policy.timezone, week, now)
    for reply in replies:
        out.write(render_reply(reply, t, "", "digest") + "\n")
    out.flush()
    return len(replies)


async def post_digest(app: Any, week: Week, now: datetime, out: TextIO) -> list[str]:
    """Post the digest of `week` to every digest channel (once per week and channel); console
    channels are printed to `out`. Returns one report line per channel."""
    t = app.policy.translator()
    if not app.policy.digest_channels:
        return [t("cli.digest_no_channels")]
    if "console" not in app.delivery.platforms():
        app.delivery.register(ConsoleOutbound(t, stream=out))
    rhythm = Rhythm(
        database=app.database,
        sender=app.delivery,
        policy=app.policy,
        schedule=app.settings.SAMEN_DIGEST_SCHEDULE,
    )
    lines = []
    for platform, channel, outcome in await weekly_digest.post_digest(rhythm, week, now):
        where = f"{platform}:{channel}"
        if outcome == Outcome.SENT:
            lines.append(t("cli.digest_posted", channel=where, week=week.label))
        elif outcome == "queued":
            lines.append(t("digest.queued", channel=where).lstrip("• "))
        elif outcome in (Outcome.FAILED, Outcome.GAVE_UP):
            lines.append(t("cli.digest_failed", channel=where, status=outcome))
        else:
            lines.append(t("cli.digest_skipped", channel=where, week=week.label))
    return lines
