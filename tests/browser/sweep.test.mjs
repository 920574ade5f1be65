// "Test lengths": the error at every length from 1 to the test length (every length to
// 64, then a quarter longer each), as a curve and a table, with a progress bar; the same numbers as a single test and as `engram eval
// --lengths 1-L` on the same checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DIST, ENGRAM, openPage, openSettings, sharedBrowser, waitReady } from './harness.mjs';

const shared = sharedBrowser();

async function loadTrained(page) {
  const count = await page.evaluate(() => window.engram.readyCount);
  await openSettings(page);
  await page.click('#load-trained');
  await page.waitForFunction((n) => window.engram.readyCount > n, count);
}

const tableRows = (page) => page.$$eval('#sweep-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));

test('the trained NTM tested at lengths 1–20: a curve, a row per length, the same numbers as Test and as engram eval', async () => {
  const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=ntm&task=copy`);
  await waitReady(page);
  await loadTrained(page);
  await page.fill('input[name=test_length]', '20');
  await page.locator('input[name=test_length]').blur();
  assert.equal(await page.isVisible('#sweep-figure'), false, 'no curve before a sweep');
  await page.click('#sweep');
  await page.waitForFunction(() => /^Tested lengths 1–20/.test(document.getElementById('sweep-status').textContent), null, { timeout: 120_000 });
  const rows = await tableRows(page);
  assert.deepEqual(rows.map((r) => Number(r[0])), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(await page.isVisible('#sweep-progress'), false, 'the progress bar goes when done');
  assert.equal(await page.isVisible('#sweep-accuracy'), false, 'the memory models\' objective has no sequence accuracy');
  const drawn = await page.evaluate(() => {
    const canvas = document.getElementById('sweep-view');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    for (let i = 0; i < pixels.length; i += 4) colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
    return colours.size;
  });
  assert.ok(drawn > 8, `the curve is drawn (${drawn} colours)`);
  // A single test at 10 draws the same sequences (seed 1000, each length its own).
  await page.fill('input[name=test_length]', '10');
  await page.locator('input[name=test_length]').blur();
  await page.evaluate(() => { window.engram.evaluation = null; });
  await page.click('#test');
  await page.waitForFunction(() => window.engram.evaluation);
  const single = await page.evaluate(() => window.engram.evaluation[0].bit_errors_per_sequence);
  assert.equal(rows[9][1], single.toFixed(3));
  // The CLI on the shipped checkpoint: equal up to the native build's FMA rounding.
  if (existsSync(ENGRAM)) {
    const report = JSON.parse(execFileSync(ENGRAM, ['eval', '--checkpoint', path.join(DIST, 'www/checkpoints/ntm-copy.safetensors'),
      '--lengths', '1-20', '--backend', 'cpu', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    report.lengths.forEach((l, i) => {
      assert.ok(Math.abs(l.bit_errors_per_sequence - Number(rows[i][1])) <= 0.02, `length ${l.length}: page ${rows[i][1]}, native ${l.bit_errors_per_sequence}`);
    });
  }
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('with no test length set, the sweep runs to 8× the training length; the Neural GPU shows sequence accuracy', async () => {
  const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=neural_gpu&task=reverse&max_length=2&min_length=1`);
  await waitReady(page);
  const longest = 16; // 8 × 2 (a sweep's cost grows as L³: to 24 took 40 s here, to 64 minutes)
  await openSettings(page);
  await page.click('#sweep');
  await page.waitForFunction((n) => document.getElementById('sweep-status').textContent.startsWith(`Tested lengths 1–${n}`),
    longest, { timeout: 240_000 });
  const rows = await tableRows(page);
  assert.equal(rows.length, longest);
  assert.equal(await page.isVisible('#sweep-accuracy'), true);
  assert.match(rows[0][2], /^\d+\.\d%$/);
  assert.deepEqual(rows.map((r) => r[3]), rows.map(() => '256'), 'the table says how many sequences each length had');
  // Past 64 the lengths grow by a quarter and the sequences shrink with length squared.
  const plan = await page.evaluate(async () => {
    const { sweepLengths, sweepSequences } = await import('./www/sweep.js');
    const lengths = sweepLengths(160);
    return { lengths, sequences: lengths.map(sweepSequences), short: sweepLengths(10) };
  });
  assert.deepEqual(plan.lengths, [...Array.from({ length: 64 }, (_, i) => i + 1), 80, 100, 125, 156, 160]);
  assert.deepEqual(plan.sequences.slice(62), [256, 256, 164, 105, 67, 43, 41]);
  assert.deepEqual(plan.short, Array.from({ length: 10 }, (_, i) => i + 1));
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a new model stops a sweep in flight and says so', async () => {
  const { page } = await openPage(shared.browser, `${shared.server.url}#model=ntm&task=copy`);
  await waitReady(page);
  await openSettings(page);
  await page.fill('input[name=test_length]', '64');
  await page.locator('input[name=test_length]').blur();
  await page.click('#sweep');
  await page.waitForFunction(() => document.querySelectorAll('#sweep-table tbody tr').length > 0, null, { timeout: 60_000 });
  await page.click('#reset');
  await page.waitForFunction(() => /^Stopped at length \d+: the model changed/.test(document.getElementById('sweep-status').textContent),
    null, { timeout: 60_000 });
  assert.ok((await tableRows(page)).length < 64);
  await page.context().close();
});
