#!/usr/bin/env bash
# Installs what Engram's page and tests need, skipping whatever is already present:
# the wasm32 target, clippy and rustfmt, wasm-bindgen-cli at the version Cargo.lock
# pins, npm's binaryen (wasm-opt) and playwright-core, and for the tests Debian's
# Chromium and Mesa's lavapipe.
# Sourced by the serve and test commands; only package registries are contacted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# The CLI must equal the wasm-bindgen crate in Cargo.lock exactly. No --locked: the
# CLI's own lock file pins a crate version the registry no longer serves. Only the
# `wasm-bindgen` binary, without the test runner's TLS (its default feature) and at
# opt-level 1: 2 min 25 s to build here against 3 min 16 s for the default install, and
# the same output, as fast (0.22 s a module).
bindgen_version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$bindgen_version" ]; then
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install wasm-bindgen-cli --version "$bindgen_version" \
    --no-default-features --bin wasm-bindgen
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi

# For the tests: Chromium (browser tests, its WebGPU runs on SwiftShader) and lavapipe
# (Mesa's software Vulkan, so the native GPU tests have an adapter on any machine).
if [ "${ENGRAM_TEST_TOOLS:-0}" = 1 ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ls /usr/share/vulkan/icd.d/lvp_icd.*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_if_needed=""
    [ "$(id -u)" = 0 ] || sudo_if_needed="sudo"
    $sudo_if_needed apt-get update -qq
    $sudo_if_needed apt-get install -y -qq "${missing[@]}"
  fi
fi
