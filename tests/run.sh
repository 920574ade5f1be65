#!/usr/bin/env bash
# Every check Engram has, from a fresh machine (Debian, Rust via rustup): installs what
# is missing (see scripts/setup.sh: the wasm32 target, the locked wasm-bindgen CLI,
# npm's binaryen and playwright-core, Debian's Chromium), then formatting, lints on both
# targets, the native test suite, the page's build, and the browser tests in headless
# Chromium. Safe to run again: present tools are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's name, and when the next begins (or the run ends) how long it took.
started=$SECONDS
last=""
step() {
  [ -z "$last" ] || printf '== %s took %d s\n' "$last" $((SECONDS - step_started))
  last=$*
  step_started=$SECONDS
  printf '\n== %s\n' "$*"
}
trap 'status=$?; [ -z "$last" ] || printf "== %s took %d s\n== all steps: %d s\n" "$last" $((SECONDS - step_started)) $((SECONDS - started)); exit $status' EXIT

step "toolchain"
ENGRAM_TEST_TOOLS=1 source scripts/setup.sh

step "format"
cargo fmt --check

step "import graph"
# No circle between src/'s modules (scripts/deps.sh prints the layers).
bash scripts/deps.sh

step "lints (native)"
cargo clippy --release --all-targets -- -D warnings

step "lints (wasm32)"
cargo clippy --release --all-targets --target wasm32-unknown-unknown -- -D warnings
# The page's engine modules, one model family each (scripts/build-engines.sh).
for family in memory neural_gpu generative; do
  cargo clippy --release --lib --target wasm32-unknown-unknown --no-default-features \
    --features "$family" -- -D warnings
done

step "tests (native)"
# GPU tests are #[ignore]d (plain `cargo test` reports them as ignored); here they run,
# on lavapipe, and fail without an adapter.
cargo test --release -- --include-ignored

step "page build (wasm32)"
bash scripts/build-page.sh

step "tests (browser)"
node --test --test-concurrency=1 tests/browser/
