#!/usr/bin/env bash
# Every check Engram has, from a fresh machine (Debian, Rust via rustup): installs what
# is missing (the wasm32 target), then formatting, lints on both targets, the wasm32
# build, and the whole test suite. Safe to run again: present tools are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

step "format"
cargo fmt --check

step "lints (native)"
cargo clippy --release --all-targets -- -D warnings

step "lints (wasm32)"
cargo clippy --release --all-targets --target wasm32-unknown-unknown -- -D warnings

step "library build (wasm32)"
cargo build --release --lib --target wasm32-unknown-unknown

step "tests"
cargo test --release
