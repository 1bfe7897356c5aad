"""lijkt: learnings of other proeftuinen that say something alike, offered to recognise or
enrich; also offered right after a capture (`offer_after_capture`)."""

from __future__ import annotations

from handlers.context import Context
from handlers.registry import LEARNING, command
from handlers.text import parse_number, shorten
from handlers.types import Action, Reply, UserError
from storage import learnings
from storage.models import Learning
from storage.related import Related, has_significant_words, related_learnings

SHOWN_TEXT = 160  # characters of each learning alike


@command("lijkt", "similar", params=(LEARNING,), rank=45, family="inzichten")
async def similar(ctx: Context) -> Reply:
    """Up to three learnings of other proeftuinen, visible here, that say something like N."""
    number = parse_number(ctx.arg(LEARNING.name), ctx.t("usage.lijkt"))
    learning = await learnings.get_visible(ctx.session, ctx.viewer, number)
    if learning is None:
        raise UserError("error.no_such_learning", number=number)
    if not has_significant_words(learning.text):
        return Reply(text=ctx.t("lijkt.few_words", number=learning.id))
    found = await _related(ctx, learning)
    if not found:
        return Reply(text=ctx.t("lijkt.nothing", number=learning.id))
    header = ctx.t.plural("lijkt.header", len(found), number=learning.id)
    return _offer(ctx, learning, found, header)


async def offer_after_capture(ctx: Context, learning: Learning) -> list[Reply]:
    """After a capture: learnings of other proeftuinen alike, if any (one bounded query; none
    when the text has too few significant words)."""
    found = await _related(ctx, learning)
    if not found:
        return []
    return [_offer(ctx, learning, found, ctx.t.plural("lijkt.captured", len(found)))]


async def _related(ctx: Context, learning: Learning) -> list[Related]:
    # Never the caller's own proeftuin; where the caller has none (a DM, the kenniskring's
    # channel), never the learning's own.
    own = ctx.proeftuin.id if ctx.proeftuin is not None else learning.proeftuin_id
    return await related_learnings(
        ctx.session,
        ctx.viewer,
        learning.text,
        exclude_proeftuin_id=own,
        exclude_learning_id=learning.id,
        theme_ids=[theme.id for theme in learning.themes],
    )


def _offer(ctx: Context, learning: Learning, found: list[Related], header: str) -> Reply:
    """One line per learning alike with its words; Herken and Verrijk buttons where the caller
    has a proeftuin to recognise or enrich it with."""
    lines = [header]
    actions: list[Action] = []
    can_act = ctx.proeftuin is not None
    for related in found:
        key = "lijkt.offer" if can_act else "lijkt.line"
        lines.append(ctx.t(key, number=related.learning_id, proeftuin=related.proeftuin))
        lines.append(f"> {shorten(related.text, SHOWN_TEXT)}")
        if can_act:
            n = str(related.learning_id)
            actions += [
                Action(ctx.t("button.herken", number=n), "herken", n, "primary"),
                Action(ctx.t("button.verrijk", number=n), "verrijk", n),
            ]
    return Reply(
        text="\n".join(lines),
        title=ctx.t("lijkt.title", number=learning.id),
        actions=tuple(actions),
    )
