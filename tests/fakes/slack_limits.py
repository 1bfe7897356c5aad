"""Slack's message limits, checked the way Slack refuses a message (`invalid_blocks`,
`msg_too_long`), from the Block Kit reference: 50 blocks a message (100 in a modal), 3,000
characters a section text, 10 fields of 2,000, 150 for a header, 25 elements an actions block,
button text 75 and value 2,000, 100 options of 75 (value 150), 40,000 characters of `text`."""

from __future__ import annotations

import json
from typing import Any


class Invalid(Exception):
    """A message Slack would refuse."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail


def blocks_of(args: dict[str, Any]) -> list:
    blocks = args.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return blocks


def text_len(obj: Any) -> int:
    return len(obj.get("text", "")) if isinstance(obj, dict) else 0


def check_message(args: dict[str, Any]) -> None:
    """Raise Invalid the way Slack refuses a message (limits of Block Kit and chat.*)."""
    text = args.get("text") or ""
    if len(text) > 40000:
        raise Invalid("msg_too_long", f"text is {len(text)} characters")
    blocks = blocks_of(args)
    if not text and not blocks:
        raise Invalid("no_text", "neither text nor blocks")
    check_blocks(blocks, max_blocks=50)


def check_blocks(blocks: list, *, max_blocks: int) -> None:
    """Block Kit limits, as documented for each block and element."""
    if len(blocks) > max_blocks:
        raise Invalid("invalid_blocks", f"{len(blocks)} blocks, at most {max_blocks}")
    action_ids: set[str] = set()
    for number, block in enumerate(blocks):
        kind = block.get("type")
        where = f"block {number} ({kind})"
        if len(block.get("block_id", "")) > 255:
            raise Invalid("invalid_blocks", f"{where}: block_id too long")
        if kind == "section":
            if "text" not in block and "fields" not in block:
                raise Invalid("invalid_blocks", f"{where}: needs text or fields")
            if "text" in block and not 1 <= text_len(block["text"]) <= 3000:
                raise Invalid("invalid_blocks", f"{where}: text must be 1-3000 characters")
            fields = block.get("fields", [])
            if len(fields) > 10 or any(not 1 <= text_len(f) <= 2000 for f in fields):
                raise Invalid("invalid_blocks", f"{where}: at most 10 fields of 2000")
        elif kind == "header":
            if block["text"].get("type") != "plain_text" or not 1 <= text_len(block["text"]) <= 150:
                raise Invalid("invalid_blocks", f"{where}: plain_text of 1-150 characters")
        elif kind == "context":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 10 or any(text_len(e) > 3000 for e in elements):
                raise Invalid("invalid_blocks", f"{where}: 1-10 elements")
        elif kind == "actions":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 25:
                raise Invalid("invalid_blocks", f"{where}: 1-25 elements")
            for element in elements:
                _check_element(element, where, action_ids)
        elif kind == "input":
            if text_len(block.get("label")) > 2000 or "element" not in block:
                raise Invalid("invalid_blocks", f"{where}: label and element required")
            _check_element(block["element"], where, set())
        elif kind != "divider":
            raise Invalid("invalid_blocks", f"{where}: unknown block type")


def _check_element(element: dict, where: str, action_ids: set[str]) -> None:
    action_id = element.get("action_id", "")
    if len(action_id) > 255 or (action_id and action_id in action_ids):
        raise Invalid("invalid_blocks", f"{where}: action_id {action_id!r} not unique or too long")
    action_ids.add(action_id)
    kind = element.get("type")
    if kind == "button":
        if not 1 <= text_len(element.get("text")) <= 75 or len(element.get("value", "")) > 2000:
            raise Invalid("invalid_blocks", f"{where}: button text 1-75, value <= 2000")
    elif kind in ("static_select", "multi_static_select"):
        options = element.get("options", [])
        if not 1 <= len(options) <= 100:
            raise Invalid("invalid_blocks", f"{where}: 1-100 options")
        for option in options:
            if not 1 <= text_len(option.get("text")) <= 75 or len(option.get("value", "")) > 150:
                raise Invalid("invalid_blocks", f"{where}: option text 1-75, value <= 150")
