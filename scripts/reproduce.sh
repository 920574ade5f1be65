#!/usr/bin/env bash
# Re-runs the figures docs/results.md quotes, from the commands it names, and prints them as
# one table (figure, seed, command's result). Learning figures run over seeds 1–3.
#
#   bash scripts/reproduce.sh            every figure below (about 27 minutes on 2 cores)
#   bash scripts/reproduce.sh quick      the fast ones only (speed and short runs)
#   bash scripts/reproduce.sh speed      every speed figure: the trainers' headline rates on
#                                        one thread, how they scale with batch, length, N
#                                        and threads (scripts/scaling.mjs), and the page
#                                        against native (scripts/bench-page.mjs, when dist/
#                                        is built); docs/performance.md; ~30 minutes
#   bash scripts/reproduce.sh presets    the presets' paragraph: full length against the
#                                        curriculum (every model, seeds 1–3) and the decay
#                                        table (NTM, seeds 1–4); about 50 minutes
#   bash scripts/reproduce.sh gpu        the GPU path's table (engram bench on the GPU the
#                                        machine has, lavapipe here, and on the CPU)
#   bash scripts/reproduce.sh page       the page's figures (scripts/bench-page.mjs) and the
#                                        page against native training over seeds 1–5
#                                        (scripts/page-vs-native.mjs), and the Diagonal Neural
#                                        GPU trained in the page then tested to 8×
#                                        (scripts/page-train-then-test.mjs); needs the built page
#   bash scripts/reproduce.sh generative the generative family's tables (scripts/gtmm-figures.sh,
#                                        tiny and larger sizes; about an hour)
#   bash scripts/reproduce.sh memory     when a DNC's memory runs out (scripts/memory-runs-out.sh:
#                                        the DNC at N = 8–64, its §3.1 options, an NTM and
#                                        an LSTM, seeds 1–3, and the traces; docs/results.md)
#   bash scripts/reproduce.sh diagonal   the Diagonal Neural GPU's length generalisation
#                                        (scripts/diagonal-generalisation.sh: copy, reverse
#                                        and dup, seeds 1–3; docs/results.md; ~10 minutes)
#   bash scripts/reproduce.sh addition   the Diagonal Neural GPU adding numbers 8× longer than
#                                        it trained on, random and long-carry operands
#                                        (scripts/addition-generalisation.sh, seeds 1–3;
#                                        about 90 minutes on 2 cores)
#
# Results depend on the machine only through speed: training is bit-identical for a seed
# on any number of threads (docs/spec/decisions.md, decision 6b).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
mode="${1:-all}"
if [ "$mode" = memory ]; then
  exec bash scripts/memory-runs-out.sh "$(mktemp -d)"
fi
if [ "$mode" = diagonal ]; then
  exec bash scripts/diagonal-generalisation.sh "$(mktemp -d)"
fi
if [ "$mode" = addition ]; then
  exec bash scripts/addition-generalisation.sh "$(mktemp -d)"
fi
if [ "$mode" = generative ]; then
  bash scripts/gtmm-figures.sh
  SIZES="--latent 16 --encoder-hidden 256 --decoder-hidden 256 --map-hidden 128" \
    MEMORIES="none introspective dnc" bash scripts/gtmm-figures.sh 10000 recall
  exit 0
fi
cargo build --release --quiet
engram=target/release/engram
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

