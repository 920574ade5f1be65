// Colour maps returning [r, g, b] triples (0–255) and a colour bar legend.

import { drawHeatmap, text } from './canvas.js';

// matplotlib's viridis sampled at 32 evenly spaced points: perceptually
// uniform, readable in greyscale and by colour-blind viewers.
const VIRIDIS = [
  '440154', '470d60', '48186a', '482475', '472e7c', '453882', '424186', '3e4c8a',
  '3a548c', '365d8d', '32658e', '2e6d8e', '2b758e', '287d8e', '25848e', '228c8d',
  '1f948c', '1e9c89', '20a386', '25ab82', '2eb37c', '3aba76', '48c16e', '58c765',
  '69cd5b', '7fd34e', '93d741', 'a8db34', 'bddf26', 'd5e21a', 'eae51a', 'fde725',
].map(hexToRgb);

// ColorBrewer RdBu (11 classes), ordered from −1 (blue) through white to +1 (red).
const RDBU = [
  '053061', '2166ac', '4393c3', '92c5de', 'd1e5f0', 'f7f7f7',
  'fddbc7', 'f4a582', 'd6604d', 'b2182b', '67001f',
].map(hexToRgb);

function hexToRgb(hex) {
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

// Linear interpolation between control points; u is clamped to [0, 1] and a
// non-finite value maps to the low end rather than throwing or going black.
function ramp(table, u) {
  const clamped = Number.isFinite(u) ? Math.min(Math.max(u, 0), 1) : 0;
  const x = clamped * (table.length - 1);
  const i = Math.min(Math.floor(x), table.length - 2);
  const f = x - i;
  return table[i].map((lo, k) => Math.round(lo + f * (table[i + 1][k] - lo)));
}

/** Sequential map for t in [0, 1]. */
export function viridis(t) {
  return ramp(VIRIDIS, t);
}

/** Diverging map for t in [−1, 1], white at 0. */
export function diverging(t) {
  return ramp(RDBU, (t + 1) / 2);
}

export function rgb([r, g, b]) {
  return `rgb(${r}, ${g}, ${b})`;
}

// A vertical colour bar in `rect` for `color` over `domain` = [lo, hi], with
// labels = { min, max, mid?, title? } (strings) beside its ends and middle.
export function drawColorBar(g, rect, color, domain, labels) {
  const [lo, hi] = domain;
  const steps = 64;
  drawHeatmap(g, rect, steps, 1, (r) => hi - (r / (steps - 1)) * (hi - lo), color);
  const x = rect.x + rect.w + 5;
  const small = { color: g.theme.muted, size: 11 };
  text(g, labels.max, x, rect.y + 5, small);
  text(g, labels.min, x, rect.y + rect.h - 5, small);
  if (labels.mid) text(g, labels.mid, x, rect.y + rect.h / 2, small);
  if (labels.title) text(g, labels.title, rect.x, rect.y - 8, { ...small, baseline: 'bottom' });
}
