#!/usr/bin/env bash
# Benchmarks: generate a 2,100-case, 10-guide workspace (deterministic) and time
# casebook on it. Prints medians over several runs; never part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/out}
RUNS=${RUNS:-5}
cargo build --release --quiet
python3 bench/generate.py "$OUT/ws" --cases 2100 --guides 10
BIN=target/release/casebook

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_cmd() {
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
  done | median
}

t_check=$(time_cmd "$BIN" check "$OUT/ws")
printf 'check, 2,100 cases, 10 guides: %.3f s (median of %d)\n' "$t_check" "$RUNS"
