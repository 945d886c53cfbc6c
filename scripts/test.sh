#!/usr/bin/env bash
# The project's test command (what CI runs through .ci/run). It installs what
# the tests need, then runs every test in release mode (unoptimised Typst is
# 15-20x slower). A test whose tool is missing fails; nothing is skipped.
#
#   poppler-utils, qpdf   Debian packages: PDF checks (pdfinfo, pdftotext, qpdf --check)
#   EPUBCheck, Ace        scripts/validators.sh (pinned; Java and Chromium from Debian)
#   chromedriver          scripts/validators.sh (Debian's chromium-driver: the preview's browser test)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "test.sh: installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -f scripts/validators.sh ]; then
    bash scripts/validators.sh
fi

# insta must never write new snapshots here: a changed output fails its test.
export INSTA_UPDATE=no
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --release --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run: the sum over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
