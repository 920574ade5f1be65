// The page loads, trains, draws and stays responsive, using nothing but its own origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, waitReady, train, step, engineModules, sharedBrowser, openSettings } from './harness.mjs';

let session;
const shared = sharedBrowser([], {
  setup: async ({ browser, server }) => {
    session = await openPage(browser, server.url + '#model=ntm&task=copy');
    await waitReady(session.page);
  },
});

// Distinct colours in a canvas and a fingerprint of its pixels.
function canvasSummary(page, id) {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    let hash = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const rgba = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
      colours.add(rgba);
      hash = (hash * 31 + rgba + pixels[i + 3]) | 0;
    }
    return { colours: colours.size, hash, width: canvas.width };
  }, id);
}

test('loads without console errors and names the backend', async () => {
  const { page, problems } = session;
  assert.equal(await page.textContent('#backend'), 'CPU (WebAssembly)');
  assert.deepEqual(problems, []);
});

test('training the NTM on copy for a few hundred steps lowers the loss', async () => {
  const { page, problems } = session;
  await train(page, 300);
  const { first, last } = await page.evaluate(() => {
    const { bits } = window.engram.history.series();
    const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
    return { first: mean(Array.from(bits.subarray(0, 30))), last: mean(Array.from(bits.subarray(-30))) };
  });
  assert.ok(last < first * 0.9, `bits per sequence went from ${first} to ${last}`);
  assert.match(await page.textContent('#metrics'), /Step \d+: [\d.]+ bits per sequence/);
  assert.deepEqual(problems, []);
});

test('every visible canvas is drawn, and the views change as the model trains', async () => {
  const { page } = session;
  const ids = ['bits-view', 'memory-view', 'weightings-view', 'loss-view'];
  await page.click('#animate'); // hold the time step still so only training changes them
  const before = {};
  for (const id of ids) {
    before[id] = await canvasSummary(page, id);
    assert.ok(before[id].width > 0, `${id} has a size`);
    assert.ok(before[id].colours > 8, `${id} is not blank (${before[id].colours} colours)`);
  }
  const steps = await page.evaluate(() => window.engram.steps);
  await train(page, steps + 100);
  await page.waitForTimeout(400); // a snapshot and a frame
  for (const id of ids) {
    const after = await canvasSummary(page, id);
    assert.notEqual(after.hash, before[id].hash, `${id} changed after training`);
  }
});

test('a click is handled within 100 ms while training', async () => {
  const { page } = session;
  await page.click('#play');
  await page.waitForFunction(() => window.engram.playing);
  const steps = await page.evaluate(() => window.engram.steps);
  await page.waitForFunction((n) => window.engram.steps > n + 20, steps);
  // From the click event's timestamp to the next frame after its handler ran.
  await page.evaluate(() => {
    window.clickLatencies = [];
    document.getElementById('animate').addEventListener('click', (event) => {
      requestAnimationFrame(() => window.clickLatencies.push(performance.now() - event.timeStamp));
    });
  });
  for (let i = 0; i < 5; i++) {
    await page.click('#animate');
    await page.waitForTimeout(50);
  }
  await page.waitForFunction(() => window.clickLatencies.length === 5);
  const latencies = await page.evaluate(() => window.clickLatencies);
  assert.ok(await page.evaluate(() => window.engram.playing), 'still training');
  assert.ok(Math.max(...latencies) < 100, `click latencies ${latencies.map((l) => l.toFixed(1))} ms`);
  await page.click('#play');
});

test('keyboard shortcuts: space plays and pauses, "." steps, "r" resets', async () => {
  const { page } = session;
  await page.evaluate(() => document.activeElement?.blur());
  await page.waitForTimeout(200); // let any chunk in flight at the last pause land
  const start = await page.evaluate(() => window.engram.steps);
  await page.keyboard.press('.');
  await page.waitForFunction((n) => window.engram.steps === n + 1, start);
  assert.equal(await page.evaluate(() => window.engram.playing), false);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.engram.playing);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => !window.engram.playing);
  await page.keyboard.press('r');
  await page.waitForFunction(() => window.engram.steps === 0);
});

// The tab hidden pauses training and showing it again resumes; a pause the visitor chooses
// while hidden stays (visibility.js's pause is forgotten).
test('training pauses while the tab is hidden and resumes when it is shown, unless the visitor paused', async () => {
  const { page } = session;
  const setVisibility = (state) => page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
  await page.click('#play');
  await page.waitForFunction(() => window.engram.playing);
  await setVisibility('hidden');
  await page.waitForFunction(() => !window.engram.playing && window.engram.autoPaused);
  await setVisibility('visible');
  await page.waitForFunction(() => window.engram.playing && !window.engram.autoPaused);
  await setVisibility('hidden');
  await page.waitForFunction(() => window.engram.autoPaused);
  // The visitor presses Play, then Pause, while the tab is hidden: that pause is theirs.
  await page.click('#play');
  await page.waitForFunction(() => window.engram.playing && !window.engram.autoPaused);
  await page.click('#play');
  await setVisibility('visible');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.engram.playing), false);
  // The document's own visibility again, for the tests after this one.
  await page.evaluate(() => { delete document.visibilityState; });
});

test('no request leaves the page\'s own origin', async () => {
  const { requests } = session;
  const foreign = requests.filter((u) => !u.startsWith(shared.server.origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  // Only the engine module of the memory models (the default NTM's family) is fetched.
  assert.deepEqual(engineModules(requests), ['engram_memory_bg.wasm']);
});

test('with prefers-reduced-motion the example is not animated until asked', async () => {
  const { page, context } = await openPage(shared.browser, shared.server.url, { reducedMotion: 'reduce' });
  await waitReady(page);
  await page.waitForFunction(() => window.engram.snapshot);
  assert.equal(await page.getAttribute('#animate', 'aria-pressed'), 'false');
  const time = await page.evaluate(() => window.engram.time);
  await page.waitForTimeout(600);
  assert.equal(await page.evaluate(() => window.engram.time), time);
  await context.close();
});

test('a new learning rate applies from the next step, without restarting training', async () => {
  const { page } = session;
  const { readyCount, steps } = await page.evaluate(() => ({ readyCount: window.engram.readyCount, steps: window.engram.steps }));
  await openSettings(page);
  await page.fill('input[name=learning_rate]', '0.0007');
  await page.locator('input[name=learning_rate]').blur();
  await step(page, 2);
  assert.equal(await page.evaluate(() => window.engram.readyCount), readyCount, 'no new engine');
  assert.equal(await page.evaluate(() => window.engram.steps), steps + 2, 'the step count carried on');
  assert.match(await page.textContent('#step-count'), /learning rate 0\.00070/);
  assert.match(page.url(), /learning_rate=0\.0007/);
});
