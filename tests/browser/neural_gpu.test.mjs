// The Neural GPU family in the page: controls from the engine's schema, training on
// reverse, the mental image and change map, the dependent-output model's tape, metrics
// in the objective's own terms, and the shipped trained models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, waitReady, train, engineModules, sharedBrowser, openSettings } from './harness.mjs';

const shared = sharedBrowser();

function canvasHash(page, id) {
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
    return { hash, colours: colours.size };
  }, id);
}

const visible = (page, selector) => page.isVisible(selector);

test('the controls come from the schema: the Neural GPU shows its own sizes and tasks', async () => {
  const { page, problems, requests } = await openPage(shared.browser, shared.server.url);
  await waitReady(page);
  const models = await page.$$eval('select[name=model] option', (o) => o.map((e) => e.value));
  assert.deepEqual(models, ['ntm', 'dnc', 'lru', 'lstm', 'neural_gpu', 'neural_gpu_dep', 'neural_gpu_diag', 'gtmm']);
  await openSettings(page);
  assert.equal(await visible(page, 'input[name=memory_slots]'), true);
  assert.equal(await visible(page, 'input[name=maps]'), false);
  await page.selectOption('select[name=model]', 'neural_gpu');
  await waitReady(page);
  await page.waitForFunction(() => window.engram.state.model === 'neural_gpu' && window.engram.readyCount >= 2);
  const tasks = await page.$$eval('select[name=task] option', (o) => o.map((e) => e.value));
  assert.deepEqual(tasks, ['copy', 'reverse', 'sort', 'dup', 'add', 'mul', 'either']);
  assert.equal(await visible(page, 'input[name=maps]'), true);
  assert.equal(await page.inputValue('input[name=maps]'), '24');
  assert.equal(await visible(page, 'input[name=memory_slots]'), false);
  assert.equal(await visible(page, '#image-view'), true);
  assert.equal(await visible(page, '#memory-view'), false);
  assert.equal(await page.textContent('#bits-label'), 'Alphabet');
  assert.match(await page.evaluate(() => location.hash), /model=neural_gpu/);
  assert.doesNotMatch(await page.evaluate(() => location.hash), /memory_slots/);
  // Switching family loads that family's engine module (the page had only the memory models').
  assert.deepEqual(engineModules(requests), ['engram_memory_bg.wasm', 'engram_neural_gpu_bg.wasm']);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a family whose engine module cannot be downloaded is refused, the running model kept; a retry loads it', async () => {
  const { page, context, problems } = await openPage(shared.browser, shared.server.url);
  await waitReady(page);
  let blocked = true;
  let release;
  await context.route('**/engram_neural_gpu_bg.wasm', async (route) => {
    if (blocked) return route.abort();
    await new Promise((resolve) => { release = resolve; }); // held until the test has looked
    return route.continue();
  });
  const badge = await page.textContent('#backend');
  await page.selectOption('select[name=model]', 'neural_gpu');
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'),
    /Could not make the new model: .*engram_neural_gpu_bg\.wasm could not be loaded.*The current model is kept/);
  assert.equal(await page.inputValue('select[name=model]'), 'ntm');
  assert.doesNotMatch(await page.evaluate(() => location.hash), /neural_gpu/);
  assert.equal(await page.textContent('#backend'), badge, 'the badge names the backend again');
  await train(page, 3); // the NTM still trains
  blocked = false;
  await page.selectOption('select[name=model]', 'neural_gpu');
  // While the module downloads, the badge says so.
  await page.waitForFunction(() => document.getElementById('backend').textContent === 'loading…');
  while (!release) await new Promise((resolve) => setTimeout(resolve, 10));
  release();
  await page.waitForFunction(() => window.engram.state.model === 'neural_gpu' && window.engram.readyCount >= 2);
  await train(page, 3);
  assert.deepEqual(problems.filter((p) => !p.includes('Failed to load resource')), []);
  await context.close();
});

