"""What people may type, in one place: the length limits of every text the bot stores, the range
of every number it looks up, and the cleaning every typed line gets before any handler sees it.

Cleaning (`clean`, applied by the router to the whole line, the display names and the captured
message): control characters (NUL and the rest of C0 and C1, except tab and newline; CR and
CRLF become a newline), lone surrogates (what invalid UTF-8 becomes when decoded with
`surrogateescape`, and what neither SQLite nor PostgreSQL can store) and the bidirectional
embedding, override and isolate characters (U+202A-U+202E, U+2066-U+2069: "Trojan Source" text
that shows in another order than it reads) are removed. Nothing else is touched: emoji, their
joiners, right-to-left scripts and their ordinary direction marks (U+200E, U+200F) stay.

Limits are counted in characters after cleaning and trimming; a text at the limit is stored
whole, a longer one is refused with one line naming the limit (`check`). They fit the columns
(PostgreSQL refuses what SQLite would silently keep) and the platforms: a learning of 4,000
characters fits one Discord embed (4,096) and two Slack sections (3,000 each); a prompt of
1,000, a meeting title of 200 and a theme name of 80 fit in one message, header or button.
They are listed in the README's command reference.
"""

from __future__ import annotations

from handlers.types import UserError

LEARNING_TEXT = 4_000  # `inzicht`, `antwoord`, a captured message
ENRICHMENT_TEXT = 2_000  # `verrijk`
THEME_NAME = 80  # `thema nieuw <slug> <naam>`
THEME_SLUG = 40  # the slug of a new theme (existing themes may have up to 60)
THEME_KEYWORDS = 500  # `thema nieuw … | trefwoord, trefwoord`, all together
MEETING_TITLE = 200  # `bijeenkomst <titel> | …`
MEETING_WHEN = 100  # `bijeenkomst … | <wanneer>`: longer is no date (and not worth parsing)
PROMPT_TEXT = 1_000  # `vraag <vraag>`
PROEFTUIN_NAME = 80  # `koppel <proeftuin>`
DISPLAY_NAME = 200  # a platform's display name, cut (not refused) to its column
MAX_ID = 2**31 - 1  # the largest row number: a 32-bit signed INTEGER on PostgreSQL
NUMBER_ECHO = 20  # digits of an out-of-range number repeated in the reply
ECHO = LEARNING_TEXT  # at most this much of the user's words comes back in a refusal

_REMOVED = (
    *range(0x00, 0x09),  # NUL … backspace (tab stays)
    0x0B,  # vertical tab (newline stays)
    0x0C,  # form feed
    *range(0x0E, 0x20),  # the rest of C0 (CR is turned into a newline first)
    0x7F,  # DEL
    *range(0x80, 0xA0),  # C1 controls
    *range(0x202A, 0x202F),  # LRE RLE PDF LRO RLO
    *range(0x2066, 0x206A),  # LRI RLI FSI PDI
    *range(0xD800, 0xE000),  # surrogates: alone they are no character
)
_TABLE = dict.fromkeys(_REMOVED)
_REMOVED_SET = frozenset(chr(c) for c in _REMOVED)


def clean(text: str) -> str:
    """`text` without control characters, lone surrogates and bidi overrides (see above)."""
    if text.isprintable() and text.isascii():
        return text  # the common case, quickly
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _REMOVED_SET.isdisjoint(text):
        return text
    return text.translate(_TABLE)


def check(text: str, limit: int, msgid: str, **values: object) -> str:
    """`text` when it has at most `limit` characters; else one friendly refusal, `msgid`, told
    the limit and the length (plus `values`)."""
    if len(text) > limit:
        raise UserError(msgid, limit=limit, length=len(text), **values)
    return text


def echo(value: object, limit: int = ECHO) -> object:
    """A value repeated in a reply: text cut to `limit` characters (ending in an ellipsis), so
    a refusal repeats what may be stored whole but never floods a channel; other values as is."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def fits_id(number: int) -> bool:
    """Whether `number` can be a row number at all (larger ones are no row, not an error)."""
    return 0 <= number <= MAX_ID
