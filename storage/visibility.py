"""The ring rule, in one place: which learnings a viewer may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, true

from storage.models import Learning, Ring


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking, and from where.

    Visibility follows the *place*: in a channel of proeftuin P, ring `proeftuin` learnings of P
    are visible and those of other proeftuinen never are. `ring_floor` limits a view to what a ring
    may see (kenniskring digest, public export); `operator` is the operator's unfiltered view.
    """

    proeftuin_id: int | None = None
    ring_floor: Ring | None = None
    operator: bool = False

    @classmethod
    def for_ring(cls, ring: Ring) -> Viewer:
        return cls(proeftuin_id=None, ring_floor=ring)


def visible(viewer: Viewer, learning: type[Learning] = Learning) -> ColumnElement[bool]:
    """SQL condition on `learnings` that is true exactly for what `viewer` may see."""
    if viewer.operator:
        return true()
    if viewer.ring_floor is Ring.BUITENWERELD:
        return learning.ring == Ring.BUITENWERELD.value
    shared = learning.ring.in_([Ring.KENNISKRING.value, Ring.BUITENWERELD.value])
    if viewer.proeftuin_id is None or viewer.ring_floor is not None:
        return shared
    own = and_(learning.ring == Ring.PROEFTUIN.value, learning.proeftuin_id == viewer.proeftuin_id)
    return or_(shared, own)


def may_see(viewer: Viewer, ring: str, proeftuin_id: int) -> bool:
    """The same rule as `visible`, for a learning already loaded."""
    if viewer.operator:
        return True
    if viewer.ring_floor is Ring.BUITENWERELD:
        return ring == Ring.BUITENWERELD.value
    if ring in (Ring.KENNISKRING.value, Ring.BUITENWERELD.value):
        return True
    return (
        viewer.ring_floor is None
        and viewer.proeftuin_id is not None
        and proeftuin_id == viewer.proeftuin_id
    )
