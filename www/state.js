// The page's whole configuration, as one declarative table: every property's type,
// default and bounds. The URL hash holds the non-default values (a share link); parsing
// checks each against the table, so a malformed or out-of-range link falls back to the
// defaults with a message instead of breaking the page.
//
// The models, their tasks, their size controls with bounds and defaults, and the views
// each supports come from the engine's schema (`configure(schema)`, the same JSON as
// `engram schema --json`); this file keeps only the page's own settings.

import { LESSONS } from './lessons.js';

// auto: WebGPU on a hardware adapter, else the CPU; gpu: any WebGPU adapter.
const BACKENDS = ['auto', 'gpu', 'cpu'];

// name → { type, default, min, max, label, engine }; `engine` marks the properties
// the Rust engine's PlaygroundConfig takes. Model and size properties are added by
// `configure`.
export const PROPERTIES = {
  bits: { type: 'int', min: 1, max: 16, default: 8, label: 'Bits', engine: true },
  min_length: { type: 'int', min: 1, max: 64, default: 1, label: 'Shortest length', engine: true },
  max_length: { type: 'int', min: 1, max: 64, default: 10, label: 'Longest length', engine: true },
  learning_rate: { type: 'float', min: 1e-5, max: 0.1, default: 0.003, label: 'Learning rate', engine: true },
  // Up to 256: the GPU runs a batch's sequences side by side.
  batch_size: { type: 'int', min: 1, max: 256, default: 16, label: 'Batch size', engine: true },
  seed: { type: 'int', min: 0, max: 4294967295, default: 1, label: 'Seed', engine: true },
  backend: { type: 'enum', values: BACKENDS, default: 'auto', label: 'Compute on' },
  speed: { type: 'int', min: 1, max: 50, default: 4, label: 'Steps per frame' },
  // Up to 2,049: a test runs forward only, so a symbol task reaches 2,049 columns (each
  // task's own limit is its schema entry's longest_test, checked in crossCheck).
  test_length: { type: 'int', min: 0, max: 2049, default: 0, label: 'Test at length (0: training length)' },
  embed: { type: 'bool', default: false },
  // Controls an embedded copy hides (see `hideable`).
  hide: { type: 'list', default: [], noun: 'control', allowed: () => hideable() },
  // A figure for a blog post: only these views (the schema's view names), or 'lesson'
  // (the lesson card and the model's story views), under a one-line bar.
  view: { type: 'list', default: [], noun: 'view', allowed: () => ['lesson', ...allViews()] },
  // Start training as soon as the page is ready (and in sight).
  autoplay: { type: 'bool', default: false },
  // A second model trained side by side on the same task, seed and batches, or none
  // (its values are the schema's memory-family models, set by `configure`).
  compare: { type: 'enum', values: [''], default: '', label: 'Compare with' },
  // A guided lesson to open (www/lessons/<id>.html), or none.
  lesson: { type: 'enum', values: ['', ...Object.keys(LESSONS)], default: '' },
};

// The schema's models by name, in its order.
export const MODELS = {};

// Button groups that `hide=` may name beside the labelled settings.
export const BUTTON_GROUPS = { checkpoints: 'Checkpoint buttons', share: 'Share buttons' };

// A property by its own name only: a link's "constructor" or "__proto__" is an unknown
// setting, not something found through the object's prototype.
export function property(name) {
  return Object.hasOwn(PROPERTIES, name) ? PROPERTIES[name] : undefined;
}

// Everything an embedded copy may hide (`hide=` in the hash): every labelled setting
// (the schema's sizes included) and the button groups.
export function hideable() {
  const settings = Object.keys(PROPERTIES).filter((name) => PROPERTIES[name].label);
  return [...settings, ...Object.keys(BUTTON_GROUPS)];
}

// Every view any model has, in the schema's order.
function allViews() {
  return [...new Set(Object.values(MODELS).flatMap((m) => m.views))];
}

// The views the page shows for `state`: the model's, or the figure's chosen ones
// (`view=`; 'lesson' shows the model's own).
export function shownViews(state) {
  const own = MODELS[state.model].views;
  const chosen = (state.view ?? []).filter((v) => v !== 'lesson');
  return chosen.length ? own.filter((v) => chosen.includes(v)) : own;
}

