"""mijn-gegevens lists everything stored about the caller (also as a JSON file); vergeet-mij
bevestig leaves neither their name nor their platform id anywhere in the database, the .ics
files, the exports or the kennisbank; a returning person is told a new record was started."""

from __future__ import annotations

import io
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Select, create_engine, select, text
from sqlalchemy.engine import make_url

from bot.tools.export import FORMATS, export_learnings
from bot.tools.kennisbank import Snapshot, build_kennisbank
from bot.tools.kennisbank.loader import load_snapshot
from handlers.context import Policy
from handlers.router import Router
from handlers.types import Actor, Place, Reply, Visibility
from storage import erasure, files, personal_data
from storage.db import Database
from storage.models import Base, Effect, HandledEvent, Learning, Member, Ring
from tests.conftest import make_policy

ZOE_ID, ZOE_NAME = "UZOE42", "Zoë Wisselink"
TZ = ZoneInfo("Europe/Amsterdam")
NEEDLES = ("uzoe42", "wisselink", "zoë")
CA, CB = "CPROEFA", "CPROEFB"
PERMALINK = "https://samen.slack.com/archives/CPROEFA/p1764600000000100"


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    return make_policy(
        leaders=frozenset({"slack:ULEAD", f"slack:{ZOE_ID}"}), data_dir=str(tmp_path / "files")
    )


@dataclass
class Slack:
    """Commands as they come from the Slack adapter: Slack ids, display names, event keys."""

    router: Router

    async def say(
        self,
        line: str,
        user: str = ZOE_ID,
        name: str = ZOE_NAME,
        channel: str = CA,
        *,
        event_id: str | None = None,
        source_url: str | None = None,
        source_id: str | None = None,
        author: Actor | None = None,
    ) -> list[Reply]:
        command = self.router.make_command(
            f"/samen {line}",
            Actor("slack", user, name),
            Place("slack", channel),
            event_id=event_id,
            source_url=source_url,
            source_id=source_id,
            author=author,
        )
        return await self.router.dispatch(command)

    async def text(self, line: str, **kwargs: object) -> str:
        return "\n".join(r.text for r in await self.say(line, **kwargs))  # type: ignore[arg-type]


async def bram(slack: Slack, line: str, channel: str = CB) -> str:
    return await slack.text(line, user="UBRAM7", name="Bram", channel=channel)


async def lead(slack: Slack, line: str, channel: str = CA) -> str:
    return await slack.text(line, user="ULEAD", name="Floor", channel=channel)


async def learning_id(database: Database, fragment: str) -> int:
    async with database.unit_of_work() as session:
        found = (await session.scalars(select_learning(fragment))).first()
        assert found is not None, fragment
        return found.id


def select_learning(fragment: str) -> Select[Learning]:
    return select(Learning).where(Learning.text.contains(fragment))


async def zoe_did_everything(slack: Slack, database: Database) -> dict[str, int]:
    """Zoë (a leader) captures, enriches, recognises, follows, RSVPs, answers a prompt, asks one,
    plans a meeting, publishes with her name, and captures her own message by reaction."""
    await lead(slack, "koppel Proeftuin A", CA)
    await lead(slack, "koppel Proeftuin B", CB)
    await lead(slack, "thema nieuw wonen Wonen | huur, woning")
    await lead(slack, "thema nieuw energie Energie | zon, warmte")
    await slack.say("inzicht Bewoners willen echt meedenken #wonen", event_id=f"act:{ZOE_ID}:1.1")
    await slack.say(
        "inzicht Een buurtpanel werkt beter dan een enquete",
        event_id=f"reaction:1764600000:{ZOE_ID}",
        source_url=PERMALINK,
        source_id="slack:CPROEFA:1764600000.000100",
        author=Actor("slack", ZOE_ID, ZOE_NAME),
    )
    await bram(slack, "inzicht Huurders zoeken elkaar op via de app #wonen")
    theirs = await learning_id(database, "Huurders zoeken")
    await bram(slack, f"deel {theirs} buitenwereld")
    await slack.say(f"herken {theirs}")
    await slack.say(f"verrijk {theirs} Bij ons gebeurde dat via de moestuin")
    await slack.say("volg #energie")
    await bram(slack, "inzicht Zonnepanelen op de school #energie")
    await slack.say("bijeenkomst Buurtavond | 2026-12-20 19:30 | #wonen")
    await slack.say("ja 1")
    await bram(slack, "ja 1")
    await slack.say("vraag Wat leerde je deze week?")
    await slack.say("antwoord 1 Dat samenwerken tijd kost")
    own = await learning_id(database, "Bewoners willen")
    assert "je naam" in await slack.text(f"deel {own} buitenwereld naam")
    captured = await learning_id(database, "buurtpanel")
    assert "gevraagd" in await lead(slack, f"deel {captured} buitenwereld")
    assert "je naam" in await slack.text(f"akkoord {captured} naam")
    await slack.say("zoek buurtpanel")
    async with database.unit_of_work() as session:
        me = await session.scalar(select_member(ZOE_ID))
        assert me is not None
        now = datetime.now(UTC)
        session.add_all(
            [
                Effect(key=f"notice:{me.id}:5:slack:{ZOE_ID}", kind="notice", status="done"),
                Effect(key=f"notice:{me.id}:9:slack:{ZOE_ID}", kind="notice", status="queued"),
                Effect(
                    key=f"report:digest:2026-W48:slack:{ZOE_ID}",
                    kind="report",
                    status="failed",
                    error=f"chat.postMessage to {ZOE_ID} failed",
                    next_attempt_at=now,
                ),
                Effect(key=f"digest:2026-W49:slack:{CA}", kind="digest", status="queued"),
                Effect(
                    key=f"digest:2026-W47:slack:{CB}",
                    kind="digest",
                    status="done",
                    error=f"sent after a retry; {ZOE_NAME} had asked for it",
                ),
            ]
        )
    return {"own": own, "theirs": theirs, "captured": captured}


