// Training curves in the model's objective against the training step, on log scales,
// decimated to one column per pixel: the loss in bits per sequence, the error (bit
// errors per sequence, or the fraction of wrong symbols) and, where the objective has
// sequence accuracy, the fraction of sequences not entirely right.

import { heading, setupCanvas, text, textWidth } from './canvas.js';
import { DASHES, SERIES, drawLegend, formatNumber, legendWidth, niceStep, polyline } from './chart.js';

const LEFT = 58;
const RIGHT = 14;
const HEAD = 26;
const GAP = 14;
const BOTTOM = 40;
const MAX_WINDOW = 50;

// Reused buffers, one per use, grown to the longest series seen (the history holds at
// most 8,192 points): the chart redraws on every animation frame while training, and a
// fresh array per panel per frame is garbage the tab's heap grows to make room for.
const buffers = new Map();
function scratch(name, length) {
  let buffer = buffers.get(name);
  if (!buffer || buffer.length < length) {
    buffer = new Float64Array(Math.max(length, 1024));
    buffers.set(name, buffer);
  }
  return buffer.subarray(0, length);
}

// Trailing mean of the finite values among the last `window`, in O(n); a NaN
// from a diverged step must not poison the average forever. Written into the buffer
// `name`, valid until the next call with that name.
function movingAverage(values, window, name) {
  const out = scratch(name, values.length);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      sum += values[i];
      count += 1;
    }
    if (i >= window && Number.isFinite(values[i - window])) {
      sum -= values[i - window];
      count -= 1;
    }
    // A running sum leaves rounding residue (−8e−17 for an average of zeros).
    out[i] = count ? (Math.abs(sum) < 1e-9 ? 0 : sum / count) : NaN;
  }
  return out;
}

// Per pixel column: the raw min and max and the last moving-average value, so
// 50,000 steps cost as much to draw as a few hundred. Typed arrays indexed by
// pixel keep this allocation-free in the hot loop.
function decimate(history, values, average, x, floor, pixels) {
  const min = scratch('min', pixels).fill(Infinity);
  const max = scratch('max', pixels).fill(-Infinity);
  const avg = scratch('avg', pixels).fill(NaN);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    const px = Math.min(Math.max(Math.round(x(history.step[i])), 0), pixels - 1);
    const v = Math.max(values[i], floor);
    if (v < min[px]) min[px] = v;
    if (v > max[px]) max[px] = v;
    if (Number.isFinite(average[i])) avg[px] = Math.max(average[i], floor);
  }
  const columns = [];
  for (let px = 0; px < pixels; px++) {
    if (min[px] <= max[px]) columns.push({ px, min: min[px], max: max[px], average: avg[px] });
  }
  return columns;
}

// Decades spanning the data; an empty panel still gets a sensible axis.
function decades(values, floor, fallback) {
  let [min, max] = [Infinity, -Infinity];
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    min = Math.min(min, Math.max(v, floor));
    max = Math.max(max, Math.max(v, floor));
  }
  if (min > max) return fallback;
  const lo = Math.floor(Math.log10(min));
  return [lo, Math.max(Math.ceil(Math.log10(max)), lo + 1)];
}

function drawLogAxis(g, rect, [lo, hi], floor) {
  const every = Math.ceil((hi - lo) / Math.max(1, Math.floor(rect.h / 18)));
  for (let k = lo; k <= hi; k += every) {
    const y = rect.y + rect.h * (1 - (k - lo) / (hi - lo));
    g.ctx.fillStyle = g.theme.grid;
    g.ctx.fillRect(rect.x, Math.round(y), rect.w, 1);
    const label = formatNumber(10 ** k);
    const atFloor = 10 ** k <= floor * 1.0001;
    text(g, atFloor ? `≤${label}` : label, rect.x - 6, y, { align: 'right', color: g.theme.muted, size: 11 });
  }
}

