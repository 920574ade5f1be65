// The engine's home: loads the wasm module, trains in chunks, and posts metrics and
// snapshots. It never touches the DOM; the page never waits on it.
//
// The engine comes as one wasm module per model family (engines.json says which module
// holds which model): the worker loads a family's module the first time one of its
// models is made, so a page downloads only the families it uses.
//
// Messages in:  {type: 'init', enginesUrl, model} (answered with the schema; loads the
//               module of `model`'s family, or of the default model's)
//               {type: 'reset', config, backend} | {type: 'import', bytes, config, backend}
//               {type: 'backend', backend} (move the model to 'auto', 'gpu' or 'cpu')
//               {type: 'play'} | {type: 'pause'} | {type: 'step'}
//               {type: 'chunk', steps} (exactly `steps` steps, then pause: a side-by-side
//               pair is driven chunk by chunk from the page, so both stay in lockstep)
//               {type: 'speed', stepsPerChunk} | {type: 'snapshot', length}
//               {type: 'export'} | {type: 'evaluate', lengths, sequences, seed, tag}
//               (tag, if any, comes back with the evaluation: whose request it answers)
//               {type: 'dream', length, prompt, seed} (a generative model's generation mode)
//               {type: 'learning-rate', value} (applies from the next step, keeping all else)
//               {type: 'lose-device'} (destroys the GPU device, as a lost GPU would)
//               {type: 'memory'} (the engine modules' wasm memory, for the page's tests)
//               {type: 'long-test', length, seed} (one sequence far past training, up
//               to 2,049 columns, run a few model steps per chunk; pauses training)
//               {type: 'stop-long-test'}
// Messages out: {type: 'schema', schema} (every model, task and size: `engram schema`)
//               {type: 'ready', config, parameters, steps, backend}
//               {type: 'progress', reports, steps, sequencesPerSecond, backend}
//               {type: 'backend', backend} (after a switch)
//               {type: 'snapshot', snapshot, length}
//               {type: 'checkpoint', bytes} | {type: 'evaluation', results, tag}
//               {type: 'dream', frames, prompt}
//               {type: 'loading', family} (a family's module is being downloaded)
//               {type: 'memory', wasmBytes} (all loaded modules' linear memory)
//               {type: 'long-test', length, columns, done, total, result, seconds,
//               wasmBytes} (after each chunk; `result` once the last step has run)
//               {type: 'stopped', reason} (training paused itself, e.g. on NaN)
//               {type: 'error', message, during}
// `backend` is {kind: 'cpu' | 'gpu', device, fallback}: fallback says why the GPU is not
// in use when it was sought.

let engines = null; // engines.json: which module holds which model, and its files
let enginesUrl = null; // where engines.json came from: its file names are relative to it
const modules = new Map(); // family → its loaded module (a promise)
const memories = new Map(); // family → its module's wasm memory, once loaded
let wasm = null; // the first module loaded: reads the schema and checkpoint headers
let engine = null;
let playing = false;
let stepsPerChunk = 4;
let snapshotLength = 0;
let chunkScheduled = false;
let lastSnapshotAt = 0;

// The long test in progress: { engine, length, seed, started, steps } (steps: model
// steps per chunk, adapted so a chunk takes about LONG_TEST_CHUNK_MS).
let longTest = null;
const LONG_TEST_CHUNK_MS = 120;

// Snapshots cost a forward pass with tracing; a few per second keep the views live.
const SNAPSHOT_INTERVAL_MS = 250;

// Engine calls may wait on the GPU; they run one at a time, in the order asked.
let queue = Promise.resolve();
function exclusive(task) {
  const run = queue.then(task);
  queue = run.catch(() => {});
  return run;
}