// Takes the engine's schema: adds the model, task and size properties to the table.
export function configure(schema) {
  for (const key of Object.keys(MODELS)) delete MODELS[key];
  const sizes = {};
  for (const model of schema.models) {
    MODELS[model.name] = model;
    for (const h of model.hyperparameters) {
      sizes[h.key] ??= h.choices
        ? { type: 'enum', values: h.choices, default: h.default, label: h.label, engine: true, size: true }
        : h.boolean ? { type: 'bool', default: h.default, label: h.label, engine: true, size: true }
        : {
          type: h.integer ? 'int' : 'float', min: h.min, max: h.max, default: h.default,
          label: h.label, engine: true, size: true,
        };
    }
  }
  const names = Object.keys(MODELS);
  PROPERTIES.compare.values = ['', ...names.filter((n) => MODELS[n].family === 'memory')];
  const tasks = [...new Set(schema.models.flatMap((m) => m.tasks.map((t) => t.name)))];
  const first = MODELS[schema.default_model];
  // Model, task and sizes first: a link reads in this order.
  const own = Object.fromEntries(Object.entries(PROPERTIES).filter(([, p]) => !p.size && !p.schema));
  for (const key of Object.keys(PROPERTIES)) delete PROPERTIES[key];
  Object.assign(PROPERTIES, {
    model: { type: 'enum', values: names, default: first.name, label: 'Model', engine: true, schema: true },
    task: { type: 'enum', values: tasks, default: first.tasks[0].name, label: 'Task', engine: true, schema: true },
    ...sizes,
    ...own,
  });
}

// The properties that are one model's size controls, in the schema's order.
export function sizeControls(model) {
  return MODELS[model]?.hyperparameters.map((h) => h.key) ?? [];
}

// The schema's entry for a model's task (its first task when it has no such task).
export function taskInfo(model, task) {
  const tasks = MODELS[model].tasks;
  return tasks.find((t) => t.name === task) ?? tasks[0];
}

// Defaults that follow the chosen model and task.
export function defaults(model = PROPERTIES.model.default, task = undefined) {
  const state = {};
  for (const [name, p] of Object.entries(PROPERTIES)) if (!p.size) state[name] = p.default;
  const info = MODELS[model];
  const chosen = taskInfo(model, task);
  for (const h of info.hyperparameters) state[h.key] = h.default;
  return {
    ...state,
    model,
    task: chosen.name,
    learning_rate: info.learning_rate,
    bits: chosen.bits,
    min_length: chosen.min_length,
    max_length: chosen.max_length,
  };
}

// Parses one value against its property; returns { value } or { error }.
export function parseValue(name, raw) {
  const p = property(name);
  if (!p) return { error: `unknown setting "${name}"` };
  switch (p.type) {
    case 'enum':
      return p.values.includes(raw) ? { value: raw }
        : { error: `${name} must be one of ${p.values.join(', ')}, got "${raw}"` };
    case 'bool':
      return raw === '1' || raw === 'true' ? { value: true }
        : raw === '0' || raw === 'false' ? { value: false }
        : { error: `${name} must be 1 or 0, got "${raw}"` };
    case 'list': {
      const items = raw.split(',').filter((s) => s !== '');
      const allowed = p.allowed();
      const unknown = items.filter((s) => !allowed.includes(s));
      return unknown.length
        ? { error: `${name} names no ${p.noun} ${unknown.map((u) => `"${u}"`).join(', ')} (it takes ${allowed.join(', ')})` }
        : { value: items };
    }
    default: {
      const value = Number(raw);
      const integral = p.type === 'int';
      if (raw.trim() === '' || !Number.isFinite(value) || (integral && !Number.isInteger(value))) {
        return { error: `${name} must be ${integral ? 'a whole number' : 'a number'}, got "${raw}"` };
      }
      if (value < p.min || value > p.max) {
        return { error: `${name} must be between ${p.min} and ${p.max}, got ${raw}` };
      }
      return { value };
    }
  }
}

// A model's on/off options, the schema's boolean hyperparameters (the DNC's §3.1
// improvements).
export function switches(model) {
  return MODELS[model].hyperparameters.filter((h) => h.boolean).map((h) => h.key);
}

// What the compared model is called: its label, and for the same model, which of its
// on/off options the partner has off (the schema's labels).
export function partnerLabel(state) {
  if (!state.compare) return '';
  const label = MODELS[state.compare].label;
  if (state.compare !== state.model) return label;
  const off = MODELS[state.model].hyperparameters.filter((h) => h.boolean && state[h.key]).map((h) => h.label);
  return `${label}, with ${off.join(', ')} off`;
}

