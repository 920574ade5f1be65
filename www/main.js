// The page: state in the URL, the engine's worker, and the views drawn on animation
// frames from the worker's snapshots (the settings form itself: controls.js).

import {
  MODELS, property, configure, defaults, sizeControls, taskInfo, parseHash, toHash, crossCheck, parseValue,
  engineConfig, compareProblem, partnerLabel, linkedModel, traceLength,
} from './state.js';
import { startEngine } from './engine.js';
import { changed } from './changes.js';
import { buildControls, writeControls as writeFormControls } from './controls.js';
import { describeEvaluation, describeReport } from './readouts.js';
import { TrainingHistory } from './history.js';
import { drawSnapshot, timeSteps } from './views/index.js';
import { setupPipeline } from './views/pipeline.js';
import { drawLossChart } from './views/loss.js';
import { setupCheckpoints } from './checkpoints.js';
import { setupSharing } from './share.js';
import { startLesson } from './lesson-page.js';
import { listLessons } from './lessons.js';
import { Partner } from './compare.js';
import { setupSweep } from './sweep.js';
import { setupLongTest } from './long-test.js';
import { setupSettingsPanel } from './settings-panel.js';
import { pauseWhenUnseen } from './visibility.js';
import { keyboardShortcuts } from './keys.js';

const $ = (id) => document.getElementById(id);
const form = $('settings');
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

// Settings of the page rather than of a model: kept when the model changes.
const PAGE_SETTINGS = ['batch_size', 'seed', 'backend', 'speed', 'test_length', 'embed', 'hide', 'view', 'autoplay', 'lesson', 'compare'];
// Engine-side settings restart training; the others apply live.
const LIVE_SETTINGS = new Set(['speed', 'test_length', 'backend', 'learning_rate']);
// Steps per second of the time scrubber's animation through an example.
const ANIMATION_STEPS_PER_SECOND = 6;
// Metrics are read out to screen readers at most this often.
const ANNOUNCE_INTERVAL_MS = 3000;

const page = {
  state: null,
  engine: null,
  history: new TrainingHistory(),
  snapshot: null,
  time: 0,
  animating: !reducedMotion.matches,
  playing: false,
  // Paused by the page itself (tab hidden, scrolled away), to resume on return: written
  // by visibility.js only.
  autoPaused: false,
  dirty: true,
  lastAnnounce: 0,
  sequencesPerSecond: 0,
  steps: 0,
  // Engines made so far (fresh, reset or imported), and the latest evaluation.
  readyCount: 0,
  evaluation: null,
  // Where training runs: {kind, device, fallback}.
  backend: null,
};
window.engram = page; // for the browser tests and the curious
// visibility.js's pause while the views are out of sight ({ forget }).
let unseen = null;

function showMessage(text) {
  const box = $('message');
  box.textContent = text;
  box.hidden = !text;
}

// The model's objective: its metrics' names, units and kinds.
function metrics() {
  return MODELS[page.state.model].metrics;
}

// The number of frames the time scrubber walks: time steps, or the Neural GPU's layer
// steps and decoder steps.
function frames(snapshot) {
  return timeSteps(snapshot);
}

function writeControls() {
  writeFormControls(form, page.state);
}

// The one writer of the page's settings: every new `page.state` comes through here, and
// the controls and the link follow it.
function setState(next) {
  page.state = next;
  writeControls();
  saveHash();
}

