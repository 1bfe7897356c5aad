"""The words of a search: what the user typed as safe search terms (folded, Dutch stop words
dropped, the last word also a prefix), the backends' query text built from them, and the
snippet shown with each hit (matched words wrapped in ** **).

Both backends fold, tokenise and stem the same way, so a query finds the same learnings on
SQLite FTS5 and on PostgreSQL; `storage.search` runs the queries.

Stemming. PostgreSQL's `dutch` configuration stems with Snowball's original Dutch algorithm;
SQLite indexes `index_text(text)`, the same words stemmed by the same algorithm (PyStemmer's
`dutch_porter`, checked word for word against PostgreSQL's `dutch_stem`), stop words left out.
So `gemeenten` finds `gemeente` and `vrijwilligers` finds `vrijwilliger` on both.

The algorithm misses some Dutch forms: a plural -s after an -e (`subsidies`, `coöperaties`)
and diminutives (`huisje`, `buurtjes`). `word_forms` adds those forms of a query word as
alternatives (ORed), on both backends alike, so `subsidie` finds `subsidies` and `huisje`
finds `huis`; the index stays plain Snowball.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

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
_VOWELS = frozenset("aeiouy")
# Snowball's original Dutch algorithm: what PostgreSQL's `dutch` configuration uses. (Snowball's
# newer `dutch` stems differently, e.g. `gemeente` -> `meen`, and would disagree with PostgreSQL.)
STEMMER_ALGORITHM = "dutch_porter"
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


class _Stemmers(threading.local):
    """A stemmer per thread (PyStemmer's objects are not thread-safe; SQLite may call
    `index_text` from aiosqlite's thread and from the event loop's)."""

    def __init__(self) -> None:
        self.stemmer = Stemmer.Stemmer(STEMMER_ALGORITHM)


_stemmers = _Stemmers()


def stem(word: str) -> str:
    """The Snowball (original Dutch) stem of one folded word: what PostgreSQL indexes."""
    return str(_stemmers.stemmer.stemWord(word))


def stems(words: Iterable[str]) -> list[str]:
    return [str(s) for s in _stemmers.stemmer.stemWords(list(words))]


def index_text(text: str | None) -> str:
    """What SQLite's full-text index holds for a learning: its words folded and stemmed, stop
    words left out (as PostgreSQL's `to_tsvector('dutch', text)`). Registered on every SQLite
    connection as the SQL function `samen_stem`, which the index's triggers call. Changing what
    it returns needs a migration that rebuilds the index (the index deletes a row by these
    words)."""
    if not text:
        return ""
    return " ".join(stems(t for t in _TOKEN.findall(fold(text)) if t not in STOP_WORDS))


def index_facets(proeftuin_id: int | None, theme_ids: str | None) -> str:
    """What SQLite's full-text index holds in its `facets` column (revision 0006): a token for
    the learning's proeftuin and one for each of its themes (`theme_ids` as SQLite's
    group_concat gives them), sorted, so the same learning always gives the same text.
    Registered as the SQL function `samen_facets`; search ANDs these tokens with the words, so
    FTS5 itself applies `#thema` and `proeftuin:`."""
    themes = sorted({int(t) for t in (theme_ids or "").split(",") if t.strip()})
    tokens = [] if proeftuin_id is None else [proeftuin_token(int(proeftuin_id))]
    return " ".join(tokens + [theme_token(t) for t in themes])


def proeftuin_token(proeftuin_id: int) -> str:
    return f"p{proeftuin_id}"


def theme_token(theme_id: int) -> str:
    return f"t{theme_id}"


def approximate_rank(text: str | None, needles: str) -> float:
    """How well `text` holds the words `needles` (their stems, space-separated), for ranking
    many candidates without bm25 (which first counts every row holding each word): per word,
    its occurrences in the folded text as a substring (so every form of a stem counts),
    saturated and normalised by length as bm25 does (k1 1.2, b 0.75, an average of 120
    characters), without bm25's weighing of rare words against common ones. Registered on
    SQLite connections as `samen_rank`."""
    if not text:
        return 0.0
    folded = fold(text)
    norm = 1.2 * (0.25 + 0.75 * len(text) / 120.0)
    score = 0.0
    for needle in needles.split():
        tf = folded.count(needle)
        score += tf / (tf + norm)
    return score


def word_forms(word: str) -> tuple[str, ...]:
    """The folded `word` and the Dutch forms of it the stemmer does not bring together: a
    plural -s after an -e (`subsidies`/`subsidie`, `gemeentes`/`gemeenten`), a plural -en
    or -eren on a word the stemmer keeps apart (`fondsen`/`fonds`, `kinderen`/`kind`), a
    diminutive (`huisje(s)`/`huis`, `bloempje`/`bloem`, `bloemetje`/`bloem`) and back
    (`subsidie` -> `subsidies`, `huis` -> `huisje`, `huisjes`). A form that is no word costs
    a look-up that finds nothing."""
    forms = [word]
    base = word
    if len(word) >= 4 and word.endswith("es"):
        base = word[:-1]
        forms.append(base)
    elif len(word) >= 6 and word.endswith("en"):
        forms += [word[:-1] + "s", word[:-2]]
        if len(word) >= 7 and word.endswith("eren"):
            forms.append(word[:-4])
    if len(base) >= 5 and base.endswith("je"):
        for suffix in ("etje", "tje", "pje", "je"):
            if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                forms.append(base[: -len(suffix)])
    elif base == word and len(word) >= 3 and not word.endswith("en"):
        if word[-1] in _VOWELS:
            forms += [word + "s", word + "tje", word + "tjes"]
        else:
            forms += [word + "je", word + "jes"]
    return tuple(dict.fromkeys(forms))


def typed_stems(word: str) -> tuple[str, ...]:
    """For a word still being typed: the one and two letters shorter words, which the index may
    hold as the stem of the word being typed (`kenniskri…` is on its way to `kenniskring`,
    indexed as `kenniskr`, which no prefix `kenniskri` reaches)."""
    return tuple(word[:-k] for k in (1, 2) if len(word) - k >= 4)


@lru_cache(maxsize=4096)
def term_stems(word: str) -> tuple[str, ...]:
    """The stems a query word matches exactly: those of its `word_forms`."""
    return tuple(dict.fromkeys(stems(word_forms(word))))


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


def fts5_query(
    terms: list[Term], *, prefix: bool = True, expansion: Iterable[str] | None = None
) -> str:
    """An FTS5 MATCH expression over the stemmed index: every term the OR of its stems (quoted
    strings, so no operators possible), the terms ANDed. A prefix term also matches the indexed
    words it starts: `expansion` lists them (exact terms, which FTS5 reads newest first without
    collecting them all), else FTS5's own prefix query `"p"*` finds them; `prefix=False` leaves
    that part out.
    """
    parts = []
    for term in terms:
        alternatives = [f'"{s}"' for s in term_stems(term.text)]
        if term.prefix and prefix:
            alternatives += [f'"{s}"' for s in typed_stems(term.text)]
            if expansion is None:
                alternatives.append(f'"{term.text}"*')
            else:
                known = set(term_stems(term.text))
                alternatives += [f'"{e}"' for e in expansion if e not in known]
        either = " OR ".join(alternatives)
        parts.append(either if len(alternatives) == 1 else f"({either})")
    return " AND ".join(parts)


def tsquery_parts(terms: list[Term]) -> dict[str, str]:
    """to_tsquery input: `rest` (the terms ANDed, each the OR of its forms), and the last term
    alone when it is a prefix.

    PostgreSQL stems the words; a prefix word matches its own stems or, unstemmed, the start of
    a stored word ('warmtep' finds 'warmtepomp', 'wonen' does not find everything in 'won…').
    """
    exact = terms[:-1] if terms[-1].prefix else terms
    parts = {"rest": " & ".join(_tsquery_forms(t.text) for t in exact)}
    if terms[-1].prefix:
        parts |= {
            "last": _tsquery_forms(terms[-1].text),
            "last_prefix": " | ".join(
                [f"'{terms[-1].text}':*", *(f"'{s}'" for s in typed_stems(terms[-1].text))]
            ),
        }
    return parts


def _tsquery_forms(word: str) -> str:
    forms = word_forms(word)
    return f"'{forms[0]}'" if len(forms) == 1 else "(" + " | ".join(f"'{f}'" for f in forms) + ")"


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


def _matches(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where the terms occur in `text` as words, as (start, end) spans: a word matches when its
    stem is one of a term's stems, or when it (or its stem) starts with a prefix term."""
    folded = _fold_in_place(text)
    exact = {s for t in terms for s in term_stems(t.text)}
    prefixes = tuple(t.text for t in terms if t.prefix)
    found = []
    for m in _TOKEN.finditer(folded):
        word = m.group()
        if word in STOP_WORDS:
            continue
        stemmed = stem(word)
        if stemmed in exact or (prefixes and (stemmed.startswith(prefixes))):
            found.append(m.span())
    return found


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
