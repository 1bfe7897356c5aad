"""Capturing learnings (inzicht) and what a new or widened learning sets off: follow notices.
Changing a learning afterwards (tag, untag, intrekken, deel) is in `handlers.learning_changes`."""

from __future__ import annotations

from typing import NamedTuple

from handlers import consent, limits
from handlers.context import Context
from handlers.i18n import Translator
from handlers.registry import Kind, Param, command
from handlers.related import offer_after_capture
from handlers.roles import may_change
from handlers.text import (
    closest_slug,
    has_words,
    has_words_besides_tags,
    parse_number,
    shorten,
    slugs_in,
    suggest_themes,
    tags,
)
from handlers.types import Action, Command, Reply, Target, UserError, Visibility
from handlers.views import learning_fields, learning_line
from storage import effect_queries, learnings, members, rings, themes
from storage.learnings import NewLearning
from storage.models import Learning, Member, Proeftuin, Ring, Role, Theme

RING_WORDS = {
    "proeftuin": Ring.PROEFTUIN,
    "pilot": Ring.PROEFTUIN,
    "kenniskring": Ring.KENNISKRING,
    "circle": Ring.KENNISKRING,
    "buitenwereld": Ring.BUITENWERELD,
    "public": Ring.BUITENWERELD,
    "world": Ring.BUITENWERELD,
}
RING_PARAM = Param("ring", Kind.RING)


async def find_changeable(ctx: Context, word: str, usage: str) -> Learning:
    """Learning N if the caller may see it here (or wrote it) and may change it."""
    number = parse_number(word, usage)
    learning = await learnings.get_visible(ctx.session, ctx.viewer, number)
    if learning is None:
        learning = await learnings.get_own(ctx.session, ctx.member.id, number)
    if learning is None:
        raise UserError("error.no_such_learning", number=number)
    if not may_change(learning, ctx.member, ctx.is_leader):
        raise UserError("error.may_not_change", number=number)
    ctx.concerns(learning)
    return learning


async def already_saved(ctx: Context) -> Reply | None:
    """The reply for a message captured before (one learning per platform message)."""
    # A typed command's own event id was claimed by the router just now: nothing can hold it.
    if not ctx.command.source_id:
        return None
    existing = await learnings.by_source_event(ctx.session, ctx.command.source_id)
    if existing is None:
        return None
    return Reply(
        text=ctx.t("inzicht.already", number=existing.id), visibility=Visibility.ONLY_CALLER
    )


def learning_to_store(
    ctx: Context,
    text: str,
    proeftuin: Proeftuin,
    author: Member,
    known: dict[str, Theme],
    *,
    prompt_id: int | None = None,
) -> tuple[NewLearning, list[str]]:
    """The learning to save from `text`, tagged with the known themes its `#slugs` name, in
    the proeftuin's default ring; with the slugs that are no theme (the text keeps them).
    A text longer than `limits.LEARNING_TEXT` is refused before anything is stored."""
    limits.check(text, limits.LEARNING_TEXT, "limit.learning")
    source_id = ctx.command.source_id or (
        f"{ctx.command.place.platform}:{ctx.command.event_id}" if ctx.command.event_id else None
    )
    wanted = slugs_in(text)
    ring = chosen_ring(ctx.command) or (
        Ring(proeftuin.default_ring) if proeftuin.default_ring else ctx.policy.default_ring
    )
    if ring is Ring.BUITENWERELD:
        # Nothing starts public: the buitenwereld needs the writer's own consent first.
        ring = Ring.KENNISKRING
    new = NewLearning(
        text=text,
        proeftuin=proeftuin,
        author=author,
        ring=ring.value,
        themes=[known[s] for s in wanted if s in known],
        platform=ctx.command.place.platform,
        channel_id=ctx.command.place.channel_id,
        source_url=ctx.command.source_url,
        source_event_id=source_id,
        created_at=ctx.command.received_at,
        prompt_id=prompt_id,
    )
    return new, [s for s in wanted if s not in known]


def chosen_ring(command: Command) -> Ring | None:
    """The ring a capture form chose (`Command.ring`), stored at from the start so that follow
    notices are computed from it; never the buitenwereld, which `capture` reaches only with
    the writer's own consent."""
    ring = RING_WORDS.get((command.ring or "").lower())
    return None if ring is Ring.BUITENWERELD else ring


class Saved(NamedTuple):
    """A stored learning, with the slugs in its text that are no theme and whether anyone
    follows one of its themes."""

    learning: Learning
    unknown: list[str]
    followed: bool


async def store_learning(
    ctx: Context, text: str, proeftuin: Proeftuin, author: Member, *, prompt_id: int | None = None
) -> Saved:
    """Save a learning of `proeftuin` (see `learning_to_store`)."""
    known, followed = await themes.by_slugs_followed(ctx.session, slugs_in(text))
    new, unknown = learning_to_store(ctx, text, proeftuin, author, known, prompt_id=prompt_id)
    (learning,) = await learnings.add_many(ctx.session, [new])
    return Saved(learning, unknown, any(theme.id in followed for theme in learning.themes))


