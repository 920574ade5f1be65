// Chart pieces shared by the views: series styles, ticks, index axes, lines
// and legends. Drawing primitives and the theme live in canvas.js.

import { text, textWidth } from './canvas.js';

// Colour-blind-safe (Okabe–Ito) series colours; the views pair them with dash
// patterns or labels so meaning never rests on hue alone.
export const SERIES = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];
export const DASHES = [[], [7, 4], [2, 3], [9, 3, 2, 3]];

// Smallest 1-2-5 × 10^k step that is at least `raw`.
export function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

// Indices 0, k, 2k, … of `count` equal cells across `pixels`, spaced so their
// labels never collide.
function indexTicks(count, pixels, minGap = 26) {
  const step = Math.max(1, niceStep((minGap * count) / Math.max(pixels, 1)));
  const ticks = [];
  for (let i = 0; i < count; i += step) ticks.push(i);
  return ticks;
}

// Labels cell indices along the left or bottom edge of a rect whose `count`
// cells are equal rows (left) or columns (bottom), plus an axis title.
export function indexAxis(g, rect, count, side, label) {
  const muted = { color: g.theme.muted, size: 11 };
  const left = side === 'left';
  const cell = (left ? rect.h : rect.w) / count;
  let widest = 0;
  for (const i of indexTicks(count, left ? rect.h : rect.w, left ? 16 : 26)) {
    const at = (i + 0.5) * cell;
    if (left) {
      text(g, String(i), rect.x - 5, rect.y + at, { ...muted, align: 'right' });
      widest = Math.max(widest, textWidth(g, String(i), 11));
    } else {
      text(g, String(i), rect.x + at, rect.y + rect.h + 4, { ...muted, align: 'center', baseline: 'top' });
    }
  }
  if (!label) return;
  if (left) text(g, label, rect.x - widest - 14, rect.y + rect.h / 2, { align: 'center', rotate: true });
  else text(g, label, rect.x + rect.w / 2, rect.y + rect.h + 20, { align: 'center', baseline: 'top' });
}

// style: { color, width, dash, alpha }; points: [[x, y], …].
export function polyline(g, points, style) {
  const { ctx } = g;
  ctx.save();
  ctx.strokeStyle = style.color;
  ctx.lineWidth = style.width ?? 1.5;
  ctx.globalAlpha = style.alpha ?? 1;
  ctx.setLineDash(style.dash ?? []);
  ctx.lineJoin = 'round';
  ctx.beginPath();
  points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.stroke();
  ctx.restore();
}

// A one-line legend of line samples ending at xRight; items: [{ label, ...style }].
// Returns the legend's left edge so a heading on the same line can stop short of it.
const LEGEND_SAMPLE = 22;
const legendWidths = (g, items) => items.map((item) => LEGEND_SAMPLE + 6 + textWidth(g, item.label) + 14);

/** How wide `drawLegend` draws `items`. */
export function legendWidth(g, items) {
  return legendWidths(g, items).reduce((a, b) => a + b, 0) - 14;
}

export function drawLegend(g, xRight, y, items) {
  const sample = LEGEND_SAMPLE;
  const widths = legendWidths(g, items);
  const left = xRight - widths.reduce((a, b) => a + b, 0) + 14;
  let x = left;
  items.forEach((item, i) => {
    polyline(g, [[x, y], [x + sample, y]], { ...item, alpha: Math.max(item.alpha ?? 1, 0.5) });
    text(g, item.label, x + sample + 6, y);
    x += widths[i];
  });
  return left;
}

export function formatNumber(value) {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(0).replace('+', '');
  return String(Number(value.toPrecision(3)));
}
