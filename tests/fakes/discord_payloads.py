"""JSON payloads as Discord sends them (users, members, channels, guilds, messages,
interactions), for the fake Discord. Only the fields discord.py reads are filled in."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

_SNOWFLAKES = itertools.count(1_300_000_000_000_000_000)
ALL_PERMISSIONS = str((1 << 50) - 1)
EPHEMERAL = 1 << 6


def snowflake() -> str:
    """A fresh, increasing id."""
    return str(next(_SNOWFLAKES))


def now() -> str:
    return datetime.now(UTC).isoformat()


def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name.lower().replace(" ", "_"),
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member(user_payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "user": user_payload,
        "roles": [],
        "joined_at": now(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "permissions": ALL_PERMISSIONS,
    }


def text_channel(channel_id: str, guild_id: str, name: str) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": guild_id,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def thread_channel(thread_id: str, guild_id: str, parent_id: str, name: str) -> dict[str, Any]:
    return {
        "id": thread_id,
        "type": 11,
        "guild_id": guild_id,
        "parent_id": parent_id,
        "owner_id": parent_id,
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": now(),
            "locked": False,
        },
    }


def dm_channel(channel_id: str, recipient: dict[str, Any]) -> dict[str, Any]:
    return {"id": channel_id, "type": 1, "recipients": [recipient], "last_message_id": None}


def guild(
    guild_id: str,
    name: str,
    channels: list[dict[str, Any]],
    threads: list[dict[str, Any]],
    bot_member: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": guild_id,
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": bot_member["user"]["id"],
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [
            {
                "id": guild_id,
                "name": "@everyone",
                "permissions": ALL_PERMISSIONS,
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "preferred_locale": "nl",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "joined_at": now(),
        "large": False,
        "unavailable": False,
        "member_count": 2,
        "voice_states": [],
        "members": [bot_member],
        "channels": channels,
        "threads": threads,
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
    }


def message(
    message_id: str,
    channel_id: str,
    author: dict[str, Any],
    *,
    content: str = "",
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    flags: int = 0,
    guild_id: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    reference: dict[str, Any] | None = None,
    webhook_id: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": message_id,
        "channel_id": channel_id,
        "author": author,
        "content": content or "",
        "timestamp": now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "pinned": False,
        "type": 19 if reference else 0,
        "flags": flags,
        "components": components or [],
    }
    if guild_id:
        payload["guild_id"] = guild_id
    if reference:
        payload["message_reference"] = reference
    if webhook_id:
        payload["webhook_id"] = webhook_id
    return payload


def interaction(
    *,
    kind: int,
    app_id: str,
    data: dict[str, Any] | None,
    who: dict[str, Any],
    channel: dict[str, Any],
    guild_id: str | None,
    message_payload: dict[str, Any] | None = None,
    locale: str = "nl",
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload; `who` is a user, wrapped in a member inside a guild."""
    payload: dict[str, Any] = {
        "id": snowflake(),
        "application_id": app_id,
        "type": kind,
        "token": "tok-" + snowflake(),
        "version": 1,
        "channel_id": channel["id"],
        "channel": channel,
        "locale": locale,
        "app_permissions": ALL_PERMISSIONS,
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if data is not None:
        payload["data"] = data
    if guild_id:
        payload["guild_id"] = guild_id
        payload["guild_locale"] = "nl"
        payload["member"] = member(who)
        payload["authorizing_integration_owners"] = {"0": guild_id}
        payload["context"] = 0
    else:
        payload["user"] = who
        payload["authorizing_integration_owners"] = {"1": who["id"]}
        payload["context"] = 1
    if message_payload is not None:
        payload["message"] = message_payload
    return payload


def option_value(kind: int, value: Any) -> Any:
    """A slash-command option value as Discord types it (3 string, 4 integer, 5 boolean)."""
    if kind == 4:
        return int(value)
    if kind == 5:
        return bool(value)
    if kind == 10:
        return float(value)
    return str(value)


def text_of(payload: dict[str, Any] | None) -> str:
    """Everything a person would read in a message payload: content, embeds, buttons."""
    if not payload:
        return ""
    parts = [payload.get("content") or ""]
    for embed in payload.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        for item in embed.get("fields", []):
            parts += [item.get("name", ""), item.get("value", "")]
    for row in payload.get("components") or []:
        for item in row.get("components", []):
            parts.append(item.get("label") or "")
    return "\n".join(p for p in parts if p)