// Axes, then (when there is data) raw and averaged curves with their legend; with a
// compared model (`partner`: { label, own, history, values }), its average too, dashed.
// Below this height a stacked panel is too thin to read; side by side each needs this
// much width.
const MIN_PANEL_HEIGHT = 70;
const MIN_PANEL_WIDTH = 140;
// A panel narrower than this draws no key (raw, average, compared model).
const MIN_KEYED_WIDTH = 300;

function drawPanel(g, rect, panel, history, x, partner) {
  const window = Math.max(1, Math.min(MAX_WINDOW, Math.floor(panel.values.length / 10)));
  const average = movingAverage(panel.values, window, 'average');
  const range = decades(partner ? [...panel.values, ...partner.values] : panel.values, panel.floor, panel.fallback);
  const y = (v) => rect.y + rect.h * (1 - (Math.log10(v) - range[0]) / (range[1] - range[0]));
  const last = average[average.length - 1];
  const note = average.length ? `latest average ${formatNumber(last)}` : '';
  // The panel's own left edge: 0 when panels are stacked, further right side by side.
  const left = rect.x - LEFT;
  drawLogAxis(g, rect, range, panel.floor);
  text(g, panel.axis, left + 14, rect.y + rect.h / 2, { align: 'center', rotate: true });
  if (!panel.values.length) {
    heading(g, panel.name, '', left, rect.y - HEAD + 10);
    const centre = { align: 'center', color: g.theme.muted, size: 14 };
    text(g, 'no training yet', rect.x + rect.w / 2, rect.y + rect.h / 2, centre);
    return;
  }
  const columns = decimate(history, panel.values, average, x, panel.floor, Math.ceil(g.width) + 1);
  const raw = { label: 'raw', color: panel.color, width: 1, alpha: 0.4 };
  const smooth = { label: partner ? partner.own : `average of last ${window}`, color: panel.color, width: 2.5 };
  polyline(g, columns.flatMap((c) => [[c.px, y(c.min)], [c.px, y(c.max)]]), raw);
  const averaged = columns.filter((c) => Number.isFinite(c.average));
  polyline(g, averaged.map((c) => [c.px, y(c.average)]), smooth);
  // Beside a compared model's line, the raw band's entry gives way when space is short.
  const legend = partner ? [smooth] : [raw, smooth];
  if (partner?.values.length) {
    const other = { label: partner.label, color: g.theme.fg, width: 2, dash: DASHES[1] };
    const partnerAverage = movingAverage(partner.values, window, 'partner');
    const partnerColumns = decimate(partner.history, partner.values, partnerAverage, x, panel.floor, Math.ceil(g.width) + 1);
    polyline(g, partnerColumns.filter((c) => Number.isFinite(c.average)).map((c) => [c.px, y(c.average)]), other);
    legend.push(other);
  }
  // The key stands on the name's line where both fit, else at the top of the plot; a
  // narrow panel (side by side) has none, unless it names a compared model's line.
  let legendLeft = rect.x + rect.w + 12;
  if (rect.w >= MIN_KEYED_WIDTH || partner) {
    const nameEnd = left + textWidth(g, panel.name, 13, '600') + 12;
    if (rect.x + rect.w - legendWidth(g, legend) >= nameEnd) legendLeft = drawLegend(g, rect.x + rect.w, rect.y - HEAD + 10, legend);
    else drawLegend(g, rect.x + rect.w - 6, rect.y + 10, legend);
  }
  heading(g, panel.name, note, left, rect.y - HEAD + 10, legendLeft - 12);
}

function formatStep(step) {
  if (step >= 1e6) return `${step / 1e6}M`;
  return step >= 1e3 ? `${step / 1e3}k` : String(step);
}

