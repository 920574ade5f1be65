#!/usr/bin/env bash
# The DNC against the DNC with the three improvements of models.md §3.1
# (--dnc-fixes), on repeat copy and associative recall, seeds 1–3: sequences until the
# held-out check (256 sequences, every 100 steps) first shows under 0.1 bit errors per
# sequence, capped at 10,000 steps (160,000 sequences), and the bit errors on another
# 256 held-out sequences at the end. Prints one table row per run.
# VARIANTS picks the rows' models: dnc, dnc-fixes (all three), or one improvement alone,
# dnc-masking, dnc-deallocation, dnc-link-sharpness (default: "dnc dnc-fixes").
#   bash scripts/dnc-fixes.sh            (after cargo build --release)
#   VARIANTS="dnc-masking dnc-deallocation dnc-link-sharpness" bash scripts/dnc-fixes.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ENGRAM=target/release/engram
STEPS=${STEPS:-10000}
printf '| task | model | seed | sequences | solved | held-out bit errors/seq |\n|---|---|---|---|---|---|\n'
for task in repeat-copy recall; do
  for variant in ${VARIANTS:-dnc dnc-fixes}; do
    flags=()
    [[ $variant != dnc ]] && flags=("--$variant")
    for seed in 1 2 3; do
      out=$("$ENGRAM" train --model dnc --task "$task" "${flags[@]}" --seed "$seed" --steps "$STEPS" \
        --stop-at-errors 0.1 --log-every 100 --backend cpu 2>&1 | grep '^done:')
      sequences=$(sed -E 's/.* ([0-9]+) sequences in .*/\1/' <<<"$out")
      errors=$(sed -E 's/.*held-out ([0-9.]+) bit errors.*/\1/' <<<"$out")
      solved=$([[ $out == *'stopped early'* ]] && echo yes || echo no)
      printf '| %s | %s | %s | %s | %s | %s |\n' "$task" "$variant" "$seed" "$sequences" "$solved" "$errors"
    done
  done
done
