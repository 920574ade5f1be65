#!/usr/bin/env bash
# The Diagonal Neural GPU's length generalisation (neural_gpu.md §5.3; docs/results.md):
# each task trained with the preset (lengths ≤ 8, seeds 1–3), then `engram eval` on 512
# fresh sequences (seed 1000) at the longest training length, 8× and 20× it. Prints one
# row per task and seed: wrong sequences of 512 at each length, and the training time.
#
#   bash scripts/diagonal-generalisation.sh [OUT_DIR]      (about 8 minutes on 2 cores)
#
# TASKS="reverse copy dup", SEEDS="1 2 3" and LENGTHS="8,64,160" override the defaults.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
cargo build --release --quiet
engram=target/release/engram
lengths="${LENGTHS:-8,64,160}"
printf '%-8s | %-4s | %-9s | %s\n' task seed train "wrong sequences of 512 at lengths $lengths"
for task in ${TASKS:-reverse copy dup}; do
  for seed in ${SEEDS:-1 2 3}; do
    checkpoint="$out/neural_gpu_diag-$task-s$seed.safetensors"
    start=$(date +%s%N)
    "$engram" train --model neural_gpu_diag --task "$task" --seed "$seed" --out "$checkpoint" > /dev/null 2>&1
    tenths=$(( ($(date +%s%N) - start) / 100000000 ))
    wrong=$("$engram" eval --checkpoint "$checkpoint" --lengths "$lengths" --sequences 512 --seed 1000 \
      --backend cpu --json 2> /dev/null |
      node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
        console.log(JSON.parse(s).lengths.map((l) =>
          `${l.length}: ${Math.round(512 * (1 - l.sequence_accuracy))}`).join(", "));
      })')
    printf '%-8s | %-4s | %5d.%d s | %s\n' "$task" "$seed" $((tenths / 10)) $((tenths % 10)) "$wrong"
  done
done