def select_member(user_id: str) -> Select[Member]:
    return select(Member).where(Member.user_id == user_id)


def found_in(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bytes | memoryview):
        seen = bytes(value).decode("utf-8", "replace").lower()
    else:
        seen = str(value).lower()
    return [needle for needle in NEEDLES if needle in seen]


def scan_database(url: str) -> list[str]:
    """Every row of every table (also SQLite's search index and its shadow tables), every
    column, as text: where a needle shows up."""
    hits = []
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(parsed.database))
        try:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    hits += [f"{table}: {row}" for value in row if found_in(value)]
        finally:
            conn.close()
        return hits
    engine = create_engine(parsed.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as pg:
            names = pg.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            for table in list(names):
                for (row,) in pg.execute(text(f'SELECT t::text FROM "{table}" t')):
                    if found_in(row):
                        hits.append(f"{table}: {row}")
    finally:
        engine.dispose()
    return hits


async def exported_hits(database: Database) -> list[str]:
    """Every export format, the operator's view (all learnings): where a needle shows up."""
    hits = []
    for fmt in FORMATS:
        out = io.StringIO()
        await export_learnings(database, fmt, None, out, timezone=TZ)
        assert "Huurders zoeken" in out.getvalue(), fmt
        hits += [f"{fmt}: {needle}" for needle in found_in(out.getvalue())]
    for ring in (Ring.KENNISKRING, Ring.BUITENWERELD):
        out = io.StringIO()
        await export_learnings(database, "json", ring, out, timezone=TZ)
        hits += [f"{ring}: {needle}" for needle in found_in(out.getvalue())]
    return hits


def kennisbank_hits(snapshot: Snapshot, site: Path) -> list[str]:
    """Build the kennisbank: the files in which a needle shows up."""
    build_kennisbank(snapshot, site)
    return [str(p) for p in site.rglob("*") if p.is_file() and found_in(p.read_bytes())]


async def test_every_column_that_points_at_a_member_is_covered() -> None:
    """A new table or column referring to members must be added to mijn-gegevens and to erasure
    (storage/personal_data.py), or this fails."""
    found = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name == "members"
    }
    assert found == set(personal_data.MEMBER_LINKS)


