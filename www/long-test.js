// A long test: one sequence far past the training lengths (up to 2,049 columns: two
// 1,024-bit operands for addition), run by the engine a few model steps per message so
// a progress bar moves and the page stays live, then checked symbol by symbol. Its
// sequence is the first `engram eval --lengths L --sequences 1 --seed 1000` draws, so
// the answer can be checked natively. Training, a new model or a new test stops it.

import { MODELS } from './state.js';
import { symbolLabel } from './views/image.js';

const SEED = 1000;
const MB = 1024 * 1024;

export function setupLongTest(page) {
  const $ = (id) => document.getElementById(id);
  const figure = $('long-test-figure');
  const progress = $('long-test-progress');
  const status = $('long-test-status');
  const tapes = $('long-test-tapes');
  // The test shown: { length, task, trained, readyCount, done }.
  let test = null;

  // A tape as text, one glyph per column (separated when some glyph is longer), with
  // the columns `wrong` marks wrapped in <mark>.
  function tape(name, symbols, wrong) {
    const labels = symbols.map((s) => symbolLabel(test.task, s));
    const gap = labels.some((l) => l.length > 1) ? ' ' : '';
    const row = document.createElement('div');
    row.className = 'tape';
    const title = document.createElement('span');
    title.className = 'tape-name';
    title.textContent = name;
    const text = document.createElement('code');
    let run = '';
    const flush = () => { if (run) text.append(run); run = ''; };
    labels.forEach((l, x) => {
      if (wrong?.(x)) {
        flush();
        const mark = document.createElement('mark');
        mark.textContent = l + gap;
        text.append(mark);
      } else {
        run += l + gap;
      }
    });
    flush();
    row.append(title, text);
    return row;
  }

  function memory(wasmBytes) {
    const heap = performance.memory?.usedJSHeapSize;
    return `the tab holds ${(wasmBytes / MB).toFixed(0)} MB of engine memory`
      + (heap ? ` and ${(heap / MB).toFixed(0)} MB of script heap` : '');
  }

  function show(result, seconds, wasmBytes) {
    const arithmetic = ['add', 'mul'].includes(test.task);
    const [lo, hi] = test.trained;
    const what = arithmetic
      ? `${test.task === 'add' ? 'adding' : 'multiplying'} two ${test.length.toLocaleString()}-bit numbers`
      : `a sequence of length ${test.length.toLocaleString()}`;
    const wrongColumns = result.output.flatMap((s, x) => (s !== result.target[x] ? [x + 1] : []));
    const where = wrongColumns.length && wrongColumns.length <= 5
      ? `: column${wrongColumns.length > 1 ? 's' : ''} ${wrongColumns.map((x) => x.toLocaleString()).join(', ')}` : '';
    const verdict = result.wrong === 0
      ? `every one of its ${result.columns.toLocaleString()} output columns right`
      : `${result.wrong.toLocaleString()} of its ${result.columns.toLocaleString()} output columns wrong (marked${where})`;
    status.textContent = `Trained on lengths ${lo}–${hi}; ${what} here: ${verdict}. `
      + `${result.columns.toLocaleString()} steps in ${seconds.toFixed(1)} s; ${memory(wasmBytes)}.`;
    const wrong = (x) => result.output[x] !== result.target[x];
    tapes.replaceChildren(
      tape('input', result.input),
      tape('target', result.target),
      tape('output', result.output, result.wrong ? wrong : null),
    );
    tapes.hidden = false;
    // The three tapes wrap alike, so one scroll shows the same columns in each: the line
    // of the first wrong column.
    const first = tapes.querySelector('mark');
    if (first) {
      const code = first.parentElement;
      const line = parseFloat(getComputedStyle(code).lineHeight) || first.offsetHeight;
      // Whole lines, one above the first wrong one.
      const top = (Math.round((first.offsetTop - code.offsetTop) / line) - 1) * line;
      for (const other of tapes.querySelectorAll('code')) other.scrollTop = Math.max(0, top);
    }
    $('test-result').textContent = `Length ${test.length.toLocaleString()}: ${result.wrong.toLocaleString()} of `
      + `${result.columns.toLocaleString()} columns wrong on one sequence (shown under "Look closer").`;
  }

  return {
    start(length) {
      test = {
        length,
        task: page.state.task,
        trained: [page.state.min_length, page.state.max_length],
        readyCount: page.readyCount,
        done: false,
      };
      figure.hidden = false;
      tapes.hidden = true;
      progress.hidden = false;
      progress.value = 0;
      status.textContent = `Testing one sequence at length ${length.toLocaleString()}…`;
      $('long-test-caption').textContent = `${MODELS[page.state.model].label} at length ${length.toLocaleString()}, `
        + `far past its training (${page.state.min_length}–${page.state.max_length})`
        + (['add', 'mul'].includes(page.state.task) ? ', least significant bit first' : '');
      figure.scrollIntoView({ block: 'nearest' });
      page.engine.send({ type: 'long-test', length, seed: SEED });
    },
    // The engine's progress after a chunk, with the answer after the last.
    received({ done, total, result, seconds, wasmBytes }) {
      if (!test || test.done) return;
      progress.max = total;
      progress.value = done;
      if (!result) {
        status.textContent = `Testing one sequence at length ${test.length.toLocaleString()}: `
          + `step ${done.toLocaleString()} of ${total.toLocaleString()}, ${seconds.toFixed(0)} s…`;
        return;
      }
      test.done = true;
      progress.hidden = true;
      page.longTestResult = { ...result, seconds, wasmBytes };
      show(result, seconds, wasmBytes);
    },
    // Training resumed, the model changed, or the engine refused: the test ends.
    stop(reason) {
      if (!test || test.done) return;
      test.done = true;
      progress.hidden = true;
      page.engine.send({ type: 'stop-long-test' });
      status.textContent = `Stopped: ${reason}.`;
    },
    get running() {
      return Boolean(test && !test.done);
    },
  };
}
