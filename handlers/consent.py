"""Publishing to the buitenwereld only with the author's consent: akkoord and weiger."""

from __future__ import annotations

from datetime import datetime

from handlers.context import Context
from handlers.registry import LEARNING, Kind, Param, command
from handlers.text import parse_number, shorten
from handlers.types import Action, Reply, Target, UserError, Visibility
from storage import learnings
from storage.models import Learning, Ring

NAME_WORDS = ("naam", "name", "met-naam", "with-name")
NAMED = Param("naam", Kind.FLAG, required=False, words=NAME_WORDS)  # `… naam`: credit me


def publish(learning: Learning, *, named: bool, now: datetime) -> None:
    """Move a learning to the buitenwereld with its author's consent."""
    learning.ring = Ring.BUITENWERELD.value
    learning.consent_at = now
    learning.published_at = now
    learning.author_public = named
    learning.publish_requested_at = None


def consent_request(ctx: Context, learning: Learning) -> Reply:
    """The private question to the author, with buttons to agree (with or without name) or not."""
    assert learning.author is not None
    n = str(learning.id)
    return Reply(
        text=ctx.t(
            "consent.request",
            leader=ctx.member.display_name,
            number=learning.id,
            text=shorten(learning.text),
        ),
        actions=(
            Action(ctx.t("button.agree"), "akkoord", n, "primary"),
            Action(ctx.t("button.agree_named"), "akkoord", f"{n} naam"),
            Action(ctx.t("button.decline"), "weiger", n, "danger"),
        ),
        visibility=Visibility.DIRECT,
        to=Target(learning.author.platform, user_id=learning.author.user_id),
    )


async def _own(ctx: Context, usage_key: str) -> Learning:
    number = parse_number(ctx.arg(LEARNING.name), ctx.t(usage_key), "consent.not_yours")
    learning = await learnings.get_own(ctx.session, ctx.member.id, number)
    if learning is None:
        raise UserError("consent.not_yours", number=number)
    ctx.concerns(learning)
    return learning


@command(
    "akkoord",
    "agree",
    params=(LEARNING, NAMED),
    who="author",
    private_first=True,
    rank=130,
    family="inzichten",
)
async def agree(ctx: Context) -> Reply:
    """The author agrees to publish learning N (`naam` to be named)."""
    learning = await _own(ctx, "usage.akkoord")
    named = ctx.given(NAMED.name)
    publish(learning, named=named, now=ctx.command.received_at)
    await ctx.session.flush()
    key = "consent.published_named" if named else "consent.published"
    return Reply(
        text=ctx.t(key, number=learning.id, proeftuin=learning.proeftuin.name),
        visibility=Visibility.ONLY_CALLER,
    )


@command(
    "weiger",
    "decline",
    params=(LEARNING,),
    who="author",
    private_first=True,
    rank=131,
    family="inzichten",
)
async def decline(ctx: Context) -> Reply:
    """The author declines to publish learning N: an open question is answered no; a published
    learning goes back to the kenniskring (consent withdrawn); otherwise nothing changes."""
    learning = await _own(ctx, "usage.weiger")
    if learning.ring == Ring.BUITENWERELD.value:
        withdraw_consent(learning)
        key = "consent.withdrawn"
    elif learning.publish_requested_at is not None:
        key = "consent.declined"
    else:
        key = "consent.not_asked"
    learning.publish_requested_at = None
    await ctx.session.flush()
    return Reply(
        text=ctx.t(key, number=learning.id, ring=ctx.t(f"ring.{learning.ring}")),
        visibility=Visibility.ONLY_CALLER,
    )


def withdraw_consent(learning: Learning) -> None:
    """Take a published learning back to the kenniskring, its consent and credit cleared."""
    learning.ring = Ring.KENNISKRING.value
    learning.consent_at = None
    learning.published_at = None
    learning.author_public = False
