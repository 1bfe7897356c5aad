"""Property: over random programmes in which rings, consent and withdrawals change at random
moments between queueing and delivery, no output anyone receives contains a learning text its
reader's ring or its writer's consent forbids at the moment it is delivered.

Every delivery path is observed: immediate follow notices, the hourly notice batch, the digest
(preview and the scheduled post), meeting reminders and `agenda`, reflection prompts, their
answers and follow-ups, `zoek` from every proeftuin, the exports in every format and ring, the
kennisbank, and `mijn-gegevens` of a participant who wrote nothing. The programme runs on a
simulated clock through the real router and the real scheduler jobs (`run_due`).
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.tools.export import FORMATS, export_learnings
from bot.tools.kennisbank.build import build_kennisbank
from bot.tools.kennisbank.loader import load_snapshot
from handlers.router import Router
from handlers.types import Actor, Place, Reply, Target, Visibility
from schedules.jobs import run_due
from schedules.rhythm import Rhythm
from storage.db import Database
from storage.models import Ring
from tests.conftest import LEADER, make_policy

PROEFTUINEN = 4
THEMES = ("wonen", "energie")
RINGS = ("proeftuin", "kenniskring", "buitenwereld")
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday; the digest is due Friday 16:00
SECRET = re.compile(r"geheimwoord(\d+)x")
EXAMPLES = int(os.environ.get("SAMEN_PROPERTY_EXAMPLES", "10"))
# Shrinking a programme this size takes minutes: off unless asked for (SAMEN_PROPERTY_SHRINK=1).
PHASES = (
    tuple(Phase)
    if os.environ.get("SAMEN_PROPERTY_SHRINK")
    else tuple(p for p in Phase if p is not Phase.shrink)
)

op_st = st.one_of(
    st.tuples(
        st.just("capture"),
        st.integers(0, PROEFTUINEN - 1),
        st.lists(st.sampled_from(THEMES), min_size=1, max_size=2, unique=True),
    ),
    st.tuples(st.just("ring"), st.integers(0, 11), st.sampled_from(RINGS), st.booleans()),
    st.tuples(st.just("ask"), st.integers(0, 11)),  # a leader asks to publish: no consent yet
    st.tuples(st.just("withdraw"), st.integers(0, 11)),
    st.tuples(st.just("recognise"), st.integers(0, 11), st.integers(0, PROEFTUINEN - 1)),
    st.tuples(st.just("enrich"), st.integers(0, 11), st.integers(0, PROEFTUINEN - 1)),
    st.tuples(st.just("tick"), st.integers(5, 60 * 30)),  # minutes; a week spans the digest
    st.tuples(st.just("look"), st.integers(0, PROEFTUINEN - 1)),
    st.tuples(st.just("prompt")),  # a leader asks every proeftuin a reflection question
    st.tuples(st.just("answer"), st.integers(0, PROEFTUINEN - 1)),  # answered as a learning
    st.tuples(st.just("meeting"), st.integers(1, 10)),  # in N days: reminders fall due
)
programme_st = st.fixed_dictionaries(
    {
        "follows": st.lists(
            st.tuples(st.integers(0, PROEFTUINEN - 1), st.sampled_from(THEMES)),
            min_size=1,
            max_size=4,
        ),
        "ops": st.lists(op_st, min_size=4, max_size=28),
    }
)


def channel(p: int) -> str:
    return f"proeftuin-{p}"


@dataclass
class Recorder:
    """The scheduler's sender: records every message with its target."""

    sent: list[tuple[Target, Reply]] = field(default_factory=list)

    def platforms(self) -> tuple[str, ...]:
        return ("console",)

    async def send(self, target: Target, reply: Reply) -> str | None:
        self.sent.append((target, reply))
        return f"msg-{len(self.sent)}"


