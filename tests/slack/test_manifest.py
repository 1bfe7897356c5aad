"""The app manifest asks for exactly what the code uses, and docs/slack.md explains it all."""

from __future__ import annotations

import re
from pathlib import Path

from bot.slack.capture import SHORTCUT_CALLBACK
from bot.slack.forms import FORM_CALLBACK

DOCS = Path(__file__).resolve().parents[2] / "docs"
MANIFEST = (DOCS / "slack-manifest.yml").read_text(encoding="utf-8")
GUIDE = (DOCS / "slack.md").read_text(encoding="utf-8")

# what the adapter calls or receives, and the scope each needs
SCOPES = {
    "commands": "/samen and the message shortcut",
    "chat:write": "chat.postMessage, chat.postEphemeral",
    "reactions:read": "reaction_added",
    "channels:history": "conversations.history/replies, message.channels",
    "groups:history": "message.groups, private channels",
    "im:history": "conversations.history of a DM, before a retried notice is sent again",
    "app_mentions:read": "app_mention",
    "users:read": "users.info",
    "im:write": "conversations.open",
    "files:write": "files_upload_v2",
}
EVENTS = {"reaction_added", "message.channels", "message.groups", "app_mention"}


def yaml_list(key: str) -> set[str]:
    """The items of a block list `key:` in the manifest (indentation-based)."""
    match = re.search(rf"^(\s*){re.escape(key)}:\n((?:\1\s+- .+\n)+)", MANIFEST, re.MULTILINE)
    assert match, key
    return {line.split("- ", 1)[1].strip() for line in match.group(2).splitlines()}


def test_scopes_are_exactly_the_ones_used_and_explained() -> None:
    assert yaml_list("bot") == set(SCOPES)
    for scope in SCOPES:
        assert f"`{scope}`" in GUIDE


def test_events_match_the_listeners() -> None:
    assert yaml_list("bot_events") == EVENTS
    source = (Path(__file__).resolve().parents[2] / "bot" / "slack" / "listeners.py").read_text()
    listened = set(re.findall(r'bolt\.event\("([a-z_]+)"\)', source))
    assert listened == {"reaction_added", "app_mention", "message"}
    for event in EVENTS:
        assert f"`{event}`" in GUIDE


def test_command_shortcut_and_interactivity() -> None:
    assert "command: /samen\n" in MANIFEST
    assert f"callback_id: {SHORTCUT_CALLBACK}\n" in MANIFEST
    assert re.search(r"interactivity:\n\s+is_enabled: true", MANIFEST)
    assert MANIFEST.count("/slack/events") == 3
    assert FORM_CALLBACK  # the form needs no manifest entry (views.open with a trigger)
