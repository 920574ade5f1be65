// The generative models' views, from a snapshot's `frames` record (the JSON of
// `engram trace --json`): the frame rows (observed, reconstructed, predicted from
// memory, and a dream), the KL per step, the read weightings as slot × time, and the
// memory matrix at the chosen step.

import { drawCursor, drawHeatmap, drawMessage, heading, setupCanvas, text, textWidth } from './canvas.js';
import { SERIES, formatNumber, indexAxis } from './chart.js';
import { diverging, viridis, drawColorBar } from './colormap.js';

const LEFT = 112;
const TOP = 30;
const ROW_GAP = 16;
const LN2 = Math.log(2);

// Ink on paper: p(x = 1) = 1 is dark in either theme's frame.
const ink = (p) => {
  const v = Math.round(255 * (1 - Math.min(Math.max(p, 0), 1)));
  return [v, v, v];
};

/** The steps the time scrubber walks for a generative snapshot. */
export function frameSteps(snapshot) {
  return snapshot.frames.steps.length;
}

// One row of frames; returns the rect of frame t.
function drawRow(g, frames, side, y, size, label, marks, t) {
  text(g, label, LEFT - 10, y + size / 2, { align: 'right', size: 12 });
  let cursor = null;
  frames.forEach((frame, i) => {
    const rect = { x: LEFT + i * (size + 4), y, w: size, h: size };
    drawHeatmap(g, rect, side, side, (r, c) => frame[r * side + c], ink);
    if (marks?.[i]) {
      g.ctx.fillStyle = SERIES[1];
      g.ctx.fillRect(rect.x, rect.y + rect.h + 2, rect.w, 3);
    }
    if (i === t) cursor = rect;
  });
  return cursor;
}

/**
 * Rows of frames over time: observed, reconstructed (z from the posterior), predicted
 * from memory (the decoder on the prior mean), and, after Dream, the dreamt frames.
 * Recall frames are underlined; the chosen step is outlined.
 */
export function drawFrames(canvas, snapshot, t, dream) {
  const record = snapshot.frames;
  if (!record?.steps.length) return drawMessage(canvas, 'No frames yet');
  const g = setupCanvas(canvas);
  const steps = record.steps;
  const side = record.frame_size;
  const rows = [
    ['observed', steps.map((s) => s.frame)],
    ['reconstructed', steps.map((s) => s.reconstruction)],
    ['from memory', steps.map((s) => s.prediction)],
  ];
  if (dream) rows.push([`dream (${dream.prompt} seen)`, dream.frames.steps.map((s) => s.reconstruction)]);
  const size = Math.max(8, Math.min(
    (g.width - LEFT - 8) / steps.length - 4,
    (g.height - TOP - 8) / rows.length - ROW_GAP,
  ));
  const recall = steps.map((s) => s.recall);
  heading(g, 'frames over time', 'recall frames underlined · dark = p(pixel on)', 0, 12);
  let cursor = null;
  rows.forEach(([label, frames], r) => {
    const y = TOP + r * (size + ROW_GAP);
    const at = drawRow(g, frames, side, y, size, label, recall, t);
    if (r === 0) cursor = at;
  });
  if (cursor) {
    drawCursor(g, { x: cursor.x - 2, y: TOP - 2, w: cursor.w + 4, h: rows.length * (size + ROW_GAP) - ROW_GAP + 4 });
  }
}

