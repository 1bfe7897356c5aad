"""The Slack modals (pure): capturing a learning, and the text a button's command still needs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.slack.render import MAX_OPTION_TEXT, MAX_OPTIONS, plain

MODAL_CALLBACK = "samen_inzicht"
TEXT_MODAL_CALLBACK = "samen_text"
MODAL_TITLE = 24


@dataclass(frozen=True, slots=True)
class ModalLabels:
    """The words of the `/samen inzicht` modal."""

    title: str = "Nieuw inzicht"
    submit: str = "Bewaren"
    close: str = "Annuleren"
    text: str = "Wat heb je geleerd?"
    text_hint: str = "Schrijf het zo dat een andere proeftuin er iets aan heeft."
    themes: str = "Thema's"
    themes_placeholder: str = "Kies thema's"
    ring: str = "Wie mag het zien?"


def inzicht_modal(
    *,
    labels: ModalLabels,
    themes: Sequence[tuple[str, str]],
    rings: Sequence[tuple[str, str]],
    initial_ring: str,
    metadata: dict,
) -> dict:
    """The modal of `/samen inzicht` without text: the text, themes to tag, the ring."""
    blocks: list[dict] = [
        {
            "type": "input",
            "block_id": "text",
            "label": plain(labels.text, 2000),
            "hint": plain(labels.text_hint, 2000),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "min_length": 3,
                "max_length": 3000,
            },
        }
    ]
    options = [
        {"text": plain(f"#{slug} · {name}" if name else f"#{slug}", MAX_OPTION_TEXT), "value": slug}
        for slug, name in themes[:MAX_OPTIONS]
    ]
    if options:
        blocks.append(
            {
                "type": "input",
                "block_id": "themes",
                "optional": True,
                "label": plain(labels.themes, 2000),
                "element": {
                    "type": "multi_static_select",
                    "action_id": "value",
                    "placeholder": plain(labels.themes_placeholder, 150),
                    "options": options,
                },
            }
        )
    ring_options = [{"text": plain(label, MAX_OPTION_TEXT), "value": v} for v, label in rings]
    initial = next((o for o in ring_options if o["value"] == initial_ring), ring_options[0])
    blocks.append(
        {
            "type": "input",
            "block_id": "ring",
            "label": plain(labels.ring, 2000),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": ring_options,
                "initial_option": initial,
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": plain(labels.title, MODAL_TITLE),
        "submit": plain(labels.submit, MODAL_TITLE),
        "close": plain(labels.close, MODAL_TITLE),
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": blocks,
    }


def text_modal(*, title: str, label: str, submit: str, close: str, metadata: dict) -> dict:
    """A modal asking for the text a button's command still needs (e.g. `antwoord 3 …`)."""
    return {
        "type": "modal",
        "callback_id": TEXT_MODAL_CALLBACK,
        "title": plain(title, MODAL_TITLE),
        "submit": plain(submit, MODAL_TITLE),
        "close": plain(close, MODAL_TITLE),
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": [
            {
                "type": "input",
                "block_id": "text",
                "label": plain(label, 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "min_length": 2,
                    "max_length": 3000,
                },
            }
        ],
    }


@dataclass(frozen=True, slots=True)
class Submission:
    """What someone entered in the capture modal."""

    text: str
    slugs: tuple[str, ...]
    ring: str | None
    metadata: dict


def read_submission(view: dict) -> Submission:
    """The values of a submitted capture modal (missing parts become empty)."""
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
