// The generalisation curve: a model's error against the test length, from 1 to the
// longest length tested, with the lengths it was trained on shaded. `engram eval
// --lengths 1-64` prints the same numbers.

import { setupCanvas, text } from './canvas.js';
import { SERIES, formatNumber, niceStep, polyline } from './chart.js';

const LEFT = 58;
const RIGHT = 16;
const TOP = 16;
const BOTTOM = 40;

/**
 * results: the engine's evaluation records, one per length (ascending); metric: the
 * schema's error metric ({ key, label, unit, fraction }); trained: [shortest, longest]
 * training length.
 */
export function drawSweep(canvas, results, metric, trained) {
  const g = setupCanvas(canvas);
  const { ctx, theme } = g;
  const rect = { x: LEFT, y: TOP, w: g.width - LEFT - RIGHT, h: g.height - TOP - BOTTOM };
  const longest = Math.max(trained[1] + 1, ...results.map((r) => r.length));
  const value = (r) => (metric.fraction ? 100 * r[metric.key] : r[metric.key]);
  const top = metric.fraction ? 100 : Math.max(1, ...results.map(value)) * 1.05;
  const x = (length) => rect.x + ((length - 0.5) / longest) * rect.w;
  const y = (v) => rect.y + rect.h * (1 - v / top);

  // The training range, shaded and named.
  ctx.fillStyle = theme.grid;
  ctx.globalAlpha = 0.45;
  ctx.fillRect(x(trained[0] - 0.5), rect.y, x(trained[1] + 0.5) - x(trained[0] - 0.5), rect.h);
  ctx.globalAlpha = 1;
  text(g, 'trained', (x(trained[0] - 0.5) + x(trained[1] + 0.5)) / 2, rect.y + 10, { align: 'center', color: theme.muted, size: 11 });

  // Axes: errors up the side, lengths along the bottom.
  const yStep = niceStep(top / 5);
  for (let v = 0; v <= top; v += yStep) {
    ctx.fillStyle = theme.grid;
    ctx.fillRect(rect.x, Math.round(y(v)), rect.w, 1);
    text(g, metric.fraction ? `${formatNumber(v)}%` : formatNumber(v), rect.x - 6, y(v), { align: 'right', color: theme.muted, size: 11 });
  }
  const xStep = Math.max(1, niceStep((longest * 60) / Math.max(rect.w, 1)));
  for (let l = xStep; l <= longest; l += xStep) {
    text(g, String(l), x(l), rect.y + rect.h + 4, { align: 'center', baseline: 'top', color: theme.muted, size: 11 });
  }
  text(g, 'test length', rect.x + rect.w / 2, rect.y + rect.h + 20, { align: 'center', baseline: 'top' });
  const axis = metric.fraction ? metric.label : `${metric.label} per ${metric.unit.endsWith('/frame') ? 'recall frame' : 'sequence'}`;
  text(g, axis, 14, rect.y + rect.h / 2, { align: 'center', rotate: true, size: 11 });

  if (!results.length) return;
  const points = results.map((r) => [x(r.length), y(value(r))]);
  polyline(g, points, { color: SERIES[1], width: 2 });
  ctx.fillStyle = SERIES[1];
  for (const [px, py] of points) ctx.fillRect(px - 2, py - 2, 4, 4);
}