// Why `state.compare` cannot be trained beside `state.model`, or null.
export function compareProblem(state) {
  if (!state.compare) return null;
  const [model, other] = [MODELS[state.model], MODELS[state.compare]];
  // The same model is a comparison only with one of its on/off options on: the pair
  // shows the option (the DNC with its improvements against the plain DNC).
  const improved = switches(state.model).some((key) => state[key]);
  if (model.family !== 'memory' || (state.compare === state.model && !improved)) {
    return `compare takes a model of the memory family (${PROPERTIES.compare.values.filter(Boolean).join(', ')}) beside a memory model: another one, or the same with one of its on/off options on`;
  }
  if (!other.tasks.some((t) => t.name === state.task)) return `${other.label} does not train on ${state.task}`;
  return null;
}

// Checks relations between values that the table cannot express alone.
export function crossCheck(state) {
  const model = MODELS[state.model];
  if (!model.tasks.some((t) => t.name === state.task)) {
    return `${model.label} trains on ${model.tasks.map((t) => t.name).join(', ')}, not ${state.task}`;
  }
  for (const name of Object.keys(state)) {
    if (property(name)?.size && !sizeControls(state.model).includes(name)) {
      return `${name} is not a setting of ${model.label}`;
    }
  }
  const comparison = compareProblem(state);
  if (comparison) return comparison;
  const foreign = (state.view ?? []).filter((v) => v !== 'lesson' && !model.views.includes(v));
  if (foreign.length) return `${model.label} has no view ${foreign.join(', ')} (its views: ${model.views.join(', ')})`;
  if (state.view?.includes('lesson') && !state.lesson) return 'view=lesson needs lesson= (which lesson to show)';
  if (state.min_length > state.max_length) {
    return `the shortest length (${state.min_length}) is longer than the longest (${state.max_length})`;
  }
  if (state.task === 'recall' && state.min_length < 2) return 'recall needs at least 2 items';
  const { longest_test: longest, test_columns: columns } = taskInfo(state.model, state.task);
  if (state.test_length > longest) {
    return `tests of ${state.task} reach length ${longest} (the limit of ${columns.toLocaleString()} columns), not ${state.test_length}`;
  }
  return null;
}

// The model a link names (`model=`), read before the schema is known to check it: what
// the engine should load first (see engine.js); null for none.
export function linkedModel(hash) {
  return new URLSearchParams(hash.replace(/^#/, '')).get('model');
}

// The length the views trace: the test length while a trace can hold it, else the
// training length (0); a longer test runs as a long test (long-test.js).
export function traceLength(state) {
  return state.test_length <= taskInfo(state.model, state.task).longest_trace ? state.test_length : 0;
}

// Reads a URL hash ("#model=dnc&seed=3"). Returns { state, errors }: on any error the
// state is the defaults, so a bad link never half-applies.
export function parseHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const model = params.get('model');
  const base = defaults(
    PROPERTIES.model.values.includes(model) ? model : undefined,
    params.get('task') ?? undefined,
  );
  const state = { ...base };
  const errors = [];
  for (const [name, raw] of params) {
    const parsed = parseValue(name, raw);
    if (parsed.error) errors.push(parsed.error);
    else state[name] = parsed.value;
  }
  const relation = errors.length ? null : crossCheck(state);
  if (relation) errors.push(relation);
  return errors.length ? { state: defaults(), errors } : { state, errors };
}

// The shortest hash that gives `state` back: only values that differ from the
// defaults of its model and task (model and task are always written).
export function toHash(state) {
  const base = defaults(state.model, state.task);
  const params = new URLSearchParams();
  for (const name of Object.keys(PROPERTIES)) {
    if (!(name in state)) continue;
    const value = state[name];
    const same = Array.isArray(value) ? value.join() === base[name].join() : value === base[name];
    if (name === 'model' || name === 'task' || !same) {
      params.set(name, Array.isArray(value) ? value.join(',') : value === true ? '1' : String(value));
    }
  }
  return '#' + params.toString();
}

// The subset of the state the engine takes: the shared settings, and the chosen model's
// settings (nested: the engine refuses a setting that is not the model's).
export function engineConfig(state) {
  const config = { settings: {} };
  for (const [name, p] of Object.entries(PROPERTIES)) if (p.engine && !p.size) config[name] = state[name];
  for (const key of sizeControls(state.model)) config.settings[key] = state[key];
  return config;
}
