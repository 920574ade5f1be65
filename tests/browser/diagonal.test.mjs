// The Diagonal Neural GPU (neural_gpu.md §5.3) in the page: it trains on reverse on the
// CPU (this browser has no WebGPU; webgpu.test.mjs trains it through WebGPU), its one-row state draws over time with each group of
// maps, and a long test of the shipped model reaches 2,049 columns under a progress bar
// (its Test lengths to 64, 8× its training length, is walked in lessons.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ENGRAM, ROOT, openPage, openSettings, sharedBrowser, train, waitReady } from './harness.mjs';

const CHECKPOINT = path.join(ROOT, 'www/checkpoints/neural_gpu_diag-reverse.safetensors');
const ADDITION = path.join(ROOT, 'www/checkpoints/neural_gpu_diag-add.safetensors');

const shared = sharedBrowser();

// Runs a long test at `length` from the settings, checking that its progress bar moves;
// returns its result and how long it took.
async function longTest(page, length) {
  await page.fill('input[name=test_length]', String(length));
  await page.dispatchEvent('input[name=test_length]', 'change');
  const progressSeen = page.waitForFunction(() => {
    const bar = document.getElementById('long-test-progress');
    return !bar.hidden && bar.value > 0 && bar.value < bar.max;
  }, null, { timeout: 60_000 });
  const started = Date.now();
  await page.click('#test');
  await progressSeen;
  await page.waitForFunction(() => window.engram.longTestResult, null, { timeout: 300_000 });
  return { result: await page.evaluate(() => window.engram.longTestResult), seconds: (Date.now() - started) / 1000 };
}

// The columns `engram eval` gets wrong on the same sequence (its first at `length`, seed 1000).
function nativeWrong(checkpoint, length, columns) {
  const native = JSON.parse(execFileSync(ENGRAM, ['eval', '--checkpoint', checkpoint, '--lengths', String(length),
    '--sequences', '1', '--seed', '1000', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  return Math.round(native.lengths[0].symbol_error * columns);
}

test('the Diagonal Neural GPU trains on reverse on the CPU; its state draws step by step, a row per step', async () => {
  const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=neural_gpu_diag&task=reverse&speed=10`);
  await waitReady(page);
  assert.match(await page.textContent('#backend'), /CPU/);
  await train(page, 300);
  const { first, last } = await page.evaluate(() => {
    const { bits } = window.engram.history.series();
    const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
    return { first: mean(Array.from(bits.subarray(0, 30))), last: mean(Array.from(bits.subarray(-30))) };
  });
  assert.ok(last < first * 0.5, `bits per sequence went from ${first} to ${last}`);
  const image = await page.evaluate(() => {
    const { image } = window.engram.snapshot;
    return { height: image.height, width: image.width, steps: image.encoder.length, maps: image.maps, shifts: image.shifts };
  });
  assert.equal(image.height, 1);
  assert.equal(image.steps, image.width, 'one step per column');
  // k = ⌊24/3⌋ = 8 maps each way, 8 in place.
  assert.deepEqual([1, -1, 0].map((s) => image.shifts.filter((v) => v === s).length), [8, 8, 8]);
  await page.click('#animate');
  await page.fill('#time', '0');
  await page.dispatchEvent('#time', 'input');
  await page.waitForFunction(() => /^1 of \d+$/.test(document.getElementById('time-value').textContent));
  const colours = await page.evaluate(() => {
    const canvas = document.getElementById('image-view');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set();
    for (let i = 0; i < pixels.length; i += 4) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
    return seen.size;
  });
  assert.ok(colours > 20, `the space-time view has ${colours} colours`);
  assert.deepEqual(problems, []);
  await page.context().close();
});

// Its Test lengths to 64 (every sequence right) is walked in the lesson The Neural GPU
// (lessons.test.mjs), which loads the same shipped model.
test('the shipped Diagonal Neural GPU, trained on lengths ≤ 8, in a long test of 2,049 columns: a progress bar, the answer as engram eval has it, the tab\'s memory, and the limit named past it', async () => {
  const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=neural_gpu_diag&task=reverse`);
  await waitReady(page);
  const count = await page.evaluate(() => window.engram.readyCount);
  await openSettings(page);
  await page.click('#load-trained');
  await page.waitForFunction((n) => window.engram.readyCount > n, count);

  // A long test: one sequence of 2,049 columns (256× the training length), step by
  // step under a progress bar, answered symbol by symbol, as `engram eval` answers the
  // same sequence natively; the tab's memory is reported.
  const { result, seconds: longSeconds } = await longTest(page, 2049);
  assert.equal(result.columns, 2049);
  assert.equal(result.wrong, nativeWrong(CHECKPOINT, 2049, 2049), 'the page and engram eval get the same columns wrong');
  const status = await page.textContent('#long-test-status');
  assert.match(status, /Trained on lengths 1–8; a sequence of length 2,049 here/);
  assert.match(status, /the tab holds \d+ MB of engine memory/);
  const marked = await page.$$eval('#long-test-tapes mark', (m) => m.length);
  assert.equal(marked, result.wrong, 'each wrong column is marked');
  console.log(`# long test at 2,049 columns: ${longSeconds.toFixed(1)} s, ${result.wrong} columns wrong, ${(result.wasmBytes / 2 ** 20).toFixed(0)} MB of wasm memory`);

  // One past the task's limit is refused with the limit named, and the setting kept.
  await page.fill('input[name=test_length]', '2050');
  await page.dispatchEvent('input[name=test_length]', 'change');
  assert.match(await page.textContent('#message'), /2049/);
  assert.equal(await page.inputValue('input[name=test_length]'), '2049');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the shipped model trained on 20-bit addition, tested on two 1,024-bit numbers in a long test: 2,049 columns, a progress bar, the answer checked as engram eval checks it, the tab\'s memory', async () => {
  const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=neural_gpu_diag&task=add`);
  await waitReady(page);
  const count = await page.evaluate(() => window.engram.readyCount);
  await openSettings(page);
  await page.click('#load-trained');
  await page.waitForFunction((n) => window.engram.readyCount > n, count);
  assert.equal(await page.evaluate(() => window.engram.state.max_length), 20);
  const { result, seconds } = await longTest(page, 1024);
  assert.equal(result.columns, 2049);
  // The input is a, '+', b: 1,024 bits each (symbols 1 and 2), the sign (3) between.
  assert.equal(result.input[1024], 3);
  assert.ok(result.input.slice(0, 1024).every((s) => s === 1 || s === 2));
  assert.equal(result.wrong, nativeWrong(ADDITION, 1024, 2049), 'the page and engram eval get the same columns wrong');
  const status = await page.textContent('#long-test-status');
  assert.match(status, /Trained on lengths 1–20; adding two 1,024-bit numbers here/);
  assert.match(status, /the tab holds \d+ MB of engine memory/);
  console.log(`# addition long test at 2,049 columns: ${seconds.toFixed(1)} s, ${result.wrong} of 2,049 columns wrong, ${(result.wasmBytes / 2 ** 20).toFixed(0)} MB of wasm memory`);
  assert.deepEqual(problems, []);
  await page.context().close();
});