async def test_my_data_lists_every_kind_and_hands_over_a_json_file(
    router: Router, database: Database
) -> None:
    slack = Slack(router)
    numbers = await zoe_did_everything(slack, database)
    [reply] = await slack.say("mijn-gegevens")
    assert reply.visibility is Visibility.DIRECT and reply.to and reply.to.user_id == ZOE_ID
    data = json.loads(Path(reply.attachments[0]).read_text(encoding="utf-8"))
    async with database.unit_of_work() as session:
        me = await session.scalar(select_member(ZOE_ID))
        assert me is not None
    assert Path(reply.attachments[0]).name == f"mijn-gegevens-{me.id}.json"
    assert data["member"]["user_id"] == ZOE_ID and data["member"]["display_name"] == ZOE_NAME
    texts = {item["text"] for item in data["learnings"]}
    assert texts == {
        "Bewoners willen echt meedenken #wonen",
        "Een buurtpanel werkt beter dan een enquete",
        "Dat samenwerken tijd kost",
    }
    own = next(i for i in data["learnings"] if i["id"] == numbers["own"])
    assert own["ring"] == Ring.BUITENWERELD.value and own["author_public"] is True
    assert own["consent_at"]
    captured = next(i for i in data["learnings"] if i["id"] == numbers["captured"])
    assert captured["source_url"] == PERMALINK and captured["author_public"] is True
    assert captured["ring"] == Ring.BUITENWERELD.value
    assert [i["prompt_id"] for i in data["learnings"] if i["prompt_id"]] == [1]
    assert [e["text"] for e in data["enrichments"]] == ["Bij ons gebeurde dat via de moestuin"]
    assert [(r["learning_id"], r["proeftuin"]) for r in data["recognitions"]] == [
        (numbers["theirs"], "Proeftuin A")
    ]
    assert [f["theme"] for f in data["follows"]] == ["energie"]
    assert len(data["follow_notices"]) == 1
    assert [(r["meeting"], r["answer"]) for r in data["rsvps"]] == [("Buurtavond", "ja")]
    assert [m["title"] for m in data["meetings_created"]] == ["Buurtavond"]
    assert [p["question"] for p in data["prompts_created"]] == ["Wat leerde je deze week?"]
    keys = {h["key"] for h in data["handled_events"]}
    assert keys == {f"slack:act:{ZOE_ID}:1.1", f"slack:reaction:1764600000:{ZOE_ID}"}
    assert {e["kind"] for e in data["effects"]} == {"notice", "report"}
    # The chat reply: counts of every kind, and the items.
    chat = reply.text
    for line in (
        "Inzichten die jij schreef (met je keuzes voor publicatie en naam): 3",
        "Verrijkingen die jij schreef: 1",
        "Inzichten die jij herkende (ook bij ons): 1",
        "Thema's die je volgt: 1",
        "Je antwoorden op bijeenkomsten: 1",
        "Bijeenkomsten die jij plande: 1",
        "Vragen die jij stelde: 1",
        "toestemming buitenwereld, met je naam",
        "buitenwereld",
        "#energie",
        "#1 Buurtavond: ja",
        "antwoord op vraag #1",
        "2 afgehandelde acties",
    ):
        assert line in chat, line
    assert ZOE_ID in chat and ZOE_NAME in chat


async def test_my_data_reply_stays_short_and_the_file_complete(
    router: Router, database: Database
) -> None:
    slack = Slack(router)
    await lead(slack, "koppel Proeftuin A", CA)
    for n in range(25):
        await slack.say(f"inzicht Inzicht nummer {n} " + "lang " * 60)
    [reply] = await slack.say("mijn-gegevens")
    data = json.loads(Path(reply.attachments[0]).read_text(encoding="utf-8"))
    assert len(data["learnings"]) == 25 and data["learnings"][0]["text"].count("lang") == 60
    assert "… en nog 15; zie het bestand." in reply.text
    assert reply.text.count("\n• ") == 10 and len(reply.text) < 3000


async def test_forget_me_leaves_no_name_or_id_anywhere(
    router: Router, database: Database, migrated_url: str, tmp_path: Path
) -> None:
    slack = Slack(router)
    numbers = await zoe_did_everything(slack, database)
    [mine] = await slack.say("mijn-gegevens")
    before = {hit.split(":")[0] for hit in scan_database(migrated_url)}
    assert "members" in before, "the scan must see Zoë before she is erased"
    # Every table that holds her name or id is one mijn-gegevens reads.
    covered = (
        {"members"}
        | {t for t, _ in personal_data.MEMBER_LINKS}
        | {t for t, _ in personal_data.KEYED_LEDGERS}
    )
    assert before <= covered, before - covered
    assert await exported_hits(database) and kennisbank_hits(
        await load_snapshot(database, language="nl", timezone=TZ), tmp_path / "before"
    ), "exports and the kennisbank name her before she is erased"
    explained = await slack.text("vergeet-mij")
    assert "nieuw, leeg record" in explained and "bevestig" in explained
    done = await slack.text("vergeet-mij bevestig", event_id=f"act:{ZOE_ID}:9.9")
    assert "inzichten 3, verrijkingen en herkenningen 2" in done
    assert "pas dan een nieuw, leeg record" in done

    assert scan_database(migrated_url) == []
    assert not Path(mine.attachments[0]).exists()  # her mijn-gegevens file went too
    async with database.unit_of_work() as session:
        learnings = (await session.scalars(select_learning(""))).unique().all()
        anonymous = [x for x in learnings if x.author_id is None]
        assert len(anonymous) == 3 and all(x.source_url is None for x in anonymous)
        assert all(not x.author_public and x.consent_at is None for x in anonymous)
        theirs = await session.get(Learning, numbers["theirs"])
        assert theirs is not None
        assert [(e.proeftuin.name, e.author_id) for e in theirs.enrichments] == [
            ("Proeftuin A", None)
        ]
        assert [(r.proeftuin.name, r.member_id) for r in theirs.recognitions] == [
            ("Proeftuin A", None)
        ]
        # Effects for anyone else are untouched and still to be sent.
        digest = await session.get(Effect, f"digest:2026-W49:slack:{CA}")
        assert digest is not None and digest.status == "queued"
        sent = await session.get(Effect, f"digest:2026-W47:slack:{CB}")
        assert sent is not None and sent.status == "done" and sent.error is None
        # Other people's deliveries stay de-duplicated.
        assert await session.get(HandledEvent, f"slack:act:{ZOE_ID}:1.1") is None

    # The .ics of the meeting she planned, every export, and the kennisbank.
    agenda = await bram(slack, "agenda")
    assert "Buurtavond" in agenda and "1 ja" in agenda
    [card] = [r for r in await slack.say("agenda", user="UBRAM7", name="Bram") if r.attachments]
    for path in card.attachments:
        assert found_in(Path(path).read_bytes()) == []
    assert await exported_hits(database) == []
    snapshot = await load_snapshot(database, language="nl", timezone=TZ)
    assert [x.text for x in snapshot.learnings] == ["Huurders zoeken elkaar op via de app #wonen"]
    assert kennisbank_hits(snapshot, tmp_path / "after") == []

    # Using the bot again: a new, empty record, said once.
    again = await slack.say("help")
    assert again[0].visibility is Visibility.ONLY_CALLER
    assert "nieuw, leeg record" in again[0].text
    assert "nieuw, leeg record" not in await slack.text("help")
    async with database.unit_of_work() as session:
        fresh = await session.scalar(select_member(ZOE_ID))
        assert fresh is not None
        assert (await session.scalars(select_learning(""))).unique().all()
        data = await personal_data.collect(session, fresh)
        assert [k for k, v in data.items() if v and k != "member"] == []
        assert data["member"]["display_name"] == ZOE_NAME


