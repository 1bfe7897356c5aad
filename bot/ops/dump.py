"""The whole programme as one JSON document, both ways: `samen-bot export --format json --all`
and `samen-bot import FILE` (also the PostgreSQL backup format, see bot/ops/backup.py).

The document holds every table of the schema (storage/models/, in dependency order), each as
a list of rows in primary-key order, every column by name:

    {"format": "samen-bot-programme", "version": 1, "schema": "0004",
     "numbers": {"learnings": 94, "meetings": 2, "prompts": 1},
     "tables": {"proeftuinen": [{"id": 1, "name": "…", …}, …], "channel_links": […], …}}

So nothing of a programme is left behind: proeftuinen, channels, members, themes, learnings
with their tags, consent and publication, recognitions, enrichments, meetings and RSVPs,
prompts and where they were posted, follows and follow notices, and the two ledgers (the
effect ledger, so a moved programme does not post this week's digest again; the handled
events, which hold the install's secret behind the keyed hashes of erased people).

`numbers` keeps the highest number ever handed out of the tables whose numbers are never
reused (learnings, meetings, prompts: revision 0004), also when the newest one was withdrawn:
the database it is imported into continues above it. Times are ISO 8601 in UTC. Strings sort
byte-wise on both backends, so the same programme gives the same document on SQLite and on
PostgreSQL, byte for byte (tests/ops/test_dump.py).

Export streams the rows in keyset-paged batches inside one read transaction (a snapshot:
REPEATABLE READ on PostgreSQL; one read transaction on SQLite); import reads the document
whole and writes it in one unit of work, all or nothing, into an empty database at the same
schema revision.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Integer,
    MetaData,
    String,
    Table,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.db import Database
from storage.erasure import SECRET_PREFIX
from storage.models import Base, HandledEvent, UTCDateTime

FORMAT = "samen-bot-programme"
VERSION = 1
BATCH = 1000

# Tables SQLAlchemy does not model but we read and write through Core, never as SQL text.
_OTHER = MetaData()
ALEMBIC_VERSION = Table("alembic_version", _OTHER, Column("version_num", String(32)))
SQLITE_SEQUENCE = Table("sqlite_sequence", _OTHER, Column("name", String), Column("seq", Integer))


class DumpError(ValueError):
    """A document or a target database that import cannot take (message for the operator)."""

    def __init__(self, msgid: str, **values: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.values = values


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import wrote: rows per table."""

    rows: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(Base.metadata.sorted_tables)


def numbered(table: Table) -> bool:
    """Whether the table's numbers are never handed out twice (SQLite AUTOINCREMENT)."""
    return bool(table.dialect_options["sqlite"].get("autoincrement"))


def _integer_key(table: Table) -> Column[Any] | None:
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        return keys[0]
    return None


# --- values ---------------------------------------------------------------------------------


