"""Linking a channel to a proeftuin (koppel)."""

from __future__ import annotations

from handlers import limits
from handlers.context import Context
from handlers.registry import Kind, Param, command
from handlers.types import Reply, UserError
from storage import proeftuinen


@command(
    "koppel",
    "link",
    leader_only=True,
    params=(Param("proeftuin", Kind.PROEFTUIN, max_length=limits.PROEFTUIN_NAME),),
    invalidates=("proeftuinen",),
    rank=200,
    family="beheer",
)
async def link(ctx: Context) -> Reply:
    """Link this channel to a proeftuin, creating the proeftuin when new."""
    name = " ".join(ctx.arg("proeftuin").split())
    if not name:
        known = await proeftuinen.list_all(ctx.session)
        raise UserError(
            "koppel.usage",
            known=", ".join(p.name for p in known) or ctx.t("word.none"),
        )
    limits.check(name, limits.PROEFTUIN_NAME, "limit.proeftuin_name")
    if not any(ch.isalnum() for ch in name):
        raise UserError("koppel.bad_name", name=name[:60])
    if ctx.command.place.is_direct:
        raise UserError("koppel.direct")
    proeftuin, created = await proeftuinen.get_or_create(ctx.session, name)
    previous = await proeftuinen.link_channel(
        ctx.session, ctx.command.place.platform, ctx.command.place.channel_id, proeftuin
    )
    key = "koppel.created" if created else "koppel.linked"
    lines = [ctx.t(key, proeftuin=proeftuin.name)]
    if previous is not None:
        lines.append(ctx.t("koppel.moved", previous=previous.name))
    return Reply(text="\n".join(lines))
