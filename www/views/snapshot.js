// Read-only accessors over a snapshot (the JSON of `engram trace --json`) that
// hide the per-model differences from the views.

export const NO_MEMORY = 'The LSTM baseline has no external memory';

// The time step actually shown for a requested t (scrubbers may overshoot).
export function clampStep(snapshot, t) {
  const last = snapshot.steps.length - 1;
  return Math.min(Math.max(Math.round(t) || 0, 0), last);
}

export function hasMemory(snapshot) {
  return Boolean(snapshot.steps[0]?.memory);
}

// Every read and write weighting of one step as
// [{ name, short, kind: 'write' | 'read', weights: [N] }], writes first.
// NTM and DNC have one write weighting [N]; the LRU has one per read head [R][N].
export function heads(step) {
  const raw = step.write_weights ?? [];
  const writes = Array.isArray(raw[0]) ? raw : raw.length ? [raw] : [];
  const reads = step.read_weights ?? [];
  return [
    ...writes.map((weights, i) => ({
      name: writes.length > 1 ? `write head ${i + 1}` : 'write head',
      short: writes.length > 1 ? `write ${i + 1}` : 'write',
      kind: 'write',
      weights,
    })),
    ...reads.map((weights, i) => ({ name: `read head ${i + 1}`, short: `read ${i + 1}`, kind: 'read', weights })),
  ];
}

// Largest |value| in memory over all steps, so colours stay comparable while
// scrubbing through time.
export function maxAbsMemory(snapshot) {
  let max = 0;
  for (const step of snapshot.steps) {
    for (const row of step.memory ?? []) {
      for (const value of row) max = Math.max(max, Math.abs(value));
    }
  }
  return max || 1;
}

// One gate's first component per step, e.g. gateSeries(s, 'write_gate').
export function gateSeries(snapshot, name, index = 0) {
  return snapshot.steps.map((step) => step.gates?.[name]?.[index] ?? NaN);
}
