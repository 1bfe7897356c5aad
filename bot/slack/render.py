"""Reply -> Slack Block Kit messages (pure functions, no I/O); the form is in bot/slack/forms.py.

Every string in a Reply is treated as user-derived: `&`, `<` and `>` are escaped, so
`<!channel>`, `<@U…>`, `<!subteam^…>` and `<http://…|label>` show literally and can neither
ping nor disguise a link, and `@here`/`@channel`/`@everyone` get an invisible word joiner.
Markdown masked links (`[label](target)`) show as `label (target)`, as on Discord and in the
kennisbank (`handlers.text.unmask_links`); control characters and bidi overrides are dropped
(`handlers.limits.clean`: texts stored before the router cleaned them).
Only bare `http(s)://` URLs are turned into links, showing the URL itself.

Slack's limits are respected by construction: a section text is at most 3,000 characters,
a message at most 50 blocks (and, for readability, about 12,000 characters); longer
content is split over several messages, each but the last ending with a pointer, which
the adapter posts as a thread (or as consecutive ephemeral messages).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.command_line import ADD_THEME, add_theme_args, learning_number
from handlers.limits import clean
from handlers.text import unmask_links
from handlers.types import Action, Reply

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ELEMENTS = 25
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
FALLBACK_LIMIT = 3000
MESSAGE_CHARS = 12000  # soft cap per message, far below Slack's 40,000, so messages stay readable
MAX_LINK = 1000  # longer URLs stay plain text, so a link always fits whole in a section

ACTION_PREFIX = "samen:"
WORD_JOINER = "\u2060"

_BROADCAST_RE = re.compile(r"([@＠])(here|channel|everyone)\b", re.IGNORECASE)
_URL_RE = re.compile(r"https?://(?:(?!&gt;|&lt;)[^\s|`])+")
_URL_TRAIL = ".,;:!?)]}'\"*_~"


@dataclass(frozen=True, slots=True)
class Labels:
    """The few words the renderer adds itself (translated by the adapter)."""

    continued: str = "(vervolg in de thread)"
    theme_placeholder: str = "Thema toevoegen…"
    attachment: str = "Bijlage: {name}"
    confirm_title: str = "Zeker weten?"
    confirm_text: str = "Dit kan niet ongedaan worden gemaakt."
    confirm_yes: str = "Ja"
    confirm_no: str = "Nee"


def escape(text: str) -> str:
    """User text as Slack mrkdwn that shows literally, never pings and hides no link target."""
    text = unmask_links(clean(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST_RE.sub(lambda m: m.group(1) + WORD_JOINER + m.group(2), text)


def link_urls(escaped: str) -> str:
    """Turn bare URLs in escaped text into `<url>` links that show the URL itself."""

    def wrap(match: re.Match[str]) -> str:
        url = match.group(0)
        trail = ""
        while url and url[-1] in _URL_TRAIL:
            trail, url = url[-1] + trail, url[:-1]
        if len("https://") < len(url) <= MAX_LINK:
            return f"<{url}>{trail}"
        return match.group(0)

    return _URL_RE.sub(wrap, escaped)


def _safe_cut(text: str, limit: int) -> int:
    """An index <= limit at which escaped mrkdwn may be cut (not inside `&…;` or `<…>`)."""
    if len(text) <= limit:
        return len(text)
    cut = limit
    opening = text.rfind("<", 0, cut)
    if opening > text.rfind(">", 0, cut):
        cut = opening
    amp = text.rfind("&", max(0, cut - 6), cut)
    if amp != -1 and text.find(";", amp, cut) == -1:
        cut = amp
    return max(cut, 1)


def cut(text: str, limit: int) -> str:
    """Escaped text shortened to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: _safe_cut(text, limit - 1)].rstrip() + "…"


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Escaped text in pieces of at most `limit` characters, cut at lines, then words."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line) > limit:
            end = _safe_cut(line, limit)
            space = line.rfind(" ", 0, end)
            if space > limit // 2:
                end = space
            pieces.append(line[:end])
            line = line[end:].lstrip(" ")
        current = line
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def mrkdwn(text: str) -> dict:
    """A mrkdwn text object with Slack's own preprocessing off (no automatic mentions)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain(text: str, limit: int) -> dict:
    """A plain_text object (never parsed for mentions or links)."""
    text = " ".join(clean(text).split()) or "…"
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def _button(action: Action, index: int, labels: Labels) -> dict | None:
    value = f"{action.command} {action.args}".strip()  # the line it runs: `intrekken 12`
    if len(value) > MAX_BUTTON_VALUE:
        return None
    button = {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{index}",
        "text": plain(action.label, MAX_BUTTON_TEXT) | {"emoji": True},
        "value": value,
    }
    if action.style in ("primary", "danger"):
        button["style"] = action.style
    if action.style == "danger":
        button["confirm"] = {
            "title": plain(labels.confirm_title, 100),
            "text": plain(labels.confirm_text, 300),
            "confirm": plain(labels.confirm_yes, 30),
            "deny": plain(labels.confirm_no, 30),
            "style": "danger",
        }
    return button


def theme_select(number: str, themes: Sequence[tuple[str, str]], placeholder: str) -> dict | None:
    """A static select adding one theme to learning `number` (value: `tag N #slug`)."""
    options = []
    for slug, name in themes[:MAX_OPTIONS]:
        value = f"{ADD_THEME} {add_theme_args(number, slug)}"
        if len(value) <= MAX_OPTION_VALUE:
            label = f"#{slug} · {name}" if name else f"#{slug}"
            options.append({"text": plain(label, MAX_OPTION_TEXT), "value": value})
    if not options:
        return None
    return {
        "type": "static_select",
        "action_id": f"{ACTION_PREFIX}select:{number}",
        "placeholder": plain(placeholder, MAX_OPTION_TEXT),
        "options": options,
    }


def _blocks(
    reply: Reply, labels: Labels, themes: Sequence[tuple[str, str]], note_attachments: bool
) -> list[dict]:
    blocks: list[dict] = []
    if reply.title:
        blocks.append({"type": "header", "text": plain(reply.title, MAX_HEADER) | {"emoji": True}})
    for piece in split_text(link_urls(escape(reply.text))):
        blocks.append({"type": "section", "text": mrkdwn(piece)})
    fields = [
        mrkdwn(cut(f"*{escape(f.label)}*\n{link_urls(escape(f.value))}", MAX_FIELD_TEXT))
        for f in reply.fields
    ]
    for start in range(0, len(fields), MAX_FIELDS):
        blocks.append({"type": "section", "fields": fields[start : start + MAX_FIELDS]})
    if note_attachments and reply.attachments:
        notes = [
            mrkdwn(escape(labels.attachment.format(name=os.path.basename(path))))
            for path in reply.attachments
        ]
        for start in range(0, len(notes), 10):
            blocks.append({"type": "context", "elements": notes[start : start + 10]})
    elements = [b for i, a in enumerate(reply.actions) if (b := _button(a, i, labels)) is not None]
    number = learning_number(reply.actions)
    if number and themes:
        offered = {a.args for a in reply.actions if a.command == ADD_THEME}
        remaining = [(s, n) for s, n in themes if add_theme_args(number, s) not in offered]
        select = theme_select(number, remaining, labels.theme_placeholder)
        if select is not None:
            elements.append(select)
    for start in range(0, len(elements), MAX_ACTION_ELEMENTS):
        chunk = elements[start : start + MAX_ACTION_ELEMENTS]
        blocks.append({"type": "actions", "block_id": f"samen_actions_{start}", "elements": chunk})
    if not blocks:
        blocks.append({"type": "section", "text": mrkdwn("…")})
    return blocks


def block_chars(block: dict) -> int:
    """The characters of text a block carries (for Slack's per-message limits)."""
    parts = [block.get("text"), *block.get("fields", []), *block.get("elements", [])]
    return sum(
        len(p["text"]) for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)
    )


