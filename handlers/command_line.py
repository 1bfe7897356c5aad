"""A sub-command's line from typed values and back, from its declaration (`registry.Spec`).

`line_for` is what a platform with typed options (Discord, a form) sends to the router: the
canonical line a person would type. `values_of` reads such a line back into the values, the
way the handlers read their arguments; `syntax` writes the declaration as people read it
(`tag <nummer> #thema…`), for help and the README's command table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from handlers import registry
from handlers.registry import Kind, Param, Spec
from handlers.types import Action

THEMED = (Kind.THEME, Kind.THEMES)
FLAG = Kind.FLAG
NUMBER_DIGITS = 18  # longer digit strings are kept as typed (no huge int conversions)


def tagged(value: object) -> str:
    """Theme words as `#slug` words: `'wonen #zorg'` -> `'#wonen #zorg'`."""
    return " ".join(w if w.startswith("#") else f"#{w}" for w in str(value).split())


def _shown(param: Param, value: object) -> str | None:
    """The part of the line a value fills, or None when it is left out."""
    if value is None or value is False or value == "":
        return None
    if param.kind is Kind.FLAG:
        return param.words[0] if param.words else param.name
    text = tagged(value) if param.kind in THEMED else str(value)
    text = text.strip()
    return f"{param.prefix}{text}" if text else None


def line_for(spec: Spec, values: Mapping[str, object]) -> str:
    """The argument line (without the sub-command word) typed values stand for:
    `line_for(tag, {"nummer": 12, "themas": "wonen"})` -> `'12 #wonen'`."""
    separated = bool(spec.sep.strip())  # `titel | wanneer | #thema`; flags lead: `bevestig a | b`
    flags = [_shown(p, values.get(p.name)) for p in spec.params if separated and p.kind is FLAG]
    parts = [_shown(p, values.get(p.name)) for p in spec.params if not separated or p.kind != FLAG]
    filled = [part for part in parts if part is not None]
    line = (spec.sep if separated else " ").join(filled)
    line = " ".join([*(f for f in flags if f is not None), line]).strip()
    return f"{spec.verb} {line}".strip() if spec.verb else line


def command_line(spec: Spec, values: Mapping[str, object]) -> str:
    """`line_for` with the sub-command word before it: `'tag 12 #wonen'`."""
    return f"{spec.name} {line_for(spec, values)}".strip()


def _take_prefixed(param: Param, rest: str) -> tuple[str | None, str]:
    """The value written after `param.prefix` (its last occurrence starting a word), and the
    line before it."""
    lowered, prefix = rest.lower(), param.prefix.lower()
    at = lowered.rfind(prefix)
    while at > 0 and not rest[at - 1].isspace():
        at = lowered.rfind(prefix, 0, at)
    if at < 0:
        return None, rest
    return rest[at + len(prefix) :].strip() or None, rest[:at].strip()


def _value(param: Param, word: str) -> object:
    if param.kind is Kind.NUMBER:
        digits = word.lstrip("#")
        small = digits.isascii() and digits.isdigit() and len(digits) <= NUMBER_DIGITS
        return int(digits) if small else word  # a huge number stays a word: `parse_number`
    if param.kind in THEMED:
        return tagged(word)
    return word


def _parse_words(params: list[Param], rest: str, values: dict[str, object]) -> None:
    """Fill unprefixed parameters from the words of `rest`, left to right."""
    for index, param in enumerate(params):
        rest = rest.strip()
        later = params[index + 1 :]
        if param.kind is Kind.FLAG:
            word, _, after = rest.partition(" ")
            if word.lower() in param.words:
                values[param.name] = True
                rest = after
            continue
        if not rest:
            continue
        if param.kind in (Kind.TEXT, Kind.WHEN, Kind.PROEFTUIN) and not later:
            values[param.name] = rest
            rest = ""
        elif param.kind is Kind.TEXT and later and later[0].kind in THEMED:
            words = rest.split(" ")
            stop = next((i for i, w in enumerate(words) if w.startswith("#")), len(words))
            if stop:
                values[param.name] = " ".join(words[:stop])
            rest = " ".join(words[stop:])
        elif param.kind is Kind.THEMES:
            values[param.name] = tagged(rest)
            rest = ""
        elif param.kind is Kind.THEME and not later and index == 0:
            values[param.name] = tagged(rest)  # the last word(s): `volg zorg`, `volg #a #b`
            rest = ""
        else:
            word, _, rest = rest.partition(" ")
            if param.kind is Kind.THEME and not param.required and not word.startswith("#"):
                rest = f"{word} {rest}"
                continue
            values[param.name] = _value(param, word)


def values_of(spec: Spec, args: str) -> dict[str, object]:
    """The typed values an argument line holds, read as the handlers read it (the inverse of
    `line_for` for the lines it writes)."""
    values: dict[str, object] = {}
    rest = args.strip()
    if spec.verb:
        word, _, after = rest.partition(" ")
        if word.lower() == spec.verb:
            rest = after
    if spec.sep.strip():
        for param in [p for p in spec.params if p.kind is FLAG]:  # flags lead the line
            word, _, after = rest.partition(" ")
            if word.lower() in param.words:
                values[param.name] = True
                rest = after.strip()
        parts = [p.strip() for p in rest.split(spec.sep.strip())]
        plain = [p for p in spec.params if not p.prefix and p.kind not in (*THEMED, FLAG)]
        for param, part in zip(plain, parts, strict=False):
            if part:
                values[param.name] = _value(param, part)
        for part in parts[len(plain) :]:
            for param in spec.params:
                if param.prefix and part.lower().startswith(param.prefix.lower()):
                    values[param.name] = _value(param, part[len(param.prefix) :].strip())
                elif param.kind in THEMED and part.startswith("#"):
                    values[param.name] = tagged(part)
        return values
    for param in reversed(spec.params):
        if param.prefix:
            found, rest = _take_prefixed(param, rest)
            if found is not None:
                values[param.name] = _value(param, found)
    _parse_words([p for p in spec.params if not p.prefix], rest, values)
    return values


def _placeholder(param: Param) -> str:
    if param.kind is Kind.FLAG:
        return param.words[0] if param.words else param.name
    if param.kind in (Kind.RING, Kind.CHOICE):
        return "|".join(param.choices)
    if param.kind is Kind.THEME:
        return f"#{param.name}"
    if param.kind is Kind.THEMES:
        return "#thema…"
    if param.kind is Kind.NUMBER:
        return f"{param.prefix}<N>"
    if param.kind is Kind.PROEFTUIN and param.prefix:
        return f"{param.prefix}<naam>"
    return f"{param.prefix}<{param.name}>"


def syntax(spec: Spec, word: str | None = None) -> str:
    """The declaration as people read it: `bijeenkomst <titel> | <wanneer> [| #thema] …`."""
    joiner = spec.sep if spec.sep.strip() else " "
    line = " ".join(w for w in (word or spec.name, spec.verb) if w)
    placed = 0  # parameters written after the flags that lead a separated line
    for param in spec.params:
        shown = _placeholder(param)
        leading = param.kind is FLAG and bool(spec.sep.strip())
        before = joiner if placed and not leading else " "
        placed += 0 if leading else 1
        if param.required:
            line += f"{before}{shown}"
        else:
            line += f" [{before.strip()} {shown}]".replace("[ ", "[")
    return line


HELP = "help"  # what an empty line means
CAPTURE = "inzicht"  # what a captured message or a capture form becomes (stored in batches)
ADD_THEME = "tag"  # what an "add a theme" select under a learning runs: `tag N #slug`


def add_theme_args(number: object, slug: str) -> str:
    """The arguments of `ADD_THEME` adding one theme to learning `number`: `'12 #wonen'`."""
    return line_for(registry.COMMANDS[ADD_THEME], {"nummer": number, "themas": slug})


def form_text(spec: Spec) -> Param | None:
    """The long text a form asks for (`needs_text_form`): the sub-command's last text
    parameter."""
    if not spec.needs_text_form:
        return None
    texts = [p for p in spec.params if p.kind is Kind.TEXT]
    return texts[-1] if texts else None


def form_for(word: str, args: str) -> Spec | None:
    """The sub-command whose form a platform may open for this line: one that takes a long
    text, given everything but that text (`inzicht`, `antwoord 5`, `verrijk 5`)."""
    spec = registry.resolve(word)
    text = form_text(spec) if spec else None
    if spec is None or text is None:
        return None
    values = values_of(spec, args)
    if text.name in values:
        return None
    others = [p for p in spec.params if p.required and p is not text]
    if any(p.name not in values or not isinstance(values[p.name], int | str) for p in others):
        return None
    numbers = [p for p in others if p.kind is Kind.NUMBER]
    return spec if all(isinstance(values[p.name], int) for p in numbers) else None


def learning_number(actions: Iterable[Action]) -> str | None:
    """The learning a reply's buttons act on (undo, withdraw, tag: `learning_buttons`), if any:
    a reply with one may offer an "add a theme" select."""
    for action in actions:
        spec = registry.resolve(action.command)
        if spec is None or not spec.learning_buttons:
            continue
        word = action.args.strip().split(" ")[0].lstrip("#")
        if word.isascii() and word.isdigit():
            return word
    return None
