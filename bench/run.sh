#!/usr/bin/env bash
# Benchmarks (never part of the tests). Generates deterministic workspaces with
# bench/generate.py, then prints times, peak memory and ratios, each line
# naming its goal (issue 8):
#   check   — 2,100 cases in 10 guides: absolute time (well under 1 s)
#   scaling — one guide of 210, 2,100 and 8,400 cases (20 chapters), PDF:
#             time per page and peak RSS (time per page within ±25 % of
#             their mean; peak RSS ≤ 1.2 GB at 2,100 cases, ≤ 4 GB at 8,400)
#   PDF     — the 2,100-case guide: casebook build --format pdf against the
#             PyPI `typst` package compiling the same generated Typst (≤ 1.05)
#             and against Typst on Pandoc's plain Typst output of the same
#             bank's Markdown (≤ 1.5)
#   watch   — the 2,100-case guide: cold build of both editions, then in
#             `casebook watch` a one-case edit (goal ≤ 0.25 of cold), a
#             whitespace-only edit and a no-change touch
#   -j      — 10 guides of 210 cases: -j 2 against -j 1 (goal ≥ 1.5), peak RSS
#   EPUB    — the same guide: casebook build --format epub against Pandoc 3
#             (PyPI pypandoc-binary) converting the same Markdown to EPUB
# Baselines are installed into bench/.venv (PyPI only). RUNS sets repetitions
# of the timed commands (median); the scaling runs are single (SCALE_RUNS).
# SCALE lists the case counts of the scaling runs (default "210 2100 8400").
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/out}
RUNS=${RUNS:-3}
SCALE_RUNS=${SCALE_RUNS:-1}
SCALE=${SCALE:-210 2100 8400}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# Builds target/release/casebook with the features the tests use (no full
# Typst rebuild, unlike a plain `cargo build --release`).
cargo test --release --locked --no-run --quiet
BIN=$PWD/target/release/casebook

