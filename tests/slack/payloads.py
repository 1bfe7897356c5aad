"""Slack request payloads, shaped like the real ones (see api.slack.com reference pages)."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.fakes.slack_api import BOT_USER, TEAM

APP_ID = "A0SAMEN"
VERIFICATION_TOKEN = "legacy-verification-token"
_ids = itertools.count(1000)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


def slash_body(
    text: str,
    *,
    user: str,
    channel: str,
    response_url: str,
    trigger_id: str | None = None,
    user_name: str = "",
    channel_name: str = "",
) -> str:
    """The form-encoded body of a `/samen` slash command."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM,
            "team_domain": "samen",
            "channel_id": channel,
            "channel_name": channel_name or ("directmessage" if channel[0] == "D" else "proeftuin"),
            "user_id": user,
            "user_name": user_name or user.lower(),
            "command": "/samen",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or unique("13345224609.738474920.") + "8ee0b4",
        }
    )


def event_envelope(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """An Events API `event_callback` around one event."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or unique("Ev0SAMEN"),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def reaction_added(user: str, channel: str, ts: str, *, item_user: str = "", name: str = "bulb"):
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": name,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": f"{time.time():.6f}",
    }


def message_event(
    user: str, channel: str, text: str, ts: str, *, thread_ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def app_mention(user: str, channel: str, text: str, ts: str, **extra: Any) -> dict[str, Any]:
    return message_event(user, channel, text, ts, **extra) | {"type": "app_mention"}


def interactive_body(payload: dict[str, Any]) -> str:
    """Interactivity requests are form-encoded with one `payload` field holding JSON."""
    return urlencode({"payload": json.dumps(payload)})


def block_actions(
    user: str,
    channel: str,
    message: dict[str, Any],
    action: dict[str, Any],
    *,
    response_url: str,
    action_ts: str | None = None,
) -> dict[str, Any]:
    """A click on a button (or a choice in a select) of a message the bot posted."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message.get("ts"),
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": unique("trigger."),
        "team": {"id": TEAM, "domain": "samen"},
        "channel": {"id": channel, "name": "proeftuin"},
        "message": message,
        "response_url": response_url,
        "actions": [action | {"action_ts": action_ts or f"{time.time():.6f}"}],
    }


def message_shortcut(
    user: str, channel: str, message: dict[str, Any], *, response_url: str
) -> dict[str, Any]:
    """The "Bewaar als inzicht" message shortcut on `message`."""
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": f"{time.time():.6f}",
        "team": {"id": TEAM, "domain": "samen"},
        "user": {"id": user, "name": user.lower()},
        "channel": {"id": channel, "name": "proeftuin"},
        "callback_id": "bewaar_als_inzicht",
        "trigger_id": unique("trigger."),
        "message_ts": message["ts"],
        "message": message,
        "response_url": response_url,
    }


def view_submission(user: str, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Submitting a modal the bot opened, with `values` as Slack's `state.values`."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "samen"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": unique("trigger."),
        "view": view | {"state": {"values": values}},
        "response_urls": [],
    }
