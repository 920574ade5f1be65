// The page's whole configuration, as one declarative table: every property's type,
// default and bounds. The URL hash holds the non-default values (a share link); parsing
// checks each against the table, so a malformed or out-of-range link falls back to the
// defaults with a message instead of breaking the page.

const MODELS = ['lstm', 'ntm', 'dnc', 'lru'];
const TASKS = ['copy', 'repeat-copy', 'recall', 'priority-sort'];
// auto: WebGPU on a hardware adapter, else the CPU; gpu: any WebGPU adapter.
const BACKENDS = ['auto', 'gpu', 'cpu'];

// Length defaults differ per task (recall counts items, priority sort has one length).
export const TASK_LENGTHS = {
  'copy': { min_length: 1, max_length: 10, bits: 8 },
  'repeat-copy': { min_length: 1, max_length: 10, bits: 8 },
  'recall': { min_length: 2, max_length: 6, bits: 6 },
  'priority-sort': { min_length: 20, max_length: 20, bits: 8 },
};

// Sizes that learn each model quickly in a tab (the CLI's presets, smaller memory).
export const MODEL_SIZES = {
  lstm: { hidden: 128, memory_slots: 16, memory_width: 16, read_heads: 1 },
  ntm: { hidden: 100, memory_slots: 32, memory_width: 20, read_heads: 1 },
  dnc: { hidden: 64, memory_slots: 16, memory_width: 16, read_heads: 1 },
  lru: { hidden: 100, memory_slots: 32, memory_width: 20, read_heads: 1 },
};

// name → { type, default, min, max, label, engine }; `engine` marks the properties
// the Rust engine's PlaygroundConfig takes.
export const PROPERTIES = {
  model: { type: 'enum', values: MODELS, default: 'ntm', label: 'Model', engine: true },
  task: { type: 'enum', values: TASKS, default: 'copy', label: 'Task', engine: true },
  bits: { type: 'int', min: 1, max: 16, default: 8, label: 'Bits', engine: true },
  min_length: { type: 'int', min: 1, max: 64, default: 1, label: 'Shortest length', engine: true },
  max_length: { type: 'int', min: 1, max: 64, default: 10, label: 'Longest length', engine: true },
  memory_slots: { type: 'int', min: 2, max: 128, default: 32, label: 'Memory slots N', engine: true },
  memory_width: { type: 'int', min: 1, max: 64, default: 20, label: 'Memory width W', engine: true },
  read_heads: { type: 'int', min: 1, max: 4, default: 1, label: 'Read heads R', engine: true },
  hidden: { type: 'int', min: 4, max: 256, default: 100, label: 'Controller size', engine: true },
  learning_rate: { type: 'float', min: 1e-5, max: 0.1, default: 0.003, label: 'Learning rate', engine: true },
  // Up to 256: the GPU runs a batch's sequences side by side.
  batch_size: { type: 'int', min: 1, max: 256, default: 16, label: 'Batch size', engine: true },
  seed: { type: 'int', min: 0, max: 4294967295, default: 1, label: 'Seed', engine: true },
  backend: { type: 'enum', values: BACKENDS, default: 'auto', label: 'Compute on' },
  speed: { type: 'int', min: 1, max: 50, default: 4, label: 'Steps per frame' },
  test_length: { type: 'int', min: 0, max: 64, default: 0, label: 'Test at length (0: training length)' },
  embed: { type: 'bool', default: false },
  hide: { type: 'list', default: [] },
};

// Defaults that follow the chosen model and task.
export function defaults(model = PROPERTIES.model.default, task = PROPERTIES.task.default) {
  const state = {};
  for (const [name, p] of Object.entries(PROPERTIES)) state[name] = p.default;
  return { ...state, model, task, ...MODEL_SIZES[model], ...TASK_LENGTHS[task] };
}

// Parses one value against its property; returns { value } or { error }.
export function parseValue(name, raw) {
  const p = PROPERTIES[name];
  if (!p) return { error: `unknown setting "${name}"` };
  switch (p.type) {
    case 'enum':
      return p.values.includes(raw) ? { value: raw }
        : { error: `${name} must be one of ${p.values.join(', ')}, got "${raw}"` };
    case 'bool':
      return raw === '1' || raw === 'true' ? { value: true }
        : raw === '0' || raw === 'false' ? { value: false }
        : { error: `${name} must be 1 or 0, got "${raw}"` };
    case 'list':
      return { value: raw.split(',').filter((s) => s in PROPERTIES) };
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

// Checks relations between values that the table cannot express alone.
export function crossCheck(state) {
  if (state.min_length > state.max_length) {
    return `the shortest length (${state.min_length}) is longer than the longest (${state.max_length})`;
  }
  if (state.task === 'recall' && state.min_length < 2) return 'recall needs at least 2 items';
  return null;
}

// Reads a URL hash ("#model=dnc&seed=3"). Returns { state, errors }: on any error the
// state is the defaults, so a bad link never half-applies.
export function parseHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const model = params.get('model');
  const task = params.get('task');
  const base = defaults(
    PROPERTIES.model.values.includes(model) ? model : undefined,
    PROPERTIES.task.values.includes(task) ? task : undefined,
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
    const value = state[name];
    const same = Array.isArray(value) ? value.join() === base[name].join() : value === base[name];
    if (name === 'model' || name === 'task' || !same) {
      params.set(name, Array.isArray(value) ? value.join(',') : value === true ? '1' : String(value));
    }
  }
  return '#' + params.toString();
}

// The subset of the state the engine takes.
export function engineConfig(state) {
  const config = {};
  for (const [name, p] of Object.entries(PROPERTIES)) if (p.engine) config[name] = state[name];
  return config;
}
