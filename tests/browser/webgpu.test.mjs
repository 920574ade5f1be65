// The WebGPU path in a real browser. With --enable-unsafe-webgpu, headless Chromium
// offers a SwiftShader adapter (software, no GPU needed) and the page trains through the
// WGSL kernels; without it, the page falls back to the CPU and says why.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, waitReady, step, parseSafetensors, openSettings } from './harness.mjs';

// Small, so that SwiftShader takes seconds, not minutes.
const SMALL = '#model=ntm&task=copy&bits=4&max_length=3&hidden=16&memory_slots=8&memory_width=6&batch_size=4&seed=3';
const STEPS = 20;

// Two browsers for the whole file, one without a GPU and one with WebGPU on SwiftShader;
// each page has its own context (and so its own worker and GPU device), and each test
// closes the pages it opened.
const server = await startServer();
const browsers = { cpu: await launch(), gpu: await launch([], { webgpu: true }) };
after(async () => {
  for (const browser of Object.values(browsers)) await browser.close();
  await server.close();
});

const opened = [];
afterEach(async () => {
  for (const { context } of opened.splice(0)) await context.close();
});

// A page of the playground at `hash`, ready to train; closed after the test.
async function open(hash, { webgpu = false } = {}) {
  const session = await openPage(webgpu ? browsers.gpu : browsers.cpu, server.url + hash);
  opened.push(session);
  await waitReady(session.page);
  return session;
}

const bitsTrace = (page) => page.evaluate(() => Array.from(window.engram.history.series().bits));

async function exportedParameters(page) {
  await openSettings(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const { tensors } = parseSafetensors(await streamToBuffer(await download.createReadStream()));
  return Object.fromEntries(Object.entries(tensors).map(([name, bytes]) =>
    [name, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)]));
}