test('the Neural GPU trains on reverse: the loss falls, the image and change map draw and move through steps', async () => {
  const { page, problems } = await openPage(shared.browser, shared.server.url + '#model=neural_gpu&task=reverse&speed=10');
  await waitReady(page);
  await train(page, 400);
  const { first, last } = await page.evaluate(() => {
    const { bits } = window.engram.history.series();
    const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
    return { first: mean(Array.from(bits.subarray(0, 30))), last: mean(Array.from(bits.subarray(-30))) };
  });
  assert.ok(last < first * 0.6, `bits per sequence went from ${first} to ${last}`);
  assert.match(await page.textContent('#metrics'), /symbol error .*% of sequences right/);
  // The snapshot holds the image: n steps of 2 layers, nothing for a decoder.
  const frames = await page.evaluate(() => {
    const image = window.engram.snapshot.image;
    return { encoder: image.encoder.length, decoder: image.decoder.length, width: image.width, max: Number(document.getElementById('time').max) };
  });
  assert.equal(frames.encoder, 2 * frames.width);
  assert.equal(frames.decoder, 0);
  assert.equal(frames.max, frames.encoder - 1);
  await page.click('#animate'); // hold still
  await page.fill('#time', '0');
  await page.dispatchEvent('#time', 'input');
  await page.waitForTimeout(100);
  const early = await canvasHash(page, 'image-view');
  assert.ok(early.colours > 10, `the image view has ${early.colours} colours`);
  await page.fill('#time', String(frames.max));
  await page.dispatchEvent('#time', 'input');
  await page.waitForFunction(() => document.getElementById('time-value').textContent.includes('layer 2'));
  const late = await canvasHash(page, 'image-view');
  assert.notEqual(late.hash, early.hash, 'the image changes between the first and last step');
  assert.ok((await canvasHash(page, 'symbols-view')).colours > 5);
  // Evaluation speaks in symbols and sequences.
  await openSettings(page);
  await page.click('#test');
  await page.waitForFunction(() => /sequence accuracy/.test(document.getElementById('test-result').textContent));
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the dependent-output model decodes: its tape fills one symbol per step', async () => {
  const { page, problems } = await openPage(shared.browser, shared.server.url + '#model=neural_gpu_dep&task=either&min_length=5&max_length=5');
  await waitReady(page);
  await train(page, 20);
  const image = await page.evaluate(() => window.engram.snapshot.image);
  assert.equal(image.decoder.length, image.width);
  for (const step of image.decoder) {
    const sum = step.softmax.reduce((s, p) => s + p, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `softmax sums to ${sum}`);
    assert.equal(step.symbol, step.softmax.indexOf(Math.max(...step.softmax)), 'greedy: the tape holds the argmax');
  }
  assert.equal(await visible(page, '#tape-view'), true);
  await page.click('#animate');
  const last = await page.evaluate(() => Number(document.getElementById('time').max));
  await page.fill('#time', String(last));
  await page.dispatchEvent('#time', 'input');
  await page.waitForFunction(() => /decoder step/.test(document.getElementById('time-value').textContent));
  assert.ok((await canvasHash(page, 'tape-view')).colours > 5);
  assert.deepEqual(problems, []);
  await page.context().close();
});

for (const [task, name] of [['reverse', 'neural_gpu-reverse'], ['add', 'neural_gpu-add']]) {
  test(`the trained ${name} loads at once and is right on held-out sequences`, async () => {
    const { page, problems } = await openPage(shared.browser, shared.server.url + `#model=neural_gpu&task=${task}`);
    await waitReady(page);
    const before = await page.evaluate(() => window.engram.readyCount);
    await openSettings(page);
    await page.click('#load-trained');
    await page.waitForFunction((n) => window.engram.readyCount > n, before, { timeout: 30_000 });
    await page.click('#test');
    await page.waitForFunction(() => /sequence accuracy/.test(document.getElementById('test-result').textContent), null, { timeout: 60_000 });
    const results = await page.evaluate(() => window.engram.evaluation);
    assert.ok(results[0].sequence_accuracy > 0.9, `${name}: ${JSON.stringify(results)}`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

test('a change that makes the model too big is refused: the controls and link go back to the running model', async () => {
  // Fits with one CGRU layer (about 107 MB at 80 columns), not with four (about 426 MB).
  const hash = '#model=neural_gpu_dep&task=dup&bits=4&maps=32&height=16&cgru_layers=1&min_length=40&max_length=40&batch_size=1';
  const { page, problems } = await openPage(shared.browser, shared.server.url + hash);
  await waitReady(page);
  await openSettings(page);
  await page.fill('input[name=cgru_layers]', '4');
  await page.locator('input[name=cgru_layers]').blur();
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'),
    /Could not make the new model: .*MB per sequence for the backward pass \(limit 256 MB\).*The current model is kept/);
  assert.equal(await page.inputValue('input[name=cgru_layers]'), '1');
  assert.match(await page.evaluate(() => location.hash), /cgru_layers=1/);
  assert.equal(await page.evaluate(() => window.engram.readyCount), 1, 'no new model was made');
  await page.click('#step'); // the running model still trains
  await page.waitForFunction(() => window.engram.steps === 1, null, { timeout: 60_000 });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a link whose model is too big to train here opens with the defaults and says why', async () => {
  const hash = '#model=neural_gpu_dep&task=dup&bits=4&maps=128&height=16&cgru_layers=4&min_length=60&max_length=60';
  const { page, problems } = await openPage(shared.browser, shared.server.url + hash);
  await waitReady(page);
  assert.match(await page.textContent('#message'), /MB per sequence for the backward pass \(limit 256 MB\).*the defaults are shown/);
  assert.equal(await page.inputValue('select[name=model]'), 'ntm');
  await train(page, 3); // and the page works
  assert.deepEqual(problems, []);
  await page.context().close();
});
