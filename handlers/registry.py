"""The table of sub-commands, one declaration each: the Dutch name and its aliases, who may use
it, its typed parameters, how its answer is shown, and which cached lists it makes stale.

Adapters generate what they show from these declarations (Discord options, forms, the console
help, the README's command table), so no adapter has to list commands by name.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers import limits
from handlers.context import Context
from handlers.types import Reply

Handler = Callable[[Context], Awaitable[Reply | list[Reply]]]


class Kind(enum.Enum):
    """What a parameter holds."""

    NUMBER = "number"  # the number of a learning, meeting or prompt (`12` or `#12`)
    TEXT = "text"  # free text: the rest of the line, or one word when more follows
    THEMES = "themes"  # one or more `#slug` words
    THEME = "theme"  # one `#slug` word
    PROEFTUIN = "proeftuin"  # a proeftuin's name
    RING = "ring"  # proeftuin | kenniskring | buitenwereld
    CHOICE = "choice"  # one of `words`
    WHEN = "when"  # a moment as people type it (`donderdag 19:30`)
    FLAG = "flag"  # the word `words[0]` (or an alias in `words`) is there or not


RINGS = ("proeftuin", "kenniskring", "buitenwereld")


@dataclass(frozen=True, slots=True)
class Param:
    """One typed parameter of a sub-command; `name` is also its option name on Discord."""

    name: str
    kind: Kind
    required: bool = True
    max_length: int | None = None  # handlers/limits.py
    words: tuple[str, ...] = ()  # CHOICE: the words allowed; FLAG: the word and its aliases
    prefix: str = ""  # written before the value in the line: `proeftuin:`, `| `
    refers: str = ""  # NUMBER: learning | meeting | prompt | page

    @property
    def choices(self) -> tuple[str, ...]:
        """The values a RING or CHOICE parameter takes."""
        return RINGS if self.kind is Kind.RING else self.words


@dataclass(frozen=True, slots=True)
class Spec:
    """One sub-command, declared once."""

    name: str
    aliases: tuple[str, ...]
    handler: Handler
    leader_only: bool = False
    usage_key: str = ""  # catalog key of the one-line usage shown in help and errors
    params: tuple[Param, ...] = ()
    verb: str = ""  # a fixed word before the parameters: `thema nieuw …`
    sep: str = " "  # between the parts of the line: `bijeenkomst titel | wanneer`
    who: str = "all"  # all | author | author, leader | leader (the README's column)
    private_first: bool = False  # answered to the caller alone (a platform defers privately)
    needs_text_form: bool = False  # takes a long text: a platform may open a form for it
    invalidates: frozenset[str] = frozenset()  # cached lists it changes: themes, proeftuinen
    learning_buttons: bool = False  # its buttons act on a learning the presser may re-tag
    rank: int = 1000  # how much people use it: help and tables list low ranks first
    en: str = ""  # the English word (the first alias unless declared)
    family: str = ""  # related sub-commands: a platform with few places gathers them (Discord)

    @property
    def english(self) -> str:
        """The English word for it: declared, else the first alias, else the name itself."""
        return self.en or (self.aliases[0] if self.aliases else self.name)


# Parameters several sub-commands share.
LEARNING = Param("nummer", Kind.NUMBER, refers="learning")
MEETING = Param("nummer", Kind.NUMBER, refers="meeting")
THEMES = Param("themas", Kind.THEMES, max_length=300)
THEME = Param("thema", Kind.THEME, max_length=limits.THEME_SLUG + 21)  # existing slugs: 60
ANY_THEME = Param("thema", Kind.THEME, required=False, max_length=limits.THEME_SLUG + 21)
IN_PROEFTUIN = Param(
    "proeftuin",
    Kind.PROEFTUIN,
    required=False,
    max_length=limits.PROEFTUIN_NAME,
    prefix="proeftuin:",
)
AUTHOR_LEADER = "author, leader"

COMMANDS: dict[str, Spec] = {}
_WORDS: dict[str, str] = {}


def command(
    name: str,
    *aliases: str,
    leader_only: bool = False,
    params: tuple[Param, ...] = (),
    verb: str = "",
    sep: str = " ",
    who: str = "",
    private_first: bool = False,
    needs_text_form: bool = False,
    invalidates: tuple[str, ...] = (),
    learning_buttons: bool = False,
    rank: int = 1000,
    en: str = "",
    family: str = "",
) -> Callable[[Handler], Handler]:
    """Register a handler under its Dutch name and its aliases (English first), declared with
    everything an adapter needs to offer it."""

    def register(handler: Handler) -> Handler:
        spec = Spec(
            name,
            aliases,
            handler,
            leader_only,
            f"usage.{name}",
            params=params,
            verb=verb,
            sep=sep,
            who=who or ("leader" if leader_only else "all"),
            private_first=private_first,
            needs_text_form=needs_text_form,
            invalidates=frozenset(invalidates),
            learning_buttons=learning_buttons,
            rank=rank,
            en=en,
            family=family,
        )
        COMMANDS[name] = spec
        for word in (name, *aliases):
            _WORDS[word] = name
        return handler

    return register


def unregister(name: str) -> None:
    """Take a sub-command out of the table again (tests that declare one of their own)."""
    COMMANDS.pop(name, None)
    for word in [w for w, n in _WORDS.items() if n == name]:
        del _WORDS[word]


def ordered(*, leaders: bool = True) -> list[Spec]:
    """The sub-commands by use: participants' first by rank, then the leaders' (without them
    when `leaders` is false)."""
    specs = [s for s in COMMANDS.values() if leaders or not s.leader_only]
    return sorted(specs, key=lambda s: (s.leader_only, s.rank, s.name))


def families() -> dict[str, list[Spec]]:
    """The declared families of sub-commands, in the order of their most used member."""
    found: dict[str, list[Spec]] = {}
    for spec in ordered():
        if spec.family:
            found.setdefault(spec.family, []).append(spec)
    return found


def invalidating(name: str) -> frozenset[str]:
    """The cached lists (themes, proeftuinen) a sub-command changes; none for an unknown one."""
    spec = resolve(name)
    return spec.invalidates if spec else frozenset()


def resolve(word: str) -> Spec | None:
    """The sub-command a typed word means (name or alias, any case)."""
    name = _WORDS.get(word.strip().lower())
    return COMMANDS.get(name) if name else None


def closest(word: str, language: str = "nl") -> str | None:
    """The sub-command nearest to a mistyped word (matched against names and aliases), as the
    word of the configured language: the Dutch name in `nl`, the English word in `en`."""
    matches = difflib.get_close_matches(word.lower(), list(_WORDS), n=1, cutoff=0.5)
    if not matches:
        return None
    spec = COMMANDS[_WORDS[matches[0]]]
    return spec.english if language == "en" else spec.name


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
