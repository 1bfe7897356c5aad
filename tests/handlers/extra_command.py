"""A sub-command that exists only in tests: one declaration and one handler function, as a new
sub-command would be added (tests/handlers/test_registry.py imports it and takes it out again)."""

from __future__ import annotations

from handlers.context import Context
from handlers.registry import Kind, Param, command
from handlers.types import Reply

NAME = "echo-proef"


@command(NAME, "echo-test", params=(Param("woord", Kind.TEXT, max_length=50),), rank=15)
async def echo(ctx: Context) -> Reply:
    """Say the word back."""
    return Reply(text=f"echo: {ctx.command.args}")
