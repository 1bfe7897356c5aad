"""Reflection prompts: vraag (a leader asks proeftuin channels), antwoord (an answer becomes a
learning linked to the prompt), and the friendly follow-up text.

How the prompt reaches the channels: `vraag` returns one Reply per linked channel with
`to=Target(platform, channel_id=…)`; the adapter that handled the command delivers them (through
`app.delivery.send(reply.to, reply)` for other platforms) and then tells the router the message
id (`Router.posted`, from the reply's `post_token`), so thread replies to that message become
answers (`Router.thread_reply`).

An answer from a proeftuin that was not asked is saved all the same (every voice counts), and the
reply says, kindly, that the question went to others.
"""

from __future__ import annotations

from handlers import limits
from handlers.context import Context
from handlers.edge import prompt_token
from handlers.i18n import Translator
from handlers.learnings import already_saved, follow_notices, store_learning
from handlers.registry import IN_PROEFTUIN, Kind, Param, command
from handlers.text import has_words, parse_number, shorten, tags
from handlers.types import Action, Reply, Target, UserError, Visibility
from storage import proeftuinen
from storage import prompts as prompt_store
from storage.models import Prompt

ANSWER_COMMAND = "antwoord"


def prompt_of(reply: Reply) -> int | None:
    """The prompt number a posted reply carries (its answer button), for adapters that record
    the message id after sending; None for any other reply."""
    for action in reply.actions:
        if action.command == ANSWER_COMMAND and action.args.strip().isdigit():
            return int(action.args)
    return None


def answer_action(t: Translator, prompt_id: int) -> Action:
    """The button under a prompt: in the console it shows the command to type."""
    return Action(t("button.answer"), ANSWER_COMMAND, str(prompt_id), "primary")


def prompt_post(t: Translator, prompt: Prompt, asker: str, target: Target) -> Reply:
    """The prompt as posted in a proeftuin channel."""
    return Reply(
        text=t("vraag.post", number=prompt.id, question=prompt.question, asker=asker),
        title=t("vraag.title", number=prompt.id),
        actions=(answer_action(t, prompt.id),),
        to=target,
        post_token=prompt_token(prompt.id),
    )


def followup_post(t: Translator, prompt: Prompt, proeftuin: str, target: Target) -> Reply:
    """The one friendly follow-up for a proeftuin that has not answered yet."""
    return Reply(
        text=t(
            "vraag.followup",
            number=prompt.id,
            question=shorten(prompt.question, 500),
            proeftuin=proeftuin,
        ),
        title=t("vraag.title", number=prompt.id),
        actions=(answer_action(t, prompt.id),),
        to=target,
        post_token=prompt_token(prompt.id),
    )


@command(
    "vraag",
    "prompt",
    leader_only=True,
    params=(Param("vraag", Kind.TEXT, max_length=limits.PROMPT_TEXT), IN_PROEFTUIN),
    rank=220,
    family="beheer",
)
async def ask(ctx: Context) -> list[Reply]:
    """`vraag <vraag> [proeftuin:<naam>]`: post a reflection prompt to proeftuin channels."""
    question = ctx.arg("vraag").strip().removesuffix("|").rstrip()  # `vraag … | proeftuin:X`
    name = ctx.arg(IN_PROEFTUIN.name)
    if not question or not has_words(question):
        raise UserError("vraag.usage", usage=ctx.t("usage.vraag"))
    limits.check(question, limits.PROMPT_TEXT, "limit.prompt")
    proeftuin = None
    if name:
        proeftuin = await proeftuinen.find_by_name(ctx.session, name)
        if proeftuin is None:
            known = ", ".join(p.name for p in await proeftuinen.list_all(ctx.session))
            raise UserError("error.no_such_proeftuin", name=name, known=known or "—")
    channels = await prompt_store.target_channels(ctx.session, proeftuin)
    if not channels:
        if proeftuin is not None:
            raise UserError("vraag.no_channel", proeftuin=proeftuin.name)
        raise UserError("vraag.no_channels")
    prompt = await prompt_store.create(
        ctx.session,
        question=question,
        proeftuin=proeftuin,
        created_by=ctx.member,
        created_at=ctx.command.received_at,
    )
    asker = ctx.member.display_name
    replies = []
    for proeftuin_id, platform, channel_id in channels:
        await prompt_store.add_post(
            ctx.session, prompt, proeftuin_id, platform, channel_id, ctx.command.received_at
        )
        replies.append(prompt_post(ctx.t, prompt, asker, Target(platform, channel_id=channel_id)))
    names = {p.id: p.name for p in await proeftuinen.list_all(ctx.session)}
    asked = sorted({names.get(p, "?") for p, _, _ in channels})
    confirmation = Reply(
        text=ctx.t(
            "vraag.sent",
            number=prompt.id,
            asked=ctx.t.plural("count.proeftuin", len(asked)),
            proeftuinen=", ".join(asked),
            channels=ctx.t.plural("count.kanaal", len(channels)),
            days=ctx.t.plural("count.dag", ctx.policy.prompt_followup_days),
        ),
        visibility=Visibility.ONLY_CALLER,
    )
    return [confirmation, *replies]


@command(
    "antwoord",
    "answer",
    params=(
        Param("nummer", Kind.NUMBER, refers="prompt"),
        Param("tekst", Kind.TEXT, max_length=limits.LEARNING_TEXT),
    ),
    needs_text_form=True,
    rank=120,
    family="inzichten",
)
async def answer(ctx: Context) -> Reply | list[Reply]:
    """`antwoord <N> <tekst>`: answer prompt N; the answer is a learning of this proeftuin."""
    usage = ctx.t("usage.antwoord")
    number = parse_number(ctx.arg("nummer"), usage, "antwoord.no_such_prompt")
    prompt = await prompt_store.get(ctx.session, number)
    if prompt is None:
        raise UserError("antwoord.no_such_prompt", number=number)
    text = ctx.arg("tekst").strip()
    limits.check(text, limits.LEARNING_TEXT, "limit.learning")  # before any reply echoes it
    if not text or not has_words(text):
        raise UserError("antwoord.empty", number=number, question=shorten(prompt.question, 200))
    proeftuin = ctx.require_proeftuin(text)
    duplicate = await already_saved(ctx)
    if duplicate is not None:
        return duplicate
    learning, _unknown, followed = await store_learning(
        ctx, text, proeftuin, ctx.member, prompt_id=prompt.id
    )
    lines = [
        ctx.t(
            "antwoord.saved",
            number=learning.id,
            prompt=prompt.id,
            proeftuin=proeftuin.name,
            ring=ctx.t(f"ring.{learning.ring}"),
        ),
        f"> {shorten(learning.text)}",
    ]
    if learning.themes:
        lines.append(ctx.t("inzicht.themes", tags=tags(learning.themes)))
    asked = await prompt_store.asked_proeftuinen(ctx.session, prompt.id)
    if proeftuin.id not in asked:
        lines.append(ctx.t("antwoord.not_asked", prompt=prompt.id, proeftuin=proeftuin.name))
    saved = Reply(
        text="\n".join(lines),
        title=ctx.t("antwoord.title", prompt=prompt.id),
        actions=(Action(ctx.t("button.undo"), "intrekken", str(learning.id), "danger"),),
    )
    return [saved, *(await follow_notices(ctx, learning) if followed else [])]
