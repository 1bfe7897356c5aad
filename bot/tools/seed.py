"""`samen-bot seed`: many synthetic learnings, fast, for benchmarks and demos.

Bulk work on a synchronous engine with SQLAlchemy Core: rows are generated in batches
(`BATCH_SIZE`), each batch inserted with one executemany per table in its own transaction, with
explicit ids after the current maximum so `learning_themes` rows go in bulk as well.

Texts are drawn from a pool of Dutch sentences built from programme vocabulary, so full-text
search meets realistic words; `COMMON_WORDS` ("bewoners", "gemeente") each occur in about 40% of
the rows.

Full-text index, SQLite: the FTS5 insert trigger of the migration would index row by row; instead,
inside each batch's transaction, the trigger is dropped, the batch's rows are indexed with one
`INSERT INTO learnings_fts(rowid, text) SELECT …`, and the trigger is recreated from its own
stored definition (`sqlite_master.sql`, so it is exactly what the migration made). Other
connections never see the database without the trigger. PostgreSQL computes its generated
`search_vector` column by itself.

Concurrency: a batch holds the write lock (SQLite `BEGIN IMMEDIATE`; PostgreSQL a SHARE ROW
EXCLUSIVE lock on `learnings`, which leaves reads alone) while it reserves its ids, so a bot
capturing at the same time waits for one batch at most and never collides on an id; on
PostgreSQL the id sequence is moved past the seeded rows.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations

from bot.tools.demo_data import PLATFORM, PROEFTUINEN, THEMES
from storage import bulk
from storage.db import make_engine
from storage.models import Ring

BATCH_SIZE = 50_000
SEED_WEEKS = 26
POOL_BITS = 16  # 65,536 distinct sentences
COMBO_BITS = 12  # 4,096 pre-drawn theme combinations
COMMON_WORDS = ("bewoners", "gemeente")  # each in ~40% of the rows
COMMON_SHARE = 0.4
RING_WEIGHTS = ((Ring.KENNISKRING, 80), (Ring.PROEFTUIN, 12), (Ring.BUITENWERELD, 8))
THEME_COUNT_WEIGHTS = (20, 40, 30, 10)  # 0, 1, 2 or 3 themes
TAGGED_SHARE = 0.3  # rows whose themes also appear as #slugs in the text
ANONYMOUS_SHARE = 0.1  # rows without an author (forgotten members), when there are members

# --- Dutch vocabulary -----------------------------------------------------------------------
# Openers end in "dat"; clauses are subordinate (verb last). "bewoners" occurs only in the
# clauses marked _B, "gemeente" only in the openers marked _G, so their shares are controlled.

OPENERS_G = (
    "In het overleg met de gemeente bleek dat",
    "De gemeente liet weten dat",
    "Na het gesprek met de gemeente merkten we dat",
    "Uit de rapportage voor de gemeente blijkt dat",
    "Bij het loket van de gemeente hoorden we dat",
    "De wethouder en de gemeente zijn het erover eens dat",
    "Een ambtenaar van de gemeente vertelde dat",
    "Op de informatieavond van de gemeente werd duidelijk dat",
)
OPENERS = (
    "Deze week merkten we dat",
    "Op de ledenvergadering bleek dat",
    "Tijdens het spreekuur hoorden we dat",
    "Na drie maanden zien we dat",
    "Bij de evaluatie kwam naar voren dat",
    "Onze penningmeester ontdekte dat",
    "Het bestuur concludeerde dat",
    "De coördinator vertelde dat",
    "In de kenniskring hoorden we dat",
    "Bij het werkbezoek zagen we dat",
    "Het fonds gaf als reactie dat",
    "De woningcorporatie liet weten dat",
    "Een buurvrouw wees ons erop dat",
    "We leerden deze maand dat",
    "Achteraf zien we dat",
    "Bij de koffie kwam ter sprake dat",
)
CLAUSES_B = (
    "bewoners pas meedoen als ze elkaar al kennen",
    "bewoners zelf het beste weten wat de buurt nodig heeft",
    "de bewoners die het langst meedoen ook het meest weten",
    "bewoners liever een avond klussen dan een avond vergaderen",
    "jonge bewoners vooral via de school bij ons komen",
    "oudere bewoners een vast aanspreekpunt willen",
    "bewoners meer vertrouwen hebben in een buur dan in een folder",
    "een vaste plek voor bewoners meer oplevert dan een nieuwe flyer",
    "bewoners pas tekenen als ze weten waar hun geld heen gaat",
    "de vrijwilligers en bewoners samen het rooster maken",
)
CLAUSES = (
    "de aanvraag bij het fonds veel meer tijd kost dan gepland",
    "vrijwilligers vooral blijven als ze zelf iets mogen beslissen",
    "een meerjarige afspraak meer rust geeft dan een hogere subsidie",
    "de huur van ons pand volgend jaar flink omhooggaat",
    "verantwoorden aan drie financiers drie keer hetzelfde werk is",
    "de energiecoaches vaker gevraagd worden dan we aankunnen",
    "de opvolging in het bestuur niet vanzelf gaat",
    "een gezamenlijk format voor de rapportage veel tijd scheelt",
    "de regels voor vergunningen per wijk anders worden uitgelegd",
    "onze leden graag meebeslissen over de begroting",
    "de zorgverzekeraar interesse heeft in preventie",
    "de samenwerking met de huisarts steeds beter loopt",
    "het netwerk van de kenniskring deuren opent",
    "eigenaarschap groeit als mensen een sleutel krijgen",
    "de dagbesteding in het dorpshuis onmisbaar is geworden",
    "tijdelijke grond het planten van fruitbomen tegenhoudt",
)
CLOSERS = (
    "Volgende maand proberen we het anders.",
    "Wie heeft hier ervaring mee?",
    "Dat nemen we mee naar de kenniskring.",
    "Het kostte ons wel drie avonden.",
    "Tip: begin klein en houd het vol.",
    "We delen het verslag in het kanaal.",
    "Dit vraagt om een gesprek met de fondsen.",
    "Goed voorbeeld voor andere proeftuinen.",
    "We schrijven de werkwijze op zodat anderen hem kunnen overnemen.",
    "Nog geen oplossing, wel een duidelijke vraag.",
    "Dank aan iedereen die meedacht.",
    "Wordt vervolgd.",
)


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What `seed_learnings` did."""

    added: int  # learnings inserted
    theme_links: int  # learning_themes rows inserted
    total: int  # learnings in the database afterwards
    first_id: int | None  # id range of the new learnings
    last_id: int | None
    proeftuinen: int  # proeftuinen the learnings were spread over
    themes: int  # themes they were tagged with
    created_programme: bool  # the demo proeftuinen/themes had to be created first
    seconds: float


