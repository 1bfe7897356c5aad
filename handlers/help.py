"""help: what the caller may do, with one usage line per sub-command."""

from __future__ import annotations

from handlers import registry
from handlers.context import Context
from handlers.registry import command
from handlers.types import Reply, Visibility


@command("help", "hulp", "?")
async def show_help(ctx: Context) -> Reply:
    """List the sub-commands the caller may use; leaders also see theirs."""
    lines = [ctx.t("help.header")]
    for spec in registry.COMMANDS.values():
        if spec.leader_only and not ctx.is_leader:
            continue
        lines.append(f"• {ctx.t(spec.usage_key)}")
    if ctx.proeftuin is None and not ctx.command.place.is_direct:
        lines.append(ctx.t("help.unlinked"))
    else:
        if ctx.proeftuin is not None:
            lines.append(ctx.t("help.linked", proeftuin=ctx.proeftuin.name))
    lines.append(ctx.t("help.capture"))
    return Reply(
        text="\n".join(lines), title=ctx.t("help.title"), visibility=Visibility.ONLY_CALLER
    )
