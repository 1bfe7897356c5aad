"""Property: over random programmes, no follower is told of, no maatjes introduction shows,
and no kennisbank page contains, anything its ring forbids (7 proeftuinen, random rings,
recognitions, enrichments, follows, everybody opted in for maatjes); and the agenda feed holds
the meetings and nothing else: no learning (private or not, harvested from a meeting or not),
no enrichment, no name or id of anyone who answered or harvested."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from bot.tools.kennisbank.build import build_kennisbank
from bot.tools.kennisbank.loader import load_snapshot
from handlers.agenda_feed import agenda_feed
from handlers.buddies import next_round
from handlers.router import Router
from handlers.types import Actor, Place, Reply, Target, Visibility
from schedules.buddies import buddies_due
from schedules.rhythm import Rhythm
from storage.db import Database
from storage.models import Ring
from tests.conftest import LEADER, make_policy

PROEFTUINEN = 7
THEMES = ("wonen", "energie", "zorg")
RINGS = ("proeftuin", "kenniskring", "buitenwereld")

learning_st = st.tuples(
    st.integers(0, PROEFTUINEN - 1),  # proeftuin
    st.sampled_from(RINGS),  # final ring
    st.lists(st.sampled_from(THEMES), max_size=2, unique=True),
    st.booleans(),  # author wants to be named when published
)
programme_st = st.fixed_dictionaries(
    {
        "learnings": st.lists(learning_st, min_size=1, max_size=10),
        "follows": st.lists(
            st.tuples(st.integers(0, PROEFTUINEN - 1), st.sampled_from(THEMES)), max_size=6
        ),
        "recognitions": st.lists(
            st.tuples(st.integers(0, 9), st.integers(0, PROEFTUINEN - 1)), max_size=6
        ),
        "enrichments": st.lists(
            st.tuples(st.integers(0, 9), st.integers(0, PROEFTUINEN - 1)), max_size=6
        ),
        "meetings": st.lists(
            st.tuples(
                st.none() | st.integers(0, PROEFTUINEN - 1),  # the meeting's proeftuin
                st.lists(st.integers(0, PROEFTUINEN - 1), max_size=3),  # who came, and harvested
                st.sampled_from(("", "annuleer", "verzet")),
            ),
            max_size=4,
        ),
    }
)


def channel(p: int) -> str:
    return f"proeftuin-{p}"


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(programme=programme_st)
def test_rings_hold_for_notices_and_kennisbank(
    programme: dict, sqlite_template: Path, tmp_path_factory
) -> None:
    work = tmp_path_factory.mktemp("prop")
    shutil.copy(sqlite_template, work / "p.db")
    asyncio.run(_check(programme, f"sqlite:///{work / 'p.db'}", work / "site"))


async def _check(programme: dict, url: str, site: Path) -> None:
    database = Database(url)
    router = Router(database, make_policy(default_ring=Ring.PROEFTUIN))
    notices: list[tuple[str, Reply]] = []

    async def say(line: str, user: str, where: str) -> list[Reply]:
        command = router.make_command(
            f"/samen {line}", Actor("console", user, user), Place("console", where)
        )
        replies = await router.dispatch(command)
        assert replies, line
        for reply in replies:
            if reply.visibility is Visibility.DIRECT and reply.text.startswith(
                router.t("volg.notice_header", count=0).split("(")[0]
            ):
                assert reply.to and reply.to.user_id
                notices.append((reply.to.user_id, reply))
        return replies

    try:
        for p in range(PROEFTUINEN):
            await say(f"koppel Proeftuin {p}", LEADER, channel(p))
        for slug in THEMES:
            await say(f"thema nieuw {slug} {slug.title()}", LEADER, channel(0))
        for index, (p, theme) in enumerate(programme["follows"]):
            await say(f"volg #{theme}", f"volger{index}-p{p}", channel(p))
        final: dict[int, tuple[int, str]] = {}
        for n, (p, ring, themes, named) in enumerate(programme["learnings"], start=1):
            author = f"auteur{n}"
            tags = " ".join(f"#{t}" for t in themes)
            await say(f"inzicht geheimwoord{n}x {tags}", author, channel(p))
            if ring == "buitenwereld":
                await say(f"deel {n} buitenwereld{' naam' if named else ''}", author, channel(p))
            elif ring == "kenniskring":
                await say(f"deel {n} kenniskring", author, channel(p))
            final[n] = (p, ring)
        for index, (target, p) in enumerate(programme["recognitions"]):
            await say(f"herken {target + 1}", f"herkenner{index}", channel(p))
        for index, (target, p) in enumerate(programme["enrichments"]):
            await say(f"verrijk {target + 1} verrijkwoord{index}y", f"verrijker{index}", channel(p))
        await _check_introductions(router, database, say, programme, final)

        for follower, reply in notices:
            follower_p = int(follower.rsplit("-p", 1)[1])
            for n, (p, ring) in final.items():
                if f"geheimwoord{n}x" in reply.text:
                    assert ring != "proeftuin", (follower, n)
                    assert p != follower_p, (follower, n)

        snapshot = await load_snapshot(database, language="nl", timezone=router.policy.timezone)
        build_kennisbank(snapshot, site)
        published = {n for n, (_, ring) in final.items() if ring == "buitenwereld"}
        text = "\n".join(
            f.read_text(encoding="utf-8", errors="replace") for f in site.rglob("*") if f.is_file()
        )
        for n in final:
            assert (f"geheimwoord{n}x" in text) == (n in published), n
        for index, (target, p) in enumerate(programme["enrichments"]):
            learning = target + 1
            visible_to_enricher = learning in final and (
                final[learning][1] != "proeftuin" or final[learning][0] == p
            )
            if f"verrijkwoord{index}y" in text:
                assert learning in published and visible_to_enricher

        await _check_feed(programme, say, database, router)
    finally:
        await database.close()


async def _check_feed(programme: dict, say: Any, database: Database, router: Router) -> None:
    """Meetings with RSVPs and harvests (ring `proeftuin` by this programme's default), some
    cancelled or moved: the feed shows each meeting, and nothing of any learning or person."""
    for m, (p, came, change) in enumerate(programme["meetings"], start=1):
        where = f" | proeftuin:Proeftuin {p}" if p is not None else ""
        await say(f"bijeenkomst Bijeenkomst{m}z | 2030-06-0{m} 19:30{where}", LEADER, channel(0))
        for index, q in enumerate(came):
            who = f"deelnemer{m}-{index}q"
            await say(f"ja {m}", who, channel(q))
            await say(f"oogst {m} oogstwoord{m}-{index}h", who, channel(q))
        if change == "annuleer":
            await say(f"annuleer {m}", LEADER, channel(0))
        elif change == "verzet":
            await say(f"verzet {m} 2030-07-0{m} 20:00", LEADER, channel(0))
    async with database.reading() as session:
        feed = await agenda_feed(session, router.t, router.policy.timezone, datetime.now(UTC))
    text = feed.body.decode()
    for secret in ("geheimwoord", "verrijkwoord", "oogstwoord", "deelnemer", "auteur", "volger",
                   "herkenner", "verrijker", "console"):  # fmt: skip
        assert secret not in text, secret
    found = {str(e["UID"]): e for e in Calendar.from_ical(feed.body).walk("VEVENT")}
    assert len(found) == len(programme["meetings"])
    for m, (_, _, change) in enumerate(programme["meetings"], start=1):
        event = found[f"meeting-{m}@samen-bot"]
        assert f"Bijeenkomst{m}z" in str(event["SUMMARY"])
        assert (str(event["STATUS"]) == "CANCELLED") == (change == "annuleer")
        assert event.decoded("SEQUENCE") == (1 if change else 0)
        month = 7 if change == "verzet" else 6
        assert event.decoded("DTSTART").month == month


class _Sent:
    """A sender that keeps the direct messages of a maatjes round."""

    def __init__(self) -> None:
        self.sent: list[tuple[Target, Reply]] = []

    def platforms(self) -> tuple[str, ...]:
        return ("console",)

    async def send(self, target: Target, reply: Reply) -> str | None:
        self.sent.append((target, reply))
        return None


async def _check_introductions(
    router: Router, database: Database, say: object, programme: dict, final: dict
) -> None:
    """Everybody opts in from their proeftuin's channel; a round runs; no introduction shows
    a learning of ring `proeftuin` (so none reaches another proeftuin's member)."""
    people: dict[str, int] = {}
    for n, (p, *_rest) in enumerate(programme["learnings"], start=1):
        people[f"auteur{n}"] = p
    for index, (p, _theme) in enumerate(programme["follows"]):
        people[f"volger{index}-p{p}"] = p
    for user, p in people.items():
        await say("maatje aan", user, channel(p))  # type: ignore[operator]
    now = datetime.now(UTC)
    fire = next_round(router.policy.maatjes_schedule, router.policy.timezone, now)
    assert fire is not None
    sender = _Sent()
    rhythm = Rhythm(database=database, sender=sender, policy=router.policy, owner="prop")
    await buddies_due(rhythm, fire + timedelta(minutes=1))
    assert {t.user_id for t, _ in sender.sent} == set(people)  # everybody told, once
    assert len(sender.sent) == len(people)
    for target, reply in sender.sent:
        for n, (_p, ring) in final.items():
            if f"geheimwoord{n}x" in reply.text or n in reply.shows:
                assert ring != "proeftuin", (target.user_id, n)
