"""The keys of the effect ledger: made from what an effect is about, and parsed back.

`digest:2026-W48:slack:C123`, `reminder:24h:meeting:7:slack:C9`, … name one effect in one
place; a sent part of an effect is keyed `part:<hash of the effect key>:<part>`. The ledger
operations are in storage/effects.py, its queries in storage/effect_queries.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

PART = "part"  # the kind (and key prefix) of a sent part's row, status done


@dataclass(frozen=True, slots=True)
class Subject:
    """What a ledger key is about (parsed back for retries)."""

    # digest | reminder | followup | notice | report | quiet | harvest | change | maatje(s)
    kind: str
    platform: str
    channel_id: str
    week: str = ""  # digest: 2026-W48; maatje(s): the round, 2026-12-07
    reminder: str = ""  # reminder: 24h | 1h
    meeting_id: int = 0
    prompt_id: int = 0
    proeftuin_id: int = 0
    member_id: int = 0  # notice: the follower
    last_id: int = 0  # notice: the newest learning of the batch
    sequence: int = 0  # reminder, change: the meeting's version (raised when moved or cancelled)


def digest_key(week: str, platform: str, channel_id: str) -> str:
    """`digest:2026-W48:slack:C123`: the digest of a week in one channel."""
    return f"digest:{week}:{platform}:{channel_id}"


def reminder_key(
    kind: str, meeting_id: int, platform: str, channel_id: str, sequence: int = 0
) -> str:
    """`reminder:24h:meeting:7:slack:C9`: one reminder of a meeting in one channel; a moved
    meeting's reminders name its version (`meeting:7.1`), so they are sent again."""
    meeting = f"{meeting_id}.{sequence}" if sequence else str(meeting_id)
    return f"reminder:{kind}:meeting:{meeting}:{platform}:{channel_id}"


def change_key(meeting_id: int, sequence: int, platform: str, user_id: str) -> str:
    """`change:meeting:7:2:slack:U9`: telling one person who said `ja` that meeting 7 was
    cancelled or moved (its version 2)."""
    return f"change:meeting:{meeting_id}:{sequence}:{platform}:{user_id}"


def followup_key(prompt_id: int, proeftuin_id: int, platform: str, channel_id: str) -> str:
    """`followup:prompt:3:proeftuin:2:slack:C9`: the follow-up of a prompt for a proeftuin,
    in one of the channels the prompt was posted to."""
    return f"followup:prompt:{prompt_id}:proeftuin:{proeftuin_id}:{platform}:{channel_id}"


def notice_key(member_id: int, last_learning_id: int, platform: str, user_id: str) -> str:
    """`notice:4:120:slack:U9`: one batch of follow notices to a member, up to learning 120."""
    return f"notice:{member_id}:{last_learning_id}:{platform}:{user_id}"


def report_key(week: str, platform: str, user_id: str) -> str:
    """`report:digest:2026-W48:slack:U1`: telling a leader that a week's digest was missed."""
    return f"report:digest:{week}:{platform}:{user_id}"


def quiet_key(week: str, platform: str, user_id: str) -> str:
    """`quiet:2026-W49:slack:U1`: the weekly note on quiet proeftuinen to one leader."""
    return f"quiet:{week}:{platform}:{user_id}"


def harvest_key(meeting_id: int, platform: str, user_id: str) -> str:
    """`harvest:meeting:7:slack:U9`: the question after a meeting to one person who came."""
    return f"harvest:meeting:{meeting_id}:{platform}:{user_id}"


def maatjes_key(round_key: str) -> str:
    """`maatjes:2026-12-07`: the pairing of a round (done once, with its pairs stored)."""
    return f"maatjes:{round_key}"


def maatje_key(round_key: str, platform: str, user_id: str) -> str:
    """`maatje:2026-12-07:slack:U9`: a round's introduction (or kind note) to one person."""
    return f"maatje:{round_key}:{platform}:{user_id}"


def part_prefix(key: str) -> str:
    """`part:<hash of the effect key>:`, what the keys of an effect's parts start with."""
    return f"{PART}:{hashlib.sha1(key.encode()).hexdigest()[:20]}:"


def like_literal(text: str) -> str:
    """`text` for a LIKE pattern (escape character: backslash), matching itself only."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_key(key: str) -> Subject | None:
    """The subject of a ledger key made by the functions above (channel ids may hold ':')."""
    kind, _, rest = key.partition(":")
    try:
        if kind == "digest":
            week, platform, channel = rest.split(":", 2)
            return Subject(kind, platform, channel, week=week)
        if kind == "reminder":
            which, word, meeting, platform, channel = rest.split(":", 4)
            if word == "meeting":
                number, _, version = meeting.partition(".")
                return Subject(
                    kind,
                    platform,
                    channel,
                    reminder=which,
                    meeting_id=int(number),
                    sequence=int(version or 0),
                )
        if kind == "change":
            word, meeting, version, platform, user = rest.split(":", 4)
            if word == "meeting":
                return Subject(kind, platform, user, meeting_id=int(meeting), sequence=int(version))
        if kind == "report":
            what, week, platform, user = rest.split(":", 3)
            if what == "digest":
                return Subject(kind, platform, user, week=week)
        if kind == "quiet":
            week, platform, user = rest.split(":", 2)
            return Subject(kind, platform, user, week=week)
        if kind == "maatje":
            round_key, platform, user = rest.split(":", 2)
            return Subject(kind, platform, user, week=round_key)
        if kind == "maatjes" and rest:
            return Subject(kind, "", "", week=rest)
        if kind == "harvest":
            word, meeting, platform, user = rest.split(":", 3)
            if word == "meeting":
                return Subject(kind, platform, user, meeting_id=int(meeting))
        if kind == "notice":
            member, last, platform, user = rest.split(":", 3)
            return Subject(kind, platform, user, member_id=int(member), last_id=int(last))
        if kind == "followup":
            w1, prompt, w2, proeftuin, platform, channel = rest.split(":", 5)
            if (w1, w2) == ("prompt", "proeftuin"):
                return Subject(
                    kind, platform, channel, prompt_id=int(prompt), proeftuin_id=int(proeftuin)
                )
    except ValueError:
        return None
    return None
