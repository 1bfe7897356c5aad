"""The Slack benchmark's figures: a row of percentiles, CPU and loop stalls per app and client
count, and the Markdown table of the medians of the runs with the ack p99 ratios to bare bolt."""

from __future__ import annotations

import statistics
from typing import Any

SAMEN = "samen-bot"
SAMEN_ACKS = "samen-bot, acks only"
BEFORE = "samen-bot before"
BEFORE_ACKS = "samen-bot before, acks only"
BARE_PBR = "bare bolt, process_before_response"
BARE = "bare bolt, default"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


Result = dict[str, float]


def measure(
    acks: list[float], posted: list[float], cpu_ms: float, stalls: dict[str, Any]
) -> Result:
    result = {f"ack p{p}": percentile(acks, p) for p in (50, 95, 99)}
    if posted:
        result |= {f"reply p{p}": percentile(posted, p) for p in (50, 95, 99)}
    result["CPU/req"] = cpu_ms
    if "steps" in stalls and (stalls["steps"] or stalls["gcs"]):
        result["steps > 2 ms"] = len(stalls["steps"])
        result["longest step"] = max(stalls["steps"], default=0.0)
        result["longest gc"] = max(stalls["gcs"], default=0.0)
    return result


def spread(values: list[float], digits: int = 1) -> str:
    """The median, with the lowest and highest when there are several."""
    middle = f"{statistics.median(values):.{digits}f}"
    if len(values) == 1:
        return middle
    return f"{middle} ({min(values):.{digits}f}–{max(values):.{digits}f})"


COLUMNS = (
    "ack p50", "ack p95", "ack p99", "reply p50", "reply p95", "reply p99", "CPU/req",
    "steps > 2 ms", "longest step", "longest gc",
)  # fmt: skip


def report(runs: list[dict[tuple[str, int], Result]], levels: list[int], requests: int) -> None:
    labels = list(dict.fromkeys(label for label, _ in runs[0]))
    print(f"\n`/samen inzicht`, signed, {requests} requests a row, {len(runs)} run(s); ms;")
    print("median of the runs (lowest–highest)\n")
    print(f"| app | clients | {' | '.join(COLUMNS)} |")
    print("|---|---:|" + "---:|" * len(COLUMNS))
    for clients in levels:
        for label in labels:
            cells = []
            for column in COLUMNS:
                values = [run[(label, clients)].get(column) for run in runs]
                numbers = [v for v in values if v is not None]
                digits = 0 if column == "steps > 2 ms" else 1
                cells.append(spread(numbers, digits) if numbers else "–")
            print(f"| {label} | {clients} | {' | '.join(cells)} |")
    print()
    for clients in levels:
        for ours in (SAMEN_ACKS, SAMEN, BEFORE_ACKS, BEFORE):
            if (ours, clients) not in runs[0]:
                continue
            for theirs in (BARE_PBR, BARE):
                ratios = [
                    run[(ours, clients)]["ack p99"] / run[(theirs, clients)]["ack p99"]
                    for run in runs
                ]
                print(
                    f"- ack p99, {clients} client(s): {ours} / {theirs} = {spread(ratios, 2)}"
                    f" (each run: {', '.join(f'{r:.2f}' for r in ratios)})"
                )
