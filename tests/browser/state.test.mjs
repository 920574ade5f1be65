// Share links: the URL hash holds the whole configuration and survives a round trip; a
// broken link gives a clear message, the defaults, and a working page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, waitReady, train, sharedBrowser, openSettings } from './harness.mjs';

const shared = sharedBrowser();

const formValues = (page) => page.evaluate(() => Object.fromEntries(
  [...document.getElementById('settings').elements].filter((e) => e.name).map((e) => [e.name, e.value])));

test('a link gives back the same configuration, in the controls and the engine', async () => {
  const hash = '#model=dnc&task=recall&bits=5&min_length=3&max_length=5&memory_slots=20&memory_width=12' +
    '&read_heads=2&hidden=48&learning_rate=0.002&batch_size=8&seed=7&speed=3';
  const { page, problems } = await openPage(shared.browser, shared.server.url + hash);
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
  const { page } = await openPage(shared.browser, shared.server.url);
  await waitReady(page);
  await page.selectOption('select[name=model]', 'lru');
  await openSettings(page);
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
  // Names reached through the prototype chain are unknown, not settings.
  ['#constructor=0', /unknown setting "constructor"/],
  ['#__proto__=1', /unknown setting "__proto__"/],
  ['#toString=x', /unknown setting "toString"/],
  ['#hide=seed,bogus', /hide names no control "bogus"/],
  // Within every bound, but its training would not fit a phone's tab.
  ['#model=dnc&task=repeat-copy&memory_slots=1024&max_length=64', /over the RAM budget of 1000 MB; the longest sequences that fit have length \d+/],
]) {
  test(`a malformed link (${hash}) shows why and falls back to the defaults`, async () => {
    const { page, problems } = await openPage(shared.browser, shared.server.url + hash);
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
  const { page } = await openPage(shared.browser, shared.server.url);
  await waitReady(page);
  await openSettings(page);
  await page.fill('input[name=batch_size]', '5000');
  await page.locator('input[name=batch_size]').blur();
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /batch_size must be between 1 and 256/);
  assert.equal(await page.inputValue('input[name=batch_size]'), '16');
  await page.context().close();
});

test('hide= hides every control the Embed dialog offers, the button groups included', async () => {
  const { page, problems } = await openPage(shared.browser, shared.server.url + '#model=neural_gpu');
  await waitReady(page);
  await page.click('#embed');
  const offered = await page.$$eval('#embed-hide input', (inputs) => inputs.map((i) => i.value));
  await page.context().close();
  assert.ok(offered.includes('checkpoints') && offered.includes('share') && offered.includes('maps'));
  const shown = await openPage(shared.browser, shared.server.url + `#model=neural_gpu&hide=${offered.join(',')}`);
  await waitReady(shown.page);
  const visible = await shown.page.$$eval('[data-control]', (labels) =>
    labels.filter((l) => l.offsetParent !== null).map((l) => l.dataset.control));
  assert.deepEqual(visible, [], `still shown: ${visible.join(', ')}`);
  assert.equal(await shown.page.isVisible('#export'), false);
  assert.equal(await shown.page.isVisible('#copy-link'), false);
  assert.deepEqual([...problems, ...shown.problems], []);
  await shown.page.context().close();
});

// Random links: keys from the table, the prototype's names and junk; values empty, huge,
// non-finite or percent-encoded junk. The parser never throws, names what is wrong in
// every link it refuses, and falls back to the defaults; a sample of them opens in the
// page without breaking it.
test('1,000 random links: no exception, every refusal says why, the page keeps working', async () => {
  const { page, problems } = await openPage(shared.browser, shared.server.url);
  await waitReady(page);
  const results = await page.evaluate(async () => {
    const state = await import(new URL('www/state.js', location.href).href);
    let seed = 12345;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const pick = (list) => list[Math.floor(random() * list.length)];
    const keys = [...Object.keys(state.PROPERTIES), 'constructor', '__proto__', 'toString',
      'hasOwnProperty', 'valueOf', 'prototype', 'x', '', '%00', 'hide'];
    const values = ['', '0', '1', '-1', '3.5', 'NaN', 'Infinity', '-Infinity', '1e309', '9'.repeat(400),
      '%E0%A4%A', '%ZZ', 'ntm', 'neural_gpu', 'copy', 'seed,share,checkpoints', 'constructor',
      '<script>', '\u0000', ' '];
    const defaults = JSON.stringify(state.defaults());
    const out = { links: [], thrown: [], silent: [], halfApplied: [] };
    for (let i = 0; i < 1000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 4) },
        () => `${pick(keys)}=${pick(values)}`);
      const hash = '#' + parts.join('&');
      out.links.push(hash);
      try {
        const parsed = state.parseHash(hash);
        if (parsed.errors.some((e) => typeof e !== 'string' || e.length < 5)) out.silent.push(hash);
        if (parsed.errors.length && JSON.stringify(parsed.state) !== defaults) out.halfApplied.push(hash);
      } catch (error) {
        out.thrown.push(`${hash}: ${error}`);
      }
    }
    return out;
  });
  await page.context().close();
  assert.deepEqual(results.thrown, []);
  assert.deepEqual(results.silent, []);
  assert.deepEqual(results.halfApplied, []);
  for (const hash of results.links.slice(0, 8)) {
    const opened = await openPage(shared.browser, shared.server.url + hash);
    await waitReady(opened.page);
    assert.equal(await opened.page.isEnabled('#play'), true, `${hash}: the page works`);
    assert.deepEqual(opened.problems, [], hash);
    await opened.page.context().close();
  }
  assert.deepEqual(problems, []);
});