async function streamToBuffer(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

// Measured on SwiftShader: loss traces within 1.1–1.3e-7 (relative) of the CPU page's
// over 20 steps, parameters within 5.4e-7–9.2e-7 after a fallback (run to run). The bounds
// below leave a margin of 30× or more for other adapters' fused operations, and still
// fail on any real mismatch (the bound was 1e-3).
const LOSS_TOLERANCE = 1e-5;
const PARAMETER_TOLERANCE = 3e-5;

function largestDifference(a, b) {
  let largest = 0;
  for (const name of Object.keys(a)) {
    assert.ok(b[name], `both have ${name}`);
    for (let i = 0; i < a[name].length; i++) largest = Math.max(largest, Math.abs(a[name][i] - b[name][i]));
  }
  return largest;
}

const cpu = await openPage(browsers.cpu, server.url + `${SMALL}&backend=cpu`);
await waitReady(cpu.page);
await step(cpu.page, STEPS);
const cpuTrace = await bitsTrace(cpu.page);

test('with WebGPU the badge says so, and NTM copy trains through it as on the CPU', async () => {
  const { page, problems } = await open(`${SMALL}&backend=gpu`, { webgpu: true });
  assert.match(await page.textContent('#backend'), /WebGPU/);
  assert.equal(await page.getAttribute('#backend', 'data-kind'), 'gpu');
  assert.equal(await page.isHidden('#backend-note'), true);
  await step(page, STEPS);
  const gpuTrace = await bitsTrace(page);
  assert.equal(gpuTrace.length, STEPS);
  const largest = Math.max(...gpuTrace.map((bits, i) => Math.abs(bits - cpuTrace[i]) / cpuTrace[i]));
  console.log(`largest relative difference of the loss over ${STEPS} steps, WebGPU vs CPU: ${largest.toExponential(2)}`);
  assert.ok(largest < LOSS_TOLERANCE, `loss traces differ by ${largest}`);
  assert.deepEqual(problems, []);
});

test('side by side on WebGPU: the NTM and an LSTM, each in its worker on the GPU, in lockstep', async () => {
  const { page, problems } = await open(`${SMALL}&backend=gpu&compare=lstm`, { webgpu: true });
  await page.waitForFunction(() => window.engram.partner?.readyCount >= 1, null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('#backend', 'data-kind'), 'gpu');
  assert.equal(await page.evaluate(() => window.engram.partner.backend.kind), 'gpu');
  await page.click('#play');
  await page.waitForFunction(() => window.engram.steps >= 8, null, { timeout: 120_000 });
  await page.click('#play');
  await page.waitForFunction(() => !window.engram.partner.playing && window.engram.partner.steps === window.engram.steps,
    null, { timeout: 60_000 });
  // The NTM's loss on WebGPU beside a partner is the loss it has alone on the CPU.
  const trace = await bitsTrace(page);
  const largest = Math.max(...trace.map((bits, i) => Math.abs(bits - cpuTrace[i]) / cpuTrace[i]));
  assert.ok(largest < LOSS_TOLERANCE, `loss traces differ by ${largest}`);
  assert.equal(await page.evaluate(() => window.engram.partner.history.series().bits.length), trace.length);
  assert.deepEqual(problems, []);
});

// The Neural GPU family through its own kernels: all three models (the diagonal one with
// its recipe: AdaMax, gradient noise, the saturation cost), small enough for SwiftShader.
for (const model of ['neural_gpu', 'neural_gpu_dep', 'neural_gpu_diag']) {
  test(`${model} on reverse trains through WebGPU as on the CPU`, async () => {
    const size = model === 'neural_gpu_diag' ? 'maps=6' : 'maps=6&height=2';
    const hash = `#model=${model}&task=reverse&min_length=2&max_length=5&${size}&batch_size=4&seed=3`;
    const onCpu = await open(`${hash}&backend=cpu`);
    await step(onCpu.page, STEPS);
    const expected = await bitsTrace(onCpu.page);
    const { page, problems } = await open(`${hash}&backend=gpu`, { webgpu: true });
    assert.equal(await page.getAttribute('#backend', 'data-kind'), 'gpu');
    await step(page, STEPS);
    const trace = await bitsTrace(page);
    assert.equal(trace.length, STEPS);
    const largest = Math.max(...trace.map((bits, i) => Math.abs(bits - expected[i]) / expected[i]));
    console.log(`${model}: largest relative difference of the loss over ${STEPS} steps, WebGPU vs CPU: ${largest.toExponential(2)}`);
    assert.ok(largest < LOSS_TOLERANCE, `loss traces differ by ${largest}`);
    const wrong = (p) => p.evaluate(() => Array.from(window.engram.history.series().wrong));
    assert.deepEqual(await wrong(page), await wrong(onCpu.page));
    assert.deepEqual(problems, []);
  });
}

// The generative models through their kernels (one dispatch per frame), every memory:
// the bound and the recall frames' bound per step, as on the CPU. Small (T = 10 frames,
// H = 8, Z = 2): SwiftShader runs a step's 2T + 3 dispatches of barriers on the CPU.
for (const memory of ['none', 'introspective', 'ntm', 'lru', 'dnc']) {
  test(`gtmm with the ${memory} memory on recall trains through WebGPU as on the CPU`, async () => {
    const hash = `#model=gtmm&task=recall&memory=${memory}&min_length=5&max_length=5&hidden=8&latent=2&map_hidden=8&memory_slots=4&memory_width=4&batch_size=2&seed=3`;
    const onCpu = await open(`${hash}&backend=cpu`);
    const onGpu = await open(`${hash}&backend=gpu`, { webgpu: true });
    assert.equal(await onGpu.page.getAttribute('#backend', 'data-kind'), 'gpu');
    await step(onCpu.page, STEPS);
    await step(onGpu.page, STEPS);
    const series = (p) => p.evaluate(() => {
      const s = window.engram.history.series();
      return { bits: Array.from(s.bits), recall: Array.from(s.recall) };
    });
    const [expected, trace] = [await series(onCpu.page), await series(onGpu.page)];
    assert.equal(trace.bits.length, STEPS);
    let largest = 0;
    for (const key of ['bits', 'recall']) {
      trace[key].forEach((v, i) => { largest = Math.max(largest, Math.abs(v - expected[key][i]) / expected[key][i]); });
    }
    console.log(`gtmm (${memory}): largest relative difference of the bound over ${STEPS} steps, WebGPU vs CPU: ${largest.toExponential(2)}`);
    assert.ok(largest < LOSS_TOLERANCE, `bound traces differ by ${largest}`);
    assert.deepEqual(onGpu.problems, []);
  });
}

test('a GPU device lost mid-run: training continues on the CPU, nothing learned is lost', async () => {
  const { page } = await open(`${SMALL}&backend=gpu`, { webgpu: true });
  await step(page, 8);
  await page.evaluate(() => window.engram.engine.send({ type: 'lose-device' }));
  await step(page, STEPS - 8);
  assert.equal(await page.textContent('#backend'), 'CPU (WebAssembly)');
  assert.match(await page.textContent('#backend-note'), /GPU not used: .*(lost|destroyed).*continued on the CPU/);
  const largest = largestDifference(await exportedParameters(page), await exportedParameters(cpu.page));
  console.log(`after the device was lost at step 8, largest parameter difference at step ${STEPS} from an all-CPU run: ${largest.toExponential(2)}`);
  assert.ok(largest < PARAMETER_TOLERANCE, `parameters differ by ${largest}`);
});

test('without WebGPU, asking for the GPU falls back to the CPU and says why', async () => {
  const { page, problems } = await open(`${SMALL}&backend=gpu`);
  assert.equal(await page.textContent('#backend'), 'CPU (WebAssembly)');
  assert.match(await page.textContent('#backend-note'), /GPU not used: .*(adapter|WebGPU)/);
  await step(page, 2);
  assert.deepEqual(problems, []);
});

test('the compute control moves a model between CPU and GPU mid-run, keeping its steps', async () => {
  const { page } = await open(`${SMALL}&backend=cpu`, { webgpu: true });
  await step(page, 5);
  await page.selectOption('select[name=backend]', 'gpu');
  // Making the WebGPU device and its pipelines on SwiftShader took 7 s alone and over
  // 30 s on a loaded machine; the wait allows for the latter.
  await page.waitForFunction(() => window.engram.backend.kind === 'gpu', null, { timeout: 120_000 });
  assert.match(page.url(), /backend=gpu/);
  await step(page, STEPS - 5);
  const trace = await bitsTrace(page);
  const largest = Math.max(...trace.map((bits, i) => Math.abs(bits - cpuTrace[i]) / cpuTrace[i]));
  assert.ok(largest < LOSS_TOLERANCE, `loss traces differ by ${largest}`);
});