@dataclass
class World:
    """What the programme is now: per learning its proeftuin and ring, or gone."""

    learnings: dict[int, tuple[int, str]] = field(default_factory=dict)

    def readable(self, n: int, reader_p: int | None) -> bool:
        """May a reader in proeftuin `reader_p` (None: the kenniskring) see learning n now?"""
        if n not in self.learnings:
            return False
        p, ring = self.learnings[n]
        return ring != "proeftuin" or p == reader_p

    def public(self, n: int) -> bool:
        return n in self.learnings and self.learnings[n][1] == "buitenwereld"


def all_text(reply: Reply) -> str:
    parts = [reply.text, reply.title or ""]
    parts += [f"{f.label} {f.value}" for f in reply.fields]
    parts += [f"{a.label} {a.command} {a.args}" for a in reply.actions]
    return "\n".join(parts)


def secrets_in(text: str) -> set[int]:
    return {int(n) for n in SECRET.findall(text)}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=PHASES,
)
@given(programme=programme_st)
def test_nothing_reaches_a_reader_the_ring_or_consent_forbids_at_delivery(
    programme: dict, sqlite_template: Path, tmp_path_factory
) -> None:
    work = tmp_path_factory.mktemp("delivery")
    shutil.copy(sqlite_template, work / "p.db")
    asyncio.run(_run(programme, f"sqlite:///{work / 'p.db'}", work))


