#!/usr/bin/env bash
# Do two builds of the trainer train to the same bits? Trains every model (and the DNC
# with all three §3.1 options, the NTM at the bench size, gtmm with three memories) for
# 30 steps from seed 3 on one thread with each binary, and compares the checkpoints'
# bytes. For speed work that must not change the arithmetic (docs/spec/decisions.md 52).
#   bash scripts/same-bits.sh BEFORE AFTER      e.g. a copy of target/release/engram
#                                               from the last commit, and the new one
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BEFORE_BINARY AFTER_BINARY" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=(
  "ntm --model ntm --task copy --batch 4"
  "ntm-bench-size --model ntm --task copy --batch 2 --hidden 100 --memory-slots 128 --memory-width 20"
  "dnc --model dnc --task copy --batch 4"
  "dnc-options --model dnc --task copy --batch 4 --dnc-masking --dnc-deallocation --dnc-link-sharpness"
  "lru --model lru --task copy --batch 4"
  "lstm --model lstm --task copy --batch 4"
  "gtmm-dnc --model gtmm --batch 4"
  "gtmm-ntm --model gtmm --memory ntm --batch 4"
  "gtmm-lru --model gtmm --memory lru --batch 4"
  "neural_gpu --model neural_gpu --batch 4"
  "neural_gpu_dep --model neural_gpu_dep --batch 4"
  "neural_gpu_diag --model neural_gpu_diag --batch 4"
)
differ=0
for run in "${runs[@]}"; do
  read -r name args <<< "$run"
  for side in before after; do
    binary=$1
    [ $side = after ] && binary=$2
    # shellcheck disable=SC2086 # the arguments are words
    "$binary" train $args --steps 30 --seed 3 --threads 1 --backend cpu --out "$work/$side-$name.safetensors" > /dev/null
  done
  if cmp -s "$work/before-$name.safetensors" "$work/after-$name.safetensors"; then
    echo "same bits: $name"
  else
    echo "DIFFERENT: $name"
    differ=1
  fi
done
exit $differ