row() { printf '%-44s | %-6s | %s\n' "$1" "$2" "$3"; }
# The held-out figure and timing of a `train` run's last line.
trained() { "$engram" train "$@" 2>&1 | tail -1 | sed -e 's/^done: //' -e 's/ | not saved.*//' -e 's/ | saved .*//'; }
# `eval` at the given lengths, one "length: metrics" pair per length.
evaluated() {
  "$engram" eval --checkpoint "$1" --lengths "$2" --backend cpu --json 2> /dev/null |
    node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
      const shown = (l) => l.sequence_accuracy !== undefined
        ? `${(100 * l.sequence_accuracy).toFixed(1)}% right`
        : `${l.bit_errors_per_sequence.toFixed(3)} bit errors`;
      console.log(JSON.parse(s).lengths.map((l) => `${l.length}: ${shown(l)}`).join(", "));
    })'
}
# `engram bench`'s rates, one per batch size, each with the Neural GPU models' share of
# this core's FMA peak where it prints one.
bench() {
  "$engram" bench "$@" 2>&1 | grep -E '^ *[a-z_]+ +[0-9]' | awk '{
    share = ""
    if (match($0, /\(([0-9]+)% of/)) share = " (" substr($0, RSTART + 1, RLENGTH - 5) "% of one core'"'"'s peak)"
    print $5 " seq/s" share
  }' | paste -sd' ' -
}
# From a run's 50-step log lines (means over each 50 steps): the sequences (batch 16)
# until the first mean under 1 bit error per sequence at the full length 10, and how
# often a mean climbed back above 1 after that (and the worst).
solved() {
  "$engram" train "$@" --log-every 50 --backend cpu 2>&1 | awk -F'|' '
    /^step/ {
      split($1, s, " "); split($2, l, "≤"); len = l[2] + 0; errors = $4 + 0
      if (!first) { if (len == 10 && errors < 1) first = s[2] }
      else if (errors > 1) { relapses++; if (errors > worst) worst = errors }
    }
    END { printf "%s; %d means back above 1 (worst %.1f)", first ? first * 16 " sequences" : "not under 1", relapses, worst }'
}

if [ "$mode" = speed ]; then
  row "figure" "-" "result"
  row "bench ntm, batch 1, 1 thread" "-" "$(bench --backend cpu --model ntm --batch 1 --threads 1)"
  row "bench dnc, batch 32, 1 thread" "-" "$(bench --backend cpu --model dnc --batch 32 --threads 1)"
  row "bench dnc, batch 32, 2 threads" "-" "$(bench --backend cpu --model dnc --batch 32 --threads 2)"
  for model in neural_gpu neural_gpu_dep neural_gpu_diag; do
    row "bench $model, batch 16, n = 17, 1 thread" "-" "$(bench --backend cpu --model "$model" --batch 16 --length 17 --threads 1)"
  done
  for memory in none introspective ntm lru dnc; do
    row "bench gtmm $memory, batch 16, 1 thread" "-" "$(bench --backend cpu --model gtmm --memory "$memory" --batch 16 --threads 1)"
  done
  echo
  node scripts/scaling.mjs
  echo
  if [ -f dist/index.html ]; then
    node scripts/bench-page.mjs
  else
    echo "the page against native: skipped (dist/ is not built: bash scripts/build-page.sh)"
  fi
  exit 0
fi
if [ "$mode" = presets ]; then
  row "figure" "seed" "result"
  for model in ntm dnc lstm lru; do
    for seed in 1 2 3; do
      row "$model copy, full length (the preset)" "$seed" "$(solved --model "$model" --task copy --seed "$seed")"
      row "$model copy, --curriculum" "$seed" "$(solved --model "$model" --task copy --seed "$seed" --curriculum)"
    done
  done
  for seed in 1 2 3 4; do
    "$engram" train --model ntm --task copy --seed "$seed" --print-config 2> /dev/null |
      node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
        const c = JSON.parse(s); c.decay = null; console.log(JSON.stringify(c)); })' > "$scratch/no-decay.json"
    row "ntm copy, without decay" "$seed" "$(solved --config "$scratch/no-decay.json")"
    row "ntm copy, with decay (the preset)" "$seed" "$(solved --model ntm --task copy --seed "$seed")"
  done
  exit 0
fi
if [ "$mode" = gpu ]; then
  for model in ntm dnc; do
    row "bench $model, CPU 2 threads, batch 1/16/64/256" "-" "$(bench --model "$model" --backend cpu --threads 2 --batch 1,16,64,256)"
    row "bench $model, GPU, batch 1/16/64/256" "-" "$(bench --model "$model" --backend gpu --batch 1,16,64,256)"
  done
  row "bench neural_gpu, GPU, batch 4, n = 17" "-" "$(bench --model neural_gpu --backend gpu --batch 4 --length 17)"
  row "bench neural_gpu_dep, GPU, batch 4, n = 17" "-" "$(bench --model neural_gpu_dep --backend gpu --batch 4 --length 17)"
  row "bench gtmm dnc, CPU 2 threads, batch 16/64" "-" "$(bench --model gtmm --memory dnc --backend cpu --threads 2 --batch 16,64)"
  for memory in dnc none; do
    row "bench gtmm $memory, GPU, batch 1/16/64" "-" "$(bench --model gtmm --memory "$memory" --backend gpu --batch 1,16,64)"
  done
  exit 0
