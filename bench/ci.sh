#!/usr/bin/env bash
# CI at scale (issue 10), never part of the tests: a generated bank of 100
# guides over 2,100 cases (bench/generate.py), then
#   plan    — `casebook plan --json --shards 10`: time, and the spread of
#             shard weights (goal: largest <= 1.15 x the mean)
#   cache   — a cold build with --cache, a rebuild with nothing changed into
#             an empty output folder (everything restored; goal: under 1 s for
#             the 100 guides), and a one-case edit: how many guides were built
#             again, and the time
# RUNS sets repetitions of the timed commands (median). bench/run.sh calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/out}
RUNS=${RUNS:-3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cargo test --release --locked --no-run --quiet
BIN=$PWD/target/release/casebook
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { # timed N CMD…: median wall seconds of N runs
  local n=$1; shift
  for _ in $(seq "$n"); do
    /usr/bin/time -f '%e' "$@" 2>&1 >/dev/null | tail -1
  done | median
}

WS=$OUT/ws-ci
rm -rf "$WS"
python3 bench/generate.py "$WS" --cases 2100 --guides 100 >/dev/null
t_plan=$(timed "$RUNS" "$BIN" plan "$WS" --json --shards 10)
"$BIN" plan "$WS" --json --shards 10 > "$OUT/plan.json"
python3 - "$OUT/plan.json" "$t_plan" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
w = [s["weight"] for s in p["shards"]]
mean = sum(w) / len(w)
print(f"plan, 100 guides over 2,100 cases, 10 shards: {float(sys.argv[2]):.2f} s")
print(f"shard weights: min {min(w)}, max {max(w)}, mean {mean:.1f}: largest / mean {max(w) / mean:.3f} (goal <= 1.15)")
PY

CACHE=$OUT/ci-cache
rm -rf "$CACHE" "$OUT/ci-cold"
/usr/bin/time -f '%e' -o "$OUT/ci-cold.time" "$BIN" build "$WS" --cache "$CACHE" --out "$OUT/ci-cold" --quiet >/dev/null 2>"$OUT/ci-cold.log"
t_cold=$(tail -1 "$OUT/ci-cold.time")
warm=()
for i in $(seq "$RUNS"); do
  rm -rf "$OUT/ci-warm"
  warm+=("$(/usr/bin/time -f '%e' "$BIN" build "$WS" --cache "$CACHE" --out "$OUT/ci-warm" --quiet 2>&1 >/dev/null | tail -1)")
done
t_warm=$(printf '%s\n' "${warm[@]}" | median)
restored=$("$BIN" build "$WS" --cache "$CACHE" --out "$OUT/ci-warm2" --quiet 2>&1 | grep -c '^restored ' || true)
cases=("$WS"/cases/*.md)
printf '\nBench edit: the court reconsidered the point.\n' >> "${cases[0]}"
rm -rf "$OUT/ci-edit"
start=$(date +%s.%N)
"$BIN" build "$WS" --cache "$CACHE" --out "$OUT/ci-edit" --quiet 2> "$OUT/ci-edit.log" >/dev/null
t_edit=$(echo "$(date +%s.%N) - $start" | bc -l)
rebuilt=$(grep -c '^built guide' "$OUT/ci-edit.log" || true)
printf 'cold build of the 100 guides with --cache: %.2f s\n' "$t_cold"
printf 'rebuild, nothing changed, cache warm: %.2f s, %s of 100 guides restored (goal: under 1 s)\n' "$t_warm" "$restored"
printf 'one-case edit with the cache: %s guides built again, %.2f s\n' "$rebuilt" "$t_edit"
