"""The words of a search: what the user typed as safe search terms (folded, Dutch stop words
dropped, the last word also a prefix), the backends' query text built from them, and the
snippet shown with each hit (matched words wrapped in ** **).

Both backends fold and tokenise the same way (`fold`, letters and digits only), so a query
means the same on SQLite FTS5 and on PostgreSQL; `storage.search` runs the queries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_TERMS = 12  # words beyond this are ignored (each one narrows the result anyway)
MAX_TERM_LENGTH = 64
MIN_PREFIX_LENGTH = 3  # the last word matches as a prefix from this length on
SNIPPET_WIDTH = 160

# PostgreSQL's Dutch stop words (the Snowball list): both backends ignore them, so a query means
# the same on both, and "de"/"en" (in nearly every learning) cost nothing.
_DUTCH_STOP_WORDS = """
    de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om
    hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar
    naar heb hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets worden toch al
    waren veel meer doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd
    altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets uw iemand geweest andere
"""
STOP_WORDS = frozenset(_DUTCH_STOP_WORDS.split())

_TOKEN = re.compile(r"[^\W_]+")  # letters and digits, as the FTS5 unicode61 tokenizer sees words
# ts_headline marks matches with two private-use characters; the snippet turns them into ** **.
_MARK_START, _MARK_END = "\ue000", "\ue001"
HEADLINE_OPTIONS = f"StartSel={_MARK_START}, StopSel={_MARK_END}, HighlightAll=true"


@dataclass(frozen=True, slots=True)
class Term:
    """One search word, folded; `prefix`: it also matches the start of a longer word."""

    text: str
    prefix: bool


def fold(text: str) -> str:
    """Lower case without diacritics: 'Coöperatie' -> 'cooperatie' (what both indexes do)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_terms(words: str) -> list[Term]:
    """The user's words as safe search terms: letters and digits only, folded, de-duplicated,
    without stop words."""
    seen: list[str] = []
    for token in _TOKEN.findall(fold(words)):
        token = token[:MAX_TERM_LENGTH]
        if token not in seen and token not in STOP_WORDS:
            seen.append(token)
        if len(seen) == MAX_TERMS:
            break
    return [
        Term(t, prefix=(i == len(seen) - 1 and len(t) >= MIN_PREFIX_LENGTH))
        for i, t in enumerate(seen)
    ]


def fts5_query(terms: list[Term], *, prefix: bool = True) -> str:
    """An FTS5 MATCH expression: every term a quoted string (no operators possible), ANDed."""
    return " ".join(f'"{t.text}"*' if t.prefix and prefix else f'"{t.text}"' for t in terms)


def tsquery_parts(terms: list[Term]) -> dict[str, str]:
    """to_tsquery input: `rest` (quoted words ANDed), and the last word alone when it is a prefix.

    PostgreSQL stems the words; a prefix word matches its own stem or, unstemmed, the start of a
    stored word ('warmtep' finds 'warmtepomp', 'wonen' does not find everything in 'won…').
    """
    exact = terms[:-1] if terms[-1].prefix else terms
    parts = {"rest": " & ".join(f"'{t.text}'" for t in exact)}
    if terms[-1].prefix:
        parts |= {"last": f"'{terms[-1].text}'", "last_prefix": f"'{terms[-1].text}':*"}
    return parts


def _fold_in_place(text: str) -> str:
    """`fold(text)`, but every character stays one character, so positions still line up."""
    folded = text.lower()
    if folded.isascii():
        return folded
    folded = folded.translate(_LATIN_FOLD)
    if len(folded) == len(text):
        return folded
    return "".join(_fold_char(ch) for ch in text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = fold(ch)
    return folded if len(folded) == 1 else ch


_LATIN_FOLD = {code: _fold_char(chr(code)) for code in range(0xC0, 0x250)}


@lru_cache(maxsize=1024)
def _highlighter(terms: tuple[Term, ...]) -> re.Pattern[str]:
    """Finds the terms in folded text, to the end of the word for a prefix term."""
    alternatives = sorted(
        (re.escape(t.text) + (r"[^\W_]*" if t.prefix else r"(?![^\W_])") for t in terms),
        key=len,
        reverse=True,
    )
    return re.compile("|".join(alternatives))


def _matches(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where the terms occur in `text` as words (or word starts), as (start, end) spans."""
    folded = _fold_in_place(text)
    return [
        m.span()
        for m in _highlighter(tuple(terms)).finditer(folded)
        if m.start() == 0 or not folded[m.start() - 1].isalnum()
    ]


def snippet(text: str, terms: list[Term], width: int = SNIPPET_WIDTH) -> str:
    """About `width` characters of `text` around the first matched word, matches in ** **."""
    text = " ".join(text.split())
    return _window(text, _matches(text, terms), width)


def marked_snippet(marked: str, width: int = SNIPPET_WIDTH) -> str:
    """`snippet` for a text whose matches PostgreSQL's ts_headline marked."""
    pieces = " ".join(marked.split()).split(_MARK_START)
    text, matches = pieces[0].replace(_MARK_END, ""), []
    for piece in pieces[1:]:
        word, _, rest = piece.partition(_MARK_END)
        matches.append((len(text), len(text) + len(word)))
        text += word + rest.replace(_MARK_END, "")
    return _window(text, matches, width)


def _window(text: str, matches: list[tuple[int, int]], width: int) -> str:
    """The part of `text` around the first match, cut at spaces, matches wrapped in ** **."""
    first = matches[0][0] if matches else 0
    start = max(0, min(first - width // 3, len(text) - width))
    end = min(len(text), start + width)
    if start > 0:  # do not cut a word in two
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", matches[0][1] if matches else start, end)
        end = space if space != -1 else end
    pieces: list[str] = []
    position = start
    for begin, finish in matches:
        if begin < start or finish > end:
            continue
        pieces.append(f"{text[position:begin]}**{text[begin:finish]}**")
        position = finish
    pieces.append(text[position:end])
    return ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else "")
