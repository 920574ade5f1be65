// The page and the native trainer from the same links, over several seeds: how many
// steps each takes to solve the task, and from which step their losses part. The two
// paths draw the same batches (from the seed and the step) and run the same kernels, but
// native builds fuse multiply-adds where wasm does not, so their losses differ in the last
// bits and, training being chaotic, their trajectories part after a while; what must
// agree is the distribution of outcomes. Printed, never asserted.
//
// Criterion, computed here the same way from both paths' per-step training logs: the
// first step at which the mean bit errors per sequence over the last WINDOW steps fall
// below THRESHOLD.
//   node scripts/page-vs-native.mjs [SEEDS] [MAX_STEPS] [HASH]
//   (defaults: 1,2,3,4,5  3000  model=ntm&task=copy; after scripts/build-page.sh and
//   cargo build --release)
import { spawnSync } from 'node:child_process';
import { startServer, launch, openPage } from '../tests/browser/harness.mjs';

const WINDOW = 100;
const THRESHOLD = 0.25;
const [seedList = '1,2,3,4,5', maxSteps = '3000', hash = 'model=ntm&task=copy'] = process.argv.slice(2);
const seeds = seedList.split(',').map(Number);
const limit = Number(maxSteps);

// The first step (1-based) whose trailing WINDOW-step mean error is under THRESHOLD.
function solvedAt(errors) {
  let sum = 0;
  for (let i = 0; i < errors.length; i++) {
    sum += errors[i];
    if (i >= WINDOW) sum -= errors[i - WINDOW];
    if (i + 1 >= WINDOW && sum / WINDOW < THRESHOLD) return i + 1;
  }
  return null;
}

// The native run's per-step bits/seq and bit errors/seq (`--log-every 1`).
function native(seed) {
  const [model, task] = ['model', 'task'].map((k) => new URLSearchParams(hash).get(k));
  const run = spawnSync('target/release/engram', ['train', '--model', model, '--task', task, '--seed', String(seed),
    '--steps', String(limit), '--log-every', '1', '--threads', '1', '--backend', 'cpu', '--out', `/tmp/page-vs-native-${seed}.safetensors`],
  { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(run.stderr);
  const bits = [];
  const errors = [];
  for (const line of run.stdout.split('\n').filter((l) => l.startsWith('step '))) {
    const columns = line.split('|').map((c) => parseFloat(c.trim()));
    bits.push(columns[2]);
    errors.push(columns[3]);
  }
  return { bits, errors };
}

// The page's per-step history, trained in chunks until the criterion holds or `limit`.
async function inPage(browser, server, seed) {
  const { page } = await openPage(browser, `${server.url}#${hash}&seed=${seed}&backend=cpu`);
  await page.waitForFunction(() => !document.getElementById('play').disabled);
  let series;
  for (let done = 0; done < limit; done += WINDOW) {
    await page.evaluate((n) => { for (let i = 0; i < n; i++) window.engram.engine.send({ type: 'step' }); }, WINDOW);
    await page.waitForFunction((n) => window.engram.steps >= n, done + WINDOW, { timeout: 600_000, polling: 200 });
    series = await page.evaluate(() => {
      const s = window.engram.history.series();
      return { bits: Array.from(s.bits), errors: Array.from(s.errors) };
    });
    if (solvedAt(series.errors) !== null) break;
  }
  await page.context().close();
  return series;
}

const server = await startServer();
const browser = await launch();
const rows = [];
for (const seed of seeds) {
  const n = native(seed);
  const p = await inPage(browser, server, seed);
  const parted = p.bits.findIndex((b, i) => Math.abs(b - n.bits[i]) > 1e-6 * Math.abs(n.bits[i]));
  rows.push({ seed, native: solvedAt(n.errors), page: solvedAt(p.errors), parted: parted < 0 ? null : parted + 1 });
}
await browser.close();
await server.close();
const show = (v) => (v === null ? `> ${limit}` : String(v));
console.log(`${hash}: steps until the mean bit errors over ${WINDOW} steps < ${THRESHOLD} (batch 16)`);
console.log('seed | native | page | losses part at step');
for (const r of rows) console.log(`${r.seed} | ${show(r.native)} | ${show(r.page)} | ${r.parted ?? 'never'}`);
const solved = (key) => rows.map((r) => r[key]).filter((v) => v !== null).sort((a, b) => a - b);
const median = (v) => (v.length ? v[Math.floor((v.length - 1) / 2)] : null);
for (const key of ['native', 'page']) {
  const v = solved(key);
  console.log(`${key}: ${v.length}/${rows.length} solved, median ${median(v) ?? '-'}, range ${v.length ? `${v[0]}–${v[v.length - 1]}` : '-'}`);
}
