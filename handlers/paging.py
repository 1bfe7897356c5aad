"""Long answers in pages: `zoek … pagina 2`, `agenda pagina 2`, and a "Meer" button that asks
for the next page with the same words, so nothing is cut off silently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from handlers import command_line, registry
from handlers.context import Context
from handlers.registry import Kind, Param
from handlers.text import parse_number
from handlers.types import Action, UserError

T = TypeVar("T")

PAGE = Param("pagina", Kind.NUMBER, required=False, prefix="pagina ", refers="page")
MAX_PAGE = 100  # far beyond what anyone reads; keeps the rows fetched bounded


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of rows: which ones, where they start, and whether more follow."""

    rows: Sequence[T]
    number: int
    first: int  # the position of the first row shown, from 1
    more: bool
    total: int | None  # known when this page holds the last row

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def page_number(ctx: Context, usage_key: str) -> int:
    """The page asked for (1 when none); a friendly error for what is no page."""
    if not ctx.given(PAGE.name):
        return 1
    number = parse_number(ctx.arg(PAGE.name).split(" ")[0], ctx.t(usage_key), "paging.bad_page")
    if not 1 <= number <= MAX_PAGE:
        raise UserError("paging.bad_page", number=number)
    return number


def fetch_limit(page: int, size: int) -> int:
    """How many rows to load for `page`: up to its end, and one more to know if more follow."""
    return page * size + 1


def page_of(rows: Sequence[T], page: int, size: int) -> Page[T]:
    """Page `page` of `rows` (loaded with `fetch_limit`)."""
    start = (page - 1) * size
    shown = rows[start : start + size]
    more = len(rows) > start + size
    return Page(shown, page, start + 1, more, None if more else len(rows))


def more_action(ctx: Context, page: Page[T], values: Mapping[str, object]) -> Action:
    """The button for the next page: the same sub-command with the same `values` (as the
    handler understood them), one page on."""
    spec = registry.resolve(ctx.command.name)
    assert spec is not None
    line = command_line.line_for(spec, {**values, PAGE.name: page.number + 1})
    return Action(ctx.t("button.more"), spec.name, line)


def more_hint(ctx: Context, action: Action) -> str:
    """The line under a page that has more: what to type for the next one."""
    spec = registry.resolve(action.command)
    word = spec.english if spec is not None and ctx.t.language == "en" else action.command
    return ctx.t("paging.more", command=f"/samen {word} {action.args}".strip())
