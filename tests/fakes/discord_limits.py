"""Discord's message limits as the fake enforces them (written apart from the bot's renderer,
so the two do not share a mistake). Returns Discord-style form errors, empty when valid."""

from __future__ import annotations

from typing import Any

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
ROWS = 5
ROW_ITEMS = 5
CUSTOM_ID = 100
LABEL = 80
OPTIONS = 25


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        size += len(item.get("name") or "") + len(item.get("value") or "")
    return size


def message_errors(payload: dict[str, Any], *, files: int = 0) -> list[str]:
    """Why Discord would answer 400 to this message payload (create, edit, callback data)."""
    errors: list[str] = []
    content = payload.get("content")
    embeds = payload.get("embeds") or []
    components = payload.get("components") or []
    if content is not None and len(content) > CONTENT:
        errors.append(f"content: Must be {CONTENT} or fewer in length.")
    if not content and not embeds and not components and not files and "poll" not in payload:
        errors.append("Cannot send an empty message")
    if len(embeds) > EMBEDS:
        errors.append(f"embeds: Must be {EMBEDS} or fewer in length.")
    if sum(_embed_size(e) for e in embeds) > EMBED_TOTAL:
        errors.append(f"embeds: Embed size exceeds maximum size of {EMBED_TOTAL}")
    for i, embed in enumerate(embeds):
        if len(embed.get("title") or "") > TITLE:
            errors.append(f"embeds.{i}.title: Must be {TITLE} or fewer in length.")
        if len(embed.get("description") or "") > DESCRIPTION:
            errors.append(f"embeds.{i}.description: Must be {DESCRIPTION} or fewer in length.")
        fields = embed.get("fields") or []
        if len(fields) > FIELDS:
            errors.append(f"embeds.{i}.fields: Must be {FIELDS} or fewer in length.")
        for j, item in enumerate(fields):
            name, value = item.get("name") or "", item.get("value") or ""
            if not name or len(name) > FIELD_NAME:
                errors.append(f"embeds.{i}.fields.{j}.name: 1 to {FIELD_NAME} characters.")
            if not value or len(value) > FIELD_VALUE:
                errors.append(f"embeds.{i}.fields.{j}.value: 1 to {FIELD_VALUE} characters.")
        if not _embed_size(embed) and not embed.get("image") and not embed.get("thumbnail"):
            errors.append(f"embeds.{i}: Embed is empty")
    if len(components) > ROWS:
        errors.append(f"components: Must be {ROWS} or fewer in length.")
    for i, row in enumerate(components):
        items = row.get("components") or []
        if not items or len(items) > ROW_ITEMS:
            errors.append(f"components.{i}.components: 1 to {ROW_ITEMS} items.")
        for j, item in enumerate(items):
            if len(item.get("custom_id") or "") > CUSTOM_ID:
                errors.append(f"components.{i}.components.{j}.custom_id: too long")
            if len(item.get("label") or "") > LABEL:
                errors.append(f"components.{i}.components.{j}.label: too long")
            options = item.get("options") or []
            if item.get("type") == 3 and not 1 <= len(options) <= OPTIONS:
                errors.append(f"components.{i}.components.{j}.options: 1 to {OPTIONS} items.")
    return errors


def command_errors(commands: list[dict[str, Any]]) -> list[str]:
    """Why a bulk overwrite of application commands would be refused (the common rules)."""
    errors: list[str] = []

    def check(item: dict[str, Any], path: str, depth: int) -> None:
        kind = item.get("type", 1)
        menu = depth == 0 and kind in (2, 3)  # user / message context menu
        name = item.get("name") or ""
        if not 1 <= len(name) <= 32 or (not menu and (name != name.lower() or " " in name)):
            errors.append(f"{path}.name: invalid {name!r}")
        if not menu and not 1 <= len(item.get("description") or "") <= 100:
            errors.append(f"{path}.description: 1 to 100 characters")
        for locale, text in (item.get("description_localizations") or {}).items():
            if not 1 <= len(text) <= 100:
                errors.append(f"{path}.description_localizations.{locale}: 1 to 100")
        options = item.get("options") or []
        if len(options) > 25:
            errors.append(f"{path}.options: Must be 25 or fewer in length.")
        for k, choice in enumerate(item.get("choices") or []):
            if not 1 <= len(choice.get("name", "")) <= 100:
                errors.append(f"{path}.choices.{k}.name: 1 to 100")
        seen_optional = False
        for k, option in enumerate(options):
            if option.get("type") in (1, 2):  # sub-command (group)
                check(option, f"{path}.options.{k}", depth + 1)
                continue
            if option.get("required"):
                if seen_optional:
                    errors.append(f"{path}.options.{k}: required options must come first")
            else:
                seen_optional = True
            check(option, f"{path}.options.{k}", depth + 1)

    for index, command in enumerate(commands):
        check(command, str(index), 0)
    if len(commands) > 100:
        errors.append("too many commands")
    return errors
