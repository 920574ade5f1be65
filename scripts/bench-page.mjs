// Figures for the page, printed (never asserted): time to interactive on localhost,
// and training throughput in the page's worker against the native trainer on one
// thread, for the same model, task and batch.
//   node scripts/bench-page.mjs            (after scripts/build-page.sh)
import { execFileSync } from 'node:child_process';
import { startServer, launch, openPage, ENGRAM } from '../tests/browser/harness.mjs';

const MEASURE_STEPS = 400;
const server = await startServer();
const browser = await launch();

const started = Date.now();
const { page } = await openPage(browser, server.url + '#model=ntm&task=copy');
await page.waitForFunction(() => !document.getElementById('play').disabled);
const interactiveMs = Date.now() - started;
const navigation = await page.evaluate(() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd);

// Steady state: skip the first chunks, then time MEASURE_STEPS steps.
await page.fill('input[name=speed]', '8');
await page.dispatchEvent('input[name=speed]', 'change');
await page.click('#play');
await page.waitForFunction(() => window.engram.steps >= 40);
const from = await page.evaluate(() => ({ steps: window.engram.steps, time: performance.now() }));
await page.waitForFunction((n) => window.engram.steps >= n, from.steps + MEASURE_STEPS, { timeout: 600_000 });
const to = await page.evaluate(() => ({ steps: window.engram.steps, time: performance.now() }));
await page.click('#play');
const pageRate = ((to.steps - from.steps) * 16) / ((to.time - from.time) / 1000);
await browser.close();
await server.close();

const native = execFileSync(ENGRAM, ['train', '--model', 'ntm', '--task', 'copy', '--threads', '1',
  '--steps', String(MEASURE_STEPS + 40), '--log-every', String(MEASURE_STEPS + 40)], { encoding: 'utf8' });
const nativeRate = Number(native.match(/\(([\d.]+) seq\/s\)/)[1]);

console.log(`time to interactive (page load → Play enabled): ${interactiveMs} ms (DOMContentLoaded ${navigation.toFixed(0)} ms)`);
console.log(`NTM copy training, batch 16: page ${pageRate.toFixed(0)} seq/s, native 1 thread ${nativeRate.toFixed(0)} seq/s, ratio ${(pageRate / nativeRate).toFixed(2)}`);
