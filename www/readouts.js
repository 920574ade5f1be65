// The words metrics are read out in, from the schema's metric records (name, unit,
// whether a fraction): one training report, and a test's results. The page and a
// side-by-side partner both speak through these, so the two read alike.

import { MODELS } from './state.js';

// The latest training report of `model` and the moving average of its error metric.
export function describeReport(model, latest, average) {
  const [, error] = MODELS[model].metrics;
  const errors = error.fraction
    ? `${(100 * latest.errors).toFixed(1)}% ${error.label} (moving average ${(100 * average).toFixed(1)}%)` +
      (latest.sequence_accuracy === undefined ? '' : `, ${(100 * latest.sequence_accuracy).toFixed(1)}% of sequences right`)
    : `${latest.errors.toFixed(2)} ${error.label} per ${error.unit.endsWith('/frame') ? 'recall frame' : 'sequence'}` +
      ` (moving average ${average.toFixed(2)})`;
  return `Step ${latest.step}: ${latest.bits.toFixed(2)} bits per sequence, ${errors}.`;
}

// A test's results, one sentence per length. A result names its own metrics (it may come
// from the model before a reset), so every model's metric records are consulted.
export function describeEvaluation(results) {
  const known = new Map(Object.values(MODELS).flatMap((m) => m.metrics).map((info) => [info.key, info]));
  const shown = (r) => [...known.values()]
    .filter((info) => info.key !== 'bits_per_sequence' && info.key in r)
    .map((info) => (info.fraction ? `${(100 * r[info.key]).toFixed(1)}% ${info.label}`
      : info.unit.endsWith('/frame') ? `${r[info.key].toFixed(3)} ${info.label} (${info.unit})`
      : `${r[info.key].toFixed(3)} ${info.label} per sequence`))
    .join(', ');
  return results
    .map((r) => `Length ${r.length}: ${r.bits_per_sequence.toFixed(3)} bits, ${shown(r)} (${r.sequences} sequences).`)
    .join(' ');
}