/** KL(q ‖ p) per step in bits, recall frames in the second colour. */
export function drawKl(canvas, snapshot, t) {
  const record = snapshot.frames;
  if (!record?.steps.length) return drawMessage(canvas, 'No frames yet');
  const g = setupCanvas(canvas);
  const steps = record.steps;
  const bits = steps.map((s) => s.kl_nats / LN2);
  const rec = steps.map((s) => s.reconstruction_nats / LN2);
  const top = Math.max(1, ...bits.map((b, i) => b + rec[i]));
  const rect = { x: 48, y: TOP, w: g.width - 64, h: g.height - TOP - 40 };
  const k = bits[Math.min(t, steps.length - 1)];
  const readout = `step ${t}: KL ${formatNumber(k)} bits, rec ${formatNumber(rec[Math.min(t, steps.length - 1)])} bits`;
  text(g, readout, g.width - 8, 12, { align: 'right', size: 11, color: g.theme.muted });
  // The key gives way (shortened) to the step's read-out where the view is narrow.
  const keyRight = g.width - 8 - textWidth(g, readout, 11) - 12;
  heading(g, 'bits per frame', 'KL (bars: recall frames orange) + reconstruction (grey)', 0, 12, keyRight);
  const cell = rect.w / steps.length;
  steps.forEach((s, i) => {
    const x = rect.x + i * cell + cell * 0.15;
    const w = cell * 0.7;
    const hk = (bits[i] / top) * rect.h;
    const hr = (rec[i] / top) * rect.h;
    g.ctx.fillStyle = g.theme.grid;
    g.ctx.fillRect(x, rect.y + rect.h - hk - hr, w, hr);
    g.ctx.fillStyle = s.recall ? SERIES[1] : SERIES[0];
    g.ctx.fillRect(x, rect.y + rect.h - hk, w, hk);
    if (i === t) drawCursor(g, { x: x - 2, y: rect.y, w: w + 4, h: rect.h });
  });
  text(g, formatNumber(top), rect.x - 6, rect.y, { align: 'right', size: 11, color: g.theme.muted });
  text(g, '0', rect.x - 6, rect.y + rect.h, { align: 'right', size: 11, color: g.theme.muted });
  indexAxis(g, rect, steps.length, 'bottom', 'frame');
}

/** Read weightings as slot × time (one map per head, side by side). */
export function drawReadMap(canvas, snapshot, t) {
  const steps = snapshot.frames?.steps ?? [];
  const heads = steps[0]?.read_weights.length ?? 0;
  if (!heads) return drawMessage(canvas, 'This model has no memory: nothing is read');
  const g = setupCanvas(canvas);
  const slots = steps[0].read_weights[0].length;
  heading(g, 'read weightings', `${slots} slots × ${steps.length} frames · each read precedes the write`, 0, 12);
  const width = (g.width - 60 - 60) / heads - 20;
  for (let h = 0; h < heads; h++) {
    const rect = { x: 44 + h * (width + 20), y: TOP + 8, w: width, h: g.height - TOP - 50 };
    drawHeatmap(g, rect, slots, steps.length, (r, c) => steps[c].read_weights[h][r], (v) => viridis(v));
    indexAxis(g, rect, slots, 'left', h === 0 ? 'slot' : '');
    indexAxis(g, rect, steps.length, 'bottom', heads > 1 ? `frame (head ${h})` : 'frame');
    const cell = rect.w / steps.length;
    drawCursor(g, { x: rect.x + t * cell, y: rect.y, w: cell, h: rect.h });
  }
  drawColorBar(g, { x: g.width - 48, y: TOP + 8, w: 10, h: g.height - TOP - 50 }, (v) => viridis(v), [0, 1],
    { min: '0', max: '1' });
}

/** The memory matrix after step t's write, diverging colours scaled over all steps. */
export function drawLatentMemory(canvas, snapshot, t) {
  const steps = snapshot.frames?.steps ?? [];
  const step = Math.min(t, steps.length - 1);
  const memory = steps[step]?.memory ?? [];
  if (!memory.length) return drawMessage(canvas, 'This model has no memory');
  const g = setupCanvas(canvas);
  const scale = Math.max(1e-6, ...steps.flatMap((s) => s.memory.flat().map(Math.abs)));
  const [slots, width] = [memory.length, memory[0].length];
  heading(g, `memory after frame ${step}`, `${slots} slots × ${width} · scale ±${formatNumber(scale)}`, 0, 12);
  const rect = { x: 44, y: TOP + 8, w: g.width - 44 - 70, h: g.height - TOP - 50 };
  drawHeatmap(g, rect, slots, width, (r, c) => memory[r][c] / scale, diverging);
  indexAxis(g, rect, slots, 'left', 'slot');
  indexAxis(g, rect, width, 'bottom', 'column');
  drawColorBar(g, { x: g.width - 48, y: TOP + 8, w: 10, h: rect.h }, diverging, [-1, 1],
    { min: `−${formatNumber(scale)}`, max: formatNumber(scale) });
}