function saveHash() {
  history.replaceState(null, '', toHash(page.state));
  // A figure's "Open in Engram": the whole page, at the same state.
  const whole = { ...page.state, embed: false, hide: [], view: [], autoplay: false };
  $('open-full').href = location.href.replace(/#.*$/, '') + toHash(whole);
}


function setPlaying(playing) {
  page.playing = playing;
  if (playing) page.longTest.stop('training resumed, so the model changed');
  $('play').textContent = playing ? 'Pause' : 'Play';
  $('play').setAttribute('aria-pressed', String(playing));
  // A side-by-side pair is driven chunk by chunk from the page (compare.js).
  if (page.partner) page.partner.setPlaying(playing);
  else page.engine.send({ type: playing ? 'play' : 'pause' });
  if (!playing) announce(true);
  changed();
}

function restart() {
  setPlaying(false);
  const created = syncPartner();
  page.engine.send({ type: 'reset', config: engineConfig(page.state), backend: page.state.backend });
  if (!created) page.partner?.reset();
}

// Starts or ends the compared model's engine as `compare=` asks; true when it started
// one (which resets itself).
function syncPartner() {
  const wanted = page.state.compare || '';
  let created = false;
  if (page.partner && page.partner.model !== wanted) {
    page.partner.close();
    page.partner = null;
  }
  if (wanted && !page.partner) {
    page.partner = new Partner(page, {
      changed: () => { page.dirty = true; },
      // Its metrics are read out with the first model's, at the same pace.
      progressed: () => announce(!page.playing),
      stop: () => setPlaying(false),
      showMessage,
    });
    page.partner.model = wanted;
    created = true;
  }
  $('partner').hidden = !page.partner;
  if (page.partner) $('partner-title').textContent = `Side by side: ${partnerLabel(page.state)}, same task, seed and batches`;
  return created;
}

// A control changed: check it against the table, then apply.
function onSettingChange(event) {
  const { name, type, checked } = event.target;
  const value = type === 'checkbox' ? (checked ? '1' : '0') : event.target.value;
  if (!page.state || !property(name)) return; // the schema has not arrived yet
  const parsed = parseValue(name, String(value));
  if (parsed.error) {
    showMessage(`${property(name).label}: ${parsed.error}. Kept ${page.state[name]}.`);
    writeControls(); // the control shows the kept value again
    return;
  }
  let next = { ...page.state, [name]: parsed.value };
  if (name === 'model') {
    // A new model brings its own sizes and tasks; the page's own settings stay.
    const kept = Object.fromEntries(PAGE_SETTINGS.map((key) => [key, page.state[key]]));
    next = { ...defaults(parsed.value, page.state.task), ...kept };
  }
  // A comparison that no longer fits the model, task or options ends.
  if (name !== 'compare' && compareProblem(next)) next.compare = '';
  if (name === 'task') {
    const task = taskInfo(next.model, parsed.value);
    Object.assign(next, { bits: task.bits, min_length: task.min_length, max_length: task.max_length });
  }
  // A test length the new task cannot take goes back to the training length.
  if (name !== 'test_length' && next.test_length > taskInfo(next.model, next.task).longest_test) next.test_length = 0;
  const problem = crossCheck(next);
  if (problem) {
    showMessage(`${problem}; kept the previous value.`);
    writeControls(); // the control shows the kept value again
    return;
  }
  showMessage('');
  setState(next);
  if (name === 'speed') page.engine.send({ type: 'speed', stepsPerChunk: next.speed });
  else if (name === 'test_length') {
    page.engine.send({ type: 'snapshot', length: traceLength(next) });
    page.partner?.send({ type: 'snapshot', length: traceLength(next) });
  }
  else if (name === 'backend') {
    page.engine.send({ type: 'backend', backend: next.backend });
    page.partner?.send({ type: 'backend', backend: next.backend });
  }
  else if (name === 'learning_rate') {
    page.engine.send({ type: 'learning-rate', value: next.learning_rate });
    page.partner?.send({ type: 'learning-rate', value: next.learning_rate });
  }
  if (!LIVE_SETTINGS.has(name)) restart();
}

function announce(force = false) {
  const now = performance.now();
  if (!force && now - page.lastAnnounce < ANNOUNCE_INTERVAL_MS) return;
  page.lastAnnounce = now;
  const latest = page.history.latest();
  $('metrics').textContent = latest
    ? describeReport(page.state.model, latest, page.history.averageErrors())
    : 'Ready. Press Play to train.';
  page.partner?.announce($('partner-metrics'));
}

// The badge names where training runs (its tooltip, what `auto` measured on each); the
// note says why the GPU is not in use when it was sought (no WebGPU, no adapter, the CPU
// measured faster, a device lost mid-run, a limit too small).
function showBackend(backend) {
  page.backend = backend;
  const badge = $('backend');
  badge.textContent = backend.kind === 'gpu' ? backend.device : 'CPU (WebAssembly)';
  badge.dataset.kind = backend.kind;
  const rates = backend.rates;
  badge.title = rates
    ? `Measured when choosing: CPU ${rates.cpu.toFixed(0)}, GPU ${rates.gpu.toFixed(0)} sequences/s`
    : '';
  const note = $('backend-note');
  note.textContent = backend.fallback ? `GPU not used: ${backend.fallback}.` : '';
  note.hidden = !backend.fallback;
}

const handlers = {
  ready({ config, parameters, steps, backend }) {
    // The engine holds the learning rate as f32; show the decimal it came from.
    config.learning_rate = Number(config.learning_rate.toPrecision(6));
    // The engine's record holds the training settings and the running model's own
    // settings (its registry keys, f32 ones as their shortest decimals); another
    // model's settings leave the state.
    const { settings, ...training } = config;
    const sizes = new Set(sizeControls(config.model));
    const state = { ...page.state, ...training, ...settings };
    for (const key of Object.keys(state)) if (property(key)?.size && !sizes.has(key)) delete state[key];
    // A loaded model brings its own history (and perhaps another model): a side-by-side
    // pair would no longer share its batches, so the comparison ends.
    const endsComparison = page.partner && (steps !== 0 || compareProblem(state));
    if (endsComparison) state.compare = '';
    setState(state);
    page.history.clear();
    page.dream = null;
    $('dream-result').textContent = '';
    page.readyCount += 1;
    page.longTest.stop('a new model was made');
    if (endsComparison) {
      syncPartner();
      showMessage('The side-by-side comparison ended: the loaded model has its own training history.');
    }
    page.steps = steps;
    // The settings of the model that runs: what a refused change goes back to.
    page.running = { ...page.state };
    showBackend(backend);
    $('step-count').textContent = `step ${steps} · ${parameters.toLocaleString()} parameters`;
    for (const id of ['play', 'step', 'reset', 'test', 'sweep', 'export', 'import', 'load-trained']) $(id).disabled = false;
    page.engine.send({ type: 'speed', stepsPerChunk: page.state.speed });
    page.dirty = true;
    announce(true);
    if (page.readyCount === 1 && page.state.autoplay) setPlaying(true);
    if (page.readyCount === 1 && page.state.lesson) {
      startLesson(page.state.lesson, page, { restart, setPlaying: choosePlaying, setState, showTime, showMessage });
    }
  },
  progress({ reports, steps, sequencesPerSecond, backend }) {
    if (backend.kind !== page.backend?.kind || backend.fallback !== page.backend?.fallback) showBackend(backend);
    page.history.append(reports);
    page.waiting?.();
    page.sequencesPerSecond = sequencesPerSecond;
    page.steps = steps;
    const rate = reports.at(-1)?.learning_rate;
    $('step-count').textContent = rate === undefined ? `step ${steps}` : `step ${steps} · learning rate ${rate.toPrecision(2)}`;
    $('speed-readout').textContent = `${Math.round(sequencesPerSecond)} sequences/s`;
    page.dirty = true;
    // Paced while playing; a chunk that lands after a pause is read out at once.
    announce(!page.playing);
  },
  backend({ backend }) {
    showBackend(backend);
  },
  // The worker's wasm memory (asked for by the tests of a long run).
  memory({ wasmBytes }) {
    page.wasmBytes = wasmBytes;
  },
  snapshot({ snapshot }) {
    page.snapshot = snapshot;
    page.pipeline.refresh(snapshot);
    const last = frames(snapshot) - 1;
    const time = $('time');
    time.max = last;
    if (!page.animating) page.time = Math.min(page.time, last);
    page.dirty = true;
  },
  dream({ frames, prompt }) {
    page.dream = { frames, prompt };
    $('dream-result').textContent = `Dreamt ${frames.steps.length - prompt} frames after ${prompt} observed ones.`;
    page.dirty = true;
  },
  'long-test'(message) {
    page.longTest.received(message);
  },
  evaluation({ results, tag }) {
    if (tag === 'sweep') {
      page.sweep.received(results);
      return;
    }
    page.evaluation = results;
    $('test-result').textContent = describeEvaluation(results);
  },
  // A family's engine module is on its way (the first model of that family); `ready`
  // or an error follows.
  loading() {
    $('backend').textContent = 'loading…';
  },
  stopped({ reason }) {
    setPlaying(false);
    showMessage(reason);
  },
  error({ message, during }) {
    recordFailure(message, during);
    if (during === 'evaluate') page.sweep.failed(message);
    if (during === 'long-test') {
      page.longTest.stop(message);
      return;
    }
    if (['training', 'chunk', 'step'].includes(during)) setPlaying(false);
    page.waiting?.(); // a side-by-side chunk that failed ends the pair's wait
    if (during === 'reset' && page.readyCount === 0) {
      // The link's settings passed the page's checks but not the engine's (a model too
      // big to train here, say): open with the defaults rather than with no model.
      showMessage(`This link's settings could not be used (${message}), so the defaults are shown.`);
      setState(defaults());
      syncPartner();
      page.engine.send({ type: 'reset', config: engineConfig(page.state), backend: page.state.backend });
      return;
    }
    if (during === 'reset' && page.running) {
      // A change the engine refused (a model too big for the tab; its family's engine
      // module could not be downloaded): the controls and the link go back to the model
      // that runs. A side-by-side partner was already reset, so the pair restarts together.
      setState({ ...page.running });
      showBackend(page.backend); // the badge said it was loading a module
      if (page.partner) restart();
      showMessage(`Could not make the new model: ${message}. ${page.partner ? 'The pair restarts with the previous settings.' : 'The current model is kept.'}`);
      return;
    }
    showMessage(during === 'import' ? `Could not import the checkpoint: ${message}. The current model is kept.`
      : `Error (${during}): ${message}`);
  },
};

function draw(now) {
  if (!page.state) {
    requestAnimationFrame(draw); // the schema has not arrived yet
    return;
  }
  if (page.animating && page.snapshot) {
    const steps = Math.max(1, frames(page.snapshot));
    const t = Math.floor((now / 1000) * ANIMATION_STEPS_PER_SECOND) % steps;
    if (t !== page.time) {
      page.time = t;
      page.dirty = true;
    }
  }
  if (page.dirty) {
    page.dirty = false;
    $('time').value = page.time;
    $('time-value').textContent = page.time;
    const s = page.snapshot;
    // Only the views on show are drawn (a figure shows one or two).
    const shown = (id) => !$(id).closest('figure').hidden;
    if (s) drawSnapshot(s, page, shown);
    page.partner?.draw(page.time);
    const partner = page.partner && { label: partnerLabel(page.state), series: page.partner.history.series() };
    page.sweep.draw();
    if (shown('loss-view')) {
      drawLossChart($('loss-view'), page.history.series(), metrics(), partner && { ...partner, own: MODELS[page.state.model].label });
    }
  }
  requestAnimationFrame(draw);
}

// The time step the views show, chosen (by the slider, the keys or a lesson): the
// animation stops there.
function showTime(t) {
  setAnimating(false);
  page.time = t;
  page.dirty = true;
}

// The last failure, which the lesson runner and the tests wait on.
function recordFailure(message, during) {
  page.failure = { message, during };
}

// Play or pause as the visitor (or a lesson) chooses: a pause made because the views
// were out of sight is forgotten.
function choosePlaying(playing) {
  unseen?.forget();
  setPlaying(playing);
}

function setAnimating(on) {
  page.animating = on;
  $('animate').setAttribute('aria-pressed', String(on));
  $('animate').textContent = on ? 'Pause animation' : 'Animate';
}

function moveTime(delta) {
  if (!page.snapshot) return;
  showTime(Math.max(0, Math.min(frames(page.snapshot) - 1, page.time + delta)));
}

// The engine's schema has arrived: the models, their tasks and sizes are known, so the
// link can be read, the controls built, and the first model made.
handlers.schema = ({ schema }) => {
  configure(schema);
  buildControls(form);
  const { state, errors } = parseHash(location.hash);
  if (errors.length) {
    showMessage(`This link's settings could not be used (${errors.join('; ')}), so the defaults are shown.`);
  }
  setState(state);
  syncPartner();
  page.engine.send({ type: 'reset', config: engineConfig(state), backend: state.backend });
};

function main() {
  page.engine = startEngine((message) => handlers[message.type]?.(message), linkedModel(location.hash));
  form.addEventListener('change', onSettingChange);
  form.addEventListener('submit', (event) => event.preventDefault());
  form.elements.speed.addEventListener('input', (e) => { $('speed-value').textContent = e.target.value; });
  $('play').addEventListener('click', () => choosePlaying(!page.playing));
  $('step').addEventListener('click', () => {
    setPlaying(false);
    page.engine.send({ type: 'step' });
    page.partner?.step();
  });
  $('reset').addEventListener('click', () => restart());
  setupSettingsPanel(form);
  $('test').addEventListener('click', () => {
    const length = page.state.test_length || page.state.max_length;
    if (length > taskInfo(page.state.model, page.state.task).longest_trace) {
      // Past what a trace holds: one sequence, step by step, with a progress bar.
      $('test-result').textContent = `Testing one sequence at length ${length} (below, under "Look closer")…`;
      page.longTest.start(length);
      return;
    }
    $('test-result').textContent = `Testing at length ${length}…`;
    page.engine.send({ type: 'evaluate', lengths: [length], sequences: 256, seed: 1000 });
    page.engine.send({ type: 'snapshot', length });
    page.partner?.test(length);
  });
  $('sweep').addEventListener('click', () => page.sweep.start());
  $('time').addEventListener('input', (e) => showTime(Number(e.target.value)));
  $('animate').addEventListener('click', () => setAnimating(!page.animating));
  $('dream').addEventListener('click', () => {
    const steps = page.snapshot?.frames?.steps ?? [];
    // Everything before the first recall frame is the prompt: the model must dream the rest.
    const firstRecall = steps.findIndex((s) => s.recall);
    const prompt = firstRecall > 0 ? firstRecall : Math.ceil(steps.length / 2);
    page.dreams = (page.dreams ?? 0) + 1;
    page.engine.send({ type: 'dream', length: page.state.test_length || page.state.max_length, prompt, seed: page.dreams });
  });
  reducedMotion.addEventListener('change', (e) => setAnimating(!e.matches));
  setAnimating(page.animating);
  document.addEventListener('keydown', keyboardShortcuts(moveTime));
  window.addEventListener('resize', () => { page.dirty = true; });
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { page.dirty = true; });
  window.addEventListener('hashchange', () => {
    if (page.state && location.hash !== toHash(page.state)) location.reload();
  });
  listLessons($('lesson-links'));
  page.pipeline = setupPipeline(
    { canvas: $('pipeline-view'), select: $('pipeline-head'), readout: $('pipeline-readout'), announcer: $('pipeline-announce') },
    () => ({ snapshot: page.snapshot, t: page.time }),
    () => { page.dirty = true; },
  );
  handlers.checkpoint = setupCheckpoints(page, showMessage, recordFailure);
  page.sweep = setupSweep(page);
  page.longTest = setupLongTest(page);
  setupSharing(page);
  unseen = pauseWhenUnseen(page, $('views'), setPlaying);
  requestAnimationFrame(draw);
}

main();
