// Side by side: a compare link trains two models in lockstep on the same batches, both
// charts move, and Test at length L runs on both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, waitReady, openSettings } from './harness.mjs';

const shared = sharedBrowser();

function pixels(page, id) {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      colours.add(rgb);
      hash = (hash * 31 + rgb) | 0;
    }
    return { hash, colours: colours.size };
  }, id);
}

test('compare=lstm trains the LSTM beside the NTM in lockstep, and both are tested', async () => {
  const { page, problems } = await openPage(shared.browser,
    `${shared.server.url}#model=ntm&task=copy&compare=lstm&hidden=32&memory_slots=16&memory_width=8`, { reducedMotion: 'reduce' });
  await waitReady(page);
  await page.waitForFunction(() => window.engram.partner?.readyCount >= 1 && window.engram.partner.snapshot);
  assert.equal(await page.isVisible('#partner'), true);
  assert.match(await page.textContent('#partner-title'), /LSTM/);
  assert.equal(await page.inputValue('select[name=compare]'), 'lstm');
  const lossBefore = await pixels(page, 'loss-view');
  await page.click('#play');
  await page.waitForFunction(() => window.engram.steps >= 60, null, { timeout: 120_000 });
  await page.click('#play');
  // Pausing lets the chunk in flight finish in both; then both have done the same steps.
  await page.waitForFunction(() => window.engram.partner.steps === window.engram.steps
    && !window.engram.partner.playing, null, { timeout: 30_000 });
  const { steps, partnerSteps, own, other } = await page.evaluate(() => ({
    steps: window.engram.steps,
    partnerSteps: window.engram.partner.steps,
    own: window.engram.history.series().bits.length,
    other: window.engram.partner.history.series().bits.length,
  }));
  assert.equal(partnerSteps, steps, 'lockstep');
  assert.equal(other, own, 'one report per step from each');
  assert.ok(own >= 60);
  await page.waitForTimeout(300);
  assert.notEqual((await pixels(page, 'loss-view')).hash, lossBefore.hash, 'the chart moved');
  assert.ok((await pixels(page, 'partner-bits-view')).colours > 4, 'the partner\'s example is drawn');
  // Read out in the model's own words (readouts.js), as the first model's are.
  const sentence = /: [\d.]+ bits per sequence, [\d.]+ bit errors per sequence \(moving average [\d.]+\)\.$/;
  assert.match(await page.textContent('#partner-metrics'), new RegExp(`^Step ${steps}${sentence.source}`));
  assert.match(await page.textContent('#metrics'), sentence);
  // The same task and seed: the example each shows is the same sequence.
  assert.equal(await page.evaluate(() => JSON.stringify(window.engram.snapshot.input)
    === JSON.stringify(window.engram.partner.snapshot.input)), true, 'the same example');
  await openSettings(page);
  await page.fill('input[name=test_length]', '12');
  await page.dispatchEvent('input[name=test_length]', 'change');
  await page.click('#test');
  await page.waitForFunction(() => window.engram.evaluation?.[0]?.length === 12 && window.engram.partner.evaluation?.[0]?.length === 12);
  assert.match(await page.textContent('#partner-test'), /^Length 12: [\d.]+ bits, [\d.]+ bit errors per sequence \(256 sequences\)\.$/);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('compare is in the link, and a pair that cannot be is named', async () => {
  const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=ntm&task=copy&compare=neural_gpu`);
  await page.waitForFunction(() => !document.getElementById('message').hidden);
  assert.match(await page.textContent('#message'), /compare/);
  assert.equal(await page.isVisible('#partner'), false);
  await openSettings(page);
  await page.selectOption('select[name=compare]', 'dnc');
  await page.waitForFunction(() => window.engram.partner?.readyCount >= 1);
  assert.match(await page.evaluate(() => location.hash), /compare=dnc/);
  await page.selectOption('select[name=compare]', '');
  await page.waitForFunction(() => !window.engram.partner);
  assert.equal(await page.isVisible('#partner'), false);
  assert.deepEqual(problems, []);
  await page.context().close();
});