def _fallback(blocks: list[dict], reply: Reply) -> str:
    texts = []
    for block in blocks:
        if block["type"] == "header":
            texts.append(escape(block["text"]["text"]))
        elif block["type"] == "section" and "text" in block:
            texts.append(block["text"]["text"])
        elif block["type"] == "section":
            texts.extend(f["text"] for f in block["fields"])
    text = "\n".join(texts) or escape(reply.text)
    return cut(text, FALLBACK_LIMIT) or "…"


def render(
    reply: Reply,
    *,
    labels: Labels = Labels(),
    themes: Sequence[tuple[str, str]] = (),
    note_attachments: bool = True,
) -> list[dict]:
    """The Slack messages (`{"text", "blocks"}`) showing one reply, in posting order.

    `themes` (slug, name) feed the "add a theme" select on replies about a learning;
    `note_attachments` lists attachment file names when the adapter cannot upload them.
    """
    blocks = _blocks(reply, labels, themes, note_attachments)
    pointer = {"type": "context", "elements": [mrkdwn(escape(labels.continued))]}
    messages: list[list[dict]] = [[]]
    size = 0
    for block in blocks:
        chars = block_chars(block)
        current = messages[-1]
        if current and (len(current) >= MAX_BLOCKS - 1 or size + chars > MESSAGE_CHARS):
            current.append(pointer)
            messages.append([])
            size = 0
        messages[-1].append(block)
        size += chars
    return [{"text": _fallback(m, reply), "blocks": m} for m in messages]
