// The engine's home: loads the wasm module, trains in chunks, and posts metrics and
// snapshots. It never touches the DOM; the page never waits on it.
//
// Messages in:  {type: 'init', moduleUrl, wasmUrl, config}
//               {type: 'reset', config} | {type: 'import', bytes, config}
//               {type: 'play'} | {type: 'pause'} | {type: 'step'}
//               {type: 'speed', stepsPerChunk} | {type: 'snapshot', length}
//               {type: 'export'} | {type: 'evaluate', lengths, sequences, seed}
// Messages out: {type: 'ready', config, parameters, steps, backend}
//               {type: 'progress', reports, steps, sequencesPerSecond}
//               {type: 'snapshot', snapshot, length}
//               {type: 'checkpoint', bytes} | {type: 'evaluation', results}
//               {type: 'stopped', reason} (training paused itself, e.g. on NaN)
//               {type: 'error', message, during}

let wasm = null;
let engine = null;
let playing = false;
let stepsPerChunk = 4;
let snapshotLength = 0;
let chunkScheduled = false;
let lastSnapshotAt = 0;

// Snapshots cost a forward pass with tracing; a few per second keep the views live.
const SNAPSHOT_INTERVAL_MS = 250;

function post(message, transfer = []) {
  self.postMessage(message, transfer);
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

// Replaces the engine only once the new one exists: a refused config or checkpoint
// leaves the current model untouched.
function replaceEngine(make) {
  const next = make();
  if (engine) engine.free();
  engine = next;
  post({
    type: 'ready',
    config: engine.config(),
    parameters: engine.parameters(),
    steps: engine.stepsDone(),
    backend: 'CPU (WebAssembly)',
  });
  sendSnapshot();
}

function trainingLength() {
  return engine.config().max_length;
}

function sendSnapshot() {
  if (!engine) return;
  const length = snapshotLength || trainingLength();
  try {
    post({ type: 'snapshot', snapshot: engine.snapshot(length, 0), length });
  } catch (error) {
    post({ type: 'error', message: describe(error), during: 'snapshot' });
  }
  lastSnapshotAt = performance.now();
}

function runChunk(steps) {
  const started = performance.now();
  const chunk = engine.train(steps);
  const seconds = (performance.now() - started) / 1000;
  const batch = engine.config().batch_size;
  post({
    type: 'progress',
    reports: chunk.reports,
    steps: engine.stepsDone(),
    sequencesPerSecond: seconds > 0 ? (chunk.reports.length * batch) / seconds : 0,
  });
  if (chunk.error) {
    playing = false;
    post({ type: 'stopped', reason: `${chunk.error}. Training paused; the last good parameters are kept.` });
  }
  if (!playing || performance.now() - lastSnapshotAt > SNAPSHOT_INTERVAL_MS) sendSnapshot();
}

// Yields to the message queue between chunks, so pause and other commands land fast.
function schedule() {
  if (chunkScheduled || !playing) return;
  chunkScheduled = true;
  setTimeout(() => {
    chunkScheduled = false;
    if (!playing || !engine) return;
    try {
      runChunk(stepsPerChunk);
    } catch (error) {
      playing = false;
      post({ type: 'error', message: describe(error), during: 'training' });
    }
    schedule();
  }, 0);
}

const handlers = {
  async init({ moduleUrl, wasmUrl, config }) {
    wasm = await import(moduleUrl);
    await wasm.default({ module_or_path: wasmUrl });
    replaceEngine(() => new wasm.Engine(config));
  },
  reset({ config }) {
    playing = false;
    replaceEngine(() => new wasm.Engine(config));
  },
  import({ bytes, config }) {
    replaceEngine(() => wasm.Engine.fromCheckpoint(new Uint8Array(bytes), config));
  },
  play() {
    playing = true;
    schedule();
  },
  pause() {
    playing = false;
  },
  step() {
    playing = false;
    runChunk(1);
  },
  speed({ stepsPerChunk: steps }) {
    stepsPerChunk = steps;
  },
  snapshot({ length }) {
    snapshotLength = length;
    sendSnapshot();
  },
  export() {
    const bytes = engine.exportCheckpoint();
    post({ type: 'checkpoint', bytes }, [bytes.buffer]);
  },
  evaluate({ lengths, sequences, seed }) {
    post({ type: 'evaluation', results: engine.evaluate(new Uint32Array(lengths), sequences, seed) });
  },
};

self.onmessage = async ({ data }) => {
  const handler = handlers[data.type];
  if (!handler) {
    post({ type: 'error', message: `unknown command "${data.type}"`, during: data.type });
    return;
  }
  if (data.type !== 'init' && !engine) {
    post({ type: 'error', message: 'the engine is still loading', during: data.type });
    return;
  }
  try {
    await handler(data);
  } catch (error) {
    post({ type: 'error', message: describe(error), during: data.type });
  }
};