async def _run(programme: dict, url: str, work: Path) -> None:
    database = Database(url)
    policy = make_policy(digest_channels=(("console", "kenniskring"),))
    router = Router(database, policy)
    recorder = Recorder()
    rhythm = Rhythm(database=database, sender=recorder, policy=policy, owner="property")
    world = World()
    followers = {f"volger{i}-p{p}": p for i, (p, _) in enumerate(programme["follows"])}
    now = START
    authors: dict[int, str] = {}

    async def say(line: str, user: str, where: str) -> list[Reply]:
        command = router.make_command(
            f"/samen {line}",
            Actor("console", user, user),
            Place("console", where),
            received_at=now,
        )
        replies = await router.dispatch(command)
        assert replies, line
        for reply in replies:
            check_reply(reply, user, where)
        return replies

    def check_reply(reply: Reply, user: str, where: str) -> None:
        """A reply or notice, checked against the world as it is when it is delivered."""
        text = all_text(reply)
        if reply.visibility is Visibility.DIRECT and reply.to and reply.to.user_id != user:
            reader = followers.get(reply.to.user_id or "")
            if reader is None:  # the author of a learning, asked for consent about their own
                return
            for n in secrets_in(text):
                assert world.readable(n, reader), (reply.to.user_id, n, world.learnings.get(n))
            return
        if reply.to is None:
            reader_p = int(where.rsplit("-", 1)[1]) if where.startswith("proeftuin-") else None
            for n in secrets_in(text):
                if reply.visibility is Visibility.ONLY_CALLER and authors.get(n) == user:
                    continue  # an author may always read their own learning
                assert world.readable(n, reader_p), (where, n, world.learnings.get(n))

    async def tick(minutes: int) -> None:
        nonlocal now
        now += timedelta(minutes=minutes)
        before = len(recorder.sent)
        await run_due(rhythm, now)
        for target, reply in recorder.sent[before:]:
            text = all_text(reply)
            if target.user_id:  # a follow notice to a follower, or a report to a leader
                reader = followers.get(target.user_id)
                for n in secrets_in(text):
                    assert world.readable(n, reader), ("notice", target.user_id, n)
            else:  # the digest, in the kenniskring
                for n in secrets_in(text):
                    assert world.readable(n, None), ("digest", target.channel_id, n)

    async def look(p: int) -> None:
        await say("zoek geheimwoord", f"kijker-p{p}", channel(p))
        await say("agenda", f"kijker-p{p}", channel(p))
        await say("digest", LEADER, "kenniskring")
        for ring in (Ring.KENNISKRING, Ring.BUITENWERELD):
            for fmt in FORMATS:
                out = io.StringIO()
                await export_learnings(database, fmt, ring, out, timezone=policy.timezone, now=now)
                for n in secrets_in(out.getvalue()):
                    if ring is Ring.BUITENWERELD:
                        assert world.public(n), ("export", fmt, ring, n)
                    else:
                        assert world.readable(n, None), ("export", fmt, ring, n)

    try:
        for p in range(PROEFTUINEN):
            await say(f"koppel Proeftuin {p}", LEADER, channel(p))
        for slug in THEMES:
            await say(f"thema nieuw {slug} {slug.title()}", LEADER, channel(0))
        for user, p in followers.items():
            theme = programme["follows"][int(user[6:].split("-")[0])][1]
            await say(f"volg #{theme}", user, channel(p))
        captured: list[int] = []
        prompts = 0
        for op in programme["ops"]:
            kind = op[0]
            if kind == "capture":
                _, p, themes = op
                n = len(captured) + 1  # the number the learning gets: numbers are not reused
                author = f"auteur{n}"
                world.learnings[n] = (p, policy.default_ring.value)
                tags = " ".join(f"#{t}" for t in themes)
                await say(f"inzicht geheimwoord{n}x {tags}", author, channel(p))
                captured.append(n)
                authors[n] = author
                continue
            if kind == "tick":
                await tick(op[1])
                continue
            if kind == "look":
                await look(op[1])
                continue
            if kind == "prompt":
                await say("vraag Wat leerden jullie deze week?", LEADER, "kenniskring")
                prompts += 1
                continue
            if kind == "answer" and prompts:
                p = op[1]
                n = len(captured) + 1
                authors[n] = f"auteur{n}"
                world.learnings[n] = (p, policy.default_ring.value)
                await say(f"antwoord {prompts} geheimwoord{n}x #wonen", authors[n], channel(p))
                captured.append(n)
                continue
            if kind == "meeting":
                day = (now + timedelta(days=op[1])).astimezone(policy.timezone)
                await say(
                    f"bijeenkomst Overleg {op[1]} | {day:%Y-%m-%d} 19:30 | #wonen",
                    LEADER,
                    "kenniskring",
                )
                continue
            if not captured:
                continue
            n = captured[op[1] % len(captured)]
            if n not in world.learnings:
                continue
            p = world.learnings[n][0]
            if kind == "ring":
                _, _, ring, named = op
                # The world changes first: whatever is delivered from now on must see it.
                world.learnings[n] = (p, ring)
                await say(f"deel {n} {ring}{' naam' if named else ''}", authors[n], channel(p))
            elif kind == "ask":
                await say(f"deel {n} buitenwereld", LEADER, channel(p))
            elif kind == "withdraw":
                await say(f"intrekken {n}", authors[n], channel(p))
                del world.learnings[n]
            elif kind == "recognise":
                await say(f"herken {n}", f"herkenner-p{op[2]}", channel(op[2]))
            elif kind == "enrich":
                await say(f"verrijk {n} verrijkwoord{n}y", f"verrijker-p{op[2]}", channel(op[2]))
        # Let everything queued fall due (hourly batches, reminders, follow-ups, the next
        # Friday's digest), ticking often enough that nothing passes its grace.
        for _ in range(7 * 12):
            await tick(120)
        await look(0)

        snapshot = await load_snapshot(database, language="nl", timezone=policy.timezone)
        build_kennisbank(snapshot, work / "site")
        site = "\n".join(
            f.read_text(encoding="utf-8", errors="replace")
            for f in (work / "site").rglob("*")
            if f.is_file()
        )
        assert secrets_in(site) == {n for n in world.learnings if world.public(n)}
        assert "verrijkwoord" not in site  # enrichments are never published as text

        # A participant who wrote nothing gets nothing of anyone else's from mijn-gegevens.
        someone = next(iter(followers))
        mine = await say("mijn-gegevens", someone, channel(followers[someone]))
        assert not any(secrets_in(all_text(reply)) for reply in mine)
    finally:
        await database.close()