def to_json(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def from_json(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        if not isinstance(value, str):
            raise DumpError("ops.import_bad_value", table=column.table.name, column=column.name)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise DumpError(
                "ops.import_bad_value", table=column.table.name, column=column.name
            ) from None
        if parsed.tzinfo is None:
            raise DumpError("ops.import_bad_value", table=column.table.name, column=column.name)
        return parsed
    if isinstance(column.type, Boolean):
        return bool(value)
    return value


# --- reading ------------------------------------------------------------------------------


def _order(table: Table, dialect: str) -> list[ColumnElement[Any]]:
    """The primary key, strings compared byte-wise (SQLite's BINARY, PostgreSQL's "C")."""
    columns: list[ColumnElement[Any]] = []
    for column in table.primary_key.columns:
        if dialect == "postgresql" and isinstance(column.type, String):
            columns.append(column.collate("C"))
        else:
            columns.append(column)
    return columns


async def _rows(conn: AsyncConnection, table: Table, dialect: str) -> AsyncIterator[list[Any]]:
    order = _order(table, dialect)
    keys = list(table.primary_key.columns)
    after: Sequence[Any] | None = None
    while True:
        query = select(table).order_by(*order).limit(BATCH)
        if after is not None:
            bounds = [
                literal(v, c.type).collate("C")
                if dialect == "postgresql" and isinstance(c.type, String)
                else literal(v, c.type)
                for c, v in zip(keys, after, strict=True)
            ]
            query = query.where(tuple_(*order) > tuple_(*bounds))
        batch = (await conn.execute(query)).all()
        if not batch:
            return
        yield list(batch)
        if len(batch) < BATCH:
            return
        last = batch[-1]._mapping
        after = [last[c.name] for c in keys]


async def _revision(conn: AsyncConnection) -> str | None:
    return (await conn.execute(select(ALEMBIC_VERSION.c.version_num))).scalar()


async def _numbers(conn: AsyncConnection, dialect: str) -> dict[str, int]:
    """The highest number handed out of every never-reused table."""
    found: dict[str, int] = {}
    for table in tables():
        key = _integer_key(table)
        if key is None or not numbered(table):
            continue
        highest = int((await conn.execute(select(func.coalesce(func.max(key), 0)))).scalar_one())
        if dialect == "sqlite":
            seq = (
                await conn.execute(
                    select(SQLITE_SEQUENCE.c.seq).where(SQLITE_SEQUENCE.c.name == table.name)
                )
            ).scalar()
        else:
            from sqlalchemy.dialects.postgresql import REGCLASS

            sequence = func.pg_get_serial_sequence(table.name, key.name)
            last = func.pg_sequence_last_value(cast(sequence, REGCLASS))
            seq = (await conn.execute(select(last))).scalar()
        found[table.name] = max(highest, int(seq or 0))
    return found


@asynccontextmanager
async def _snapshot(database: Database) -> AsyncIterator[AsyncConnection]:
    """One connection reading one consistent state of the database."""
    engine = database.reader
    if database.dialect == "postgresql":
        async with engine.connect() as conn:
            conn = await conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            async with conn.begin():
                yield conn
        return
    async with engine.connect() as conn:
        # pysqlite opens no transaction for a SELECT: one explicit read transaction keeps every
        # batch of every table on the same snapshot (WAL: writers go on meanwhile).
        await conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            await conn.rollback()


async def write_document(database: Database, out: IO[str]) -> int:
    """Write the whole programme to `out`; returns the number of rows written."""
    written = 0
    dialect = database.dialect
    async with _snapshot(database) as conn:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "schema": await _revision(conn),
            "numbers": await _numbers(conn, dialect),
        }
        out.write(json.dumps(header, ensure_ascii=False)[:-1])
        out.write(', "tables": {')
        for n, table in enumerate(tables()):
            out.write(f"{',' if n else ''}\n{json.dumps(table.name)}: [")
            first = True
            async for batch in _rows(conn, table, dialect):
                for row in batch:
                    values = {c.name: to_json(c, row._mapping[c.name]) for c in table.columns}
                    out.write(("\n" if first else ",\n") + json.dumps(values, ensure_ascii=False))
                    first = False
                    written += 1
            out.write("]")
        out.write("\n}}\n")
    return written


async def read_document(database: Database) -> dict[str, Any]:
    """The whole programme as the document `write_document` writes, in memory."""
    import io

    buffer = io.StringIO()
    await write_document(database, buffer)
    document: dict[str, Any] = json.loads(buffer.getvalue())
    return document


# --- writing ------------------------------------------------------------------------------


def _checked(document: object, revision: str | None) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DumpError("ops.import_not_programme")
    if document.get("version") != VERSION:
        raise DumpError("ops.import_version", version=document.get("version"))
    if document.get("schema") != revision:
        raise DumpError("ops.import_schema", found=document.get("schema"), needed=revision)
    found = document.get("tables")
    if not isinstance(found, dict):
        raise DumpError("ops.import_not_programme")
    known = {t.name: t for t in tables()}
    for name, rows in found.items():
        table = known.get(name)
        if table is None:
            raise DumpError("ops.import_unknown_table", table=name)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DumpError("ops.import_not_programme")
        columns = set(table.columns.keys())
        for row in rows:
            unknown = set(row) - columns
            if unknown:
                raise DumpError("ops.import_unknown_column", table=name, column=min(unknown))
    return found


async def nonempty_tables(session: AsyncSession) -> list[str]:
    """The tables that hold something (a fresh install's secret alone does not count)."""
    full = []
    for table in tables():
        query = select(func.count()).select_from(table)
        if table is HandledEvent.__table__:
            query = query.where(HandledEvent.key.not_like(f"{SECRET_PREFIX}%"))
        if (await session.execute(query)).scalar_one():
            full.append(table.name)
    return full


async def _set_numbers(session: AsyncSession, numbers: Mapping[str, int], dialect: str) -> None:
    for table in tables():
        key = _integer_key(table)
        if key is None:
            continue
        highest = int((await session.execute(select(func.coalesce(func.max(key), 0)))).scalar_one())
        floor = max(highest, int(numbers.get(table.name, 0) or 0))
        if dialect == "sqlite":
            if not numbered(table):
                continue
            await session.execute(
                delete(SQLITE_SEQUENCE).where(SQLITE_SEQUENCE.c.name == table.name)
            )
            if floor:
                await session.execute(insert(SQLITE_SEQUENCE).values(name=table.name, seq=floor))
        elif dialect == "postgresql":
            sequence = func.pg_get_serial_sequence(table.name, key.name)
            if floor:
                await session.execute(select(func.setval(sequence, floor, True)))
            else:
                await session.execute(select(func.setval(sequence, 1, False)))


async def import_document(database: Database, document: object) -> Imported:
    """Write a programme document into this (empty) database, all or nothing."""
    async with database.reading() as session:
        revision = (await session.execute(select(ALEMBIC_VERSION.c.version_num))).scalar()
    found = _checked(document, revision)
    assert isinstance(document, dict)
    counts: dict[str, int] = {}
    async with database.unit_of_work() as session:
        full = await nonempty_tables(session)
        if full:
            raise DumpError("ops.not_empty", tables=", ".join(full))
        rows_of_events = found.get(HandledEvent.__tablename__, [])
        if any(str(r.get("key", "")).startswith(SECRET_PREFIX) for r in rows_of_events):
            # the programme brings its own install secret (erased people's hashes depend on it)
            await session.execute(delete(HandledEvent))
        for table in tables():
            rows = found.get(table.name, [])
            counts[table.name] = len(rows)
            for start in range(0, len(rows), BATCH):
                batch = [
                    {name: from_json(table.c[name], value) for name, value in row.items()}
                    for row in rows[start : start + BATCH]
                ]
                await session.execute(insert(table), batch)
        numbers = document.get("numbers") or {}
        if not isinstance(numbers, dict):
            raise DumpError("ops.import_not_programme")
        await _set_numbers(session, numbers, database.dialect)
    return Imported(counts)
