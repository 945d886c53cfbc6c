#!/usr/bin/env bash
# The project's test command: installs what the tests need, then runs every
# test in release mode (unoptimised Typst is 15-20x slower, so tests run in
# release). CI runs exactly this through .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# insta must never write new snapshots in CI: a changed output fails the test.
export INSTA_UPDATE=no
cargo test --release --locked "$@"
