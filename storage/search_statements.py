"""The SQL of a search, built once per dialect, viewer and filter shape (`storage.search`
compiles and runs it): SQLite's FTS5 statements (ranked by bm25, by `samen_rank` on the newest
candidates, or a quick sample), PostgreSQL's tsvector statement (the GIN index or a walk of the
newest rows), the ring rule and the `#thema` / `proeftuin:` filters. The search values travel as
bound parameters; the viewer is part of the cache key, so the ring condition inside is always
the caller's own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Subquery,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
    union_all,
)
from sqlalchemy import column as sql_column
from sqlalchemy.sql.elements import ColumnClause

from storage.models import Learning, LearningTheme
from storage.search_terms import (
    HEADLINE_OPTIONS,
)
from storage.visibility import Viewer, visible

CANDIDATES = 1500  # the newest matches that get ranked
PG_CANDIDATES = 500  # PostgreSQL: its walk costs more a row (see postgresql_statement)
FILTERED_CANDIDATES = 150  # with #thema or proeftuin: (the shorter list's newest)


# The statements are built and compiled once per dialect, viewer and filter shape (that costs
# more than running them); the search values travel as bound parameters. The viewer is part of
# the cache key, so the ring condition inside is always the caller's own.

LEARNINGS = Learning.__table__
LEARNING_THEMES = LearningTheme.__table__
FTS = table("learnings_fts", sql_column("rowid", Integer))
FTS_REF: ColumnClause[Any] = literal_column("learnings_fts")


_WEIGHTS = (literal(1.0), literal(0.0))  # bm25 weighs the words; the facets not at all


def _match() -> ColumnElement[str]:
    return bindparam("match", type_=String)


VECTOR: ColumnClause[Any] = literal_column("learnings.search_vector")
FACETS: ColumnClause[Any] = literal_column("learnings.search_facets")

Form = tuple[bool, bool]  # (has a rest, has a last word typed as a prefix)


def tsquery(form: Form) -> ColumnElement[Any]:
    """The query's tsquery, made by PostgreSQL from the parts of
    `storage.search_terms.tsquery_parts` inside the search statement itself (no round trip
    first), as an uncorrelated scalar subquery: computed once a statement (an InitPlan), also
    where a row-by-row filter uses it."""
    from sqlalchemy.dialects.postgresql import TSQUERY

    def parsed(config: str, name: str) -> ColumnElement[Any]:
        return func.to_tsquery(
            literal_column(f"'{config}'::regconfig"), bindparam(name, type_=String), type_=TSQUERY
        )

    has_rest, has_prefix = form
    query: ColumnElement[Any] | None = parsed("dutch", "rest") if has_rest else None
    if has_prefix:
        last = parsed("dutch", "last").op("||", return_type=TSQUERY)(
            parsed("simple", "last_prefix")
        )
        query = last if query is None else query.op("&&", return_type=TSQUERY)(last.self_group())
    assert query is not None, "a query has a rest or a last word"
    return select(query).scalar_subquery()


SEARCH_PARAMETERS = frozenset(
    {"limit", "theme_id", "proeftuin_id", "match", "sample", "needles", "facets", "pre_limit"}
    | {"rest", "last", "last_prefix"}
)


def filters_for(viewer: Viewer, has_theme: bool, has_proeftuin: bool) -> list[ColumnElement[bool]]:
    filters = [visible(viewer)]
    if has_proeftuin:
        filters.append(LEARNINGS.c.proeftuin_id == bindparam("proeftuin_id", type_=Integer))
    if has_theme:
        filters.append(
            exists().where(
                LEARNING_THEMES.c.learning_id == LEARNINGS.c.id,
                LEARNING_THEMES.c.theme_id == bindparam("theme_id", type_=Integer),
            )
        )
    return filters


def sqlite_statement(viewer: Viewer, has_theme: bool, has_proeftuin: bool) -> Select[Any]:
    """Rank the newest CANDIDATES matches the viewer may see.

    FTS5 walks its matches newest first (ORDER BY rowid DESC is consumed by the index, so the
    LIMIT stops the walk); the filters are checked on the way and bm25 is computed for the
    candidates only.
    """
    candidates = (
        select(FTS.c.rowid.label("id"), (-func.bm25(FTS_REF, *_WEIGHTS)).label("score"))
        .select_from(FTS.join(LEARNINGS, LEARNINGS.c.id == FTS.c.rowid))
        .where(FTS_REF.op("MATCH")(_match()), *filters_for(viewer, has_theme, has_proeftuin))
        .order_by(FTS.c.rowid.desc())
        .limit(CANDIDATES)
        .subquery("candidates")
    )
    return _best(candidates)


def _approximate_score() -> ColumnElement[Any]:
    """`samen_rank(text, :needles)` (`storage.search_terms.approximate_rank`)."""
    return func.samen_rank(LEARNINGS.c.text, bindparam("needles", type_=String))


def sqlite_approximate_statement(
    viewer: Viewer, has_theme: bool, has_proeftuin: bool
) -> Select[Any]:
    """Like `sqlite_statement` (the newest CANDIDATES matches the viewer may see, filters in
    the MATCH as facets and checked again on the row), ranked by `_approximate_score`. With a
    filter, FILTERED_CANDIDATES: FTS5's intersection of the words with the facets costs per
    match it yields, and the filtered list is short enough that its newest few hundred are
    the ones to rank."""
    wanted = FILTERED_CANDIDATES if has_theme or has_proeftuin else CANDIDATES
    candidates = (
        select(FTS.c.rowid.label("id"), _approximate_score().label("score"))
        .select_from(FTS.join(LEARNINGS, LEARNINGS.c.id == FTS.c.rowid))
        .where(FTS_REF.op("MATCH")(_match()), *filters_for(viewer, has_theme, has_proeftuin))
        .order_by(FTS.c.rowid.desc())
        .limit(wanted)
        .subquery("candidates")
    )
    return _best(candidates)


def sqlite_sample_statement(
    viewer: Viewer, has_theme: bool, has_proeftuin: bool
) -> CompoundSelect[Any]:
    """The quick way when the viewer may see most learnings: rank the newest CANDIDATES matches
    first and look up the ring of the best `:sample` only (a lookup per candidate costs about
    as much as ranking it). Ends with a row (NULL, how many were sampled, NULL): fewer than
    `:sample` means every match was looked at, so the answer is complete even if short.
    """
    newest = (
        select(FTS.c.rowid.label("id"), (-func.bm25(FTS_REF, *_WEIGHTS)).label("score"))
        .where(FTS_REF.op("MATCH")(_match()))
        .order_by(FTS.c.rowid.desc())
        .limit(CANDIDATES)
        .subquery("newest")
    )
    sample = (
        select(newest.c.id, newest.c.score)
        .order_by(newest.c.score.desc(), newest.c.id.desc())
        .limit(bindparam("sample", type_=Integer))
        .cte("sample")
    )
    found = (
        select(sample.c.id, sample.c.score, LEARNINGS.c.text)
        .join_from(sample, LEARNINGS, LEARNINGS.c.id == sample.c.id)
        .where(*filters_for(viewer, has_theme, has_proeftuin))
        .order_by(sample.c.score.desc(), sample.c.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .subquery("found")
    )
    sampled = select(null(), func.count().label("score"), null()).select_from(sample)
    return union_all(select(found.c.id, found.c.score, found.c.text), sampled)


def postgresql_filters(
    form: Form, has_filter: bool, walk: bool, viewer: Viewer
) -> list[ColumnElement[bool]]:
    """The words, `#thema` and `proeftuin:` and the ring rule on PostgreSQL. The filters are
    `learnings.search_facets @> :facets` (revision 0006: minus the proeftuin's id, the theme
    ids), indexed with the words in one GIN index (revision 0009), so a bitmap scan intersects
    all of them at once. `walk`: the same conditions as function calls, which no index serves,
    so the planner walks the newest rows by the primary key and checks each (it would otherwise
    take a bitmap of every match of a common word when the filters are cheap to index)."""
    from sqlalchemy.dialects.postgresql import ARRAY

    query = tsquery(form)
    facets = bindparam("facets", type_=ARRAY(Integer))
    found: list[ColumnElement[bool]]
    if walk:
        found = [func.ts_match_vq(VECTOR, query, type_=Boolean)]
        if has_filter:
            found.append(func.arraycontains(FACETS, facets, type_=Boolean))
    else:
        found = [VECTOR.op("@@", return_type=Boolean)(query)]
        if has_filter:
            found.append(FACETS.op("@>", return_type=Boolean)(facets))
    return [*found, visible(viewer)]


Way = str  # PostgreSQL's way to the newest matches: "walk", "bitmap" or "prefilter"


def postgresql_statement(
    viewer: Viewer, has_theme: bool, has_proeftuin: bool, form: Form, way: Way
) -> Select[Any]:
    """Rank the newest matches, found one of three ways (`storage.search` chooses):

    - "walk": the newest rows are walked by the primary key until enough match (a common word,
      or one filter that lets many through);
    - "bitmap": ordered by `id + 0`, which no index gives, so the planner takes all matches from
      the GIN index and sorts those (rare words, or filters that together let few through);
    - "prefilter": a common word with filters that together let few through. The newest
      `:pre_limit` rows that pass the filters and the ring rule come from an index-only walk of
      `ix_learnings_id_facets` (revision 0011: the id with the facets, ring and proeftuin beside
      it), with `proeftuin:` of `ix_learnings_proeftuin_id_id` (revision 0013: that proeftuin's
      entries only), and only those rows are fetched to check the words.

    The column `total` is, for "bitmap", how many match in all (counted on the way); for the
    other two, how many candidates were found (fewer than wanted: there are no more, unless a
    prefilter's `walked`, the rows it let through, reached `:pre_limit`)."""
    filtered = has_theme or has_proeftuin
    # Fewer of the newest matches are ranked than on SQLite, and fewer still with a theme or
    # proeftuin filter: a walk costs about a microsecond a row, so the rows it walks grow with
    # the candidates.
    wanted = FILTERED_CANDIDATES if filtered else PG_CANDIDATES
    extra: list[ColumnElement[Any]] = []
    if way == "bitmap":
        # The index's way fetches every match before it sorts: it counts them on the way.
        candidates = (
            select(LEARNINGS.c.id, func.count().over().label("total"))
            .where(*postgresql_filters(form, filtered, False, viewer))
            .order_by((LEARNINGS.c.id + 0).desc())
            .limit(wanted)
            .subquery("candidates")
        )
    elif way == "walk":
        newest = (
            select(LEARNINGS.c.id)
            .where(*postgresql_filters(form, filtered, True, viewer))
            .order_by(LEARNINGS.c.id.desc())
            .limit(wanted)
            .subquery("newest")
        )
        candidates = select(newest.c.id, func.count().over().label("total")).subquery("candidates")
    else:
        from sqlalchemy.dialects.postgresql import ARRAY

        facets = bindparam("facets", type_=ARRAY(Integer))
        own = [LEARNINGS.c.proeftuin_id == bindparam("proeftuin_id", type_=Integer)]
        passing = (
            select(LEARNINGS.c.id)
            .where(
                *(own if has_proeftuin else []),
                func.arraycontains(FACETS, facets, type_=Boolean),
                visible(viewer),
            )
            .order_by(LEARNINGS.c.id.desc())
            .limit(bindparam("pre_limit", type_=Integer))
            .cte("passing")
        )
        checked = LEARNINGS.alias("checked")
        newest = (
            select(checked.c.id)
            .join(passing, passing.c.id == checked.c.id)
            .where(
                func.ts_match_vq(
                    literal_column("checked.search_vector"), tsquery(form), type_=Boolean
                )
            )
            .order_by(checked.c.id.desc())
            .limit(wanted)
            .subquery("newest")
        )
        walked = select(func.count()).select_from(passing).scalar_subquery()
        candidates = select(
            newest.c.id, func.count().over().label("total"), walked.label("walked")
        ).subquery("candidates")
        extra = [candidates.c.walked]
    ranked = (
        select(
            candidates.c.id,
            func.ts_rank(VECTOR, tsquery(form)).label("score"),
            candidates.c.total,
            *extra,
        )
        .join_from(candidates, LEARNINGS, LEARNINGS.c.id == candidates.c.id)
        .subquery("ranked")
    )
    headline = func.ts_headline(
        literal_column("'dutch'::regconfig"),
        LEARNINGS.c.text,
        tsquery(form),
        bindparam("headline_options", HEADLINE_OPTIONS, type_=String),
    )
    return _best(ranked, headline)


def _best(ranked: Subquery, shown: ColumnElement[str] = LEARNINGS.c.text) -> Select[Any]:
    """The top `:limit` rows of an (id, score) subquery, with their text (and the counts that
    PostgreSQL's statement carries: `total`, `walked`)."""
    counted = [ranked.c[name] for name in ("total", "walked") if name in ranked.c]
    top = (
        select(ranked.c.id, ranked.c.score, *counted)
        .order_by(ranked.c.score.desc(), ranked.c.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .subquery("top")
    )
    return (
        select(top.c.id, top.c.score, shown.label("text"), *(top.c[c.name] for c in counted))
        .join_from(top, LEARNINGS, LEARNINGS.c.id == top.c.id)
        .order_by(top.c.score.desc(), top.c.id.desc())
    )
