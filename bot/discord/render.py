"""Reply -> Discord messages (pure, no I/O): embeds or plain content, and the buttons and the
"add a theme" select as specs that `bot.discord.views` turns into components.

Every string in a Reply is treated as user text: `@everyone`, `@here` and user, role and
nickname mentions get a zero-width space, so they never ping; masked links (`[label](target)`)
show as `label (target)`, as on Slack and in the kennisbank; control characters and bidi
overrides are dropped (`handlers.limits.clean`: texts stored before the router cleaned them).

Discord's limits hold by construction (content 2,000 characters; an embed's title 256,
description 4,096, 25 fields of 256/1,024; 6,000 characters and 10 embeds a message; 5 rows of
5 buttons; custom ids 100): long text is split over messages, never refused, and only a field
value over 1,024 characters is cut. A reply with a title or fields becomes embeds, else plain
content; buttons and the select go on the last message, attachments on the first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from handlers.command_line import ADD_THEME, learning_number
from handlers.limits import clean
from handlers.text import unmask_links
from handlers.types import Action, Reply

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_EMBED_TOTAL = 6000
MAX_EMBEDS = 10
MAX_ROWS = 5
MAX_ROW_BUTTONS = 5
MAX_CUSTOM_ID = 100
MAX_LABEL = 80
MAX_OPTIONS = 25
MAX_OPTION_TEXT = 100
EMBED_COLOUR = 0x2E7D32

BUTTON_PREFIX = "samen:"
THEME_SELECT_PREFIX = "samen-thema:"
ZWSP = "\u200b"
STYLES = ("primary", "danger", "success")  # any other style is Discord's secondary

_BROADCAST_RE = re.compile(r"([@＠])(everyone|here)\b", re.IGNORECASE)
_MENTION_RE = re.compile(r"<(?=@[!&]?\d)")
_SLUG_RE = re.compile(r"(?<![\w&])#([^\W_][\w-]*)")
_COMMAND_RE = re.compile(r"[a-z0-9-]{1,32}")


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    """One button: pressing it runs `/samen <command> <args>` as the presser."""

    label: str
    custom_id: str
    style: str = "secondary"  # primary | secondary | success | danger


@dataclass(frozen=True, slots=True)
class SelectSpec:
    """A select menu; choosing option `value` runs the command its custom id names."""

    custom_id: str
    placeholder: str
    options: tuple[tuple[str, str], ...]  # (label, value)


@dataclass(frozen=True, slots=True)
class OutMessage:
    """One Discord message to send: content and/or embeds, components, local files."""

    content: str | None = None
    embeds: tuple[dict, ...] = ()
    buttons: tuple[ButtonSpec, ...] = ()
    selects: tuple[SelectSpec, ...] = ()
    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Labels:
    """The few words the renderer adds itself (translated by the adapter)."""

    theme_placeholder: str = "Thema toevoegen…"
    continued: str = "(vervolg)"


def neutralise(text: str) -> str:
    """User text that shows literally, can never ping anyone, and hides no link target."""
    text = unmask_links(clean(text))
    text = _BROADCAST_RE.sub(lambda m: m.group(1) + ZWSP + m.group(2), text)
    return _MENTION_RE.sub("<" + ZWSP, text)


def cut(text: str, limit: int) -> str:
    """`text` at most `limit` characters, ending in an ellipsis when shortened."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, split at line breaks, else spaces, else anywhere."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        at = window.rfind("\n")
        if at < limit // 2:
            at = window.rfind(" ")
        if at < limit // 2:
            at = limit
        pieces.append(rest[:at].rstrip())
        rest = rest[at:].lstrip("\n ") if at < limit else rest[at:]
    if rest or not pieces:
        pieces.append(rest)
    return [p for p in pieces if p] or [""]


def embed_chars(embed: dict) -> int:
    """The characters Discord counts against the 6,000 limit of an embed."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", "")) + len(
        embed.get("author", {}).get("name", "")
    )
    for item in embed.get("fields", ()):
        total += len(item["name"]) + len(item["value"])
    return total


def custom_id(command: str, args: str) -> str | None:
    """`samen:<command>:<args>` for a button, or None when it would exceed Discord's 100."""
    if not _COMMAND_RE.fullmatch(command):
        return None
    value = f"{BUTTON_PREFIX}{command}:{' '.join(args.split())}"
    return value if len(value) <= MAX_CUSTOM_ID else None


def buttons(actions: Sequence[Action]) -> list[ButtonSpec]:
    """Button specs for the actions that fit Discord's custom id limit."""
    specs = []
    for action in actions:
        ident = custom_id(action.command, action.args)
        if ident is None:
            continue
        label = cut(neutralise(action.label.strip()) or action.command, MAX_LABEL)
        specs.append(
            ButtonSpec(label, ident, action.style if action.style in STYLES else "secondary")
        )
    return specs