fi
if [ "$mode" = page ]; then
  node scripts/bench-page.mjs
  node scripts/page-vs-native.mjs
  node scripts/page-train-then-test.mjs 20
  exit 0
fi

row "figure" "seed" "result"
row "--------------------------------------------" "------" "------"
# The training memory estimate (--print-config) against the peak resident set of three
# training steps (GNU time's %M, KB).
memory() {
  local estimate measured
  estimate=$("$engram" train "$@" --print-config 2>&1 > /dev/null | sed -n 's/^training memory: about \([0-9]*\) MB.*/\1/p')
  measured=$({ /usr/bin/time -f '%M' "$engram" train "$@" --steps 3 --log-every 3 --backend cpu > /dev/null; } 2>&1 | tail -1)
  echo "estimated $estimate MB, measured $((measured / 1000)) MB at peak"
}
row "memory: ntm N 512, W 64, copy L 40" "-" "$(memory --model ntm --task copy --memory 512 --width 64 --max-length 40)"
row "memory: dnc N 256, W 32, repeat copy L 20" "-" "$(memory --model dnc --task repeat-copy --memory 256 --width 32 --max-length 20)"
row "memory: gtmm dnc N 256, recall l 30" "-" "$(memory --model gtmm --memory dnc --slots 256 --task recall --max-length 30)"
row "bench ntm, batch 1, 1 thread" "-" "$(bench --model ntm --batch 1 --threads 1)"
row "bench dnc, batch 32, 2 threads" "-" "$(bench --model dnc --batch 32 --threads 2)"
row "bench neural_gpu, batch 16, n = 17, 1 thread" "-" "$(bench --model neural_gpu --batch 16 --length 17 --threads 1)"
row "bench neural_gpu, batch 16, n = 17, 2 threads" "-" "$(bench --model neural_gpu --batch 16 --length 17 --threads 2)"
row "bench neural_gpu_dep, batch 16, n = 17" "-" "$(bench --model neural_gpu_dep --batch 16 --length 17 --threads 1)"
for seed in 1 2 3; do
  row "ntm copy --stop-at-errors 0.1" "$seed" "$(trained --model ntm --task copy --stop-at-errors 0.1 --seed "$seed")"
  row "dnc copy --stop-at-errors 0.1" "$seed" "$(trained --model dnc --task copy --stop-at-errors 0.1 --seed "$seed")"
done
[ "$mode" = quick ] && exit 0

for seed in 1 2 3; do
  trained --model ntm --task copy --seed "$seed" --out "$scratch/ntm-$seed.safetensors" > /dev/null
  row "ntm copy 4000 steps: eval at 10, 20, 30" "$seed" "$(evaluated "$scratch/ntm-$seed.safetensors" 10,20,30)"
done
for seed in 1 2 3; do
  out="$scratch/reverse-$seed.safetensors"
  row "neural_gpu reverse 3000 steps" "$seed" "$(trained --model neural_gpu --task reverse --seed "$seed" --steps 3000 --out "$out")"
  row "  eval at 8, 16, 32" "$seed" "$(evaluated "$out" 8,16,32)"
done
for seed in 1 2 3; do
  out="$scratch/add-$seed.safetensors"
  row "neural_gpu add, stop at 1% wrong" "$seed" "$(trained --model neural_gpu --task add --seed "$seed" --steps 10000 --stop-at-errors 0.01 --out "$out")"
  row "  eval at 8, 16, 32, 64 bits" "$seed" "$(evaluated "$out" 8,16,32,64)"
done
for model in neural_gpu neural_gpu_dep; do
  for seed in 1 2 3; do
    out="$scratch/either-$model-$seed.safetensors"
    trained --model "$model" --task either --alphabet 4 --min-length 8 --max-length 8 \
      --no-curriculum --seed "$seed" --steps 3000 --out "$out" > /dev/null
    row "$model either A = 4, L = 8: eval at 8" "$seed" "$(evaluated "$out" 8)"
  done
done
