"""The Slack form (pure): the long text a sub-command still needs (`needs_text_form` in its
declaration), and, when the form makes a new learning, the themes to tag and the ring.

Its metadata carries the line typed so far (`l`) and where the answer goes (channel `c`,
thread `t`, response URL `r`, the ring first shown `i`); a submission becomes that line with
the text and the chosen themes after it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.slack.render import MAX_OPTION_TEXT, MAX_OPTIONS, plain

FORM_CALLBACK = "samen_form"
TITLE = 24  # Slack's limit for a modal's title and buttons
TEXT_MAX = 3000  # Slack's limit for a plain_text_input


@dataclass(frozen=True, slots=True)
class FormLabels:
    """The words of one form (translated by the adapter)."""

    title: str
    text: str
    submit: str
    close: str
    hint: str = ""
    themes: str = ""
    themes_placeholder: str = ""
    ring: str = ""


@dataclass(frozen=True, slots=True)
class Submission:
    """What someone entered in a form."""

    text: str
    slugs: tuple[str, ...]
    ring: str | None
    metadata: dict[str, Any]

    def line(self) -> str:
        """The command line the form completes: the line so far, the text, new themes."""
        tags = [f"#{slug}" for slug in self.slugs if f"#{slug}" not in self.text]
        words = [str(self.metadata.get("l") or ""), self.text, *tags]
        return " ".join(w for w in words if w)


def _input(block_id: str, label: str, element: dict, **extra: Any) -> dict:
    return (
        {"type": "input", "block_id": block_id, "label": plain(label, 2000)}
        | extra
        | {"element": {"action_id": "value"} | element}
    )


def form(
    labels: FormLabels,
    metadata: dict[str, Any],
    *,
    max_length: int = TEXT_MAX,
    themes: Sequence[tuple[str, str]] = (),
    rings: Sequence[tuple[str, str]] = (),
    initial_ring: str = "",
) -> dict:
    """A modal asking for the text; with `themes` a multi-select of them, with `rings` the
    ring (value, label) to choose, `initial_ring` shown first."""
    text = {"type": "plain_text_input", "multiline": True, "min_length": 2}
    hint = {"hint": plain(labels.hint, 2000)} if labels.hint else {}
    blocks = [_input("text", labels.text, text | {"max_length": min(max_length, TEXT_MAX)}, **hint)]
    options: list[dict[str, Any]] = [
        {"text": plain(f"#{slug} · {name}" if name else f"#{slug}", MAX_OPTION_TEXT), "value": slug}
        for slug, name in themes[:MAX_OPTIONS]
    ]
    if options:
        placeholder = plain(labels.themes_placeholder, 150)
        select = {"type": "multi_static_select", "options": options, "placeholder": placeholder}
        blocks.append(_input("themes", labels.themes, select, optional=True))
    ring_options = [{"text": plain(label, MAX_OPTION_TEXT), "value": v} for v, label in rings]
    if ring_options:
        initial = next((o for o in ring_options if o["value"] == initial_ring), ring_options[0])
        chosen = {"type": "static_select", "options": ring_options, "initial_option": initial}
        blocks.append(_input("ring", labels.ring, chosen))
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain(labels.title, TITLE),
        "submit": plain(labels.submit, TITLE),
        "close": plain(labels.close, TITLE),
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": blocks,
    }


def read_submission(view: dict) -> Submission:
    """The values of a submitted form (missing parts become empty)."""
    values = view.get("state", {}).get("values", {})
    text = (values.get("text", {}).get("value", {}).get("value") or "").strip()
    chosen = values.get("themes", {}).get("value", {}).get("selected_options") or []
    ring_option = values.get("ring", {}).get("value", {}).get("selected_option") or {}
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    return Submission(
        text=text,
        slugs=tuple(o["value"] for o in chosen if o.get("value")),
        ring=ring_option.get("value"),
        metadata=metadata if isinstance(metadata, dict) else {},
    )