@command(
    "inzicht",
    "learning",
    "idee",
    params=(Param("tekst", Kind.TEXT, max_length=limits.LEARNING_TEXT),),
    needs_text_form=True,
    rank=10,
)
async def capture(ctx: Context) -> Reply | list[Reply]:
    """Capture a learning from this channel's proeftuin."""
    text = ctx.arg("tekst").strip()
    if not text:
        raise UserError("inzicht.empty")
    limits.check(text, limits.LEARNING_TEXT, "limit.learning")  # before any reply echoes it
    if not has_words(text):
        raise UserError("inzicht.no_words", text=text)
    if not has_words_besides_tags(text):
        raise UserError("inzicht.only_tags", text=text)
    proeftuin = ctx.require_proeftuin(text)
    duplicate = await already_saved(ctx)
    if duplicate is not None:
        return duplicate
    author = ctx.member
    captured_for = ctx.command.author
    if captured_for is not None and captured_for.key != ctx.command.actor.key:
        author = await members.upsert(
            ctx.session,
            captured_for.platform,
            captured_for.user_id,
            captured_for.display_name,
            Role.DEELNEMER.value,
            keep_role=True,
        )
    learning, unknown, followed = await store_learning(ctx, text, proeftuin, author)
    wants_public = RING_WORDS.get((ctx.command.ring or "").lower()) is Ring.BUITENWERELD
    if wants_public and author is ctx.member:  # the writer's own choice is their consent
        consent.publish(learning, named=False, now=ctx.command.received_at)
        await ctx.session.flush()
    replies = await capture_replies(ctx, learning, unknown, followed=followed)
    if author is not ctx.member:
        replies.insert(1, _author_note(ctx, learning, author))
    return replies


async def capture_replies(
    ctx: Context,
    learning: Learning,
    unknown: list[str],
    *,
    followed: bool = True,
    offer_related: bool = True,
) -> list[Reply]:
    """What a capture answers: the saved reply, learnings of other proeftuinen alike (if any,
    unless `offer_related` is off), then notices for followers of its themes (`followed=False`
    when the caller knows that none of its themes has a follower)."""
    replies = [await _saved_reply(ctx, learning, unknown)]
    if offer_related:
        replies += await offer_after_capture(ctx, learning)
    if followed:
        replies += await follow_notices(ctx, learning)
    return replies


def _author_note(ctx: Context, learning: Learning, author: Member) -> Reply:
    """Tell the author, privately, that someone saved their words, with a one-click withdraw."""
    return Reply(
        text=ctx.t(
            "inzicht.captured_note",
            capturer=ctx.member.display_name,
            number=learning.id,
            proeftuin=learning.proeftuin.name,
            ring=ctx.t(f"ring.{learning.ring}"),
            text=shorten(learning.text),
        ),
        actions=(Action(ctx.t("button.withdraw"), "intrekken", str(learning.id), "danger"),),
        visibility=Visibility.DIRECT,
        to=Target(author.platform, user_id=author.user_id),
    )


async def _saved_reply(ctx: Context, learning: Learning, unknown: list[str]) -> Reply:
    t = ctx.t
    lines = [
        t(
            "inzicht.saved",
            number=learning.id,
            proeftuin=learning.proeftuin.name,
            ring=t(f"ring.{learning.ring}"),
        ),
        f"> {shorten(learning.text)}",
    ]
    actions = [Action(t("button.undo"), "intrekken", str(learning.id), "danger")]
    needs_catalogue = bool(unknown) or not learning.themes
    all_themes = await themes.catalogue(ctx.session) if needs_catalogue else []
    if learning.themes:
        lines.append(t("inzicht.themes", tags=tags(learning.themes)))
    for slug in unknown:
        near = closest_slug(slug, [th.slug for th in all_themes])
        if near:
            lines.append(t("inzicht.unknown_theme_near", slug=slug, near=near, number=learning.id))
        else:
            lines.append(t("inzicht.unknown_theme", slug=slug))
    if not learning.themes:
        suggested = suggest_themes(learning.text, all_themes)
        if suggested:
            lines.append(
                t(
                    "inzicht.suggest",
                    tags=tags(suggested),
                    number=learning.id,
                    first=suggested[0].slug,
                )
            )
            actions += [
                Action(f"#{th.slug}", "tag", f"{learning.id} #{th.slug}") for th in suggested
            ]
        elif all_themes:
            lines.append(t("inzicht.no_suggestion", number=learning.id))
    return Reply(
        text="\n".join(lines),
        title=t("inzicht.title", number=learning.id),
        fields=learning_fields(t, learning),
        actions=tuple(actions),
    )


IMMEDIATE_NOTICES = 20


async def follow_notices(ctx: Context, learning: Learning) -> list[Reply]:
    """Queue notices for followers of the learning's themes; those not told within the hour
    are told now (one private message each, listing everything pending for them)."""
    queued = await rings.queue_notices(ctx.session, learning)
    if not queued:
        return []
    now = ctx.command.received_at
    candidates = set(sorted(queued)[: IMMEDIATE_NOTICES * 3])
    # A follower whose last batch is still being sent or retried hears from that batch and
    # the next one, never twice about the same learning (see schedules/notices.py).
    candidates -= await effect_queries.open_notice_members(ctx.session)
    due = await rings.pending(ctx.session, now, candidates)
    replies = []
    # A few followers are told with the reply; a large fan-out is left to the scheduler's
    # notice job (within a minute), so one command never floods a platform with DMs.
    for member, items in list(due.items())[:IMMEDIATE_NOTICES]:
        replies.append(notice_reply(ctx.t, member, items))
        await rings.mark_sent(ctx.session, member.id, [i.id for i in items], now)
    return replies


def notice_reply(t: Translator, member: Member, items: list[Learning]) -> Reply:
    """One private message telling a follower about new learnings on themes they follow."""
    lines = [t("volg.notice_header", count=len(items))]
    lines += [f"• {learning_line(t, learning)}" for learning in items]
    lines.append(t("volg.notice_footer"))
    return Reply(
        text="\n".join(lines),
        visibility=Visibility.DIRECT,
        to=Target(member.platform, user_id=member.user_id),
        shows=tuple(learning.id for learning in items),
    )
