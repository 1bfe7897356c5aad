"""The whole-programme document: export -> import into the other backend -> export gives the
same document, byte for byte (a property test over generated programmes that fill every table),
and import refuses what it cannot take with a reason."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from bot.ops.dump import DumpError, import_document, read_document, tables, write_document
from storage.db import Database
from storage.models import (
    ChannelLink,
    Effect,
    Enrichment,
    Follow,
    FollowNotice,
    HandledEvent,
    Learning,
    LearningTheme,
    Meeting,
    Member,
    Proeftuin,
    Prompt,
    PromptPost,
    Recognition,
    Rsvp,
    Theme,
)
from tests.conftest import BACKENDS, PG_URL, fresh_migrated

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=40)
TIMES = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)
KEYS = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)


@dataclass
class Spec:
    """A generated programme: sizes and values that fill every table."""

    proeftuinen: list[str]
    members: list[tuple[str, bool]]
    themes: list[str]
    learnings: list[tuple[str, int, int, str, bool, datetime, bool]]
    drop_last: bool
    meetings: list[tuple[str, datetime]]
    prompt_texts: list[str]
    effect_keys: list[str]
    event_keys: list[str]


@st.composite
def programmes(draw: st.DrawFn) -> Spec:
    names = draw(st.lists(TEXT.filter(str.strip), min_size=1, max_size=3, unique=True))
    members = draw(st.lists(st.tuples(TEXT, st.booleans()), min_size=1, max_size=3))
    themes = draw(st.lists(st.from_regex(r"[a-z]{2,8}", fullmatch=True), max_size=3, unique=True))
    learnings = draw(
        st.lists(
            st.tuples(
                TEXT,
                st.integers(0, len(names) - 1),
                st.integers(0, len(members) - 1),
                st.sampled_from(["proeftuin", "kenniskring", "buitenwereld"]),
                st.booleans(),
                TIMES,
                st.booleans(),
            ),
            max_size=5,
        )
    )
    return Spec(
        proeftuinen=names,
        members=members,
        themes=themes,
        learnings=learnings,
        drop_last=draw(st.booleans()),
        meetings=draw(st.lists(st.tuples(TEXT, TIMES), max_size=2)),
        prompt_texts=draw(st.lists(TEXT, max_size=2)),
        effect_keys=draw(st.lists(KEYS, max_size=3, unique=True)),
        event_keys=draw(st.lists(KEYS, max_size=3, unique=True)),
    )


async def fill(database: Database, spec: Spec) -> None:
    """Write the programme through the models, touching every table."""
    now = datetime(2026, 12, 1, 12, 0, 0, 123456, tzinfo=UTC)
    async with database.unit_of_work() as session:
        tuinen = [Proeftuin(name=n, created_at=now) for n in spec.proeftuinen]
        people = [
            Member(platform="slack", user_id=f"U{i}", display_name=name, created_at=now)
            for i, (name, _) in enumerate(spec.members)
        ]
        slugs = [
            Theme(slug=s, name=s.title(), keywords="a, b", created_at=now) for s in spec.themes
        ]
        session.add_all([*tuinen, *people, *slugs])
        await session.flush()
        for i, tuin in enumerate(tuinen):
            session.add(ChannelLink(platform="discord", channel_id=f"c{i}", proeftuin_id=tuin.id))
        prompts = [
            Prompt(question=q, proeftuin_id=tuinen[0].id, created_by_id=people[0].id)
            for q in spec.prompt_texts
        ]
        meetings = [
            Meeting(
                title=title,
                starts_at=at,
                theme_id=slugs[0].id if slugs else None,
                platform="slack",
                channel_id="C1",
                created_by_id=people[0].id,
            )
            for title, at in spec.meetings
        ]
        session.add_all([*prompts, *meetings])
        await session.flush()
        for prompt in prompts:
            session.add(
                PromptPost(
                    prompt_id=prompt.id,
                    proeftuin_id=tuinen[0].id,
                    platform="slack",
                    channel_id="C1",
                    message_id=None,
                )
            )
        for meeting in meetings:
            for person, (_, yes) in zip(people, spec.members, strict=True):
                session.add(
                    Rsvp(meeting_id=meeting.id, member_id=person.id, answer="ja" if yes else "nee")
                )
        stored = []
        for text, place, author, ring, public, at, consent in spec.learnings:
            learning = Learning(
                text=text,
                proeftuin_id=tuinen[place].id,
                author_id=people[author].id,
                ring=ring,
                author_public=public,
                created_at=at,
                consent_at=at if consent else None,
                published_at=at if ring == "buitenwereld" else None,
                prompt_id=prompts[0].id if prompts else None,
                source_event_id=f"ev-{uuid.uuid4().hex}",
            )
            session.add(learning)
            stored.append(learning)
        await session.flush()
        for learning in stored:
            for theme in slugs[: learning.id % 3]:
                session.add(LearningTheme(learning_id=learning.id, theme_id=theme.id))
            session.add(
                Recognition(
                    learning_id=learning.id, proeftuin_id=tuinen[-1].id, member_id=people[0].id
                )
            )
            session.add(
                Enrichment(
                    learning_id=learning.id,
                    proeftuin_id=tuinen[0].id,
                    author_id=people[-1].id,
                    text=learning.text[::-1],
                )
            )
            for person in people:
                session.add(FollowNotice(member_id=person.id, learning_id=learning.id, sent_at=now))
        for person in people:
            for theme in slugs:
                session.add(Follow(member_id=person.id, theme_id=theme.id, proeftuin_id=None))
        for n, key in enumerate(spec.effect_keys):
            session.add(
                Effect(key=key, kind="digest", status="done", attempts=n, due_at=now, done_at=now)
            )
        for key in spec.event_keys:
            session.add(HandledEvent(key=key, handled_at=now))
        session.add(HandledEvent(key="install-secret:abc", handled_at=now))
        await session.flush()
        if spec.drop_last and stored:  # a withdrawn newest learning: its number stays used
            await session.execute(delete(Learning).where(Learning.id == stored[-1].id))


async def document_text(database: Database) -> str:
    out = io.StringIO()
    await write_document(database, out)
    return out.getvalue()


def other(backend: str) -> str:
    return "postgresql" if backend == "sqlite" and PG_URL else "sqlite"


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=programmes())
def test_export_import_export_across_backends_gives_the_same_document(
    backend: str, spec: Spec, tmp_path: Path, sqlite_template: Path, pg_template: str | None
) -> None:
    async def scenario(source_url: str, target_url: str) -> None:
        source, target = Database(source_url), Database(target_url)
        try:
            await fill(source, spec)
            first = await document_text(source)
            imported = await import_document(target, json.loads(first))
            assert imported.total == first.count("\n{")
            assert await document_text(target) == first
            # the numbers continue above the highest ever handed out, also after a withdrawal
            async with target.unit_of_work() as session:
                tuin = (await session.execute(select(func.min(Proeftuin.id)))).scalar_one()
                added = Learning(text="na de verhuizing", proeftuin_id=tuin)
                session.add(added)
                await session.flush()
                assert added.id == json.loads(first)["numbers"]["learnings"] + 1
        finally:
            await source.close()
            await target.close()

    run = uuid.uuid4().hex[:8]
    with (
        fresh_migrated(backend, tmp_path / f"a{run}.db", sqlite_template, pg_template) as a,
        fresh_migrated(other(backend), tmp_path / f"b{run}.db", sqlite_template, pg_template) as b,
    ):
        asyncio.run(scenario(a, b))


async def test_the_document_names_every_table(database: Database) -> None:
    document = await read_document(database)
    assert document["format"] == "samen-bot-programme"
    assert list(document["tables"]) == [t.name for t in tables()]
    assert {"learnings", "recognitions", "enrichments", "rsvps", "follows", "effects"} <= set(
        document["tables"]
    )


async def test_import_refuses_a_database_that_is_not_empty(database: Database) -> None:
    async with database.unit_of_work() as session:
        session.add(Proeftuin(name="Al hier"))
    document = await read_document(database)
    with pytest.raises(DumpError) as refused:
        await import_document(database, document)
    assert refused.value.msgid == "ops.not_empty"
    assert "proeftuinen" in str(refused.value.values["tables"])


@pytest.mark.parametrize(
    ("change", "msgid"),
    [
        (lambda d: d.update(format="iets anders"), "ops.import_not_programme"),
        (lambda d: d.update(version=99), "ops.import_version"),
        (lambda d: d.update(schema="0001_core"), "ops.import_schema"),
        (lambda d: d["tables"].update(geheim=[]), "ops.import_unknown_table"),
        (
            lambda d: d["tables"]["proeftuinen"].append({"id": 1, "kleur": "rood"}),
            "ops.import_unknown_column",
        ),
        (
            lambda d: d["tables"]["proeftuinen"].append(
                {"id": 1, "name": "x", "default_ring": None, "created_at": "gisteren"}
            ),
            "ops.import_bad_value",
        ),
    ],
)
async def test_import_says_what_is_wrong_with_a_document(
    database: Database, change: Any, msgid: str
) -> None:
    document = await read_document(database)
    change(document)
    with pytest.raises(DumpError) as refused:
        await import_document(database, document)
    assert refused.value.msgid == msgid
    async with database.reading() as session:  # all or nothing
        assert (await session.execute(select(func.count(Proeftuin.id)))).scalar_one() == 0
