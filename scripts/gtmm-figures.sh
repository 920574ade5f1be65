#!/usr/bin/env bash
# The generative models' learning table (docs/results.md, "What the generative models
# learn"): every
# memory on recall and one-shot recall (and none, introspective and DNC on parity and
# index), seeds 1–3, trained from the preset, then evaluated with `engram eval` on 256
# fresh sequences (evaluation seed 1000, which no training batch uses; one-shot on
# held-out classes).
#
#   bash scripts/gtmm-figures.sh [STEPS] [TASK...]     (defaults: 10000; recall oneshot parity index)
#
# SIZES adds flags to every `train` (e.g. SIZES="--latent 16 --encoder-hidden 256
# --decoder-hidden 256 --map-hidden 128" for the larger model of docs/results.md), MEMORIES
# replaces the memories (e.g. MEMORIES="none dnc").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
steps="${1:-10000}"
shift || true
tasks=("$@")
[ ${#tasks[@]} -eq 0 ] && tasks=(recall oneshot parity index)
cargo build --release --quiet
engram=target/release/engram
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

printf '| task | memory | seed | recall −ELBO (bits/frame) | recall KL | recall pixel errors | other frames (bits/frame) | train time |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for task in "${tasks[@]}"; do
  case "$task" in
    recall | oneshot) memories=(none introspective ntm lru dnc) ;;
    *) memories=(none introspective dnc) ;;
  esac
  if [ -n "${MEMORIES:-}" ]; then read -r -a memories <<< "$MEMORIES"; fi
  for memory in "${memories[@]}"; do
    for seed in 1 2 3; do
      out="$scratch/$task-$memory-$seed.safetensors"
      start=$(date +%s)
      "$engram" train --model gtmm --memory "$memory" --task "$task" --steps "$steps" \
        --seed "$seed" --backend cpu --log-every "$steps" ${SIZES:-} --out "$out" > /dev/null 2>&1
      took=$(( $(date +%s) - start ))
      "$engram" eval --checkpoint "$out" --sequences 256 --seed 1000 --backend cpu --json 2> /dev/null |
        node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
          const l = JSON.parse(s).lengths.find((l) => !l.beyond_training);
          const f = (v) => v.toFixed(2);
          console.log(`| ${process.argv[1]} | ${process.argv[2]} | ${process.argv[3]} | ${f(l.recall_bits_per_frame)} | ${f(l.recall_kl_bits_per_frame)} | ${f(l.recall_pixel_errors)} | ${f(l.other_bits_per_frame)} | ${process.argv[4]} s |`);
        })' "$task" "$memory" "$seed" "$took"
    done
  done
done