if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
fi
bench/.venv/bin/pip install --quiet "typst==0.15.2" "pypandoc-binary==1.15"
PY=$PWD/bench/.venv/bin/python
PANDOC=$("$PY" -c "import pypandoc; print(pypandoc.get_pandoc_path())")
FONTS=$PWD/fonts

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# run N CMD…: runs CMD N times; prints "<median wall s> <peak RSS MB of the last run>".
run() {
  local n=$1; shift
  local f; f=$(mktemp)
  for _ in $(seq "$n"); do
    /usr/bin/time -f '%e %M' -o "$f" "$@" >/dev/null 2>&1
    cat "$f"
  done | awk '{print $1, $2}' > "$f.all"
  local t m
  t=$(awk '{print $1}' "$f.all" | median)
  m=$(tail -1 "$f.all" | awk '{printf "%.0f", $2 / 1024}')
  rm -f "$f" "$f.all"
  echo "$t $m"
}
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ {print $2}'; }
ratio() { echo "$1 / $2" | bc -l; }
# typst (PyPI) on a main file: compile and export to PDF. Arguments: MAIN ROOT OUT.pdf FONTS.
TYPST_PY='import typst, sys; typst.compile(sys.argv[1], output=sys.argv[3], root=sys.argv[2], font_paths=[sys.argv[4]], ignore_system_fonts=True)'
# The Markdown Pandoc reads: the chapters, then the case summaries (front matter stripped).
markdown_of() { # WS OUT.md
  for f in "$1"/guide-00/chapter-*.md "$1"/cases/*.md; do
    awk 'BEGIN{fm=0} NR==1 && $0=="+++" {fm=1; next} fm && $0=="+++" {fm=0; next} !fm' "$f"
    echo
  done > "$2"
}

python3 bench/generate.py "$OUT/ws10" --cases 2100 --guides 10 >/dev/null
read -r t_check _ < <(run "$RUNS" "$BIN" check "$OUT/ws10")
printf 'check, 2,100 cases in 10 guides: %.3f s (goal: well under 1 s)\n' "$t_check"

# Scaling: one guide, 20 chapters, 210 / 2,100 / 8,400 cases.
declare -A TPP RSS SECS PAGES
for n in $SCALE; do
  python3 bench/generate.py "$OUT/ws-$n" --cases "$n" --guides 1 --chapters 20 >/dev/null
  read -r t m < <(run "$SCALE_RUNS" "$BIN" build "$OUT/ws-$n" --format pdf --out "$OUT/dist-$n")
  p=$(pages "$OUT/dist-$n/guide-00.pdf")
  SECS[$n]=$t; RSS[$n]=$m; PAGES[$n]=$p
  TPP[$n]=$(echo "1000 * $t / $p" | bc -l)
  printf 'PDF, one guide of %5s cases (%4s pages): %6.2f s, %5.2f ms per page, peak RSS %5s MB\n' "$n" "$p" "$t" "${TPP[$n]}" "$m"
done
mean=$(for n in $SCALE; do echo "${TPP[$n]}"; done | awk '{s+=$1} END {print s/NR}')
for n in $SCALE; do
  printf 'time per page at %5s cases: %+.0f %% of the mean (goal: within ±25 %%)\n' "$n" "$(echo "100 * (${TPP[$n]} / $mean - 1)" | bc -l)"
done
[ -n "${RSS[2100]:-}" ] && printf 'peak RSS at 2,100 cases: %s MB (goal: ≤ 1,200 MB)\n' "${RSS[2100]}"
[ -n "${RSS[8400]:-}" ] && printf 'peak RSS at 8,400 cases: %s MB (goal: ≤ 4,000 MB)\n' "${RSS[8400]}"

# PDF, the 2,100-case guide: casebook end to end against Typst alone on the
# very same generated Typst, and against Typst on Pandoc's plain Typst.
WS=$OUT/ws-2100
[ -d "$WS" ] || python3 bench/generate.py "$WS" --cases 2100 --guides 1 --chapters 20 >/dev/null
rm -rf "$OUT/typst"
CASEBOOK_DUMP_TYPST="$OUT/typst" "$BIN" build "$WS" --format pdf --out "$OUT/dist" >/dev/null 2>&1
read -r t_pdf m_pdf < <(run "$RUNS" "$BIN" build "$WS" --format pdf --out "$OUT/dist")
read -r t_typst m_typst < <(run "$RUNS" "$PY" -c "$TYPST_PY" "$OUT/typst/guide-00/__casebook__/main.typ" "$OUT/typst/guide-00" "$OUT/typst.pdf" "$FONTS")
p=$(pages "$OUT/dist/guide-00.pdf")
printf 'PDF, 2,100 cases (%s pages): casebook %.2f s (%s MB), Typst alone on the same markup %.2f s (%s MB): ratio %.2f (goal: ≤ 1.05)\n' \
  "$p" "$t_pdf" "$m_pdf" "$t_typst" "$m_typst" "$(ratio "$t_pdf" "$t_typst")"

mkdir -p "$OUT/md"
markdown_of "$WS" "$OUT/md/all.md"
# Pandoc's Typst: citations left as text (the bank's keys are not a bibliography), A4, the same serif.
"$PANDOC" "$OUT/md/all.md" -f markdown-citations -s -t typst -o "$OUT/md/all.typ" \
  --metadata title=Bench -V mainfont="Libertinus Serif" -V papersize=a4 2>/dev/null
read -r t_ptypst m_ptypst < <(run "$RUNS" "$PY" -c "$TYPST_PY" "$OUT/md/all.typ" "$OUT/md" "$OUT/pandoc-typst.pdf" "$FONTS")
pp=$(pages "$OUT/pandoc-typst.pdf")
printf 'PDF, 2,100 cases: casebook %.2f s (%s pages), Typst on Pandoc'"'"'s plain Typst %.2f s (%s pages, %s MB): ratio %.2f (goal: ≤ 1.5)\n' \
  "$t_pdf" "$p" "$t_ptypst" "$pp" "$m_ptypst" "$(ratio "$t_pdf" "$t_ptypst")"

# EPUB: casebook against Pandoc on the same Markdown.
read -r t_epub _ < <(run "$RUNS" "$BIN" build "$WS" --format epub --out "$OUT/dist")
read -r t_pandoc _ < <(run "$RUNS" "$PANDOC" "$OUT/md/all.md" -f markdown-citations -o "$OUT/pandoc.epub" --metadata title=Bench)
printf 'EPUB, 2,100 cases: casebook %.3f s, Pandoc %.2f s: ratio %.3f, casebook %.0fx faster (goal: faster than Pandoc)\n' \
  "$t_epub" "$t_pandoc" "$(ratio "$t_epub" "$t_pandoc")" "$(ratio "$t_pandoc" "$t_epub")"
# --- Incremental and parallel builds (issue 8) -------------------------------
# Cold build of both editions of the 2,100-case guide, then `casebook watch`
# on the same workspace: a one-case edit, a whitespace-only edit (outputs
# unchanged) and a touch (no content change), each timed by watch itself
# (from the change to both editions written), as the median of RUNS edits.
WS1="$OUT/ws-2100"
read -r t_cold m_cold < <(run "$RUNS" "$BIN" build "$WS1" --out "$OUT/cold" --quiet)
rm -rf "$OUT/watch-out"; : > "$OUT/watch.log"
"$BIN" watch "$WS1" --out "$OUT/watch-out" --quiet 2> "$OUT/watch.log" &
WATCH_PID=$!
trap 'kill -INT $WATCH_PID 2>/dev/null || true' EXIT
wait_rounds() { # waits until the log holds $1 summary lines
  for _ in $(seq 1200); do
    [ "$(grep -cE '^(rebuilt|nothing to rebuild)' "$OUT/watch.log")" -ge "$1" ] && return 0
    sleep 0.1
  done
  echo "watch did not finish round $1:" >&2; cat "$OUT/watch.log" >&2; exit 1
}
last_seconds() { grep -E '^(rebuilt|nothing to rebuild)' "$OUT/watch.log" | tail -1 | awk '{for (i = 1; i < NF; i++) if ($i ~ /^[0-9]+\.[0-9]+$/ && $(i+1) ~ /^s[;)]*$/) {print $i; exit}}'; }
wait_rounds 1
rounds=1
cases=("$WS1"/cases/*.md); CASE=${cases[0]}
edit_times=(); ws_times=(); touch_times=()
for i in $(seq "$RUNS"); do
  sleep 0.5
  printf '\nBench edit %s: the court reconsidered the point.\n' "$i" >> "$CASE"
  rounds=$((rounds + 1)); wait_rounds $rounds; edit_times+=("$(last_seconds)")
  sleep 0.5
  printf '\n' >> "$CASE"
  rounds=$((rounds + 1)); wait_rounds $rounds; ws_times+=("$(last_seconds)")
  sleep 0.5
  touch "$CASE"
  rounds=$((rounds + 1)); wait_rounds $rounds; touch_times+=("$(last_seconds)")
done
kill -INT $WATCH_PID; wait $WATCH_PID 2>/dev/null || true
trap - EXIT
t_edit=$(printf '%s\n' "${edit_times[@]}" | median)
t_ws=$(printf '%s\n' "${ws_times[@]}" | median)
t_touch=$(printf '%s\n' "${touch_times[@]}" | median)
printf 'cold build, both editions, 2,100-case guide:    %6.2f s\n' "$t_cold"
printf 'watch, one-case edit, both editions again:      %6.2f s  ratio to cold %.3f (goal <= 0.25)\n' "$t_edit" "$(echo "$t_edit / $t_cold" | bc -l)"
printf 'watch, whitespace edit (outputs unchanged):     %6.2f s  ratio to cold %.3f\n' "$t_ws" "$(echo "$t_ws / $t_cold" | bc -l)"
printf 'watch, touch with no change (nothing rebuilt):  %6.2f s  ratio to cold %.3f\n' "$t_touch" "$(echo "$t_touch / $t_cold" | bc -l)"

# Ten guides of 210 cases: -j 2 against -j 1 (time and peak memory).
WS10="$OUT/ws10"
read -r t_j1 _ < <(run "$RUNS" "$BIN" build "$WS10" --out "$OUT/j1" -j 1 --quiet)
read -r t_j2 _ < <(run "$RUNS" "$BIN" build "$WS10" --out "$OUT/j2" -j 2 --quiet)
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
m_j1=$(rss "$BIN" build "$WS10" --out "$OUT/j1" -j 1 --quiet)
m_j2=$(rss "$BIN" build "$WS10" --out "$OUT/j2" -j 2 --quiet)
m_one=$(rss "$BIN" build "$WS10" --out "$OUT/j1" --guide guide-00 --quiet)
printf '10 guides: -j 1 %.2f s, -j 2 %.2f s: speed-up %.2f (goal >= 1.5)\n' "$t_j1" "$t_j2" "$(echo "$t_j1 / $t_j2" | bc -l)"
printf '10 guides, peak RSS: -j 1 %d MB, -j 2 %d MB; one guide alone %d MB: ratios %.2f, %.2f (goal <= 1.2)\n' \
  $((m_j1 / 1024)) $((m_j2 / 1024)) $((m_one / 1024)) "$(echo "$m_j1 / $m_one" | bc -l)" "$(echo "$m_j2 / $m_one" | bc -l)"

# CI at scale: plan, shards and the cache (issue 10).
BENCH_OUT="$OUT" RUNS="$RUNS" bash bench/ci.sh
