// What a lesson asks of the page (see lessons.js), in terms of the page's own controls:
// the same paths a person's clicks take, so a lesson can do nothing a link or a button
// could not.

import { MODELS, parseHash, taskInfo, toHash } from './state.js';
import { importShipped } from './checkpoints.js';
import { runLesson } from './lessons.js';
import { onChange } from './changes.js';

// Settings a lesson's data-set keeps unless it names them (the page's, not the model's).
const KEPT = ['backend', 'speed', 'embed', 'hide', 'view', 'autoplay', 'lesson'];

// Resolves once `done()` holds; rejects if `failed()` names a reason first or after
// `seconds`. Both are checked now and on each change of the page (changes.js).
function until(done, failed = () => null, seconds = 300) {
  return new Promise((resolve, reject) => {
    const settle = (how, value) => {
      stop();
      clearTimeout(deadline);
      how(value);
    };
    const check = () => {
      if (done()) return settle(resolve);
      const reason = failed();
      if (reason) settle(reject, new Error(reason));
    };
    // Change events arrive as tasks of their own, so none reaches `check` before this
    // function has returned.
    const stop = onChange(check);
    const deadline = setTimeout(() => settle(reject, new Error(`no result after ${seconds} s`)), seconds * 1000);
    check();
  });
}

/**
 * Opens lesson `id`. `page` is the page's record (window.engram), which the lesson only
 * reads: what it changes goes through `controls`, the page's functions { restart,
 * setPlaying, setState, showTime, showMessage } (`setState` is the page's
 * one writer of its settings). A step that waits for a result waits for a new one: a
 * result, a snapshot or a failure other than the one there when it began.
 */
export function startLesson(id, page, controls) {
  const $ = (name) => document.getElementById(name);
  // The failure that arrives after `before` (a failure that was already there is old).
  const newFailure = (before) => () => (page.failure !== before ? page.failure?.message : null);
  // Waits for the engine to be ready again after `count` engines, or for a failure other
  // than `failure` (both read before the step acted: a refusal can arrive at once).
  const ready = (count, failure) => until(() => page.readyCount > count, newFailure(failure));
  const hooks = {
    async apply(params) {
      const current = new URLSearchParams(toHash(page.state).slice(1));
      // A new model starts from its defaults, keeping the page's own settings; otherwise
      // the step changes only what it names.
      const merged = params.has('model') ? new URLSearchParams() : current;
      for (const key of KEPT) if (current.has(key)) merged.set(key, current.get(key));
      for (const [key, value] of params) merged.set(key, value);
      const { state, errors } = parseHash('#' + merged);
      if (errors.length) throw new Error(errors.join('; '));
      const { readyCount, failure } = page;
      controls.setState(state);
      controls.restart();
      await ready(readyCount, failure);
    },
    async loadTrained() {
      const { readyCount, failure } = page;
      $('load-trained').click();
      await ready(readyCount, failure);
    },
    // A checkpoint shipped in www/checkpoints/ (a lesson's own model), imported as the
    // Import button would.
    async loadCheckpoint(name) {
      if (!/^[\w-]+$/.test(name)) throw new Error(`"${name}" is not a checkpoint's name`);
      const { readyCount, failure } = page;
      await importShipped(page, name).catch((error) => {
        throw new Error(`the checkpoint ${name} could not be loaded (${error.message})`);
      });
      await ready(readyCount, failure);
    },
    async trainTo(steps) {
      if (page.steps >= steps) return;
      controls.setPlaying(true);
      try {
        // Paused because the tab or the views were out of sight is still training: it
        // resumes when they are back.
        await until(() => page.steps >= steps, () => (page.playing || page.autoPaused ? null : 'training stopped'));
      } finally {
        controls.setPlaying(false);
      }
    },
    // A test at `length`: 256 sequences and the example, or past what a trace holds, a
    // long test of one sequence (long-test.js).
    async test(length) {
      controls.setState({ ...page.state, test_length: length });
      const { evaluation, snapshot, longTestResult, failure } = page;
      const long = length > taskInfo(page.state.model, page.state.task).longest_trace;
      $('test').click();
      await until(
        () => (long ? page.longTestResult !== longTestResult
          : page.evaluation !== evaluation && page.snapshot !== snapshot),
        newFailure(failure));
    },
    // Every length from 1 to `length`: the generalisation curve.
    async sweep(length) {
      controls.setState({ ...page.state, test_length: length });
      const failure = page.failure;
      page.sweep.start();
      await until(() => !page.sweep.running, newFailure(failure));
    },
    // A generative model observes the example's frames up to its first recall frame and
    // dreams the rest, as the Dream button does.
    async dream() {
      const { dream, failure } = page;
      $('dream').click();
      await until(() => page.dream && page.dream !== dream, newFailure(failure));
    },
    showTime(t) {
      controls.showTime(t);
    },
    pipeline(params) {
      const number = (key) => (params.has(key) ? Number(params.get(key)) : undefined);
      page.pipeline.select({ head: number('head'), stage: params.get('stage') ?? undefined, slot: number('slot') });
    },
    highlight(views) {
      let first = null;
      // A lesson as a figure (view=lesson) shows beside its card only the views the step
      // is about (a step that names none keeps the last step's), detail views included.
      if (page.state.view.includes('lesson') && views.length) {
        const own = MODELS[page.state.model].views;
        for (const figure of document.querySelectorAll('#views > figure[data-views], #details figure[data-views]')) {
          const names = figure.dataset.views.split(' ');
          figure.hidden = !names.some((v) => views.includes(v) && own.includes(v));
          if (!figure.hidden) $('views').append(figure);
        }
      }
      for (const figure of document.querySelectorAll('[data-views]')) {
        const on = !figure.hidden && figure.dataset.views.split(' ').some((v) => views.includes(v));
        figure.classList.toggle('highlight', on);
        first ??= on ? figure : null;
      }
      first?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    },
    stop() {
      controls.setPlaying(false);
    },
    close() {
      controls.setState({ ...page.state, lesson: '' });
      document.getElementById('play').focus(); // the lesson's buttons are gone
    },
  };
  runLesson(id, $('lesson'), hooks).catch((error) => controls.showMessage(`${error.message}.`));
}
