"""Property (issue 17, item 3): over random programmes, the participation counts are exactly
what the viewer may see, bucketed in the right week: nothing of ring `proeftuin` counts in
another proeftuin's view or the kenniskring's (the weekly quiet note's), and a recognition or
enrichment counts for the proeftuin that gave it, only when its learning is visible."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.participation import last_weeks
from storage import participation
from storage.db import Database
from storage.models import Enrichment, Learning, Proeftuin, Prompt, Recognition, Ring
from storage.visibility import Viewer

PROEFTUINEN, WEEKS = 4, 4
RINGS = [r.value for r in Ring]
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Amsterdam")

learning_st = st.tuples(
    st.integers(0, PROEFTUINEN - 1),
    st.sampled_from(RINGS),
    st.integers(-1, WEEKS - 1),  # -1: the week before the chart (never counted)
    st.booleans(),  # answers a prompt
)
act_st = st.tuples(st.integers(0, 11), st.integers(0, PROEFTUINEN - 1), st.integers(0, WEEKS - 1))
programme_st = st.fixed_dictionaries(
    {
        "learnings": st.lists(learning_st, min_size=1, max_size=12),
        "recognitions": st.lists(act_st, max_size=8),
        "enrichments": st.lists(act_st, max_size=8),
    }
)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(programme=programme_st)
def test_counts_are_what_the_viewer_may_see(
    programme: dict, sqlite_template: Path, tmp_path_factory
) -> None:
    work = tmp_path_factory.mktemp("participation")
    shutil.copy(sqlite_template, work / "p.db")
    asyncio.run(_check(programme, f"sqlite:///{work / 'p.db'}"))


async def _check(programme: dict, url: str) -> None:
    weeks = last_weeks(NOW, WEEKS, TZ)

    def moment(week: int) -> datetime:
        if week < 0:
            return weeks[0].start - timedelta(hours=1)
        return weeks[week].start + timedelta(days=2, hours=week)

    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            tuinen = [Proeftuin(name=f"Proeftuin {p}") for p in range(PROEFTUINEN)]
            prompt = Prompt(question="Wat werkte?", created_at=NOW)
            session.add_all([*tuinen, prompt])
            await session.flush()
            rows = []
            for n, (p, ring, week, answered) in enumerate(programme["learnings"]):
                rows.append(
                    Learning(
                        text=f"inzicht {n}",
                        proeftuin_id=tuinen[p].id,
                        ring=ring,
                        created_at=moment(week),
                        prompt_id=prompt.id if answered else None,
                    )
                )
            session.add_all(rows)
            await session.flush()
            recognised = set()
            for target, p, week in programme["recognitions"]:
                if target < len(rows) and (target, p) not in recognised:
                    recognised.add((target, p))
                    session.add(
                        Recognition(
                            learning_id=rows[target].id,
                            proeftuin_id=tuinen[p].id,
                            created_at=moment(week),
                        )
                    )
            for target, p, week in programme["enrichments"]:
                if target < len(rows):
                    session.add(
                        Enrichment(
                            learning_id=rows[target].id,
                            proeftuin_id=tuinen[p].id,
                            text="ook bij ons",
                            created_at=moment(week),
                        )
                    )
        for place in [None, *range(PROEFTUINEN)]:
            ids = {p: tuinen[p].id for p in range(PROEFTUINEN)}

            def seen(target: int, place: int | None = place) -> bool:
                p, ring, _, _ = programme["learnings"][target]
                return ring != Ring.PROEFTUIN.value or place == p

            expected = {(p, w): [0, 0, 0, 0] for p in range(PROEFTUINEN) for w in range(WEEKS)}
            for n, (p, _, week, answered) in enumerate(programme["learnings"]):
                if week >= 0 and seen(n):
                    expected[p, week][1 if answered else 0] += 1
            for target, p, week in sorted(recognised_of(programme, len(rows))):
                if seen(target):
                    expected[p, week][2] += 1
            for target, p, week in programme["enrichments"]:
                if target < len(rows) and seen(target):
                    expected[p, week][3] += 1
            viewers = [Viewer(ids[place] if place is not None else None)]
            if place is None:
                viewers.append(Viewer.for_ring(Ring.KENNISKRING))  # the weekly quiet note
            for viewer in viewers:
                async with database.unit_of_work() as session:
                    table = await participation.table(session, weeks, viewer)
                got = {
                    (int(row.name.split()[-1]), w): [
                        a.learnings,
                        a.answers,
                        a.recognitions,
                        a.enrichments,
                    ]
                    for row in table
                    for w, a in enumerate(row.weeks)
                }
                assert got == expected, (place, viewer)
    finally:
        await database.close()


def recognised_of(programme: dict, count: int) -> list[tuple[int, int, int]]:
    """The recognitions stored: the first per (learning, proeftuin)."""
    kept, seen = [], set()
    for target, p, week in programme["recognitions"]:
        if target < count and (target, p) not in seen:
            seen.add((target, p))
            kept.append((target, p, week))
    return kept
