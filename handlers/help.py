"""help: what the caller may do, with one usage line per sub-command, from the declarations
(most used first, the leaders' after); and the README's command table, generated alike."""

from __future__ import annotations

from handlers import registry
from handlers.command_line import syntax
from handlers.context import Context
from handlers.i18n import Translator, catalog
from handlers.registry import Spec, command
from handlers.types import Reply, Visibility


def usage_line(t: Translator, spec: Spec) -> str:
    """The catalog's usage line of a sub-command; one made from its declaration when the
    catalog has none (a sub-command added without catalog entries)."""
    text = t(spec.usage_key)
    return f"`/samen {syntax(spec)}`" if text == spec.usage_key else text


def description(spec: Spec, language: str = "en") -> str:
    """What a sub-command does, from its usage line (the part after the colon)."""
    usage = catalog(language).get(spec.usage_key, "")
    return usage.split("`: ", 1)[1].strip() if "`: " in usage else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def command_table(language: str = "en") -> str:
    """The README's table of chat commands, generated from the declarations."""
    rows = ["| command | who | does |", "|---|---|---|"]
    for spec in registry.ordered():
        alias = f" (`{_cell(spec.english)}`)" if spec.english != spec.name else ""
        does = _cell(description(spec, language))
        rows.append(f"| `{_cell(syntax(spec))}`{alias} | {spec.who} | {does} |")
    return "\n".join(rows) + "\n"


@command("help", "hulp", "?", en="help", private_first=True, rank=160)
async def show_help(ctx: Context) -> Reply:
    """List the sub-commands the caller may use; leaders also see theirs."""
    lines = [ctx.t("help.header")]
    for spec in registry.ordered(leaders=ctx.is_leader):
        lines.append(f"• {usage_line(ctx.t, spec)}")
    if ctx.proeftuin is None and not ctx.command.place.is_direct:
        lines.append(ctx.t("help.unlinked"))
    else:
        if ctx.proeftuin is not None:
            lines.append(ctx.t("help.linked", proeftuin=ctx.proeftuin.name))
    lines.append(ctx.t("help.capture"))
    return Reply(
        text="\n".join(lines), title=ctx.t("help.title"), visibility=Visibility.ONLY_CALLER
    )
