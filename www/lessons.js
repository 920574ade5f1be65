// Guided lessons: a lesson is a plain HTML file in www/lessons/ (`<article>` with one
// `<section>` per step), so a teacher can copy one and change its words and settings
// without touching code. Arriving at a step carries out what its data- attributes ask,
// in this order:
//   data-set="model=ntm&task=copy&max_length=10"  settings, as in a page link (restarts)
//   data-load="trained"                           the trained model shipped with the page
//   data-load="dnc-copy-n8"                       a checkpoint in www/checkpoints/, by name
//   data-train="600"                              train until step 600, then pause
//   data-test="20"                                test at length 20 (evaluation + example)
//   data-sweep="32"                               test every length from 1 to 32 (the curve)
//   data-time="5"                                 show time step 5
//   data-dream="1"                                a generative model dreams the example's rest
//   data-pipeline="head=1&stage=content&slot=0"  the addressing view's head, stage, slot
//   data-highlight="addressing"                   outline the views of that name
// Next goes to the following step once the current one's actions are done.
// A new lesson: its file in www/lessons/ and a line in LESSONS below.

// The lessons, in the order the page lists them: id → title (the file is lessons/<id>.html).
export const LESSONS = {
  'why-memory': 'Why memory: an LSTM and an NTM on copy',
  'ntm-addressing': 'How the NTM addresses: content, then location',
  'dnc-memory': "The DNC's allocation and temporal links",
  generalisation: 'Generalisation: train at length ≤ 10, test at 20 and 40',
  'memory-runs-out': 'When memory runs out: a DNC with 8 slots and 16 items',
  'neural-gpu': 'The Neural GPU: does it learn to reverse, or only the lengths it saw?',
  'generative-memory': 'A generative model that remembers: recall with and without memory',
  'dependent-outputs': 'Dependent outputs: copy or reverse, decided once',
};

/**
 * Runs lesson `id` in `panel` (title, step text, status, Next and Close). `page` carries
 * out the actions: { apply(params), loadTrained(), loadCheckpoint(name), trainTo(steps), test(length), sweep(length),
 * dream(), showTime(t), pipeline(params), highlight(views), stop(), close() }, each returning a
 * promise where it waits on the engine. Closing the lesson stops its step where it is.
 */
export async function runLesson(id, panel, page) {
  const $ = (name) => panel.querySelector(`[data-part=${name}]`);
  const url = new URL(`./lessons/${id}.html`, import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the lesson "${id}" could not be loaded (HTTP ${response.status})`);
  const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
  const steps = [...doc.querySelectorAll('article > section')];
  if (!steps.length) throw new Error(`the lesson "${id}" has no steps`);
  $('title').textContent = LESSONS[id];
  panel.hidden = false;
  let at = -1;
  let busy = false;
  let closed = false;

  async function enter(index) {
    at = index;
    const step = steps[index];
    $('progress').textContent = `Step ${index + 1} of ${steps.length}`;
    $('text').replaceChildren(...[...step.childNodes].map((n) => document.importNode(n, true)));
    // Busy, not disabled: a disabled button would drop the keyboard focus.
    busy = true;
    $('next').setAttribute('aria-disabled', 'true');
    $('next').textContent = index === steps.length - 1 ? 'Done' : 'Next';
    const act = step.dataset;
    try {
      if (act.set) await status('Setting up…', page.apply(new URLSearchParams(act.set)));
      if (closed) return;
      if (act.load) {
        await status('Loading the trained model…', act.load === 'trained' ? page.loadTrained() : page.loadCheckpoint(act.load));
      }
      if (closed) return;
      if (act.train) await status(`Training to step ${act.train}…`, page.trainTo(Number(act.train)));
      if (closed) return;
      if (act.test) await status(`Testing at length ${act.test}…`, page.test(Number(act.test)));
      if (closed) return;
      if (act.sweep) await status(`Testing lengths 1–${act.sweep}…`, page.sweep(Number(act.sweep)));
      if (closed) return;
      if (act.dream) await status('Dreaming…', page.dream());
      if (closed) return;
      if (act.time) page.showTime(Number(act.time));
      if (act.pipeline) page.pipeline(new URLSearchParams(act.pipeline));
      page.highlight(act.highlight ? act.highlight.split(' ') : []);
      $('status').textContent = '';
    } catch (error) {
      $('status').textContent = `This step could not run: ${error.message}.`;
    }
    busy = false;
    $('next').setAttribute('aria-disabled', 'false');
  }

  async function status(text, promise) {
    $('status').textContent = text;
    await promise;
  }

  $('next').addEventListener('click', () => {
    if (busy) return;
    if (at < steps.length - 1) enter(at + 1);
    else finish();
  });
  $('close').addEventListener('click', finish);

  function finish() {
    closed = true;
    page.stop();
    panel.hidden = true;
    page.highlight([]);
    page.close();
  }

  await enter(0);
}

/** Fills `list` with a link to every lesson. */
export function listLessons(list) {
  list.replaceChildren(...Object.entries(LESSONS).map(([id, title]) => {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `#lesson=${id}`;
    link.textContent = title;
    item.append(link);
    return item;
  }));
}
