// From a blank page to a generalisation curve: the Diagonal Neural GPU trains on reverse
// (lengths ≤ 8, its preset) in the page's worker for SECONDS seconds at full speed, then
// Test lengths tests every length from 1 to 64 (8×) on 256 sequences each. Prints the
// steps trained, the lengths with a wrong sequence and the time from the first Play to
// the last length's result. A figure, never asserted (docs/results.md).
//   node scripts/page-train-then-test.mjs [SECONDS]      (after scripts/build-page.sh)
import { startServer, launch, openPage, openSettings } from '../tests/browser/harness.mjs';
import { sweepLengths } from '../www/sweep.js';

const seconds = Number(process.argv[2] ?? 20);
const server = await startServer();
const browser = await launch();
const { page } = await openPage(browser, `${server.url}#model=neural_gpu_diag&task=reverse&speed=50&backend=cpu`);
await page.waitForFunction(() => !document.getElementById('play').disabled);
const started = Date.now();
await page.click('#play');
await page.waitForTimeout(seconds * 1000);
await page.click('#play');
await page.waitForFunction(() => !window.engram.playing);
const steps = await page.evaluate(() => window.engram.steps);
await openSettings(page);
await page.click('#sweep');
// The sweep to 8× the longest training length (8): every length to 64.
await page.waitForFunction((rows) => document.querySelectorAll('#sweep-table tbody tr').length === rows
  && !document.getElementById('sweep').disabled, sweepLengths(64).length, { timeout: 600_000 });
const took = (Date.now() - started) / 1000;
const accuracy = await page.evaluate(() => [...document.querySelectorAll('#sweep-table tbody tr')]
  .map((r) => [Number(r.cells[0].textContent), r.cells[2].textContent]));
const wrong = accuracy.filter(([, a]) => a !== '100.0%');
console.log(`trained ${steps} steps in ${seconds} s; Test lengths 1-64: ${wrong.length ? `below 100% at ${wrong.map(([l, a]) => `${l} (${a})`).join(', ')}` : 'every sequence right at every length'}; ${took.toFixed(1)} s from Play to the last length`);
await browser.close();
await server.close();
