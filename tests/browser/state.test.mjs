// Share links: the URL hash holds the whole configuration and survives a round trip; a
// broken link gives a clear message, the defaults, and a working page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, waitReady, train } from './harness.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const formValues = (page) => page.evaluate(() => Object.fromEntries(
  [...document.getElementById('settings').elements].filter((e) => e.name).map((e) => [e.name, e.value])));

test('a link gives back the same configuration, in the controls and the engine', async () => {
  const hash = '#model=dnc&task=recall&bits=5&min_length=3&max_length=5&memory_slots=20&memory_width=12' +
    '&read_heads=2&hidden=48&learning_rate=0.002&batch_size=8&seed=7&speed=3';
  const { page, problems } = await openPage(browser, server.url + hash);
  await waitReady(page);
  const values = await formValues(page);
  assert.deepEqual(
    { model: values.model, task: values.task, bits: values.bits, min_length: values.min_length,
      max_length: values.max_length, memory_slots: values.memory_slots, memory_width: values.memory_width,
      read_heads: values.read_heads, hidden: values.hidden, learning_rate: values.learning_rate,
      batch_size: values.batch_size, seed: values.seed, speed: values.speed },
    { model: 'dnc', task: 'recall', bits: '5', min_length: '3', max_length: '5', memory_slots: '20',
      memory_width: '12', read_heads: '2', hidden: '48', learning_rate: '0.002', batch_size: '8',
      seed: '7', speed: '3' });
  const params = (h) => Object.fromEntries(new URLSearchParams(h.slice(1)));
  assert.deepEqual(params(await page.evaluate(() => location.hash)), params(hash));
  // The engine was built from it: the DNC's link view is shown and the parameter
  // count is the DNC's for these sizes.
  assert.equal(await page.isVisible('#link-view'), true);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('changing a control updates the link', async () => {
  const { page } = await openPage(browser, server.url);
  await waitReady(page);
  await page.selectOption('select[name=model]', 'lru');
  await page.fill('input[name=seed]', '42');
  await page.press('input[name=seed]', 'Enter');
  await page.locator('input[name=seed]').blur();
  await page.waitForFunction(() => location.hash.includes('seed=42'));
  assert.match(await page.evaluate(() => location.hash), /model=lru/);
  await page.context().close();
});

for (const [hash, expected] of [
  ['#model=gpt4&seed=1', /model must be one of ntm, dnc, lru, lstm, neural_gpu, neural_gpu_dep/],
  ['#memory_slots=100000', /memory_slots must be between 1 and 1024/],
  ['#model=neural_gpu&memory_slots=8', /memory_slots is not a setting of Neural GPU/],
  ['#model=neural_gpu&task=recall', /Neural GPU trains on copy, reverse, sort, dup, add, mul, either, not recall/],
  ['#seed=abc', /seed must be a whole number/],
  ['#min_length=9&max_length=3', /shortest length \(9\) is longer than the longest \(3\)/],
  ['#%E0%A4%A', /./],
]) {
  test(`a malformed link (${hash}) shows why and falls back to the defaults`, async () => {
    const { page, problems } = await openPage(browser, server.url + hash);
    await waitReady(page);
    if (hash !== '#%E0%A4%A') {
      assert.match(await page.textContent('#message'), expected);
      assert.equal(await page.isVisible('#message'), true);
    }
    const values = await formValues(page);
    assert.equal(values.model, 'ntm');
    assert.equal(values.memory_slots, '32');
    await train(page, 5); // and the page still works
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

test('an out-of-range control value is refused with a message and the old value kept', async () => {
  const { page } = await openPage(browser, server.url);
  await waitReady(page);
  await page.fill('input[name=batch_size]', '5000');
  await page.locator('input[name=batch_size]').blur();
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /batch_size must be between 1 and 256/);
  assert.equal(await page.inputValue('input[name=batch_size]'), '16');
  await page.context().close();
});