async def test_a_new_member_who_was_never_erased_is_not_told(router: Router) -> None:
    slack = Slack(router)
    replies = await slack.say("help", user="UNEW1", name="Nieuw")
    assert all("leeg record" not in r.text for r in replies)
    # Someone else's erasure does not make every newcomer a returning one.
    await slack.say("vergeet-mij bevestig", user="UGONE", name="Weg")
    replies = await slack.say("help", user="UNEW2", name="Nieuwer")
    assert all("leeg record" not in r.text for r in replies)
    replies = await slack.say("help", user="UGONE", name="Weg")
    assert "leeg record" in replies[0].text


async def test_english_file_name_and_texts(database: Database, tmp_path: Path) -> None:
    router = Router(database, make_policy("en", data_dir=str(tmp_path)))
    slack = Slack(router)
    [reply] = await slack.say("my-data")
    assert Path(reply.attachments[0]).name.startswith("my-data-")
    assert "Learnings you wrote" in reply.text
    done = await slack.text("forget-me confirm")
    assert "only then do I make a new, empty record" in done
    assert not Path(reply.attachments[0]).exists()


async def test_old_export_files_are_removed_when_a_new_one_is_written(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    old = files.write_export({"a": 1}, tmp_path, "mijn-gegevens-1.json", now)
    assert json.loads(old.read_text()) == {"a": 1} and oct(old.stat().st_mode)[-3:] == "600"
    files.write_export({"b": 2}, tmp_path, "mijn-gegevens-2.json", now + timedelta(days=2))
    assert not old.exists()


async def test_ledger_keys_match_the_whole_id_only(database: Database) -> None:
    """`_` and `%` in an id are no wildcards, and a longer id that starts alike is not touched."""
    keys = ["console:act:an_na:1", "console:act:anXna:1", "console:act:an_nax:1", "x:50%:2"]
    async with database.unit_of_work() as session:
        member = Member(platform="console", user_id="an_na", display_name="A", role="deelnemer")
        other = Member(platform="console", user_id="50%", display_name="B", role="deelnemer")
        session.add_all([member, other, *(HandledEvent(key=k) for k in keys)])
    async with database.unit_of_work() as session:
        stored = await session.scalar(select_member("an_na"))
        assert stored is not None
        data = await personal_data.collect(session, stored)
        assert [h["key"] for h in data["handled_events"]] == ["console:act:an_na:1"]
        erased = await erasure.erase(session, stored)
        assert erased.ledger == 1
    async with database.unit_of_work() as session:
        left = set((await session.scalars(select(HandledEvent.key))).all())
        assert set(keys) - left == {"console:act:an_na:1"}
        stored = await session.scalar(select_member("50%"))
        assert stored is not None
        assert [
            h["key"] for h in (await personal_data.collect(session, stored))["handled_events"]
        ] == ["x:50%:2"]
