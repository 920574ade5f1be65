#!/usr/bin/env bash
# Serves the playground at http://127.0.0.1:8080 with trunk (rebuilding on changes),
# after installing whatever is missing: the wasm32 target, the locked wasm-bindgen CLI,
# npm's binaryen (wasm-opt) and trunk 0.21.14. trunk runs offline (Trunk.toml).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
if [ "$(trunk --version 2>/dev/null | cut -d' ' -f2)" != "0.21.14" ]; then
  # ~11 minutes on 2 cores, once.
  cargo install trunk --version 0.21.14 --locked
fi
exec trunk serve --release "$@"
