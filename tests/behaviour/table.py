"""The behaviour table: one row per (who, where, line) with the outcome every adapter must show.

Every row starts from the same WORLD (set up through the router, not through the platform):

* Proeftuin A linked to channel `a`, Proeftuin B to channel `b`; channel `kring` is linked
  to nothing; themes #wonen and #energie;
* learning #1 by the participant (Anna) in A, tagged #wonen; learning #2 by Bob in B, #energie;
* meeting #1 "Kennisdag" (2030-01-10 19:30, #wonen); prompt #1 "Wat werkte deze week?".

A row then types its line as `who` in `where` through the platform's wire and checks
* `db`: what changed in the store (a neutral `Delta`, the same on every platform), and
* `reply`: the meaning of what the caller saw (a number, a refusal, a catalog key word), and
* `private`: whether the caller's first answer was for their eyes only (None: not checked).

`drift` marks a platform where the row fails today, with the reason (a strict xfail: when the
drift is fixed the test says so and the mark must go).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.behaviour.drivers import Said
from tests.behaviour.state import Delta, LearningRow, MeetingRow

WORLD: tuple[tuple[str, str, str], ...] = (
    ("leader", "a", "koppel Proeftuin A"),
    ("leader", "b", "koppel Proeftuin B"),
    ("leader", "kring", "thema nieuw wonen Wonen | huur, woning"),
    ("leader", "kring", "thema nieuw energie Energie | zon, warmte"),
    ("participant", "a", "inzicht Huurders doen mee als de woning centraal staat #wonen"),
    ("bob", "b", "inzicht Zonnepanelen op het buurthuis werken als voorbeeld #energie"),
    ("leader", "kring", "bijeenkomst Kennisdag | 2030-01-10 19:30 | #wonen"),
    ("leader", "a", "vraag Wat werkte deze week?"),
)
ASKED = (("leader", "kring", "deel 1 buitenwereld"),)  # Anna is asked to publish #1
FOLLOWING = (("participant", "a", "volg #energie"),)
SAID_YES = (("participant", "a", "ja 1"),)  # the participant comes to meeting #1
CANCELLED = (("leader", "kring", "annuleer 1"),)
RING_ONE = (("participant", "a", "deel 1 proeftuin"),)  # #1 only for Proeftuin A
LONG = "Een heel lang inzicht " + "x" * 5000
# #3, Bob's in B, says what Anna's #1 in A says (related learnings)
ALIKE = (("bob", "b", "inzicht Huurders doen pas mee als hun woning centraal staat"),)


L1 = LearningRow(
    1,
    "Huurders doen mee als de woning centraal staat #wonen",
    "Proeftuin A",
    "kenniskring",
    ("wonen",),
    "participant",
    None,
    False,
    False,
)
L2 = LearningRow(
    2,
    "Zonnepanelen op het buurthuis werken als voorbeeld #energie",
    "Proeftuin B",
    "kenniskring",
    ("energie",),
    "bob",
    None,
    False,
    False,
)

DbCheck = Callable[[Delta], bool]
ReplyCheck = Callable[[Said, Delta], bool]


@dataclass(frozen=True)
class Row:
    command: str  # the registry name this row exercises
    id: str
    who: str
    where: str
    line: str
    db: DbCheck
    reply: ReplyCheck
    private: bool | None = None
    given: tuple[tuple[str, str, str], ...] = ()
    drift: dict[str, str] = field(default_factory=dict)
    good: bool = True  # a success row (False: a refusal or bad argument)


# --- predicates on the store -------------------------------------------------------------


def nothing(d: Delta) -> bool:
    """No table changed."""
    return not d.tables()


def changes(**expected: Callable[[list, list], bool]) -> DbCheck:
    """Exactly these tables changed; each check gets (added, removed)."""

    def check(d: Delta) -> bool:
        if d.tables() != set(expected):
            return False
        return all(test(d.added(t), d.removed(t)) for t, test in expected.items())

    return check


def added(*rows: object) -> Callable[[list, list], bool]:
    return lambda new, gone: new == sorted(rows, key=repr) and not gone


def removed(*rows: object) -> Callable[[list, list], bool]:
    return lambda new, gone: gone == sorted(rows, key=repr) and not new


def replaced(old: object, new_row: object) -> Callable[[list, list], bool]:
    return lambda new, gone: new == [new_row] and gone == [old]


def one_learning(**fields: object) -> Callable[[list, list], bool]:
    """One learning added whose fields are these."""

    def check(new: list, gone: list) -> bool:
        return (
            len(new) == 1 and not gone and all(getattr(new[0], k) == v for k, v in fields.items())
        )

    return check


# --- predicates on the reply ---------------------------------------------------------------


def says(*words: str) -> ReplyCheck:
    """The caller saw every word (case-insensitive)."""
    return lambda said, d: all(w.lower() in said.text.lower() for w in words)


def says_not(*words: str) -> Callable[[Said], bool]:
    return lambda said: not any(w.lower() in said.text.lower() for w in words)


def all_of(*checks: ReplyCheck) -> ReplyCheck:
    return lambda said, d: all(c(said, d) for c in checks)


def new_number(table: str = "learnings") -> ReplyCheck:
    """The caller saw the number of the row the command added (`#N`)."""

    def check(said: Said, d: Delta) -> bool:
        new = d.added(table)
        return len(new) == 1 and f"#{new[0][0]}" in said.text

    return check


def attached(suffix: str) -> ReplyCheck:
    """The caller got a file whose name ends so (console `bijlage: …`, a Slack upload, a
    Discord attachment)."""
    return lambda said, d: any(
        line.strip().startswith("bijlage:") and line.strip().endswith(suffix)
        for line in said.text.splitlines()
    )


def told_elsewhere_in(count: int, *words: str) -> ReplyCheck:
    """Exactly `count` messages elsewhere (other channels, other people) carry these words."""
    return lambda said, d: (
        count == sum(all(w.lower() in m.text.lower() for w in words) for m in said.elsewhere)
    )


def told_elsewhere(*words: str) -> ReplyCheck:
    """Someone other than the caller (another channel, another person) got these words."""
    return lambda said, d: any(
        all(w.lower() in m.text.lower() for w in words) for m in said.elsewhere
    )


LEADERS_ONLY = says("projectleiders")
NOT_A_NUMBER = says("geen nummer")
NOT_FOUND = says("vind ik niet")
NOT_YOURS = says("schrijver of een projectleider")
NO_PROEFTUIN = says("geen proeftuin")


# --- the table -----------------------------------------------------------------------------

# fmt: off
ROWS: tuple[Row, ...] = (
    # help
    Row("help", "help-participant", "participant", "a", "help", nothing,
        lambda s, d: "/samen inzicht" in s.text and "/samen koppel" not in s.text, True),
    Row("help", "help-leader", "leader", "kring", "help", nothing,
        all_of(says("/samen koppel", "/samen digest", "geen proeftuin")), True),
    Row("help", "help-dm", "participant", "dm", "help", nothing, says("/samen inzicht"), True),
    Row("help", "unknown-word", "participant", "a", "inzcht Iets belangrijks", nothing,
        says("/samen inzicht", "Iets belangrijks"), True, good=False,
        ),
    Row("help", "help-extra-words", "participant", "a", "help koppel", nothing,
        says("/samen inzicht"), True, good=False),
    # koppel
    Row("koppel", "koppel-new", "leader", "kring", "koppel Proeftuin C",
        changes(proeftuinen=added("Proeftuin C"), channel_links=added("Proeftuin C")),
        says("Proeftuin C"), False),
    Row("koppel", "koppel-relink-asks", "leader", "a", "koppel Proeftuin B", nothing,
        says("Proeftuin A", "bevestig Proeftuin B"), True, good=False),
    Row("koppel", "koppel-relink", "leader", "a", "koppel bevestig Proeftuin B",
        changes(channel_links=replaced("Proeftuin A", "Proeftuin B")),
        says("Proeftuin B", "Proeftuin A"), False),
    Row("koppel", "koppel-near", "leader", "kring", "koppel proeftuin", nothing,
        says("Bedoel je", "koppel bevestig proeftuin"), True, good=False),
    Row("koppel", "koppel-participant", "participant", "kring", "koppel Proeftuin C", nothing,
        LEADERS_ONLY, True, good=False),
    Row("koppel", "koppel-dm", "leader", "dm", "koppel Proeftuin C", nothing,
        says("koppel"), True, good=False),
    # inzicht
    Row("inzicht", "inzicht-plain", "participant", "a", "inzicht Samen koken verbindt de straat",
        changes(learnings=one_learning(
            text="Samen koken verbindt de straat", proeftuin="Proeftuin A", ring="kenniskring",
            themes=(), author="participant")),
        all_of(new_number(), says("bewaard", "Proeftuin A", "Ongedaan maken")), False),
    Row("inzicht", "inzicht-card-author", "participant", "a", "inzicht Buren helpen buren",
        changes(learnings=one_learning(text="Buren helpen buren", author="participant")),
        all_of(new_number(), says("Door", "Anna")), False),
    Row("inzicht", "inzicht-mentions", "participant", "a",
        "inzicht Let op @everyone en @here: huurders <!channel> komen",
        changes(learnings=one_learning(
            text="Let op @everyone en @here: huurders <!channel> komen", proeftuin="Proeftuin A")),
        all_of(new_number(), says("Let op", "huurders")), False),
    Row("inzicht", "inzicht-tagged", "bob", "b", "inzicht Warmtepomp bespaart geld #energie",
        changes(learnings=one_learning(proeftuin="Proeftuin B", themes=("energie",),
                                       author="bob")),
        all_of(new_number(), says("#energie")), False),
    Row("inzicht", "inzicht-followed", "participant", "a", "inzicht Nieuwe huurwoningen #wonen",
        changes(learnings=one_learning(themes=("wonen",), author="participant")),
        all_of(new_number(), told_elsewhere("Nieuwe huurwoningen")), False,
        given=(("bob", "b", "volg #wonen"),)),
    Row("inzicht", "inzicht-unlinked", "participant", "kring", "inzicht Iets zonder proeftuin",
        nothing, all_of(NO_PROEFTUIN, says("Iets zonder proeftuin")), True, good=False),
    Row("inzicht", "inzicht-alias", "participant", "a", "learning English alias works",
        changes(learnings=one_learning(text="English alias works", proeftuin="Proeftuin A")),
        all_of(new_number(), says("bewaard")), False),
    Row("inzicht", "inzicht-empty", "participant", "a", "inzicht", nothing,
        lambda s, d: "(form)" in s.text or "Schrijf je inzicht" in s.text, True, good=False),
    Row("inzicht", "inzicht-too-long", "participant", "a", f"inzicht {LONG}", nothing,
        says("4000"), True, good=False),
    Row("inzicht", "inzicht-dm", "participant", "dm", "inzicht Iets in een DM", nothing,
        says("Iets in een DM"), True, good=False),
    # tag / untag
    Row("tag", "tag-own", "participant", "a", "tag 1 #energie",
        changes(learnings=replaced(L1, L1._replace(themes=("energie", "wonen")))),
        says("#1", "#energie"), False),
    Row("tag", "tag-leader", "leader", "kring", "tag 2 #wonen",
        changes(learnings=replaced(L2, L2._replace(themes=("energie", "wonen")))),
        says("#2", "#wonen"), False),
    # A theme word without `#` is a theme word where only themes can stand, on every platform
    # (Discord's typed option holds the bare slug).
    Row("tag", "tag-bare-word", "participant", "a", "tag 1 energie",
        changes(learnings=replaced(L1, L1._replace(themes=("energie", "wonen")))),
        says("#1", "#energie"), False),
    Row("tag", "tag-not-yours", "participant", "a", "tag 2 #wonen", nothing, NOT_YOURS, True,
        good=False),
    Row("tag", "tag-not-a-number", "participant", "a", "tag x #wonen", nothing, NOT_A_NUMBER,
        True, good=False),
    Row("tag", "tag-unknown-theme", "participant", "a", "tag 1 #onbekend", nothing,
        says("#onbekend", "ken ik niet"), False, good=False),
    Row("untag", "untag-own", "participant", "a", "untag 1 #wonen",
        changes(learnings=replaced(L1, L1._replace(themes=()))), says("#1", "#wonen"), False),
    Row("untag", "untag-missing", "participant", "a", "untag 99 #wonen", nothing, NOT_FOUND,
        True, good=False),
    # intrekken
    Row("intrekken", "intrekken-own", "participant", "a", "intrekken 1",
        changes(learnings=removed(L1)), says("#1", "ingetrokken"), False),
    Row("intrekken", "intrekken-leader", "leader", "kring", "intrekken 2",
        changes(learnings=removed(L2)), says("#2", "ingetrokken"), False),
    Row("intrekken", "intrekken-dm", "participant", "dm", "intrekken 1",
        changes(learnings=removed(L1)), says("#1", "ingetrokken"), True),
    Row("intrekken", "intrekken-not-yours", "participant", "a", "intrekken 2", nothing,
        NOT_YOURS, True, good=False),
    Row("intrekken", "intrekken-not-a-number", "participant", "a", "intrekken abc", nothing,
        NOT_A_NUMBER, True, good=False),
    # herken
    Row("herken", "herken-other", "bob", "b", "herken 1",
        changes(recognitions=added((1, "Proeftuin B"))), says("#1", "Proeftuin B"), False),
    Row("herken", "herken-hash-number", "bob", "b", "herken #1",
        changes(recognitions=added((1, "Proeftuin B"))), says("#1", "Proeftuin B"), False),
    Row("herken", "herken-ring-proeftuin", "bob", "b", "herken 1", nothing, NOT_FOUND, True,
        given=RING_ONE, good=False),
    Row("herken", "herken-dm", "bob", "dm", "herken 1", nothing, NO_PROEFTUIN, True,
        good=False),
    Row("herken", "herken-own-proeftuin", "participant", "a", "herken 1", nothing,
        says("#1", "eigen proeftuin"), True, good=False),
    Row("herken", "herken-missing", "bob", "b", "herken 99", nothing, NOT_FOUND, True,
        good=False),
    Row("herken", "herken-unlinked", "participant", "kring", "herken 2", nothing, NO_PROEFTUIN,
        True, good=False),
    # lijkt (related learnings): #3 is Bob's, in B, alike to Anna's #1 in A
    Row("lijkt", "lijkt-other-proeftuin", "bob", "b", "lijkt 3", nothing,
        all_of(says("Lijkt op #1", "Proeftuin A", "herken je het"),
               lambda s, d: "#3 van" not in s.text), False, given=ALIKE),
    Row("lijkt", "lijkt-alias", "bob", "b", "similar 3", nothing, says("Lijkt op #1"), False,
        given=ALIKE),
    Row("lijkt", "lijkt-capture-offers", "bob", "b",
        "inzicht Huurders doen pas mee als hun eigen woning centraal staat",
        changes(learnings=one_learning(proeftuin="Proeftuin B", author="bob")),
        all_of(new_number(), says("Lijkt op #1", "Proeftuin A")), False),
    Row("lijkt", "lijkt-ring-proeftuin", "bob", "b", "lijkt 3", nothing,
        all_of(says("#3"), lambda s, d: "#1" not in s.text), False, given=RING_ONE + ALIKE,
        good=False),
    Row("lijkt", "lijkt-own-proeftuin", "participant", "a", "lijkt 1", nothing,
        all_of(says("#1"), lambda s, d: "#3" not in s.text), False,
        given=(("participant", "a", "inzicht Huurders doen mee als hun woning centraal staat"),),
        good=False),
    Row("lijkt", "lijkt-missing", "bob", "b", "lijkt 99", nothing, NOT_FOUND, True, good=False),
    Row("lijkt", "lijkt-not-a-number", "bob", "b", "lijkt abc", nothing, NOT_A_NUMBER, True,
        good=False),
    # verrijk
    Row("verrijk", "verrijk-other", "bob", "b", "verrijk 1 Bij ons ook, zie de link",
        changes(enrichments=added((1, "Proeftuin B", "Bij ons ook, zie de link", "bob"))),
        says("#1", "Proeftuin B", "Bij ons ook"), False),
    Row("verrijk", "verrijk-no-text", "bob", "b", "verrijk 1", nothing, says("Wat voeg je toe"),
        True, good=False),
    Row("verrijk", "verrijk-dm", "bob", "dm", "verrijk 1 Vanuit een DM", nothing,
        all_of(NO_PROEFTUIN, says("Vanuit een DM")), True, good=False),
    Row("verrijk", "verrijk-missing", "bob", "b", "verrijk 99 Een aanvulling", nothing,
        NOT_FOUND, True, good=False),
    # volg / ontvolg
    Row("volg", "volg-theme", "participant", "a", "volg #energie",
        changes(follows=added(("participant", "energie"))), says("#energie"), True),
    Row("volg", "volg-dm", "participant", "dm", "volg #energie",
        changes(follows=added(("participant", "energie"))), says("#energie"), True),
    Row("volg", "volg-list", "participant", "a", "volg", nothing, says("#energie"), True,
        given=FOLLOWING),
    Row("volg", "volg-bare-word", "participant", "a", "volg energie",
        changes(follows=added(("participant", "energie"))), says("#energie"), True),
    Row("volg", "volg-unknown", "participant", "a", "volg #bestaatniet", nothing,
        says("#bestaatniet", "ken ik niet"), True, good=False),
    Row("ontvolg", "ontvolg-followed", "participant", "a", "ontvolg #energie",
        changes(follows=removed(("participant", "energie"))), says("#energie"), True,
        given=FOLLOWING),
    Row("ontvolg", "ontvolg-not-followed", "participant", "a", "ontvolg #energie", nothing,
        says("volgde #energie niet"), True, good=False),
    # themas / thema
    Row("themas", "themas", "participant", "a", "themas", nothing,
        says("#wonen", "#energie"), False),
    Row("themas", "themas-extra-words", "participant", "a", "themas wonen", nothing,
        says("#wonen", "#energie"), False, good=False),
    Row("thema", "thema-nieuw", "leader", "kring", "thema nieuw zorg Zorg | mantelzorg",
        changes(themes=added(("zorg", "Zorg"))), says("#zorg", "mantelzorg"), False),
    Row("thema", "thema-dm", "leader", "dm", "thema nieuw zorg Zorg",
        changes(themes=added(("zorg", "Zorg"))), says("#zorg"), None),
    Row("thema", "thema-participant", "participant", "kring", "thema nieuw zorg Zorg", nothing,
        LEADERS_ONLY, True, good=False),
    Row("thema", "thema-exists", "leader", "kring", "thema nieuw wonen Wonen", nothing,
        says("#wonen", "bestaat al"), True, good=False),
    Row("thema", "thema-unknown-verb", "leader", "kring", "thema weg wonen", nothing,
        says("thema nieuw"), True, good=False),
    # hernoem, voeg-samen, archiveer, heropen
    Row("hernoem", "hernoem-proeftuin", "leader", "kring", "hernoem Proeftuin B | Buurtkamer B",
        lambda d: d.added("proeftuinen") == ["Buurtkamer B"]
        and d.removed("proeftuinen") == ["Proeftuin B"],
        says("Proeftuin B", "Buurtkamer B"), False),
    Row("hernoem", "hernoem-theme", "leader", "kring", "hernoem #energie | Energie en warmte",
        changes(themes=replaced(("energie", "Energie"), ("energie", "Energie en warmte"))),
        says("Energie en warmte"), False),
    Row("hernoem", "hernoem-participant", "participant", "kring", "hernoem #energie | Zon",
        nothing, LEADERS_ONLY, True, good=False),
    Row("hernoem", "hernoem-missing-new", "leader", "kring", "hernoem #energie", nothing,
        says("hernoem"), True, good=False),
    Row("voeg-samen", "voeg-samen-asks", "leader", "kring", "voeg-samen #energie | #wonen",
        nothing, says("voeg-samen bevestig #energie | #wonen"), True, good=False),
    Row("voeg-samen", "voeg-samen-themes", "leader", "kring",
        "voeg-samen bevestig #energie | #wonen",
        lambda d: d.removed("themes") == [("energie", "Energie")] and not d.added("themes"),
        says("samengevoegd", "#wonen"), False),
    Row("voeg-samen", "voeg-samen-kinds", "leader", "kring",
        "voeg-samen bevestig #energie | Proeftuin A", nothing, says("dezelfde soort"), True,
        good=False),
    Row("archiveer", "archiveer-theme", "leader", "kring", "archiveer #energie",
        changes(archived=added("#energie")), says("gearchiveerd", "heropen"), False),
    Row("archiveer", "archiveer-proeftuin", "leader", "kring", "archiveer Proeftuin B",
        changes(archived=added("Proeftuin B")), says("gearchiveerd"), False),
    Row("archiveer", "archiveer-participant", "participant", "a", "archiveer #energie", nothing,
        LEADERS_ONLY, True, good=False),
    Row("archiveer", "archiveer-unknown", "leader", "kring", "archiveer #bestaatniet", nothing,
        says("#bestaatniet"), True, good=False),
    Row("heropen", "heropen-theme", "leader", "kring", "heropen #energie",
        changes(archived=removed("#energie")), says("weer actief"), False,
        given=(("leader", "kring", "archiveer #energie"),)),
    Row("heropen", "heropen-active", "leader", "kring", "heropen #wonen", nothing,
        says("niet gearchiveerd"), False, good=False),
    # zoek
    Row("zoek", "zoek-words", "participant", "a", "zoek huurders", nothing,
        says("#1", "Huurders"), False),
    Row("zoek", "zoek-theme", "participant", "a", "zoek zonnepanelen #energie", nothing,
        all_of(says("#2", "Zonnepanelen"), lambda s, d: "#1 " not in s.text), False),
    Row("zoek", "zoek-ring-proeftuin-elsewhere", "bob", "b", "zoek huurders", nothing,
        lambda s, d: "Huurders doen" not in s.text and "#1 " not in s.text, None,
        given=RING_ONE, good=False),
    Row("zoek", "zoek-ring-proeftuin-home", "participant", "a", "zoek huurders", nothing,
        says("#1", "Huurders"), False, given=RING_ONE),
    Row("zoek", "zoek-dm-ring-proeftuin", "participant", "dm", "zoek huurders", nothing,
        lambda s, d: "Huurders doen" not in s.text, None, given=RING_ONE, good=False),
    Row("zoek", "zoek-diacritics", "bob", "b", "zoek cooperatie", nothing,
        says("#3", "coöperatie"), False,
        given=(("participant", "a", "inzicht De coöperatie draait op vrijwilligers"),)),
    Row("zoek", "zoek-empty", "participant", "a", "zoek", nothing, says("Waar zoek je naar"),
        True, good=False),
    Row("zoek", "zoek-unknown-proeftuin", "participant", "a", "zoek huurders proeftuin:Onbekend",
        nothing, says("Onbekend", "ken ik niet"), True, good=False),
    # deel
    Row("deel", "deel-proeftuin", "participant", "a", "deel 1 proeftuin",
        changes(learnings=replaced(L1, L1._replace(ring="proeftuin"))),
        says("#1", "Proeftuin A"), False),
    Row("deel", "deel-own-buitenwereld", "participant", "a", "deel 1 buitenwereld",
        changes(learnings=replaced(L1, L1._replace(ring="buitenwereld", consent=True))),
        says("#1", "buitenwereld"), False),
    Row("deel", "deel-leader-asks", "leader", "kring", "deel 1 buitenwereld",
        changes(learnings=replaced(L1, L1._replace(asked=True))),
        all_of(says("#1", "gevraagd"), told_elsewhere("akkoord 1")), False),
    Row("deel", "deel-bad-ring", "participant", "a", "deel 1 overal", nothing,
        says("overal", "geen ring"), True, good=False),
    Row("deel", "deel-not-yours", "participant", "a", "deel 2 proeftuin", nothing, NOT_YOURS,
        True, good=False),
    # bijeenkomst / agenda / ja / nee
    Row("bijeenkomst", "bijeenkomst-full", "leader", "kring",
        "bijeenkomst Buurtavond | 2030-02-07 19:30 | #energie | proeftuin:Proeftuin B",
        changes(meetings=added(MeetingRow(2, "Buurtavond", "energie", "Proeftuin B"))),
        all_of(new_number("meetings"), says("Buurtavond", "7 feb 2030 19:30"), attached(".ics")),
        False),
    Row("bijeenkomst", "bijeenkomst-dutch-phrase", "leader", "kring",
        "bijeenkomst Buurtavond | donderdag 19:30",
        changes(meetings=lambda new, gone: [m.title for m in new] == ["Buurtavond"] and not gone),
        all_of(new_number("meetings"), says("Buurtavond", "do ", "19:30")), False),
    Row("bijeenkomst", "bijeenkomst-no-time", "leader", "kring",
        "bijeenkomst Buurtavond | donderdag", nothing, says("'donderdag'", "geen tijd"), True,
        good=False),
    Row("bijeenkomst", "bijeenkomst-participant", "participant", "a",
        "bijeenkomst Buurtavond | 2030-02-07 19:30", nothing, LEADERS_ONLY, True, good=False),
    Row("agenda", "agenda", "participant", "a", "agenda", nothing,
        all_of(says("#1", "Kennisdag", "10 jan 2030 19:30"), attached(".ics")), True),
    Row("agenda", "agenda-dm", "participant", "dm", "agenda", nothing, says("Kennisdag"), True),
    Row("agenda", "agenda-extra-words", "participant", "a", "agenda volgende week", nothing,
        says("Kennisdag"), True, good=False),
    Row("ja", "ja", "participant", "a", "ja 1",
        changes(rsvps=added(("Kennisdag", "participant", "ja"))), says("Kennisdag", "1 ja"),
        True),
    Row("ja", "ja-hash-number", "participant", "a", "ja #1",
        changes(rsvps=added(("Kennisdag", "participant", "ja"))), says("Kennisdag"), True),
    Row("ja", "ja-dm", "participant", "dm", "ja 1",
        changes(rsvps=added(("Kennisdag", "participant", "ja"))), says("Kennisdag"), True),
    Row("ja", "ja-missing", "participant", "a", "ja 99", nothing, says("#99", "vind ik niet"),
        True, good=False),
    Row("nee", "nee", "participant", "b", "nee 1",
        changes(rsvps=added(("Kennisdag", "participant", "nee"))), says("Kennisdag", "1 nee"),
        True),
    Row("nee", "nee-not-a-number", "participant", "a", "nee abc", nothing, NOT_A_NUMBER, True,
        good=False),
    # annuleer / verzet (meeting #1 Kennisdag, 2030-01-10 19:30; the participant said ja)
    Row("annuleer", "annuleer", "leader", "kring", "annuleer 1",
        changes(meeting_changes=added(("Kennisdag", "2030-01-10 19:30", True, 1))),
        says("Kennisdag", "gaat niet door", "Wie ja zei (1)"), False, given=SAID_YES),
    Row("annuleer", "annuleer-alias", "leader", "kring", "cancel 1",
        changes(meeting_changes=added(("Kennisdag", "2030-01-10 19:30", True, 1))),
        says("gaat niet door", "niemand"), False),
    Row("annuleer", "annuleer-participant", "participant", "a", "annuleer 1", nothing,
        LEADERS_ONLY, True, good=False),
    Row("annuleer", "annuleer-missing", "leader", "kring", "annuleer 99", nothing,
        says("#99", "vind ik niet", "/samen agenda"), True, good=False),
    Row("annuleer", "annuleer-twice", "leader", "kring", "annuleer 1", nothing,
        says("al geannuleerd", "/samen bijeenkomst Kennisdag |"), True, given=CANCELLED,
        good=False),
    Row("verzet", "verzet", "leader", "kring", "verzet 1 2030-01-17 20:00",
        changes(meeting_changes=added(("Kennisdag", "2030-01-17 20:00", False, 1))),
        all_of(says("17 jan 2030 20:00", "was do 10 jan 2030 19:30", "Wie ja zei (1)"),
               attached(".ics")),
        False, given=SAID_YES),
    Row("verzet", "verzet-alias", "leader", "kring", "move 1 2030-01-17 20:00",
        changes(meeting_changes=added(("Kennisdag", "2030-01-17 20:00", False, 1))),
        says("17 jan 2030 20:00"), False),
    Row("verzet", "verzet-participant", "participant", "a", "verzet 1 2030-01-17 20:00",
        nothing, LEADERS_ONLY, True, good=False),
    Row("verzet", "verzet-cancelled", "leader", "kring", "verzet 1 2030-01-17 20:00", nothing,
        says("al geannuleerd"), True, given=CANCELLED, good=False),
    Row("verzet", "verzet-past", "leader", "kring", "verzet 1 2020-01-17 20:00", nothing,
        says("al voorbij"), True, good=False),
    Row("ja", "ja-cancelled", "participant", "a", "ja 1", nothing,
        says("geannuleerd", "/samen agenda"), True, given=CANCELLED, good=False),
    # oogst (meeting #1 Kennisdag is #wonen, of no proeftuin: the channel's proeftuin harvests)
    Row("oogst", "oogst", "participant", "a", "oogst 1 Elkaar bellen werkt beter dan mailen",
        changes(learnings=one_learning(text="Elkaar bellen werkt beter dan mailen",
                                       proeftuin="Proeftuin A", themes=("wonen",),
                                       author="participant")),
        all_of(new_number(), says("Kennisdag", "#wonen")), False),
    Row("oogst", "oogst-alias", "bob", "b", "harvest 1 Samen koken verbindt",
        changes(learnings=one_learning(proeftuin="Proeftuin B", themes=("wonen",))),
        all_of(new_number(), says("Kennisdag")), False),
    Row("oogst", "oogst-dm-no-proeftuin", "participant", "dm", "oogst 1 Elkaar bellen werkt",
        nothing, says("geen proeftuin", "/samen oogst 1 Elkaar bellen werkt"), True, good=False),
    Row("oogst", "oogst-unlinked", "participant", "kring", "oogst 1 Elkaar bellen werkt",
        nothing, says("geen proeftuin"), True, good=False),
    Row("oogst", "oogst-missing", "participant", "a", "oogst 99 Iets", nothing,
        says("#99", "vind ik niet"), True, good=False),
    # vraag / antwoord
    Row("vraag", "vraag-one-proeftuin", "leader", "kring",
        "vraag Wat hebben jullie geleerd? proeftuin:Proeftuin B",
        changes(prompts=added((2, "Wat hebben jullie geleerd?", "Proeftuin B"))),
        all_of(says("#2", "Proeftuin B"), told_elsewhere("Wat hebben jullie geleerd?")), True),
    Row("vraag", "vraag-dm", "leader", "dm", "vraag Wat leerden jullie van de buren?",
        changes(prompts=added((2, "Wat leerden jullie van de buren?", None))),
        all_of(says("#2"), told_elsewhere("Wat leerden jullie van de buren?")), True),
    Row("vraag", "vraag-all", "leader", "kring", "vraag Wat leerden jullie van de buren?",
        changes(prompts=added((2, "Wat leerden jullie van de buren?", None))),
        all_of(says("#2", "Proeftuin A", "Proeftuin B"), told_elsewhere_in(2, "buren?")), True),
    Row("vraag", "vraag-participant", "participant", "a", "vraag Wat?", nothing, LEADERS_ONLY,
        True, good=False),
    Row("vraag", "vraag-empty", "leader", "kring", "vraag", nothing, says("Schrijf de vraag"),
        True, good=False),
    Row("antwoord", "antwoord", "participant", "a", "antwoord 1 Samen eten werkt",
        changes(learnings=one_learning(text="Samen eten werkt", proeftuin="Proeftuin A",
                                       prompt=1, author="participant")),
        all_of(new_number(), says("vraag #1")), False),
    Row("antwoord", "antwoord-missing", "participant", "a", "antwoord 99 Iets", nothing,
        says("#99", "vind ik niet"), True, good=False),
    # digest
    Row("digest", "digest-preview", "leader", "kring", "digest", nothing,
        says("Weekdigest", "Proeftuin A", "#wonen"), True),
    Row("digest", "digest-week", "leader", "kring", "digest 2026-W48", nothing,
        says("Weekdigest", "week 48"), True),
    Row("digest", "digest-dm", "leader", "dm", "digest", nothing, says("Weekdigest"), True),
    Row("digest", "digest-post-nowhere", "leader", "kring", "digest plaats", nothing,
        says("SAMEN_DIGEST_CHANNEL"), True, good=False),
    Row("digest", "digest-participant-dm", "participant", "dm", "digest", nothing,
        LEADERS_ONLY, True, good=False),
    Row("digest", "digest-participant", "participant", "a", "digest", nothing, LEADERS_ONLY,
        True, good=False),
    # deelname
    Row("deelname", "deelname", "leader", "kring", "deelname", nothing,
        all_of(says("Proeftuin A: 1 inzicht", "Proeftuin B: 1 inzicht"), attached(".png")), True),
    Row("deelname", "deelname-weeks", "leader", "a", "deelname 2", nothing,
        all_of(says("2 weken", "Proeftuin A"), attached(".png")), True),
    Row("deelname", "deelname-participant", "participant", "a", "deelname", nothing,
        LEADERS_ONLY, True, good=False),
    Row("deelname", "deelname-too-many", "leader", "kring", "deelname 500", nothing,
        says("1 tot en met 104"), True, good=False),
    # maatje / maatjes (introductions across proeftuinen by theme)
    Row("maatje", "maatje-aan", "participant", "a", "maatje aan",
        changes(maatjes=added(("participant", "Proeftuin A"))),
        says("je doet mee met de maatjes", "vanuit Proeftuin A"), True),
    Row("maatje", "maatje-buddy-on", "participant", "a", "buddy on",
        changes(maatjes=added(("participant", "Proeftuin A"))), says("je doet mee"), True),
    Row("maatje", "maatje-dm", "participant", "dm", "maatje aan",
        changes(maatjes=added(("participant", None))),
        says("je doet mee", "vanuit Proeftuin A"), True),  # #1 is Anna's, in A
    Row("maatje", "maatje-status", "participant", "a", "maatje", nothing,
        says("nog niet mee"), True),
    Row("maatje", "maatje-uit", "participant", "a", "maatje uit",
        changes(maatjes=removed(("participant", "Proeftuin A"))), says("niet meer mee"), True,
        given=(("participant", "a", "maatje aan"),)),
    Row("maatje", "maatje-bad-word", "participant", "a", "maatje misschien", nothing,
        says("/samen maatje aan", "/samen maatje uit"), True, good=False),
    Row("maatjes", "maatjes-voorbeeld", "leader", "kring", "maatjes voorbeeld", nothing,
        says("1 paar", "Proeftuin A", "Proeftuin B", "#wonen", "niets verstuurd"), True,
        given=(("bob", "b", "volg #wonen"), ("participant", "a", "maatje aan"),
               ("bob", "b", "maatje aan"))),
    Row("maatjes", "maatjes-alias", "leader", "a", "buddies preview", nothing,
        says("Nog niemand doet mee"), True),
    Row("maatjes", "maatjes-participant", "participant", "a", "maatjes voorbeeld", nothing,
        LEADERS_ONLY, True, good=False),
    # mijn-gegevens / vergeet-mij
    Row("mijn-gegevens", "mijn-gegevens", "participant", "a", "mijn-gegevens", nothing,
        all_of(says("Jouw gegevens", "Huurders doen mee"), attached(".json")), True),
    Row("mijn-gegevens", "mijn-gegevens-dm", "participant", "dm", "mijn-gegevens", nothing,
        all_of(says("Jouw gegevens"), attached(".json")), True),
    Row("mijn-gegevens", "mijn-gegevens-extra-words", "participant", "a", "mijn-gegevens alles",
        nothing, says("Jouw gegevens"), True, good=False),
    Row("vergeet-mij", "vergeet-mij-asks", "participant", "a", "vergeet-mij", nothing,
        says("vergeet-mij bevestig"), True),
    Row("vergeet-mij", "vergeet-mij-bevestig", "participant", "a", "vergeet-mij bevestig",
        changes(
            members=removed("participant"),
            learnings=replaced(L1, L1._replace(author=None)),
        ),
        says("gewist"), True),
    Row("vergeet-mij", "vergeet-mij-then-back", "participant", "a", "themas",
        changes(members=added("participant")), says("#wonen", "nieuw, leeg record"), None,
        given=(("participant", "a", "vergeet-mij bevestig"),)),
    Row("vergeet-mij", "vergeet-mij-other-word", "participant", "a", "vergeet-mij nu", nothing,
        says("vergeet-mij bevestig"), True, good=False),
    # akkoord / weiger (after the leader asked Anna to publish #1)
    Row("akkoord", "akkoord", "participant", "a", "akkoord 1",
        changes(learnings=replaced(L1._replace(asked=True),
                                   L1._replace(ring="buitenwereld", consent=True))),
        says("#1", "buitenwereld"), True, given=ASKED),
    Row("akkoord", "akkoord-dm", "participant", "dm", "akkoord 1",
        changes(learnings=lambda new, gone: len(new) == 1 and new[0].consent),
        says("#1", "buitenwereld"), True, given=ASKED),
    Row("akkoord", "akkoord-with-name", "participant", "a", "akkoord 1 naam",
        changes(learnings=lambda new, gone: len(new) == 1 and new[0].consent),
        says("#1", "je naam"), True, given=ASKED),
    Row("akkoord", "akkoord-not-author", "bob", "b", "akkoord 1", nothing,
        says("#1", "niet van jou"), True, given=ASKED, good=False),
    Row("weiger", "weiger", "participant", "a", "weiger 1",
        changes(learnings=lambda new, gone: len(new) == 1 and new[0].ring == "kenniskring"
                and not new[0].consent),
        says("#1", "niet naar de buitenwereld"), True, given=ASKED),
    Row("weiger", "weiger-not-author", "leader", "kring", "weiger 1", nothing,
        says("niet van jou"), True, given=ASKED, good=False),
    Row("weiger", "weiger-not-a-number", "participant", "a", "weiger x", nothing, NOT_A_NUMBER,
        True, given=ASKED, good=False),
)
# fmt: on
