// "Test lengths": the model's error against length from 1 to a longest one (the test
// length set in the settings, or 8× the longest training length, within the task's
// limit), on fresh sequences (seed 1000, as `engram eval` draws them), a few lengths
// per message so the page stays live and a progress bar moves. The curve and a table of
// every length fill a figure among the details; a new model stops a sweep in flight.
//
// Every length up to 64 is tested on 256 sequences. Past 64 the lengths grow by a
// quarter each and the sequences shrink with the square of the length (a Neural GPU's
// cost per sequence grows so), down to one at 1,024: the table says how many.

import { MODELS, taskInfo } from './state.js';
import { drawSweep } from './views/sweep.js';

const EVERY_LENGTH_TO = 64;
const LENGTHS_PER_MESSAGE = 4;
const SEQUENCES = 256;
const SEED = 1000;

// The lengths a sweep to `last` tests.
export function sweepLengths(last) {
  const lengths = [];
  for (let l = 1; l <= Math.min(last, EVERY_LENGTH_TO); l += 1) lengths.push(l);
  let l = EVERY_LENGTH_TO;
  while (l < last) {
    l = Math.min(last, Math.round(l * 1.25));
    lengths.push(l);
  }
  return lengths;
}

// Sequences tested at `length`.
export function sweepSequences(length) {
  return length <= EVERY_LENGTH_TO ? SEQUENCES
    : Math.max(1, Math.round(SEQUENCES * (EVERY_LENGTH_TO / length) ** 2));
}

export function setupSweep(page) {
  const $ = (id) => document.getElementById(id);
  const figure = $('sweep-figure');
  const progress = $('sweep-progress');
  const status = $('sweep-status');
  const rows = $('sweep-table').querySelector('tbody');
  // The sweep shown: { lengths, results, readyCount, metric, trained, done }.
  let sweep = null;

  const longest = () => page.state.test_length
    || Math.min(8 * page.state.max_length, taskInfo(page.state.model, page.state.task).longest_test);

  // The next lengths that share a sequence count, a few at a time (one past 64).
  function ask() {
    const from = sweep.results.length;
    const sequences = sweepSequences(sweep.lengths[from]);
    const count = sweep.lengths[from] < EVERY_LENGTH_TO ? LENGTHS_PER_MESSAGE : 1;
    const lengths = sweep.lengths.slice(from, from + count).filter((l) => sweepSequences(l) === sequences);
    page.engine.send({ type: 'evaluate', lengths, sequences, seed: SEED, tag: 'sweep' });
  }

  function row(result) {
    const tr = document.createElement('tr');
    const cells = [result.length, sweep.metric.fraction
      ? `${(100 * result[sweep.metric.key]).toFixed(1)}%` : result[sweep.metric.key].toFixed(3)];
    if (sweep.accuracy) cells.push(`${(100 * result.sequence_accuracy).toFixed(1)}%`);
    cells.push(result.sequences);
    for (const cell of cells) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.append(td);
    }
    if (result.length < sweep.trained[0] || result.length > sweep.trained[1]) tr.className = 'beyond';
    return tr;
  }

  return {
    start() {
      const last = longest();
      const [, metric] = MODELS[page.state.model].metrics;
      sweep = {
        lengths: sweepLengths(last),
        results: [],
        readyCount: page.readyCount,
        metric,
        accuracy: MODELS[page.state.model].metrics.some((m) => m.key === 'sequence_accuracy'),
        trained: [page.state.min_length, page.state.max_length],
        done: false,
      };
      figure.hidden = false;
      progress.max = sweep.lengths.length;
      progress.value = 0;
      progress.hidden = false;
      $('sweep-accuracy').hidden = !sweep.accuracy;
      $('sweep-metric').textContent = metric.fraction ? metric.label : `${metric.label} per sequence`;
      rows.replaceChildren();
      status.textContent = `Testing lengths 1–${last}…`;
      figure.scrollIntoView({ block: 'nearest' });
      ask();
    },
    // The engine's results for the lengths last asked for.
    received(results) {
      if (!sweep || sweep.done) return;
      if (page.readyCount !== sweep.readyCount) {
        sweep.done = true;
        progress.hidden = true;
        status.textContent = `Stopped at length ${sweep.results.length}: the model changed.`;
        return;
      }
      sweep.results.push(...results);
      rows.append(...results.map(row));
      progress.value = sweep.results.length;
      page.dirty = true;
      if (sweep.results.length < sweep.lengths.length) {
        ask();
        return;
      }
      sweep.done = true;
      progress.hidden = true;
      const last = sweep.lengths.at(-1);
      const counts = last > EVERY_LENGTH_TO ? `${SEQUENCES} sequences each to ${EVERY_LENGTH_TO}, fewer beyond`
        : `${SEQUENCES} sequences each`;
      status.textContent = `Tested lengths 1–${last}, ${counts} (trained on ${sweep.trained[0]}–${sweep.trained[1]}).`;
    },
    // A model's error made the engine refuse (a length it cannot take): the sweep ends.
    failed(message) {
      if (!sweep || sweep.done) return;
      sweep.done = true;
      progress.hidden = true;
      status.textContent = `Stopped at length ${sweep.results.length + 1}: ${message}.`;
    },
    get running() {
      return Boolean(sweep && !sweep.done);
    },
    // Called on every redraw of the page (a frame while training): draws only when the
    // curve has new lengths, or the canvas a new size or theme.
    draw() {
      if (!sweep || figure.hidden) return;
      const canvas = $('sweep-view');
      const dark = matchMedia('(prefers-color-scheme: dark)').matches;
      const key = `${sweep.results.length} ${canvas.clientWidth} ${canvas.clientHeight} ${sweep.readyCount} ${dark}`;
      if (canvas.dataset.drawn === key) return;
      canvas.dataset.drawn = key;
      drawSweep(canvas, sweep.results, sweep.metric, sweep.trained);
    },
  };
}