def sentence_pool(rng: random.Random, size: int = 1 << POOL_BITS) -> list[str]:
    """`size` Dutch learning texts; each common word occurs in ~40% of them."""
    pool = []
    for _ in range(size):
        opener = rng.choice(OPENERS_G if rng.random() < COMMON_SHARE else OPENERS)
        clause = rng.choice(CLAUSES_B if rng.random() < COMMON_SHARE else CLAUSES)
        text = f"{opener} {clause}."
        if rng.random() < 0.6:
            text += " " + rng.choice(CLOSERS)
        pool.append(text)
    return pool


def _theme_combos(
    rng: random.Random, theme_ids: Sequence[int], slugs: dict[int, str]
) -> list[tuple[tuple[int, ...], str]]:
    """Pre-drawn (theme ids, tag suffix) pairs: 0–3 themes each, some tagged in the text."""
    by_size = [list(combinations(sorted(theme_ids), k)) for k in range(4)]
    sizes = [k for k in range(4) if by_size[k]]
    weights = [THEME_COUNT_WEIGHTS[k] for k in sizes]
    combos = []
    for _ in range(1 << COMBO_BITS):
        chosen = rng.choice(by_size[rng.choices(sizes, weights)[0]])
        tagged = chosen and rng.random() < TAGGED_SHARE
        suffix = " " + " ".join(f"#{slugs[i]}" for i in chosen) if tagged else ""
        combos.append((chosen, suffix))
    return combos


