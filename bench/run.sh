#!/usr/bin/env bash
# Benchmarks (never part of the tests). Generates deterministic workspaces with
# bench/generate.py, then prints times and ratios against the baselines the
# issues name:
#   check  — 2,100 cases in 10 guides: absolute time (target: well under 1 s)
#   PDF    — one 2,100-case guide: casebook build --format pdf vs the PyPI
#            `typst` package compiling and exporting the same generated Typst
#   EPUB   — the same guide: casebook build --format epub vs Pandoc 3
#            (PyPI pypandoc-binary) converting the same Markdown to EPUB
# Baselines are installed into bench/.venv (PyPI only). RUNS sets repetitions.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/out}
RUNS=${RUNS:-3}
mkdir -p "$OUT"
cargo build --release --quiet
BIN=$PWD/target/release/casebook

if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
fi
bench/.venv/bin/pip install --quiet "typst==0.15.2" "pypandoc-binary==1.15"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # prints the median wall time of a command, in seconds
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
  done | median
}

python3 bench/generate.py "$OUT/ws10" --cases 2100 --guides 10
python3 bench/generate.py "$OUT/ws1" --cases 2100 --guides 1 --chapters 20

t_check=$(timeit "$BIN" check "$OUT/ws10")
printf 'check, 2,100 cases in 10 guides:        %6.3f s\n' "$t_check"

# PDF: casebook end to end vs typst (PyPI) on the very same generated Typst.
rm -rf "$OUT/typst"
CASEBOOK_DUMP_TYPST="$OUT/typst" "$BIN" build "$OUT/ws1" --format pdf --out "$OUT/dist" >/dev/null 2>&1
t_pdf=$(timeit "$BIN" build "$OUT/ws1" --format pdf --out "$OUT/dist")
t_typst=$(timeit bench/.venv/bin/python -c "
import typst
typst.compile('$OUT/typst/guide-00/__casebook__/main.typ', output='$OUT/typst.pdf', root='$OUT/typst/guide-00', font_paths=['fonts'], ignore_system_fonts=True)")
pages=$(pdfinfo "$OUT/dist/guide-00.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
printf 'PDF, one 2,100-case guide (%s pages): casebook %.2f s, typst (PyPI) %.2f s, ratio %.2f\n' "$pages" "$t_pdf" "$t_typst" "$(echo "$t_pdf / $t_typst" | bc -l)"

# EPUB: casebook vs Pandoc on the chapters' Markdown (front matter stripped).
if "$BIN" build --help | grep -q epub; then
  t_epub=$(timeit "$BIN" build "$OUT/ws1" --format epub --out "$OUT/dist")
  rm -rf "$OUT/md" && mkdir -p "$OUT/md"
  for f in "$OUT"/ws1/guide-00/chapter-*.md "$OUT"/ws1/cases/*.md; do
    awk 'BEGIN{fm=0} NR==1 && $0=="+++" {fm=1; next} fm && $0=="+++" {fm=0; next} !fm' "$f"
    echo
  done > "$OUT/md/all.md"
  PANDOC=$(bench/.venv/bin/python -c "import pypandoc; print(pypandoc.get_pandoc_path())")
  t_pandoc=$(timeit "$PANDOC" "$OUT/md/all.md" -o "$OUT/pandoc.epub" --metadata title=Bench)
  printf 'EPUB, the same guide: casebook %.3f s, pandoc %.2f s: casebook is %.0fx faster; EPUB/PDF time %.3f\n' \
    "$t_epub" "$t_pandoc" "$(echo "$t_pandoc / $t_epub" | bc -l)" "$(echo "$t_epub / $t_pdf" | bc -l)"
fi
