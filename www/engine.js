// Starts the engine's Web Worker. Paths are resolved against this module, so the page
// works from any sub-path. In a sandboxed iframe (an opaque origin) a worker cannot be
// started from a URL; there the worker's source is fetched and started from a blob URL,
// which shares the iframe's origin, as a classic worker (Chromium refuses module workers
// from opaque-origin blobs; the worker has no static imports, so it runs either way).

import { changed } from './changes.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
// Which engine module (one per model family) holds which model: scripts/build-engines.sh.
const ENGINES_URL = new URL('../engines.json', import.meta.url);

async function createWorker() {
  if (self.origin !== 'null') return new Worker(WORKER_URL, { type: 'module' });
  const source = await (await fetch(WORKER_URL)).text();
  const blob = new Blob([source], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(blob));
}

// Returns { send(message, transfer?) }; every message from the worker goes to
// `onMessage`. The worker answers `init` with the engine's schema; the page then sends
// `reset` with the first configuration. `model` is the model the page expects to make
// first (null or an unknown name: the default model): the worker starts by loading its
// family's module, so a link to a model downloads that model's family only. A worker
// that cannot start or crashes is reported as an error message.
export function startEngine(onMessage, model) {
  const queue = [];
  let worker = null;
  const handle = (data) => {
    onMessage(data);
    changed();
  };
  const fail = (message) => handle({ type: 'error', message, during: 'startup' });
  createWorker()
    .then((w) => {
      if (ended) return w.terminate();
      worker = w;
      worker.onmessage = ({ data }) => handle(data);
      worker.onerror = (event) => {
        event.preventDefault();
        fail(`the engine stopped: ${event.message || 'its script could not be loaded'}`);
      };
      worker.postMessage({ type: 'init', enginesUrl: ENGINES_URL.href, model });
      for (const [message, transfer] of queue.splice(0)) worker.postMessage(message, transfer);
    })
    .catch((error) => fail(`could not start the engine: ${error.message}`));
  let ended = false;
  return {
    send(message, transfer = []) {
      if (ended) return;
      if (worker) worker.postMessage(message, transfer);
      else queue.push([message, transfer]);
    },
    // Ends the worker (and its wasm memory); later messages are dropped.
    terminate() {
      ended = true;
      worker?.terminate();
    },
  };
}
