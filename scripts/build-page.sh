#!/usr/bin/env bash
# Builds the page into dist/ without trunk (what `trunk build --release` makes, for CI
# and the tests): the engine as wasm, its JS glue, wasm-opt, and the static files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

cargo build --profile web --lib --target wasm32-unknown-unknown
rm -rf dist
mkdir -p dist
wasm-bindgen --target web --no-typescript --out-dir dist --out-name engram \
  target/wasm32-unknown-unknown/web/engram.wasm
wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  dist/engram_bg.wasm -o dist/engram_bg.wasm
cp index.html dist/
cp -r www dist/
printf 'page built in dist/: wasm %s bytes, %s gzipped\n' \
  "$(stat -c %s dist/engram_bg.wasm)" "$(gzip -9 -c dist/engram_bg.wasm | wc -c)"
