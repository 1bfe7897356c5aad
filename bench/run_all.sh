#!/usr/bin/env bash
# Runs every benchmark one after another (never two at once: they share 2 cores) and keeps each
# table in bench/out/. The tables in docs/PERFORMANCE.md come from this script.
#   bash bench/run_all.sh [postgresql+psycopg://postgres@127.0.0.1:5432/test]
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
run() {
  local name=$1; shift; echo "== $name: $*"
  if ! "$@" 2>&1 | tee "$OUT/$name.txt"; then failed+=("$name"); fi
}

{ uname -srm; nproc; grep -m1 "model name" /proc/cpuinfo; date -u; } | tee "$OUT/machine.txt"
run startup  $py bench/startup_bench.py --runs 20
run capture  $py bench/capture_bench.py -n 3000 --database-url "$PG"
run discord-pg $py bench/discord_bench.py --database-url "$PG"
run seed     $py bench/seed_bench.py
run search10k $py bench/search_bench.py --learnings 10000 --db "$DATA/search-10k.db"
run search1m  $py bench/search_bench.py --learnings 1000000 --db "$DATA/search-1m.db"
run digest-sqlite $py bench/digest_bench.py --runs 50 --dir "$DATA"
run digest-pg     $py bench/digest_bench.py --runs 50 --pg "$PG_ADMIN"
run notices  $py bench/notices_bench.py --followers 1000
run kennisbank $py bench/kennisbank_bench.py --learnings 10000
run slack    $py bench/slack_bench.py --requests 1000
run discord  $py bench/discord_bench.py
run scale    $py bench/scale_bench.py --database-url "$PG" --learnings 100000 --seconds 60
if ((${#failed[@]})); then
  echo "missed a target or failed: ${failed[*]}"
  exit 1
fi
