// How each model's training speed scales: `engram bench` (forward and backward on the
// CPU, the fastest of 5 rounds) against batch, sequence length and memory size N, on 1
// and 2 threads, printed as Markdown tables (docs/performance.md, "How speed scales").
//
//   node scripts/scaling.mjs [--seconds S] [--models ntm,dnc,...] [--json FILE]
//
// One axis moves at a time; the others stay at `engram bench`'s sizes (docs/cli.md):
//   batch  1, 4, 16, 64, 256   at the bench length;
//   length 10, 20, 40, 80      at batch 16 (copy L: 2L + 1 steps; reverse: n columns;
//                              recall: L items, L + 5 frames);
//   N      16 … 1,024 slots    at batch 4 (the models with a memory of slots).
// Needs target/release/engram (`cargo build --release`). About 22 minutes on 2 cores, a
// quarter of it the dependent-output model at n = 80 (under 1 sequence/s on one thread).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENGRAM = path.join(ROOT, 'target/release/engram');

const BATCHES = [1, 4, 16, 64, 256];
const LENGTHS = [10, 20, 40, 80];
const SLOTS = [16, 32, 64, 128, 256, 512, 1024];
const THREADS = [1, 2];
const ALL_MODELS = ['lstm', 'ntm', 'dnc', 'lru', 'neural_gpu', 'neural_gpu_dep', 'neural_gpu_diag', 'gtmm'];
// The models whose memory has N slots (gtmm's latents live in its preset's DNC memory).
const SLOTTED = new Set(['ntm', 'dnc', 'lru', 'gtmm']);

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const seconds = option('seconds', '1.5');
const models = option('models', ALL_MODELS.join(',')).split(',');
const jsonOut = option('json', null);

if (!existsSync(ENGRAM)) {
  console.error(`${ENGRAM} is missing: run cargo build --release first`);
  process.exit(1);
}

// Sequences per second by batch size, for one bench run.
function bench(model, threads, extra) {
  const args = ['bench', '--model', model, '--threads', String(threads), '--seconds', seconds, '--backend', 'cpu', '--json', ...extra];
  process.stderr.write(`engram ${args.join(' ')}\n`);
  try {
    const rows = JSON.parse(execFileSync(ENGRAM, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    return Object.fromEntries(rows.map((r) => [r.batch, r.sequences_per_second]));
  } catch (error) {
    // A size the engine refuses (over its RAM budget, say) is a gap in the table.
    process.stderr.write(`  refused: ${String(error.stderr ?? error).trim().split('\n').pop()}\n`);
    return {};
  }
}

const results = { seconds: Number(seconds), batch: {}, length: {}, slots: {} };
for (const model of models) {
  for (const threads of THREADS) {
    const key = `${model}/${threads}`;
    results.batch[key] = bench(model, threads, ['--batch', BATCHES.join(',')]);
    results.length[key] = Object.fromEntries(LENGTHS.map((l) => [l, bench(model, threads, ['--batch', '16', '--length', String(l)])[16]]));
    if (SLOTTED.has(model)) {
      results.slots[key] = Object.fromEntries(SLOTS.map((n) => [n, bench(model, threads, ['--batch', '4', '--slots', String(n)])[4]]));
    }
    // Written as it goes, so that a run cut short keeps what it measured.
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
  }
}

const shown = (rate) => (rate === undefined ? '—' : rate >= 100 ? Math.round(rate).toLocaleString('en') : rate.toPrecision(3));
function table(title, values, rows) {
  const lines = [`${title}`, '', `| model | threads | ${values.join(' | ')} |`, `|---|---|${values.map(() => '---:').join('|')}|`];
  for (const [key, byValue] of Object.entries(rows)) {
    const [model, threads] = key.split('/');
    lines.push(`| ${model} | ${threads} | ${values.map((v) => shown(byValue[v])).join(' | ')} |`);
  }
  return lines.join('\n');
}

console.log(`Sequences per second, forward and backward on the CPU (engram bench, the fastest of 5 rounds in ${seconds} s).\n`);
console.log(table('By batch size (the bench length):', BATCHES, results.batch));
console.log();
console.log(table('By length L, batch 16:', LENGTHS, results.length));
console.log();
console.log(table('By memory slots N, batch 4:', SLOTS, results.slots));
