#!/usr/bin/env bash
# Builds the page into dist/ without trunk (what `trunk build --release` makes, for CI
# and the tests): the engine's modules, one per model family, with their JS glue and
# engines.json (scripts/build-engines.sh), and the static files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rm -rf dist
mkdir -p dist
# The static files first: engines.json states their download size.
cp index.html dist/
cp -r www dist/
bash scripts/build-engines.sh dist
