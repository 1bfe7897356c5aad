"""Kennisbank fixtures: generated snapshots and sites built once per session into tmp folders,
and `require()` for tools the browser tests need (fail under CI, skip elsewhere)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.tools.kennisbank import BuildReport, Snapshot, build_kennisbank
from tests.kennisbank.synthetic import make_snapshot

SITE_LEARNINGS = 400  # enough for a proeftuin to need two pages (50 a page)


@dataclass(frozen=True)
class BuiltSite:
    snapshot: Snapshot
    root: Path
    report: BuildReport


def require(reason: str | None) -> None:
    """Fail with `reason` when CI is set (CI must have every tool), skip with it otherwise."""
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """A Dutch kennisbank of 400 generated learnings (do not change its files in a test)."""
    snapshot = make_snapshot(SITE_LEARNINGS, seed=11)
    root = tmp_path_factory.mktemp("kennisbank") / "site"
    return BuiltSite(snapshot, root, build_kennisbank(snapshot, root))


@pytest.fixture(scope="session")
def site_en(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The same programme in English."""
    snapshot = make_snapshot(120, seed=11, language="en")
    root = tmp_path_factory.mktemp("kennisbank-en") / "site"
    return BuiltSite(snapshot, root, build_kennisbank(snapshot, root))
