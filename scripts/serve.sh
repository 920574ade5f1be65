#!/usr/bin/env bash
# Serves the playground at http://127.0.0.1:8080, after installing whatever is missing
# (scripts/setup.sh: the wasm32 target, the locked wasm-bindgen CLI, npm's binaryen):
# builds dist/ with scripts/build-page.sh and serves it with a small static server
# (scripts/static-server.mjs, Node's standard library only).
#
#   bash scripts/serve.sh            build once, then serve dist/
#   bash scripts/serve.sh --watch    trunk serve: rebuild on every change, for working on
#                                    the page (installs trunk 0.21.14 first: ~11 minutes
#                                    on 2 cores, once; trunk runs offline, see Trunk.toml)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
if [ "${1:-}" = "--watch" ]; then
  shift
  if [ "$(trunk --version 2>/dev/null | cut -d' ' -f2)" != "0.21.14" ]; then
    cargo install trunk --version 0.21.14 --locked
  fi
  exec trunk serve --release "$@"
fi
bash scripts/build-page.sh
exec node scripts/static-server.mjs dist "${PORT:-8080}"
