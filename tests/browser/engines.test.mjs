// The engine's wasm modules, one per model family (scripts/build-engines.sh): what
// engines.json lists, that a module refuses another family's models with the reason,
// and each module against the page's size budget. A page load downloads one module (its
// model's family's), and each must stay within 300 KB gzipped, so that growth is a
// decision and not an accident (a dependency's update once added 10 KB gzipped
// unnoticed). Sizes are counted by `gzip -9`, as scripts/build-engines.sh prints them;
// docs/performance.md, "The wasm's size", says what each holds and what was tried.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from './harness.mjs';

const BUDGET_GZIPPED = 300_000;

const engines = JSON.parse(readFileSync(path.join(DIST, 'engines.json'), 'utf8'));

test('every model family has its own engine module', () => {
  assert.deepEqual(Object.keys(engines.modules).sort(), ['generative', 'memory', 'neural_gpu']);
  assert.deepEqual(new Set(Object.values(engines.models)), new Set(Object.keys(engines.modules)));
  assert.equal(engines.models[engines.default_model], 'memory', 'the default NTM is a memory model');
});

// A module loaded into Node, as scripts/write-engines.mjs loads it.
async function load(family) {
  const files = engines.modules[family];
  const engine = await import(pathToFileURL(path.join(DIST, files.module)).href);
  engine.initSync({ module: readFileSync(path.join(DIST, files.wasm)) });
  return engine;
}

const PAGE_CONFIG = { bits: 4, min_length: 1, max_length: 6, learning_rate: 0.001, batch_size: 4, seed: 1 };

test('a module refuses a model of another family with the reason, and reads any checkpoint\'s model', async () => {
  const memory = await load('memory');
  assert.throws(() => new memory.Engine({ ...PAGE_CONFIG, model: 'neural_gpu', task: 'reverse' }),
    /does not include the Neural GPU models/);
  const checkpoint = readFileSync('www/checkpoints/neural_gpu-reverse.safetensors');
  assert.equal(memory.checkpointModel(checkpoint), 'neural_gpu');
  assert.throws(() => memory.Engine.fromCheckpoint(checkpoint, { ...PAGE_CONFIG, model: 'neural_gpu', task: 'reverse' }),
    /does not include the Neural GPU models/);
  assert.throws(() => memory.checkpointModel(Buffer.from('not a checkpoint')), /not a readable safetensors file/);
  const neuralGpu = await load('neural_gpu');
  const ntm = { ...PAGE_CONFIG, model: 'ntm', task: 'copy', memory_slots: 16, memory_width: 8, read_heads: 1, hidden: 32 };
  assert.throws(() => new neuralGpu.Engine(ntm),
    /does not include the memory models/);
  // Each builds its own family.
  new neuralGpu.Engine({ ...PAGE_CONFIG, model: 'neural_gpu', task: 'reverse' }).free();
  new memory.Engine(ntm).free();
});

for (const [family, { wasm }] of Object.entries(engines.modules)) {
  test(`the ${family} module stays within the page's gzipped size budget`, () => {
    const file = path.join(DIST, wasm);
    const gzipped = execFileSync('gzip', ['-9', '-c', file], { maxBuffer: 64 << 20 }).length;
    console.log(`${wasm}: ${statSync(file).size} bytes, ${gzipped} gzipped (budget ${BUDGET_GZIPPED})`);
    assert.ok(gzipped > 100_000, `${gzipped} bytes gzipped: not a whole engine`);
    assert.ok(gzipped <= BUDGET_GZIPPED,
      `${wasm} is ${gzipped} bytes gzipped, over the budget of ${BUDGET_GZIPPED}: find what grew (docs/performance.md, "The wasm's size")`);
  });
}
