// The settings form: its model and size controls built from the engine's schema, and
// the form, the visible controls and views written from the page's state.

import { PROPERTIES, MODELS, property, shownViews, sizeControls, taskInfo } from './state.js';

const $ = (id) => document.getElementById(id);

// The model selector and every model's size controls, from the engine's schema.
export function buildControls(form) {
  const select = form.elements.model;
  select.replaceChildren(...Object.values(MODELS).map((m) => new Option(m.label, m.name)));
  form.elements.compare.replaceChildren(...PROPERTIES.compare.values
    .map((name) => new Option(name ? MODELS[name].label : 'nothing', name)));
  const sizes = $('size-controls');
  const seen = new Set();
  for (const model of Object.values(MODELS)) {
    for (const h of model.hyperparameters) {
      if (seen.has(h.key)) continue;
      seen.add(h.key);
      const label = document.createElement('label');
      label.dataset.control = h.key;
      let input;
      if (h.choices) {
        input = document.createElement('select');
        input.append(...h.choices.map((choice) => new Option(choice, choice)));
      } else if (h.boolean) {
        input = document.createElement('input');
        input.type = 'checkbox';
      } else {
        input = document.createElement('input');
        input.type = 'number';
        if (h.integer) input.inputMode = 'numeric';
        else input.step = 'any';
      }
      input.name = h.key;
      label.append(`${h.label} `, input);
      if (h.detail) label.title = h.detail;
      sizes.append(label);
    }
  }
}

// The chosen model's tasks in the task selector.
function writeTaskOptions(form, state) {
  const select = form.elements.task;
  const tasks = MODELS[state.model].tasks;
  if (select.dataset.model !== state.model) {
    select.replaceChildren(...tasks.map((t) => new Option(t.label, t.name)));
    select.dataset.model = state.model;
  }
}

// The form, the visible controls and views, and the chart's caption for `state`.
export function writeControls(form, state) {
  writeTaskOptions(form, state);
  for (const element of form.elements) {
    if (!element.name || !(element.name in state)) continue;
    if (element.type === 'checkbox') element.checked = state[element.name];
    else element.value = state[element.name];
  }
  const speed = form.elements.speed;
  speed.min = PROPERTIES.speed.min;
  speed.max = PROPERTIES.speed.max;
  $('speed-value').textContent = state.speed;
  for (const [name, p] of Object.entries(PROPERTIES)) {
    const input = form.elements[name];
    if (input && input.type === 'number') {
      input.min = p.min;
      input.max = p.max;
    }
  }
  const hidden = new Set(state.hide);
  const sizes = new Set(sizeControls(state.model));
  const task = taskInfo(state.model, state.task);
  for (const label of document.querySelectorAll('[data-control]')) {
    const name = label.dataset.control;
    const otherModels = property(name)?.size && !sizes.has(name);
    label.hidden = hidden.has(name) || otherModels || (name === 'bits' && !task.bits_label);
  }
  $('bits-label').textContent = task.bits_label ?? 'Bits';
  form.elements.min_length.disabled = task.fixed_length;
  const views = new Set(shownViews(state));
  for (const figure of document.querySelectorAll('[data-views]')) {
    figure.hidden = !figure.dataset.views.split(' ').some((v) => views.has(v));
  }
  // The stage places its story views by family and by which of them it shows
  // (style.css); a figure (`view=`) shows only the chosen ones, wherever they are.
  const stage = $('views');
  stage.dataset.family = MODELS[state.model].family;
  stage.dataset.model = state.model;
  stage.dataset.story = [...stage.querySelectorAll(':scope > figure[data-views]:not([hidden])')]
    .flatMap((f) => f.dataset.views.split(' ')).join(' ');
  stage.toggleAttribute('data-compare', Boolean(state.compare));
  const figureMode = state.view.length > 0;
  document.body.classList.toggle('figure', figureMode);
  if (figureMode) {
    // A detail view that a figure names joins its stage; the whole page keeps them below.
    for (const figure of document.querySelectorAll('#details figure[data-views]')) {
      if (figure.dataset.views.split(' ').some((v) => state.view.includes(v))) stage.append(figure);
    }
  }

  const [, error, accuracy] = MODELS[state.model].metrics;
  $('loss-caption').textContent = `Training: loss (bits per sequence), ${error.label}` +
    (accuracy ? ` and ${accuracy.label}` : ' per sequence');
  document.body.classList.toggle('embed', state.embed);
}
