"""Known drifts of the behaviour table become strict xfails of their (platform, row) tests."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        row, adapter = params.get("row"), params.get("adapter")
        if row is None or adapter is None or "tests/behaviour/" not in item.nodeid:
            continue
        reason = row.drift.get(adapter[0])
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