function post(message, transfer = []) {
  self.postMessage(message, transfer);
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

// Replaces the engine only once the new one exists: a refused config or checkpoint
// leaves the current model untouched.
async function replaceEngine(make, backend) {
  const next = make();
  let status;
  try {
    status = await next.selectBackend(backend);
  } catch (error) {
    next.free();
    throw error;
  }
  if (engine) engine.free();
  engine = next;
  post({
    type: 'ready',
    config: engine.config(),
    parameters: engine.parameters(),
    steps: engine.stepsDone(),
    backend: status,
  });
  await sendSnapshot();
}

// A family's module, loaded (the JS glue, then its wasm) the first time it is needed.
function moduleOf(family) {
  if (!modules.has(family)) {
    const files = engines.modules[family];
    if (!files) return Promise.reject(new Error(`no engine module holds the ${family} family`));
    post({ type: 'loading', family });
    const loading = import(new URL(files.module, enginesUrl).href)
      .then(async (module) => {
        const exports = await module.default({ module_or_path: new URL(files.wasm, enginesUrl) });
        memories.set(family, exports.memory);
        return module;
      })
      .catch((error) => {
        modules.delete(family); // a failed download is tried again next time
        throw new Error(`the engine module ${files.wasm} could not be loaded (${describe(error)})`);
      });
    modules.set(family, loading);
  }
  return modules.get(family);
}

// The module that builds `model`; for a name engines.json does not know, the first
// module loaded, whose engine then refuses the name with the reason.
function moduleFor(model) {
  const family = engines.models[model];
  return family ? moduleOf(family) : Promise.resolve(wasm);
}

function trainingLength() {
  return engine.config().max_length;
}

async function sendSnapshot() {
  if (!engine) return;
  const length = snapshotLength || trainingLength();
  try {
    post({ type: 'snapshot', snapshot: await engine.snapshot(length, 0), length });
  } catch (error) {
    post({ type: 'error', message: describe(error), during: 'snapshot' });
  }
  lastSnapshotAt = performance.now();
}

function wasmBytes() {
  let bytes = 0;
  for (const memory of memories.values()) bytes += memory.buffer.byteLength;
  return bytes;
}

// One chunk of the long test, then the next is scheduled through the message queue,
// so a pause, a stop or a new model lands between chunks.
async function longTestChunk(test) {
  if (longTest !== test || engine !== test.engine) return;
  const started = performance.now();
  const advanced = engine.advanceLongTest(test.steps);
  const took = Math.max(1, performance.now() - started);
  test.steps = Math.max(1, Math.round(test.steps * Math.min(4, LONG_TEST_CHUNK_MS / took)));
  const seconds = (performance.now() - test.started) / 1000;
  post({ type: 'long-test', ...advanced, seconds, wasmBytes: wasmBytes() });
  if (advanced.result) longTest = null;
  else afterQueuedMessages(() => exclusive(() => longTestChunk(test)).catch(longTestFailed(test)));
}

function longTestFailed(test) {
  return (error) => {
    if (longTest === test) longTest = null;
    post({ type: 'error', message: describe(error), during: 'long-test' });
  };
}

async function runChunk(steps) {
  const started = performance.now();
  const chunk = await engine.train(steps);
  const seconds = (performance.now() - started) / 1000;
  const sequences = chunk.reports.reduce((sum, r) => sum + r.sequences, 0);
  post({
    type: 'progress',
    reports: chunk.reports,
    steps: engine.stepsDone(),
    sequencesPerSecond: seconds > 0 ? sequences / seconds : 0,
    backend: engine.backend(),
  });
  if (chunk.error) {
    playing = false;
    post({ type: 'stopped', reason: `${chunk.error}. Training paused; the last good parameters are kept.` });
  }
  if (!playing || performance.now() - lastSnapshotAt > SNAPSHOT_INTERVAL_MS) await sendSnapshot();
}

// Runs `task` once the messages already queued have been handled. A message to itself,
// not setTimeout(0): browsers hold a timer set from inside a timer's callback 4 ms or
// more after five levels, and a fast model's chunk of steps takes only a few times that.
const yieldChannel = new MessageChannel();
const yielded = [];
yieldChannel.port1.onmessage = () => yielded.shift()();
function afterQueuedMessages(task) {
  yielded.push(task);
  yieldChannel.port2.postMessage(null);
}

// Yields to the message queue between chunks, so pause and other commands land fast.
function schedule() {
  if (chunkScheduled || !playing) return;
  chunkScheduled = true;
  afterQueuedMessages(() => {
    chunkScheduled = false;
    if (!playing || !engine) return;
    exclusive(() => (playing ? runChunk(stepsPerChunk) : null))
      .catch((error) => {
        playing = false;
        post({ type: 'error', message: describe(error), during: 'training' });
      })
      .finally(schedule);
  });
}

const handlers = {
  async init({ enginesUrl: url, model }) {
    enginesUrl = url;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status})`);
    engines = await response.json();
    wasm = await moduleOf(engines.models[model] ?? engines.models[engines.default_model]);
    post({ type: 'schema', schema: wasm.schema() });
  },
  async reset({ config, backend }) {
    playing = false;
    const module = await moduleFor(config.model);
    return replaceEngine(() => new module.Engine(config), backend);
  },
  async import({ bytes, config, backend }) {
    const checkpoint = new Uint8Array(bytes);
    const module = await moduleFor(wasm.checkpointModel(checkpoint));
    return replaceEngine(() => module.Engine.fromCheckpoint(checkpoint, config), backend);
  },
  async backend({ backend }) {
    post({ type: 'backend', backend: await engine.selectBackend(backend) });
  },
  'learning-rate'({ value }) {
    engine.setLearningRate(value);
  },
  'lose-device'() {
    engine.loseGpuDevice();
  },
  memory() {
    post({ type: 'memory', wasmBytes: wasmBytes() });
  },
  async 'long-test'({ length, seed }) {
    playing = false;
    const progress = await engine.beginLongTest(length, seed);
    const test = { engine, length, seed, started: performance.now(), steps: 1 };
    longTest = test;
    post({ type: 'long-test', ...progress, result: null, seconds: 0, wasmBytes: wasmBytes() });
    afterQueuedMessages(() => exclusive(() => longTestChunk(test)).catch(longTestFailed(test)));
  },
  'stop-long-test'() {
    longTest = null;
  },
  play() {
    longTest = null; // training would change the model under the test
    playing = true;
    schedule();
  },
  pause() {
    playing = false;
  },
  step() {
    longTest = null;
    playing = false;
    return runChunk(1);
  },
  chunk({ steps }) {
    longTest = null;
    playing = false;
    return runChunk(steps);
  },
  speed({ stepsPerChunk: steps }) {
    stepsPerChunk = steps;
  },
  snapshot({ length }) {
    snapshotLength = length;
    return sendSnapshot();
  },
  async export() {
    const bytes = await engine.exportCheckpoint();
    post({ type: 'checkpoint', bytes }, [bytes.buffer]);
  },
  async dream({ length, prompt, seed }) {
    post({ type: 'dream', frames: await engine.dream(length, prompt, seed), prompt });
  },
  async evaluate({ lengths, sequences, seed, tag }) {
    post({ type: 'evaluation', results: await engine.evaluate(new Uint32Array(lengths), sequences, seed), tag });
  },
};

// Commands that make a new engine (and so need only the module).
const MAKES_ENGINE = new Set(['init', 'reset', 'import']);
// Commands that only set flags run at once; the rest wait their turn with the engine.
const IMMEDIATE = new Set(['play', 'pause', 'speed', 'memory', 'stop-long-test']);

self.onmessage = ({ data }) => {
  const handler = handlers[data.type];
  if (!handler) {
    post({ type: 'error', message: `unknown command "${data.type}"`, during: data.type });
    return;
  }
  const run = async () => {
    if (data.type !== 'init' && !wasm) throw new Error('the engine is still loading');
    if (!MAKES_ENGINE.has(data.type) && !engine) throw new Error('the engine is still loading');
    await handler(data);
  };
  const done = IMMEDIATE.has(data.type) ? run() : exclusive(run);
  done.catch((error) => post({ type: 'error', message: describe(error), during: data.type }));
};
