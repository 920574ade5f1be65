// Checkpoints in the page: export/import round trips, bad files refused with the
// current model kept, and agreement with the native `engram eval`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPage, waitReady, train, step, parseSafetensors, engineModules, ENGRAM, sharedBrowser, openSettings } from './harness.mjs';

let session;
const shared = sharedBrowser([], {
  setup: async ({ browser, server }) => {
    session = await openPage(browser, server.url + '#model=ntm&memory_slots=16&memory_width=8&hidden=32');
    await waitReady(session.page);
    await train(session.page, 30);
  },
});
const scratch = mkdtempSync(path.join(tmpdir(), 'engram-browser-'));

async function exportCheckpoint(page) {
  await openSettings(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const file = path.join(scratch, `export-${Date.now()}.safetensors`);
  await download.saveAs(file);
  return { file, bytes: readFileSync(file) };
}

async function importFile(page, name, bytes) {
  const ready = page.evaluate(() => new Promise((resolve) => {
    const old = window.engram.readyCount ?? 0;
    const timer = setInterval(() => { if ((window.engram.readyCount ?? 0) > old) { clearInterval(timer); resolve(); } }, 20);
  }));
  await openSettings(page);
  await page.setInputFiles('#import', { name, mimeType: 'application/octet-stream', buffer: bytes });
  return ready;
}

async function pageEvaluation(page, length) {
  await openSettings(page);
  await page.fill('input[name=test_length]', String(length));
  await page.locator('input[name=test_length]').blur();
  await page.evaluate(() => { window.engram.evaluation = null; });
  await page.click('#test');
  await page.waitForFunction(() => window.engram.evaluation);
  return page.evaluate(() => window.engram.evaluation[0]);
}

function nativeEvaluation(file, length) {
  const out = execFileSync(ENGRAM, ['eval', '--checkpoint', file, '--lengths', String(length), '--json']);
  return JSON.parse(out).lengths[0];
}

test('export then import gives identical parameters', async () => {
  const { page } = session;
  const first = await exportCheckpoint(page);
  await importFile(page, 'round-trip.safetensors', first.bytes);
  const second = await exportCheckpoint(page);
  const a = parseSafetensors(first.bytes);
  const b = parseSafetensors(second.bytes);
  assert.deepEqual(Object.keys(b.tensors).sort(), Object.keys(a.tensors).sort());
  for (const name of Object.keys(a.tensors)) assert.ok(a.tensors[name].equals(b.tensors[name]), name);
  assert.deepEqual(b.config, a.config);
});

test('corrupt, truncated, wrong-model and oversized files are refused; the model is kept', async () => {
  const { page, problems } = session;
  const good = await exportCheckpoint(page);
  const header = Number(good.bytes.readBigUInt64LE(0));
  const wrongModel = Buffer.from(good.bytes);
  // Same length, so offsets stay valid: "ntm" → "dnc" in the config (a JSON string
  // inside the JSON header, hence the escaped quotes).
  const headerText = wrongModel.subarray(8, 8 + header).toString('latin1');
  const swapped = headerText.replace('\\"model\\":\\"ntm\\"', '\\"model\\":\\"dnc\\"');
  assert.notEqual(swapped, headerText);
  wrongModel.write(swapped, 8, 'latin1');
  const cases = [
    ['garbage.safetensors', Buffer.from('this is not a checkpoint at all'), /checkpoint/i],
    ['truncated.safetensors', good.bytes.subarray(0, good.bytes.length - 100), /checkpoint/i],
    ['wrong-model.safetensors', wrongModel, /checkpoint|tensor|shape/i],
    ['huge.safetensors', Buffer.alloc(17 * 1024 * 1024), /MB/],
  ];
  for (const [name, bytes, message] of cases) {
    await page.evaluate(() => { document.getElementById('message').hidden = true; });
    await openSettings(page);
    await page.setInputFiles('#import', { name, mimeType: 'application/octet-stream', buffer: bytes });
    await page.waitForSelector('#message:not([hidden])');
    const text = await page.textContent('#message');
    assert.match(text, message, `${name}: ${text}`);
    assert.match(text, /current model is kept/, name);
  }
  const after = await exportCheckpoint(page);
  assert.ok(parseSafetensors(after.bytes).tensors['output.weight'].equals(parseSafetensors(good.bytes).tensors['output.weight']));
  assert.deepEqual(problems.filter((p) => !p.includes('Failed to load resource')), []);
});

test('a checkpoint of another family loads that family\'s engine module, and only then', async () => {
  const { page, requests, problems, context } = await openPage(shared.browser, shared.server.url);
  await waitReady(page);
  const modules = () => engineModules(requests);
  assert.deepEqual(modules(), ['engram_memory_bg.wasm']);
  await importFile(page, 'neural_gpu-reverse.safetensors', readFileSync('www/checkpoints/neural_gpu-reverse.safetensors'));
  assert.equal(await page.evaluate(() => window.engram.state.model), 'neural_gpu');
  assert.deepEqual(modules(), ['engram_memory_bg.wasm', 'engram_neural_gpu_bg.wasm']);
  await train(page, 2);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a checkpoint exported from the page evaluates natively to the same metrics', async () => {
  const { page } = session;
  const { file } = await exportCheckpoint(page);
  const inPage = await pageEvaluation(page, 6);
  const native = nativeEvaluation(file, 6);
  assert.ok(Math.abs(inPage.bits_per_sequence - native.bits_per_sequence) < 1e-5, `${inPage.bits_per_sequence} vs ${native.bits_per_sequence}`);
  assert.ok(Math.abs(inPage.bit_errors_per_sequence - native.bit_errors_per_sequence) < 1e-5);
});

test('a checkpoint from `engram train` imports and evaluates in the page to the same metrics', async () => {
  const { page } = session;
  const file = path.join(scratch, 'cli.safetensors');
  execFileSync(ENGRAM, ['train', '--model', 'dnc', '--task', 'copy', '--steps', '40', '--hidden', '24',
    '--memory', '8', '--width', '6', '--out', file]);
  await importFile(page, 'cli.safetensors', readFileSync(file));
  assert.equal(await page.inputValue('select[name=model]'), 'dnc');
  const inPage = await pageEvaluation(page, 4);
  const native = nativeEvaluation(file, 4);
  assert.ok(Math.abs(inPage.bits_per_sequence - native.bits_per_sequence) < 1e-5, `${inPage.bits_per_sequence} vs ${native.bits_per_sequence}`);
  assert.ok(Math.abs(inPage.bit_errors_per_sequence - native.bit_errors_per_sequence) < 1e-5);
});

test('"Load trained model" shows a working NTM on copy at once', async () => {
  const { page } = session;
  await page.selectOption('select[name=model]', 'ntm');
  await waitReady(page);
  await openSettings(page);
  await page.click('#load-trained');
  await page.waitForFunction(() => window.engram.steps >= 1000);
  const result = await pageEvaluation(page, 8);
  assert.ok(result.bit_errors_per_sequence < 0.5, `bit errors ${result.bit_errors_per_sequence}`);
});


// The same link trains the same model on every visit: a run is fixed by its seed, never by
// timing (how the page chunks its steps, when it snapshots).
test('the same link twice gives byte-identical exports after the same steps', async () => {
  const link = '#model=neural_gpu&task=reverse&max_length=5&maps=6&height=2&batch_size=4&seed=11';
  const exports = [];
  for (let visit = 0; visit < 2; visit++) {
    const { page } = await openPage(shared.browser, shared.server.url + link);
    await waitReady(page);
    await step(page, 12);
    exports.push((await exportCheckpoint(page)).bytes);
    await page.close();
  }
  assert.equal(exports[0].length, exports[1].length);
  assert.ok(exports[0].equals(exports[1]), 'two visits to one link exported different models');
});
