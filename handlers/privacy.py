"""Personal data: mijn-gegevens (everything stored about the caller, also as a JSON file) and
vergeet-mij (erase it). What is stored, and for how long: docs/privacy.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handlers.context import Context
from handlers.registry import Kind, Param, command
from handlers.text import shorten
from handlers.types import Reply, Target, Visibility
from storage import buddies, files, learnings, members, personal_data, retention, rings

CONFIRM_WORDS = ("bevestig", "confirm")
ITEMS_SHOWN = 10  # per kind in the chat reply; the file has them all
ITEM_TEXT = 120  # characters of a text shown in the chat reply


def _private(
    ctx: Context, text: str, title: str | None = None, files: tuple[str, ...] = ()
) -> Reply:
    place = ctx.command.place
    return Reply(
        text=text,
        title=title,
        visibility=Visibility.DIRECT,
        to=Target(place.platform, user_id=ctx.command.actor.user_id),
        attachments=files,
    )


def export_folder(ctx: Context) -> Path:
    """Where mijn-gegevens files are written: beside the .ics files, in their own folder."""
    return files.export_folder(ctx.database.url, ctx.policy.data_dir)


def _file_names(member_id: int) -> tuple[str, ...]:
    """The names a member's file may have (one per language, so erasing finds either)."""
    return (f"mijn-gegevens-{member_id}.json", f"my-data-{member_id}.json")


def _section(ctx: Context, msgid: str, items: list[str]) -> list[str]:
    """`Kind: N` and at most ITEMS_SHOWN of the items, with a pointer to the file for more."""
    lines = [ctx.t(msgid, count=len(items))]
    lines += [f"• {item}" for item in items[:ITEMS_SHOWN]]
    if len(items) > ITEMS_SHOWN:
        lines.append(ctx.t("privacy.data_more", count=len(items) - ITEMS_SHOWN))
    return lines


def _answer(ctx: Context, answer: str) -> str:
    return ctx.t("privacy.rsvp_yes" if answer == "ja" else "privacy.rsvp_no")


def _learning_item(ctx: Context, item: dict[str, Any]) -> str:
    parts = [f"#{item['id']}", item["proeftuin"], ctx.t(f"ring.{item['ring']}")]
    parts += [f"#{slug}" for slug in item["themes"]]
    if item["consent_at"]:
        parts.append(
            ctx.t("privacy.data_consent_named" if item["author_public"] else "privacy.data_consent")
        )
    if item["prompt_id"]:
        parts.append(ctx.t("privacy.data_answer", number=item["prompt_id"]))
    return " · ".join(parts) + " — " + shorten(item["text"], ITEM_TEXT)


def summary(ctx: Context, data: dict[str, Any], file_name: str) -> list[str]:
    """The chat version of `data`: counts, and the first items of each kind."""
    who = data["member"]
    lines = [
        ctx.t("privacy.data_header", file=file_name),
        ctx.t(
            "privacy.data_member",
            platform=who["platform"],
            user=who["user_id"],
            name=who["display_name"],
            role=ctx.t(f"role.{who['role']}"),
            since=ctx.t.day(ctx.member.created_at),
        ),
    ]
    lines += _section(
        ctx, "privacy.data_learnings", [_learning_item(ctx, i) for i in data["learnings"]]
    )
    lines += _section(
        ctx,
        "privacy.data_enrichments",
        [
            f"#{e['learning_id']} · {e['proeftuin']} — {shorten(e['text'], ITEM_TEXT)}"
            for e in data["enrichments"]
        ],
    )
    lines += _section(
        ctx,
        "privacy.data_recognitions",
        [f"#{r['learning_id']} · {r['proeftuin']}" for r in data["recognitions"]],
    )
    lines += _section(ctx, "privacy.data_follows", [f"#{f['theme']}" for f in data["follows"]])
    lines += _section(
        ctx,
        "privacy.data_rsvps",
        [
            f"#{r['meeting_id']} {shorten(r['meeting'], ITEM_TEXT)}: {_answer(ctx, r['answer'])}"
            for r in data["rsvps"]
        ],
    )
    lines += _section(
        ctx,
        "privacy.data_meetings",
        [f"#{m['id']} {shorten(m['title'], ITEM_TEXT)}" for m in data["meetings_created"]],
    )
    lines += _section(
        ctx,
        "privacy.data_prompts",
        [f"#{p['id']} {shorten(p['question'], ITEM_TEXT)}" for p in data["prompts_created"]],
    )
    if data.get("buddy_optin") or data.get("buddy_pairs"):
        lines += _section(
            ctx,
            "privacy.data_maatjes",
            [
                f"{p['round']} · {p['with'] or '?'}" + (f" · #{p['theme']}" if p["theme"] else "")
                for p in data.get("buddy_pairs", [])
            ],
        )
        if data.get("buddy_optin"):
            lines.append(ctx.t("privacy.data_maatjes_on"))
    lines.append(
        ctx.t(
            "privacy.data_traces",
            notices=ctx.t.plural("count.melding", len(data["follow_notices"])),
            events=ctx.t.plural("count.actie", len(data["handled_events"])),
            effects=ctx.t.plural("count.bericht", len(data["effects"])),
            event_days=ctx.t.plural("count.dag", retention.HANDLED_EVENTS_KEEP.days),
            effect_days=ctx.t.plural("count.dag", retention.SETTLED_EFFECTS_KEEP.days),
        )
    )
    lines.append(ctx.t("privacy.data_footer"))
    return lines


@command("mijn-gegevens", "my-data", "mijngegevens", private_first=True, rank=140, family="privacy")
async def my_data(ctx: Context) -> Reply:
    """Send the caller, privately, everything stored about them: a summary in the chat, all
    of it in a JSON file beside it."""
    data = await personal_data.collect(ctx.session, ctx.member)
    nl, en = _file_names(ctx.member.id)
    name = nl if ctx.t.language == "nl" else en
    path = files.write_export(data, export_folder(ctx), name, ctx.command.received_at)
    return _private(
        ctx, "\n".join(summary(ctx, data, name)), ctx.t("privacy.data_title"), (str(path),)
    )


@command(
    "vergeet-mij",
    "forget-me",
    "vergeetmij",
    params=(Param("bevestig", Kind.FLAG, required=False, words=CONFIRM_WORDS),),
    private_first=True,
    rank=150,
    family="privacy",
)
async def forget_me(ctx: Context) -> Reply:
    """Explain what will be erased; with `bevestig` erase it."""
    written = await learnings.of_author(ctx.session, ctx.member.id)
    if not ctx.given("bevestig"):
        text = ctx.t(
            "privacy.forget_explain", learnings=ctx.t.plural("count.inzicht", len(written))
        )
        if await buddies.has_any(ctx.session, ctx.member.id):
            text += "\n" + ctx.t("privacy.forget_maatjes")
        return Reply(text=text, visibility=Visibility.ONLY_CALLER)
    member_id = ctx.member.id
    await rings.unpublish_author(ctx.session, member_id)
    erased = await members.forget(ctx.session, ctx.member)
    files.remove_exports(export_folder(ctx), _file_names(member_id))
    return Reply(
        text=ctx.t(
            "privacy.forget_done",
            count=erased.learnings,
            enrichments=erased.enrichments + erased.recognitions,
        ),
        visibility=Visibility.ONLY_CALLER,
    )
