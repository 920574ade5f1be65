// The DNC's improvements (models.md §3.1) as page toggles: in the link, on the engine's
// model, shown in the addressing view; refused for other models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, waitReady, step, openSettings } from './harness.mjs';

const shared = sharedBrowser();

test('dnc_masking and dnc_link_sharpness from the link train, and a toggle restarts with the third', async () => {
  const { page, problems } = await openPage(shared.browser,
    `${shared.server.url}#model=dnc&task=copy&hidden=16&memory_slots=8&memory_width=4&dnc_masking=1&dnc_link_sharpness=1`);
  await waitReady(page);
  assert.equal(await page.isChecked('input[name=dnc_masking]'), true);
  assert.equal(await page.isChecked('input[name=dnc_link_sharpness]'), true);
  assert.equal(await page.isChecked('input[name=dnc_deallocation]'), false);
  await step(page, 3);
  await page.waitForFunction(() => window.engram.snapshot?.model?.dnc_masking);
  const stages = await page.evaluate(() => window.engram.snapshot.steps[1].addressing[1].stages.map((s) => s.name));
  assert.ok(stages.includes('mask') && stages.includes('forward_sharpened'), stages.join());
  const count = await page.evaluate(() => window.engram.readyCount);
  await openSettings(page);
  await page.check('input[name=dnc_deallocation]');
  await page.waitForFunction((n) => window.engram.readyCount > n, count);
  assert.match(await page.evaluate(() => location.hash), /dnc_deallocation=1/);
  await page.waitForFunction(() => window.engram.snapshot?.model?.dnc_deallocation);
  await step(page, 2);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a DNC option on another model is named, and the defaults open', async () => {
  const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=ntm&dnc_masking=1`);
  await page.waitForFunction(() => !document.getElementById('message').hidden);
  assert.match(await page.textContent('#message'), /dnc_masking is not a setting of Neural Turing Machine/);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the improved DNC beside the plain one: compare=dnc with the options on', async () => {
  const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=dnc&task=copy&hidden=16&memory_slots=8`
    + '&memory_width=4&dnc_masking=1&dnc_deallocation=1&dnc_link_sharpness=1&compare=dnc', { reducedMotion: 'reduce' });
  await waitReady(page);
  await page.waitForFunction(() => window.engram.partner?.snapshot);
  assert.match(await page.textContent('#partner-title'),
    /Differentiable Neural Computer, with Masked lookup, De-allocation, Link sharpness off/);
  const [own, other] = await page.evaluate(() => [window.engram.snapshot.model, window.engram.partner.snapshot.model]);
  assert.equal(own.dnc_masking, true);
  assert.equal(other.dnc_masking, undefined, 'the partner is the plain DNC');
  assert.equal(other.memory_slots, own.memory_slots, 'with the same sizes');
  await step(page, 2);
  // Without an option on, the same model is no comparison: it ends.
  await openSettings(page);
  await page.uncheck('input[name=dnc_masking]');
  await page.uncheck('input[name=dnc_deallocation]');
  await page.uncheck('input[name=dnc_link_sharpness]');
  await page.waitForFunction(() => !window.engram.partner);
  assert.equal(await page.isVisible('#partner'), false);
  assert.doesNotMatch(await page.evaluate(() => location.hash), /compare=/);
  assert.deepEqual(problems, []);
  await page.context().close();
});
