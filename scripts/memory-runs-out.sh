#!/usr/bin/env bash
# What does a DNC do when its memory runs out? Trains on copy at lengths 1–10 and tests
# at lengths 4–64 (bit errors per sequence, 256 fresh sequences per length, seed 1000):
#   - the DNC (the preset: controller 64, width 16, one read head) with N = 8, 16, 32
#     and 64 slots;
#   - at N = 16, with each of its improvements (models.md §3.1) alone and all three;
#   - beside an NTM (controller 64, 16 × 16) and an LSTM (80 units) of about its size
#     (28,624 / 28,884 / 29,768 parameters);
# each on seeds 1–3, on one thread. Then traces the N = 8 and N = 16 DNCs of seed 1 at
# L = 2N (scripts/memory-trace.mjs): which slot each input was written to, where
# allocation first reuses a slot, and what the reads do after.
#
#   bash scripts/memory-runs-out.sh [OUT]     (OUT: target/memory-runs-out; ~15 minutes)
#
# OUT keeps each run's checkpoint and evaluation (NAME-sSEED.safetensors, .json);
# OUT/table.md is the table docs/results.md quotes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
out="${1:-target/memory-runs-out}"
mkdir -p "$out"
cargo build --release --quiet
engram=target/release/engram
steps=4000
lengths=4,8,10,12,16,20,24,32,48,64

# name | flags
runs=(
  "dnc N=8|--model dnc --memory 8"
  "dnc N=16|--model dnc --memory 16"
  "dnc N=32|--model dnc --memory 32"
  "dnc N=64|--model dnc --memory 64"
  "dnc N=16 masking|--model dnc --memory 16 --dnc-masking"
  "dnc N=16 de-allocation|--model dnc --memory 16 --dnc-deallocation"
  "dnc N=16 link sharpness|--model dnc --memory 16 --dnc-link-sharpness"
  "dnc N=16 all three|--model dnc --memory 16 --dnc-fixes"
  "ntm N=16|--model ntm --memory 16 --width 16 --hidden 64"
  "lstm 80|--model lstm --hidden 80"
)
for run in "${runs[@]}"; do
  name=${run%%|*}
  flags=${run#*|}
  file=$(echo "$name" | tr ' =' '-_')
  for seed in 1 2 3; do
    stem="$out/$file-s$seed"
    if [ ! -s "$stem.json" ]; then
      # shellcheck disable=SC2086
      "$engram" train $flags --task copy --min-length 1 --max-length 10 --steps $steps --seed "$seed" \
        --threads 1 --backend cpu --out "$stem.safetensors" 2>&1 | grep '^done' | sed "s/^/$name, seed $seed: /"
      "$engram" eval --checkpoint "$stem.safetensors" --lengths $lengths --backend cpu --json > "$stem.json" 2>/dev/null
    fi
  done
done

node - "$out" "$lengths" <<'EOF' | tee "$out/table.md"
const fs = require('node:fs');
const [out, lengths] = process.argv.slice(2);
const files = fs.readdirSync(out).filter((f) => f.endsWith('.json')).sort();
const shown = lengths.split(',').map(Number);
console.log(`| run | seed | ${shown.map((l) => `L=${l}`).join(' | ')} |`);
console.log(`|---|---|${shown.map(() => '---').join('|')}|`);
for (const file of files) {
  const report = JSON.parse(fs.readFileSync(`${out}/${file}`, 'utf8'));
  const [, name, seed] = file.match(/^(.*)-s(\d+)\.json$/);
  const errors = Object.fromEntries(report.lengths.map((l) => [l.length, l.bit_errors_per_sequence]));
  console.log(`| ${name.replace(/_/g, '=').replace(/-/g, ' ')} | ${seed} | ${shown.map((l) => errors[l].toFixed(2)).join(' | ')} |`);
}
EOF

for slots in 8 16; do
  node scripts/memory-trace.mjs "$engram" "$out/dnc-N_$slots-s1.safetensors" $((2 * slots)) | tee "$out/trace-N$slots.txt"
done
