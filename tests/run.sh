#!/usr/bin/env bash
# The project's test command: runs every test, stopping at the first failure.
#   1. installs what the browser tests need (Chromium, Java, Node packages) when missing
#   2. cargo fmt --check and clippy (warnings are errors)
#   3. cargo test: Rust unit and integration tests
#   4. builds the repository's own site for https://district.example/pd/playbook/
#   5. node --test tests/browser/: Chromium + axe-core + keyboard + Nu HTML checker on that site
# Set SCREENSHOT_DIR=/some/dir to also get PNGs of every page kind at 375 and 1280 px.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n==> %s\n' "$*" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "install test tools: bash tests/browser/install.sh"
bash tests/browser/install.sh
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

step "cargo fmt --check"
cargo fmt --check
step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "cargo test"
cargo test

# The debug binary `cargo test` just built is enough for a site this size (and saves a
# release compile of several minutes).
step "playbook build --base-url https://district.example/pd/playbook/"
cargo build
"${CARGO_TARGET_DIR:-target}/debug/playbook" build --base-url https://district.example/pd/playbook/ --out "$tmp/site"

step "browser and search tests: node --test tests/browser/ tests/js/"
SITE_DIR="$tmp/site" BASE_PATH=/pd/playbook/ PLAYBOOK_BIN="${CARGO_TARGET_DIR:-target}/debug/playbook" node --test tests/browser/ tests/js/
