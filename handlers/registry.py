"""The table of sub-commands: canonical Dutch names, English aliases, who may use them."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.context import Context
from handlers.types import Reply

Handler = Callable[[Context], Awaitable[Reply | list[Reply]]]


@dataclass(frozen=True, slots=True)
class Spec:
    """One sub-command."""

    name: str
    aliases: tuple[str, ...]
    handler: Handler
    leader_only: bool = False
    usage_key: str = ""  # catalog key of the one-line usage shown in help and errors


COMMANDS: dict[str, Spec] = {}
_WORDS: dict[str, str] = {}


def command(name: str, *aliases: str, leader_only: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler under its Dutch name and its aliases."""

    def register(handler: Handler) -> Handler:
        spec = Spec(name, aliases, handler, leader_only, f"usage.{name}")
        COMMANDS[name] = spec
        for word in (name, *aliases):
            _WORDS[word] = name
        return handler

    return register


def resolve(word: str) -> Spec | None:
    """The sub-command a typed word means (name or alias, any case)."""
    name = _WORDS.get(word.strip().lower())
    return COMMANDS.get(name) if name else None


def closest(word: str) -> str | None:
    """The known sub-command word (name or alias, as the user would type it) nearest to a
    mistyped one."""
    matches = difflib.get_close_matches(word.lower(), list(_WORDS), n=1, cutoff=0.5)
    return matches[0] if matches else None


def split_line(line: str) -> tuple[str, str]:
    """`'/samen inzicht tekst'` or `'inzicht tekst'` -> ('inzicht', 'tekst')."""
    text = line.strip()
    if text.lower().startswith("/samen"):
        text = text[len("/samen") :].strip()
    word, _, rest = text.partition(" ")
    if "\n" in word:
        word, _, more = word.partition("\n")
        rest = f"{more}\n{rest}" if rest else more
    return word, rest.strip()
