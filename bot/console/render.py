"""The console's renderer: a neutral Reply in, terminal text out (no I/O)."""

from __future__ import annotations

from handlers import registry
from handlers.i18n import Translator
from handlers.types import Reply, Visibility


def render_reply(reply: Reply, t: Translator, user: str, channel: str) -> str:
    """A reply as terminal text: a header naming where it goes, the text, fields and buttons."""
    if reply.visibility is Visibility.DIRECT:
        target = reply.to.user_id if reply.to and reply.to.user_id else user
        header = t("console.to_direct", user=target)
    elif reply.to is not None and reply.to.channel_id:
        header = t("console.to_channel", channel=reply.to.channel_id)
    elif reply.visibility is Visibility.ONLY_CALLER:
        header = t("console.to_only_caller", channel=channel, user=user)
    elif reply.visibility is Visibility.THREAD:
        header = t("console.to_thread", channel=channel)
    else:
        header = t("console.to_channel", channel=channel)
    lines = [header]
    if reply.title:
        lines.append(f"  *{reply.title}*")
    lines += [f"  {line}" for line in reply.text.splitlines() or [""]]
    if reply.fields:
        lines.append("  " + " · ".join(f"{field.label}: {field.value}" for field in reply.fields))
    for action in reply.actions:
        spec = registry.resolve(action.command)  # the word of the configured language
        word = spec.english if spec is not None and t.language == "en" else action.command
        command = f"/samen {word} {action.args}".rstrip()
        lines.append("  " + t("console.button", label=action.label, command=command))
    for path in reply.attachments:
        lines.append("  " + t("console.attachment", path=path))
    return "\n".join(lines)
