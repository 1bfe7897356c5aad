"""Once started, the start-up heap is out of the collector and full collections are spaced
out (bot.memory; issue 18: a full collection inside a Discord burst delayed its acks)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.memory import FULL_EVERY, settle_memory


@pytest.fixture
def collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector")
def test_start_up_heap_is_frozen_and_full_collections_are_rarer() -> None:
    gc.unfreeze()
    young, middle, _ = gc.get_threshold()
    settle_memory()
    assert gc.get_freeze_count() > 1000  # the modules and objects loaded so far
    assert gc.get_threshold() == (young, middle, FULL_EVERY)
    # cycles are still collected: a full collection finds one made after the freeze
    box: list[object] = []
    box.append(box)
    del box
    assert gc.collect() >= 1
