"""Personal data: mijn-gegevens (everything stored about the caller) and vergeet-mij (erase)."""

from __future__ import annotations

from handlers.context import Context
from handlers.registry import command
from handlers.types import Reply, Target, Visibility
from handlers.views import learning_line
from storage import learnings, members, rings

CONFIRM_WORDS = ("bevestig", "confirm")


def _private(ctx: Context, text: str, title: str | None = None) -> Reply:
    place = ctx.command.place
    return Reply(
        text=text,
        title=title,
        visibility=Visibility.DIRECT,
        to=Target(place.platform, user_id=ctx.command.actor.user_id),
    )


@command("mijn-gegevens", "my-data", "mijngegevens")
async def my_data(ctx: Context) -> Reply:
    """Send the caller, privately, everything stored about them."""
    member = ctx.member
    written = await learnings.of_author(ctx.session, member.id)
    lines = [
        ctx.t("privacy.data_header"),
        ctx.t(
            "privacy.data_member",
            platform=member.platform,
            user=member.user_id,
            name=member.display_name,
            role=ctx.t(f"role.{member.role}"),
            since=ctx.t.day(member.created_at),
        ),
        ctx.t("privacy.data_learnings", count=len(written)),
    ]
    lines += [f"• {learning_line(ctx.t, learning, learning.text)}" for learning in written]
    lines.append(ctx.t("privacy.data_footer"))
    return _private(ctx, "\n".join(lines), ctx.t("privacy.data_title"))


@command("vergeet-mij", "forget-me", "vergeetmij")
async def forget_me(ctx: Context) -> Reply:
    """Explain what will be erased; with `bevestig` erase it."""
    written = await learnings.of_author(ctx.session, ctx.member.id)
    if ctx.command.args.strip().lower() not in CONFIRM_WORDS:
        return Reply(
            text=ctx.t("privacy.forget_explain", count=len(written)),
            visibility=Visibility.ONLY_CALLER,
        )
    await rings.unpublish_author(ctx.session, ctx.member.id)
    anonymised = await members.forget(ctx.session, ctx.member)
    return Reply(
        text=ctx.t("privacy.forget_done", count=anonymised), visibility=Visibility.ONLY_CALLER
    )