def _stamps(sqlite: bool) -> Callable[[float], object]:
    """Epoch seconds -> what the created_at column takes without type processing."""
    if sqlite:  # SQLAlchemy's SQLite DATETIME storage format, UTC
        return lambda ts: (
            datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        )
    return lambda ts: datetime.fromtimestamp(ts, UTC)


def seed_learnings(
    url: str,
    count: int,
    *,
    random_seed: int = 1,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
) -> SeedSummary:
    """Add `count` synthetic learnings over the proeftuinen, themes and the last 26 weeks.

    Creates the 7 demo proeftuinen and 12 themes first when the database has none. Calls
    `progress(n_done)` after every committed batch. The schema must be current.
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    began = time.perf_counter()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rng = random.Random(random_seed)
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            created = bulk.ensure_programme(
                conn,
                now,
                [(p.name, PLATFORM, p.channel) for p in PROEFTUINEN],
                [(t.slug, t.name, t.keywords) for t in THEMES],
            )
            proeftuin_ids, slugs, author_ids = bulk.programme_ids(conn)
            conn.commit()
        # SQLite: explicit BEGIN IMMEDIATE/COMMIT; pysqlite must not manage transactions itself.
        writer = engine.execution_options(isolation_level="AUTOCOMMIT") if sqlite else engine

        pool = sentence_pool(rng)
        combos = _theme_combos(rng, list(slugs), slugs)
        rings = [ring.value for ring, _ in RING_WEIGHTS]
        ring_weights = [weight for _, weight in RING_WEIGHTS]
        # Authors: the existing members, and about ANONYMOUS_SHARE of rows without one.
        anonymous = round(len(author_ids) * ANONYMOUS_SHARE / (1 - ANONYMOUS_SHARE))
        authors: list[int | None] = [*author_ids, *[None] * max(1, anonymous)]
        stamp = _stamps(sqlite)
        start = (now - timedelta(weeks=SEED_WEEKS)).timestamp()
        step = (now.timestamp() - start) / max(count, 1)
        getrandbits, rand, choice = rng.getrandbits, rng.random, rng.choice
        n_proeftuinen = len(proeftuin_ids)

        done = links = 0
        first_id: int | None = None
        last_id: int | None = None
        with writer.connect() as conn:
            trigger_sql = bulk.fts_trigger_sql(conn)
            while done < count:
                size = min(batch_size, count - done)
                ring_of = rng.choices(rings, ring_weights, k=size)
                with bulk.batch_transaction(conn):
                    base = bulk.next_learning_id(conn)
                    rows = []
                    tags = []
                    for i in range(size):
                        learning_id = base + i
                        theme_ids, suffix = combos[getrandbits(COMBO_BITS)]
                        rows.append(
                            {
                                "id": learning_id,
                                "text": pool[getrandbits(POOL_BITS)] + suffix,
                                "author_id": choice(authors),
                                "proeftuin_id": proeftuin_ids[int(rand() * n_proeftuinen)],
                                "ring": ring_of[i],
                                "platform": PLATFORM,
                                "created_at": stamp(start + (done + i + rand()) * step),
                            }
                        )
                        for theme_id in theme_ids:
                            tags.append({"learning_id": learning_id, "theme_id": theme_id})
                    bulk.insert_batch(conn, rows, tags, trigger_sql)
                    end_id = base + size - 1
                first_id = base if first_id is None else first_id
                last_id = end_id
                done += size
                links += len(tags)
                if progress is not None:
                    progress(done)
            total = bulk.count_learnings(conn)
    finally:
        engine.dispose()
    return SeedSummary(
        added=done,
        theme_links=links,
        total=total,
        first_id=first_id,
        last_id=last_id,
        proeftuinen=len(proeftuin_ids),
        themes=len(slugs),
        created_programme=created,
        seconds=time.perf_counter() - began,
    )
