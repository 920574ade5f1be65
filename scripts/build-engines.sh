#!/usr/bin/env bash
# Builds the page's engine modules into OUT: one wasm module per model family (Cargo
# features `memory`, `neural_gpu`, `generative`), each as `engram_<family>.js` and
# `engram_<family>_bg.wasm`, then `engines.json`, which tells the worker which module
# holds which model. The page downloads only the family its model needs
# (docs/performance.md, "The wasm's size"). Used by scripts/build-page.sh and by trunk's
# post-build hook.
#
#   scripts/build-engines.sh OUT [FAMILY...]   (all three families by default)
#
# A family whose module is already in OUT (trunk builds the memory models itself) is
# only renamed and listed, not built again: pass it as `FAMILY=FILE_STEM`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
out=$1
shift
families=("$@")
[ ${#families[@]} -gt 0 ] || families=(memory neural_gpu generative)

for family in "${families[@]}"; do
  if [[ $family == *=* ]]; then
    stem=${family#*=}
    family=${family%%=*}
    mv "$out/$stem.js" "$out/engram_$family.js"
    mv "$out/${stem}_bg.wasm" "$out/engram_${family}_bg.wasm"
    continue
  fi
  cargo build --profile web --lib --target wasm32-unknown-unknown \
    --no-default-features --features "$family"
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "engram_$family" \
    target/wasm32-unknown-unknown/web/engram.wasm
  wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/engram_${family}_bg.wasm" -o "$out/engram_${family}_bg.wasm"
done

node scripts/write-engines.mjs "$out"
for wasm in "$out"/engram_*_bg.wasm; do
  printf '%s: %s bytes, %s gzipped\n' \
    "$(basename "$wasm")" "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)"
done
