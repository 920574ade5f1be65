// Side by side: a second model (`compare=` in the link) in its own worker, on the same
// task, seed and batches as the first, trained in lockstep: the page sends both engines
// the same chunk of steps and waits for both before the next, so at every point of the
// loss chart both have seen exactly the same sequences. Each worker has its own thread,
// so a pair costs about what its slower model costs alone.

import { startEngine } from './engine.js';
import { drawBitGrids } from './views/bits.js';
import { drawWeightings } from './views/weightings.js';
import { TrainingHistory } from './history.js';
import { defaults, engineConfig, sizeControls, switches } from './state.js';
import { describeEvaluation, describeReport } from './readouts.js';

// The partner's settings: its own model's sizes, and everything the pair must share
// from the page's state (the learning rate included).
function partnerState(state) {
  // The same model (the plain DNC beside the improved one) keeps the first one's sizes,
  // with its on/off options off.
  const own = state.compare === state.model
    ? { ...state, ...Object.fromEntries(switches(state.model).map((key) => [key, false])) }
    : defaults(state.compare, state.task);
  const shared = ['task', 'bits', 'min_length', 'max_length', 'learning_rate', 'batch_size', 'seed', 'backend'];
  const sizes = new Set(sizeControls(state.compare));
  const kept = Object.fromEntries(Object.entries(own).filter(([key]) => sizes.has(key)));
  return { ...kept, ...Object.fromEntries(shared.map((key) => [key, state[key]])), model: state.compare };
}

export class Partner {
  /**
   * `page` is the page's record; `changed()` asks for a redraw, `progressed()` says
   * training moved on, `stop()` pauses the pair, `showMessage` reports an error of the
   * partner's engine.
   */
  constructor(page, { changed, progressed, stop, showMessage }) {
    this.page = page;
    this.changed = changed;
    this.progressed = progressed;
    this.stop = stop;
    this.showMessage = showMessage;
    this.history = new TrainingHistory();
    this.snapshot = null;
    this.evaluation = null;
    this.steps = 0;
    this.sequencesPerSecond = 0;
    this.readyCount = 0;
    this.playing = false;
    this.driving = null;
    this.waiting = null;
    this.engine = startEngine((message) => this.receive(message), page.state.compare);
    // Queued behind the worker's start-up; the pair plays once it is ready.
    this.reset();
  }

  receive(message) {
    switch (message.type) {
      case 'schema': break;
      case 'ready':
        this.readyCount += 1;
        this.resolveReady();
        this.steps = message.steps;
        this.backend = message.backend;
        this.history.clear();
        this.engine.send({ type: 'speed', stepsPerChunk: this.page.state.speed });
        break;
      case 'progress':
        this.history.append(message.reports);
        this.steps = message.steps;
        this.sequencesPerSecond = message.sequencesPerSecond;
        this.backend = message.backend;
        this.waiting?.();
        this.progressed();
        break;
      case 'snapshot': this.snapshot = message.snapshot; break;
      case 'evaluation': this.evaluation = message.results; break;
      case 'stopped':
      case 'error':
        this.stop();
        this.showMessage(`The compared model (${this.page.state.compare}): ${message.reason ?? message.message}`);
        this.waiting?.();
        break;
      default:
    }
    this.changed();
    return undefined;
  }

  /** A fresh partner for the page's current state. */
  reset() {
    this.playing = false;
    this.ready = new Promise((resolve) => { this.resolveReady = resolve; });
    this.snapshot = null;
    this.evaluation = null;
    const state = partnerState(this.page.state);
    this.engine.send({ type: 'reset', config: engineConfig(state), backend: state.backend });
  }

  /** Plays or pauses the pair: chunks of `speed` steps to both, then the next. */
  setPlaying(playing) {
    this.playing = playing;
    // One driver at a time: a loop still finishing its chunk carries on if played again.
    if (playing && !this.driving) this.driving = this.drive().finally(() => { this.driving = null; });
  }

  async drive() {
    while (this.playing) {
      await this.ready;
      if (!this.playing) break;
      const target = this.page.steps + this.page.state.speed;
      // Wait for both engines' progress reports of this chunk.
      const both = Promise.all([
        new Promise((resolve) => { this.page.waiting = resolve; }),
        new Promise((resolve) => { this.waiting = resolve; }),
      ]);
      this.page.engine.send({ type: 'chunk', steps: this.page.state.speed });
      this.engine.send({ type: 'chunk', steps: this.page.state.speed });
      await both;
      this.page.waiting = null;
      this.waiting = null;
      // A chunk that fell short (NaN, an error) ends the run; its handler says why.
      if (this.page.steps < target) this.stop();
    }
  }

  /** One step of both. */
  step() {
    this.playing = false;
    this.engine.send({ type: 'step' });
  }

  /** Test at `length` and show an example of it, as the page does for its model. */
  test(length) {
    this.evaluation = null;
    this.engine.send({ type: 'evaluate', lengths: [length], sequences: 256, seed: 1000 });
    this.engine.send({ type: 'snapshot', length });
  }

  send(message) {
    this.engine.send(message);
  }

  /** Its metrics into `element` (a live region; the page paces it with its own). */
  announce(element) {
    const latest = this.history.latest();
    element.textContent = latest
      ? describeReport(this.page.state.compare, latest, this.history.averageErrors())
      : 'Ready.';
  }

  /** Its example and weightings at time step t, and its test result. */
  draw(t) {
    const $ = (id) => document.getElementById(id);
    const test = describeEvaluation(this.evaluation ?? []);
    // Live regions change only when their words do.
    if ($('partner-test').textContent !== test) $('partner-test').textContent = test;
    const s = this.snapshot;
    if (!s) return;
    drawBitGrids($('partner-bits-view'), s, t);
    $('partner-weightings-figure').hidden = !s.steps[0]?.memory;
    if (s.steps[0]?.memory) drawWeightings($('partner-weightings-view'), s, t);
  }

  /** Stops the partner's worker (the comparison was turned off). */
  close() {
    this.playing = false;
    this.engine.terminate();
  }
}