def theme_select(
    reply: Reply, themes: Sequence[tuple[str, str]], placeholder: str
) -> SelectSpec | None:
    """An "add a theme" select for the learning a reply is about, offering the themes that
    the reply does not show already (as a `#slug` or a button)."""
    number = learning_number(reply.actions)
    if number is None or not themes:
        return None
    shown = " ".join([reply.text, *(f.value for f in reply.fields)])
    seen = {m.lower() for m in _SLUG_RE.findall(shown)}
    seen |= {a.args.split("#", 1)[-1].strip() for a in reply.actions if a.command == ADD_THEME}
    options = tuple(
        (cut(neutralise(f"#{slug} · {name}"), MAX_OPTION_TEXT), slug)
        for slug, name in themes
        if slug not in seen and len(slug) <= MAX_OPTION_TEXT
    )[:MAX_OPTIONS]
    if not options:
        return None
    return SelectSpec(f"{THEME_SELECT_PREFIX}{number}", cut(placeholder, 150), options)


def _fields(reply: Reply) -> list[dict]:
    return [
        {
            "name": cut(neutralise(f.label).strip() or ZWSP, MAX_FIELD_NAME),
            "value": cut(neutralise(f.value).strip() or "—", MAX_FIELD_VALUE),
            "inline": f.inline,
        }
        for f in reply.fields
    ]


def _embed(**data: object) -> dict:
    return {"type": "rich", "color": EMBED_COLOUR, **data}


def _embeds(reply: Reply, labels: Labels) -> list[dict]:
    """The text in embeds of at most 4,096 characters (a title on each, marked as continued
    after the first), then the fields, in new embeds when one is full."""
    title = cut(neutralise(reply.title or "").strip(), MAX_TITLE)
    chunks = [c for c in split_text(neutralise(reply.text), MAX_DESCRIPTION) if c.strip()]
    embeds: list[dict] = []
    for index, chunk in enumerate(chunks or [""]):
        embed = _embed()
        if title:
            embed["title"] = cut(f"{title} {labels.continued}", MAX_TITLE) if index else title
        if chunk:
            embed["description"] = chunk
        embeds.append(embed)
    for item in _fields(reply):
        fields = embeds[-1].setdefault("fields", [])
        size = embed_chars(embeds[-1]) + len(item["name"]) + len(item["value"])
        if len(fields) >= MAX_FIELDS or size > MAX_EMBED_TOTAL:
            if not fields:
                embeds[-1].pop("fields")
            embeds.append(_embed(fields=[item]))
        else:
            fields.append(item)
    return [e for e in embeds if embed_chars(e) > 0 or e.get("fields")]


def _pack(embeds: list[dict]) -> list[list[dict]]:
    """Embeds grouped into messages of at most 10 embeds and 6,000 characters."""
    messages: list[list[dict]] = [[]]
    total = 0
    for embed in embeds:
        size = embed_chars(embed)
        if messages[-1] and (len(messages[-1]) >= MAX_EMBEDS or total + size > MAX_EMBED_TOTAL):
            messages.append([])
            total = 0
        messages[-1].append(embed)
        total += size
    return messages


def render(
    reply: Reply, themes: Sequence[tuple[str, str]] = (), labels: Labels | None = None
) -> list[OutMessage]:
    """The reply as Discord messages (embeds when it has a title or fields, else content).

    `themes` (slug, name) feed the "add a theme" select on replies about a learning.
    """
    labels = labels or Labels()
    if reply.title or reply.fields:
        parts = [OutMessage(embeds=tuple(group)) for group in _pack(_embeds(reply, labels))]
    else:
        text = neutralise(reply.text).strip() or "…"
        parts = [OutMessage(content=chunk) for chunk in split_text(text, MAX_CONTENT)]
    select = theme_select(reply, themes, labels.theme_placeholder)
    rows = MAX_ROWS - (1 if select else 0)
    specs = tuple(buttons(reply.actions)[: rows * MAX_ROW_BUTTONS])
    parts[0] = replace(parts[0], files=tuple(reply.attachments))
    parts[-1] = replace(parts[-1], buttons=specs, selects=(select,) if select else ())
    return parts


def as_plain(message: OutMessage) -> list[OutMessage]:
    """An embed message as plain content: the fallback if Discord ever refuses its embeds."""
    lines = [message.content or ""]
    for embed in message.embeds:
        if embed.get("title"):
            lines.append(f"**{embed['title']}**")
        lines.append(embed.get("description", ""))
        lines += [f"{item['name']}: {item['value']}" for item in embed.get("fields", ())]
    text = "\n".join(line for line in lines if line).strip() or "…"
    parts = [OutMessage(content=chunk) for chunk in split_text(text, MAX_CONTENT)]
    parts[0] = replace(parts[0], files=message.files)
    parts[-1] = replace(parts[-1], buttons=message.buttons, selects=message.selects)
    return parts
