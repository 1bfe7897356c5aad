"""Linking a channel to a proeftuin (koppel): a name like an existing proeftuin's is asked about
before a second proeftuin is made, and a linked channel moves only when the leader confirms."""

from __future__ import annotations

import difflib

from handlers import limits
from handlers.context import Context
from handlers.registry import Kind, Param, command
from handlers.types import Reply, UserError
from storage import proeftuinen
from storage.models import Proeftuin

CONFIRM_WORDS = ("bevestig", "confirm", "toch", "anyway")
CONFIRM = Param("bevestig", Kind.FLAG, required=False, words=CONFIRM_WORDS)
TYPO_RATIO = 0.8  # how alike two words must be to count as one misspelled


def _words(name: str) -> list[str]:
    return name.replace("-", " ").lower().split()


def _means(typed: list[str], existing: list[str]) -> bool:
    """Whether a typed name probably means an existing one: its words are among the existing
    name's (`zuiderwijk` for `Buurtkamer Zuiderwijk`), or each word is a typo of the word in
    the same place (`Buurtkamr Zuiderwijk`); `Proeftuin B` does not mean `Proeftuin A`."""
    if set(typed) <= set(existing) or set(existing) <= set(typed):
        return True
    return len(typed) == len(existing) and all(
        difflib.SequenceMatcher(None, a, b).ratio() >= TYPO_RATIO
        for a, b in zip(typed, existing, strict=True)
    )


def near_names(name: str, known: list[Proeftuin]) -> list[str]:
    """Existing proeftuinen a new name probably means, at most three."""
    typed = _words(name)
    return [p.name for p in known if _means(typed, _words(p.name))][:3]


@command(
    "koppel",
    "link",
    leader_only=True,
    params=(CONFIRM, Param("proeftuin", Kind.PROEFTUIN, max_length=limits.PROEFTUIN_NAME)),
    invalidates=("proeftuinen",),
    rank=200,
    family="beheer",
)
async def link(ctx: Context) -> Reply:
    """Link this channel to a proeftuin, creating the proeftuin when new."""
    name = " ".join(ctx.arg("proeftuin").split())
    if not name:
        known = await proeftuinen.list_active(ctx.session)
        raise UserError(
            "koppel.usage",
            known=", ".join(p.name for p in known) or ctx.t("word.none"),
        )
    limits.check(name, limits.PROEFTUIN_NAME, "limit.proeftuin_name")
    if not any(ch.isalnum() for ch in name):
        raise UserError("koppel.bad_name", name=name[:60])
    if ctx.command.place.is_direct:
        raise UserError("koppel.direct")
    confirmed = ctx.given(CONFIRM.name)
    place = ctx.command.place
    existing = await proeftuinen.find_by_name(ctx.session, name)
    if existing is not None and existing.archived_at is not None:
        raise UserError("koppel.archived", proeftuin=existing.name)
    if existing is None and not confirmed:
        near = near_names(name, await proeftuinen.list_active(ctx.session))
        if near:
            raise UserError("koppel.near", name=name, near=near[0])
    current = ctx.proeftuin
    if current is not None and existing is not None and current.id == existing.id:
        return Reply(text=ctx.t("koppel.already", proeftuin=current.name))
    if current is not None and not confirmed:
        raise UserError("koppel.confirm_move", current=current.name, name=name)
    proeftuin, created = await proeftuinen.get_or_create(ctx.session, name)
    previous = await proeftuinen.link_channel(
        ctx.session, place.platform, place.channel_id, proeftuin
    )
    key = "koppel.created" if created else "koppel.linked"
    lines = [ctx.t(key, proeftuin=proeftuin.name)]
    if previous is not None:
        lines.append(ctx.t("koppel.moved", previous=previous.name))
    return Reply(text="\n".join(lines))