function drawStepAxis(g, rects, [x0, x1], x) {
  const bottom = rects[rects.length - 1];
  // Training steps are integers, so ticks never need a fractional spacing.
  const step = Math.max(1, niceStep(((x1 - x0) * 80) / Math.max(bottom.w, 1)));
  for (let s = Math.ceil(x0 / step) * step; s <= x1; s += step) {
    g.ctx.fillStyle = g.theme.grid;
    for (const r of rects) g.ctx.fillRect(Math.round(x(s)), r.y, 1, r.h);
    const tick = { align: 'center', baseline: 'top', color: g.theme.muted, size: 11 };
    text(g, formatStep(s), x(s), bottom.y + bottom.h + 4, tick);
  }
  text(g, 'training step', bottom.x + bottom.w / 2, bottom.y + bottom.h + 20, { align: 'center', baseline: 'top' });
}

/**
 * The objective's curves against training step; history = { step, bits, errors, wrong }
 * arrays, metrics = the objective's metric descriptions from the engine's schema;
 * partner = { label, own, series } of a model trained side by side (its averages are
 * drawn dashed on the same axes), or null.
 */
export function drawLossChart(canvas, history, metrics, partner = null) {
  const g = setupCanvas(canvas);
  const steps = history?.step ?? [];
  const span = steps.length ? [steps[0], Math.max(steps[steps.length - 1], steps[0] + 1)] : [0, 1];
  const [, error, accuracy] = metrics;
  const panels = [
    { name: 'bits per sequence', axis: 'bits', values: history?.bits ?? [], floor: 1e-3, fallback: [-1, 2] },
    error.fraction
      ? { name: `${error.label} (fraction)`, axis: 'error', values: history?.errors ?? [], floor: 1e-3, fallback: [-3, 0] }
      : {
        name: `${error.label} per ${error.unit.endsWith('/frame') ? 'recall frame' : 'sequence'}`,
        short: error.label,
        axis: 'errors', values: history?.errors ?? [], floor: 0.01, fallback: [-2, 1],
      },
  ];
  if (accuracy && !accuracy.fraction) {
    // The generative models: the recall frames' bound, bits per frame.
    panels.push({
      name: `${accuracy.label} (${accuracy.unit})`, short: accuracy.label, axis: 'recall', values: history?.recall ?? [], floor: 1e-3,
      fallback: [-1, 2],
    });
  } else if (accuracy) {
    panels.push({
      name: `sequences wrong (1 − ${accuracy.label})`, short: 'sequences wrong', axis: 'wrong', values: history?.wrong ?? [], floor: 1e-3,
      fallback: [-3, 0],
    });
  }
  const count = panels.length;
  const stackedH = (g.height - BOTTOM - count * HEAD - (count - 1) * GAP) / count;
  // Stacked, each panel spans the width; in a short, wide view (the generative models'
  // row on a projector) stacked panels would be slivers, so they stand side by side,
  // each with its own step axis. A comparison stays stacked: its key names the lines.
  const sideBySide = !partner && stackedH < MIN_PANEL_HEIGHT && g.width >= count * MIN_PANEL_WIDTH;
  const width = sideBySide ? (g.width - count * (LEFT + RIGHT)) / count : g.width - LEFT - RIGHT;
  const rects = panels.map((_, i) => (sideBySide
    ? { x: LEFT + i * (width + LEFT + RIGHT), y: HEAD, w: width, h: g.height - BOTTOM - HEAD }
    : { x: LEFT, y: HEAD + i * (stackedH + HEAD + GAP), w: width, h: stackedH }));
  const along = (rect) => (s) => rect.x + ((s - span[0]) / (span[1] - span[0])) * width;
  if (sideBySide) rects.forEach((rect) => drawStepAxis(g, [rect], span, along(rect)));
  else drawStepAxis(g, rects, span, along(rects[0]));
  const axes = ['bits', 'errors', partner && accuracy && !accuracy.fraction ? 'recall' : 'wrong'];
  panels.forEach((panel, i) => {
    const other = partner && { ...partner, history: partner.series, values: partner.series[axes[i]] ?? [] };
    // Side by side, a panel's name has a third of the width: its short form.
    const name = sideBySide ? panel.short ?? panel.name : panel.name;
    drawPanel(g, rects[i], { ...panel, name, color: SERIES[i % SERIES.length] }, history, along(rects[i]), other);
  });
}
