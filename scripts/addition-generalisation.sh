#!/usr/bin/env bash
# The Diagonal Neural GPU on binary addition (neural_gpu.md §5.3; docs/results.md):
# trained on operands of 1–20 bits (seeds 1–3), then `engram eval` on 512 fresh
# sequences (seed 1000) at 20, 40, 80 and 160 bits (8×), on random operands and on
# long-carry ones (the carry runs through every column). Prints one row per seed: wrong
# sequences of 512 at each length, both ways, and the training time.
#
#   bash scripts/addition-generalisation.sh [OUT_DIR]   (about 45 minutes per seed on one
#                                                         core; seeds run side by side)
#
# SEEDS="1 2 3", LENGTHS="20,40,80,160" and THREADS=1 (per seed) override the defaults;
# MAPS, BATCH (per length bin) and STEPS override the preset's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
cargo build --release --quiet
engram=target/release/engram
lengths="${LENGTHS:-20,40,80,160}"
seeds="${SEEDS:-1 2 3}"

train() {
  local seed=$1 start
  start=$(date +%s)
  # The preset (m = 24, 16 sequences per length bin, 10,000 steps) unless overridden.
  "$engram" train --model neural_gpu_diag --task add --max-length 20 \
    ${MAPS:+--maps "$MAPS"} ${BATCH:+--batch "$BATCH"} ${STEPS:+--steps "$STEPS"} \
    --threads "${THREADS:-1}" --seed "$seed" \
    --log-every 500 --out "$out/add-s$seed.safetensors" > "$out/add-s$seed.log" 2>&1
  echo $(( $(date +%s) - start )) > "$out/add-s$seed.seconds"
}

# Wrong sequences of 512 at each length, for inputs $2 of checkpoint $1.
wrong() {
  "$engram" eval --checkpoint "$1" --inputs "$2" --lengths "$lengths" --sequences 512 --seed 1000 \
    --backend cpu --json 2> /dev/null |
    node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
      console.log(JSON.parse(s).lengths.map((l) =>
        `${l.length}: ${Math.round(512 * (1 - l.sequence_accuracy))}`).join(", "));
    })'
}

for seed in $seeds; do train "$seed" & done
wait
printf '%-4s | %-7s | %-34s | %s\n' seed train "random, wrong of 512 at $lengths" "long-carry"
for seed in $seeds; do
  checkpoint="$out/add-s$seed.safetensors"
  printf '%-4s | %5d s | %-34s | %s\n' "$seed" "$(cat "$out/add-s$seed.seconds")" \
    "$(wrong "$checkpoint" random)" "$(wrong "$checkpoint" long-carry)"
done
