// Figures for the page, printed (never asserted): time to interactive on localhost,
// training throughput in the page's worker against the native trainer on one thread,
// for the same model, task and batch, and the page's throughput on WebGPU (SwiftShader
// in headless Chromium here: a software adapter, so a floor, not a GPU's figure).
// Also a side-by-side pair (compare=lstm) against the NTM alone.
//   node scripts/bench-page.mjs            (after scripts/build-page.sh)
import { execFileSync } from 'node:child_process';
import { startServer, launch, openPage, step, ENGRAM } from '../tests/browser/harness.mjs';

const MEASURE_STEPS = 400;
const GPU_STEPS = 10;
const IMAGE_STEPS = 40;
const server = await startServer();

// Sequences per second over `steps` steps after `warmup` steps, played at 8 steps a chunk.
async function pageRate(page, warmup, steps) {
  await page.fill('input[name=speed]', '8');
  await page.dispatchEvent('input[name=speed]', 'change');
  await step(page, warmup);
  const from = await page.evaluate(() => ({ steps: window.engram.steps, time: performance.now() }));
  await page.click('#play');
  await page.waitForFunction((n) => window.engram.steps >= n, from.steps + steps, { timeout: 600_000 });
  const to = await page.evaluate(() => ({ steps: window.engram.steps, time: performance.now() }));
  await page.click('#play');
  const batch = await page.evaluate(() => window.engram.state.batch_size);
  return ((to.steps - from.steps) * batch) / ((to.time - from.time) / 1000);
}

// Opens `link` and, once Play is enabled, measures pageRate, then closes the page: a page
// left open keeps its worker and its drawing, which on two cores took a third off every
// figure measured after it.
async function rateAt(browser, link, warmup, steps) {
  const { page } = await openPage(browser, server.url + link);
  await page.waitForFunction(() => !document.getElementById('play').disabled);
  const rate = await pageRate(page, warmup, steps);
  await page.close();
  return rate;
}

// The native trainer's sequences per second on one CPU thread, `steps` steps of `args`.
function nativeTrainingRate(args, steps) {
  const log = execFileSync(ENGRAM, ['train', ...args, '--threads', '1', '--backend', 'cpu', '--steps', String(steps),
    '--log-every', String(steps)], { encoding: 'utf8' });
  return Number(log.match(/\(([\d.]+) seq\/s\)/)[1]);
}

let browser = await launch();
const started = Date.now();
const { page } = await openPage(browser, server.url + '#model=ntm&task=copy&backend=cpu');
await page.waitForFunction(() => !document.getElementById('play').disabled);
const interactiveMs = Date.now() - started;
const navigation = await page.evaluate(() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd);
const cpuRate = await pageRate(page, 40, MEASURE_STEPS);
await page.close();
// Side by side (compare=lstm): the NTM and an LSTM in lockstep, each in its own worker;
// the rate is per model (both train the same number of sequences).
const pairRun = await openPage(browser, server.url + '#model=ntm&task=copy&backend=cpu&compare=lstm');
await pairRun.page.waitForFunction(() => !document.getElementById('play').disabled && window.engram.partner?.readyCount);
const pairRate = await pageRate(pairRun.page, 40, MEASURE_STEPS);
await pairRun.page.close();
// The Neural GPU at the spec's tiny size (m = 24, h = 4) on reverse, n = 17 columns.
const imageRate = await rateAt(browser, '#model=neural_gpu&task=reverse&min_length=17&max_length=17&backend=cpu', 4,
  IMAGE_STEPS);
// The Diagonal Neural GPU at its preset (m = 24, one row) on reverse, lengths ≤ 8.
const diagonalRate = await rateAt(browser, '#model=neural_gpu_diag&task=reverse&backend=cpu', 40, MEASURE_STEPS);
// A generative model at the spec's tiny defaults: the DNC memory on recall (15 frames).
const generativeRate = await rateAt(browser, '#model=gtmm&task=recall&memory=dnc&backend=cpu', 20, MEASURE_STEPS);
await browser.close();

browser = await launch([], { webgpu: true });
const gpu = await openPage(browser, server.url + '#model=ntm&task=copy&backend=gpu');
await gpu.page.waitForFunction(() => !document.getElementById('play').disabled, null, { timeout: 120_000 });
const adapter = await gpu.page.textContent('#backend');
const gpuRate = await pageRate(gpu.page, 2, GPU_STEPS);
await browser.close();
await server.close();

const nativeRate = nativeTrainingRate(['--model', 'ntm', '--task', 'copy'], MEASURE_STEPS + 40);
const imageNativeRate = nativeTrainingRate(['--model', 'neural_gpu', '--task', 'reverse', '--min-length', '17', '--max-length', '17',
  '--no-curriculum'], IMAGE_STEPS + 4);
const diagonalNativeRate = nativeTrainingRate(['--model', 'neural_gpu_diag', '--task', 'reverse'], MEASURE_STEPS + 40);
const generativeNativeRate = nativeTrainingRate(['--model', 'gtmm', '--memory', 'dnc', '--task', 'recall'], MEASURE_STEPS + 20);

console.log(`time to interactive (page load → Play enabled): ${interactiveMs} ms (DOMContentLoaded ${navigation.toFixed(0)} ms)`);
console.log(`NTM copy training, batch 16: page ${cpuRate.toFixed(0)} seq/s, native 1 thread ${nativeRate.toFixed(0)} seq/s, ratio ${(cpuRate / nativeRate).toFixed(2)}`);
console.log(`NTM copy beside an LSTM (compare=lstm, lockstep), batch 16: ${pairRate.toFixed(0)} seq/s per model, against ${cpuRate.toFixed(0)} alone (${(pairRate / cpuRate).toFixed(2)}×)`);
console.log(`Neural GPU reverse n = 17, batch 16: page ${imageRate.toFixed(1)} seq/s, native 1 thread ${imageNativeRate.toFixed(1)} seq/s, ratio ${(imageRate / imageNativeRate).toFixed(2)}`);
console.log(`Diagonal Neural GPU reverse, lengths ≤ 8 (its preset): page ${diagonalRate.toFixed(0)} seq/s, native 1 thread ${diagonalNativeRate.toFixed(0)} seq/s, ratio ${(diagonalRate / diagonalNativeRate).toFixed(2)}`);
console.log(`gtmm (DNC memory) recall, batch 16: page ${generativeRate.toFixed(0)} seq/s, native 1 thread ${generativeNativeRate.toFixed(0)} seq/s, ratio ${(generativeRate / generativeNativeRate).toFixed(2)}`);
console.log(`the same on WebGPU (${adapter}): ${gpuRate.toFixed(1)} seq/s`);
