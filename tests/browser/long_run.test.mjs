// A class may leave the page training for an hour: 100,000 steps at the fastest setting
// must not grow the tab. Every per-step history is bounded (www/history.js), so after a
// warm-up the page's JS heap and the worker's wasm memory stay where they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, waitReady, sharedBrowser } from './harness.mjs';

const shared = sharedBrowser();

// V8 keeps compiling hot code, and Chromium fills its performance timeline's bounded
// buffers (long tasks, animation frames, layout shifts), for a while: measured paused
// after a full collection, the heap rises by about 7% from step 10,000 to 60,000, then
// stays flat to 200,000 (a heap snapshot's growth over steps 20,000–100,000: compiled
// code and those timeline entries; no array of the page's). So the run warms up for
// 60,000 steps, then trains 100,000 more.
const WARM_UP = 60_000;
const STEPS = WARM_UP + 100_000;
// A small NTM on short sequences, batch 1, 50 steps a frame: the most steps a second the
// page can take, with the memory views, the snapshots and the chart all live.
const LINK = '#model=ntm&task=copy&hidden=8&memory_slots=4&memory_width=4&bits=1&min_length=1&max_length=2&batch_size=1&speed=50';

// The page's JS heap after a full collection, and the worker's wasm memory, in bytes,
// measured paused: training's messages in flight (reports, snapshots) are not counted.
async function footprint(page, cdp) {
  await page.click('#play');
  await page.waitForFunction(() => !window.engram.playing);
  await page.waitForTimeout(800);
  // The least of a few collections: one can leave a few hundred KB that the next frees.
  let usedSize = Infinity;
  for (let i = 0; i < 4; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    usedSize = Math.min(usedSize, (await cdp.send('Runtime.getHeapUsage')).usedSize);
    await page.waitForTimeout(200);
  }
  await page.evaluate(() => { window.engram.wasmBytes = 0; window.engram.engine.send({ type: 'memory' }); });
  await page.waitForFunction(() => window.engram.wasmBytes > 0);
  const wasm = await page.evaluate(() => window.engram.wasmBytes);
  await page.click('#play');
  return { heap: usedSize, wasm };
}

test(`${(STEPS - WARM_UP).toLocaleString('en')} steps at the fastest setting, after ${WARM_UP.toLocaleString('en')} to warm up: the JS heap and the wasm memory stay within 5%`, { timeout: 900_000 }, async () => {
  const { page, problems } = await openPage(shared.browser, shared.server.url + LINK, { viewport: { width: 1280, height: 720 } });
  await waitReady(page);
  const cdp = await page.context().newCDPSession(page);
  await page.click('#play');
  await page.waitForFunction((n) => window.engram.steps >= n, WARM_UP, { timeout: 300_000, polling: 500 });
  const started = Date.now();
  const before = await footprint(page, cdp);
  await page.waitForFunction((n) => window.engram.steps >= n, STEPS, { timeout: 840_000, polling: 1000 });
  const after = await footprint(page, cdp);
  await page.click('#play');
  await page.waitForFunction(() => !window.engram.playing);
  const seconds = (Date.now() - started) / 1000;
  const history = await page.evaluate(() => ({ length: window.engram.history.length, stride: window.engram.history.stride }));
  console.log(`steps ${WARM_UP}–${STEPS} in ${seconds.toFixed(0)} s: heap ${before.heap} → ${after.heap} bytes, ` +
    `wasm ${before.wasm} → ${after.wasm} bytes; the history holds ${history.length} points of ${history.stride} steps`);
  assert.ok(after.heap <= before.heap * 1.05, `the JS heap grew from ${before.heap} to ${after.heap} bytes`);
  assert.ok(after.wasm <= before.wasm * 1.05, `the wasm memory grew from ${before.wasm} to ${after.wasm} bytes`);
  assert.ok(history.length <= 8192, 'the history is bounded');
  // The chart still spans the whole run.
  assert.ok(await page.evaluate(() => window.engram.history.series().step.at(-1)) >= STEPS - 2 * history.stride);
  assert.ok(await page.evaluate(() => window.engram.history.series().step[0]) <= 2 * history.stride, 'from its start');
  assert.deepEqual(problems, []);
});
