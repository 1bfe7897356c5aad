#!/usr/bin/env bash
# Runs every benchmark one after another (never two at once: they share the machine's cores) and
# keeps each printed table in bench/out/. The tables in docs/PERFORMANCE.md come from this script.
#   bash bench/run_all.sh [postgresql+psycopg://postgres@127.0.0.1:5432/test]
# Each benchmark repeats its measurement three times itself (--runs 3, --repeats 3) and prints
# the median with the lowest and highest; the few that time one thing once are run three times
# here (bench/out/NAME-1.txt … NAME-3.txt). Every database a benchmark writes is one it creates:
# SQLite files under $SAMEN_BENCH_DATA, PostgreSQL databases it creates on the server of the URL
# (and drops, except the search benchmark's 1,000,000-learning cache, named samen_search_bench_*).
set -euo pipefail
cd "$(dirname "$0")/.."
PG="${1:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
PG_ADMIN="${PG%/*}/postgres"
OUT=bench/out
DATA="${SAMEN_BENCH_DATA:-/tmp/samen-bench}"
mkdir -p "$OUT" "$DATA"
py=.venv/bin/python
failed=()
# A benchmark that misses its target exits non-zero: note it and go on with the others.
# Before each one, the speed of the machine right then (bench/cpu_probe.py, into cpu.txt).
run() {
  local name=$1; shift; echo "== $name: $*"
  $py bench/cpu_probe.py "$name" | tee -a "$OUT/cpu.txt"
  if ! "$@" 2>&1 | tee "$OUT/$name.txt"; then failed+=("$name"); fi
}
thrice() {
  local name=$1; shift
  for i in 1 2 3; do run "$name-$i" "$@"; done
}

{ uname -srm; nproc; grep -m1 "model name" /proc/cpuinfo; date -u; uptime; git rev-parse --short HEAD; } \
  | tee "$OUT/machine.txt"
: > "$OUT/cpu.txt"
run startup     $py bench/startup_bench.py --runs 20
run capture     $py bench/capture_bench.py -n 2000 --repeats 3 --tasks 8,32 --database-url "$PG"
thrice seed     $py bench/seed_bench.py
run search1m    $py bench/search_bench.py --learnings 1000000 --runs 3 --queries 40 \
                    --cache-dir "$DATA/search" --database-url "$PG"
run related     $py bench/related_bench.py --database "$DATA/search/sqlite-1000000.db"
run memory      $py bench/memory_bench.py --minutes 10 --cache-dir "$DATA/search"
run digest-sqlite $py bench/digest_bench.py --runs 50 --repeats 3 --dir "$DATA"
run digest-1m     $py bench/digest_bench.py --runs 50 --repeats 3 --dir "$DATA" --sizes 1000000
run digest-pg     $py bench/digest_bench.py --runs 50 --repeats 3 --pg "$PG_ADMIN"
run notices     $py bench/notices_bench.py --followers 1000
run participation    $py bench/participation_bench.py
run participation-pg $py bench/participation_bench.py --pg "$PG"
run maatjes     $py bench/buddy_bench.py --runs 3
run maatjes-pg  $py bench/buddy_bench.py --runs 3 --database-url "$PG"
run kennisbank  $py bench/kennisbank_bench.py --learnings 10000
run kennisbank-cli $py bench/kennisbank_bench.py --learnings 10000 --cli --runs 3 --cache-dir "$DATA"
run agenda-feed $py bench/agenda_feed_bench.py --meetings 500 --runs 3
run slack       $py bench/slack_bench.py --requests 1000 --runs 3 --clients 1,20
run discord     $py bench/discord_bench.py --runs 3
run discord-pg  $py bench/discord_bench.py --runs 3 --database-url "$PG"
run scale       $py bench/scale_bench.py --database-url "$PG" --learnings 100000 --seconds 60
if ((${#failed[@]})); then
  echo "missed a target or failed: ${failed[*]}"
  exit 1
fi
