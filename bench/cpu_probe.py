"""How fast this machine runs Python right now: seconds for a fixed pure-Python loop.

Machines here differ by 3x and drift within an hour, so absolute figures (milliseconds, items a
second) only compare with the probe beside them. `bench/run_all.sh` runs this before every
benchmark and keeps the lines in bench/out/cpu.txt; the capture benchmark prints it too.

    python bench/cpu_probe.py [NAME]
"""

from __future__ import annotations

import os
import sys
import time

LOOP = 10_000_000


def calibrate() -> float:
    """Seconds of wall time for a loop of LOOP additions (about 0.5 s on a quiet fast core)."""
    began, total = time.perf_counter(), 0
    for i in range(LOOP):
        total += i
    return time.perf_counter() - began


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "now"
    stamp = time.strftime("%H:%M:%S", time.gmtime())
    load = os.getloadavg()[0]
    seconds = calibrate()
    print(f"{stamp} UTC before {name}: {seconds:.2f} s for {LOOP:,} additions, load {load:.2f}")


if __name__ == "__main__":
    main()
