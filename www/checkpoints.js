// Export and import of `.safetensors` checkpoints (the format `engram train` writes),
// and the small trained models shipped with the page.

import { MODELS, engineConfig } from './state.js';
import { changed } from './changes.js';

// Larger files are refused before they are read: the page's biggest model is ~4 MB.
const MAX_CHECKPOINT_BYTES = 16 * 1024 * 1024;

function download(bytes, name) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The shipped trained model closest to the current choice (the schema lists each
// model's): this model's on this task (and, for a generative model, with this memory),
// else its first, else the first of another model of the same family. Returns
// { file, model } or null.
function trainedModel({ model, task, memory }) {
  const own = MODELS[model].trained;
  const mine = own.find((t) => t.task === task && (t.memory ?? memory) === memory)
    ?? own.find((t) => t.task === task) ?? own[0];
  if (mine) return { file: mine.file, model };
  const family = Object.values(MODELS).find((m) => m.family === MODELS[model].family && m.trained.length);
  return family ? { file: family.trained[0].file, model: family.name } : null;
}

function importBytes(page, buffer) {
  page.engine.send({ type: 'import', bytes: buffer, config: engineConfig(page.state), backend: page.state.backend }, [buffer]);
}

// A checkpoint shipped in www/checkpoints/, by name (a trained model, a lesson's own),
// imported as the Import button would; `ready` follows, or an error.
export async function importShipped(page, name) {
  const response = await fetch(new URL(`./checkpoints/${name}.safetensors`, import.meta.url));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  importBytes(page, await response.arrayBuffer());
}

// Wires the buttons; returns the handler for the worker's `checkpoint` message.
export function setupCheckpoints(page, showMessage, recordFailure) {
  document.getElementById('export').addEventListener('click', () => page.engine.send({ type: 'export' }));
  const input = document.getElementById('import');
  input.addEventListener('change', async () => {
    const file = input.files[0];
    input.value = '';
    if (!file) return;
    if (file.size > MAX_CHECKPOINT_BYTES) {
      showMessage(`Could not import ${file.name}: it is ${(file.size / 1048576).toFixed(1)} MB, ` +
        `more than the ${MAX_CHECKPOINT_BYTES / 1048576} MB a checkpoint here can be. The current model is kept.`);
      return;
    }
    showMessage('');
    importBytes(page, await file.arrayBuffer());
  });
  document.getElementById('load-trained').addEventListener('click', async () => {
    const trained = trainedModel(page.state);
    if (!trained) {
      const message = `No trained ${MODELS[page.state.model].label} is shipped with the page.`;
      recordFailure(message, 'import');
      changed();
      showMessage(message);
      return;
    }
    const name = trained.file;
    const other = trained.model !== page.state.model;
    if (other) {
      showMessage(`No trained ${MODELS[page.state.model].label} is shipped: this loads the trained ${MODELS[trained.model].label}.`);
    }
    try {
      await importShipped(page, name);
      if (!other) showMessage('');
    } catch (error) {
      recordFailure(error.message, 'import');
      changed();
      showMessage(`Could not load the trained model ${name}: ${error.message}.`);
    }
  });
  return ({ bytes }) => {
    const { model, task } = page.state;
    download(bytes, `engram-${model}-${task}-step${page.steps}.safetensors`);
  };
}
