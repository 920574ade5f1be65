// The Neural GPU family's views (neural_gpu.md § Trace and view): the symbols of one
// example with wrong outputs marked, the mental image step by step (per-cell norm, the
// input row marked) beside its change map 1 − ū, and for the dependent-output model the
// output tape filling in one symbol per step with that step's softmax.
//
// A snapshot's `image` holds `encoder` frames (every step and layer) then `decoder`
// frames (one per emitted symbol); the time scrubber walks both in order.

import { drawCursor, drawHeatmap, setupCanvas, text, title } from './canvas.js';
import { drawColorBar, rgb, viridis } from './colormap.js';
import { drawDiagonalImage } from './diagonal.js';

const LEFT = 52;
const TITLE_H = 20;
const GAP = 10;

// Viridis over [0, 1], clamped.
const unit = (v) => viridis(Math.min(Math.max(v, 0), 1));

const argmax = (row) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);

/** Frames the scrubber can show: encoder layer-steps, then decoder steps. */
export function imageFrames(snapshot) {
  const image = snapshot?.image;
  return image ? image.encoder.length + image.decoder.length : 0;
}

// The frame at scrubber position t: { kind, index, data }.
function frameAt(image, t) {
  const frames = image.encoder.length + image.decoder.length;
  const i = Math.max(0, Math.min(frames - 1, t));
  return i < image.encoder.length
    ? { kind: 'encoder', index: i, data: image.encoder[i] }
    : { kind: 'decoder', index: i - image.encoder.length, data: image.decoder[i - image.encoder.length] };
}

// A symbol as a short label: pad as ·; for binary arithmetic the bits and operators
// (1 = bit 0, 2 = bit 1, 3 = +, 4 = ×; neural_gpu.md § Symbol tasks).
const ARITHMETIC = ['·', '0', '1', '+', '×'];
export function symbolLabel(task, symbol) {
  const arithmetic = task === 'add' || task === 'mul';
  return arithmetic ? ARITHMETIC[symbol] ?? String(symbol) : symbol === 0 ? '·' : String(symbol);
}
let snapshotTask = '';
const label = (symbol) => symbolLabel(snapshotTask, symbol);

// Reads the snapshot's task once per draw, so every label follows it.
function useTask(snapshot) {
  snapshotTask = snapshot.task?.task ?? '';
}

function symbolRow(g, rect, symbols, options = {}) {
  const { ctx, theme } = g;
  const cw = rect.w / symbols.length;
  symbols.forEach((symbol, x) => {
    const cell = { x: rect.x + x * cw, y: rect.y, w: cw - 1, h: rect.h };
    ctx.fillStyle = symbol === 0 ? theme.grid : rgb(viridis(0.15 + 0.7 * (symbol / (options.symbols - 1 || 1))));
    ctx.globalAlpha = options.dim?.(x) ? 0.3 : 1;
    ctx.fillRect(cell.x, cell.y, cell.w, cell.h);
    ctx.globalAlpha = 1;
    text(g, label(symbol), cell.x + cell.w / 2, cell.y + cell.h / 2, {
      align: 'center', size: Math.min(14, cell.h * 0.7), color: symbol === 0 ? theme.muted : '#fff', weight: '600',
    });
    if (options.wrong?.(x)) {
      ctx.strokeStyle = theme.bad;
      ctx.lineWidth = 2;
      ctx.strokeRect(cell.x + 1, cell.y + 1, cell.w - 2, cell.h - 2);
    }
  });
}

/**
 * Input, target and output symbols of one example (output wrong where its argmax is
 * not the target; copy-or-reverse accepts the other answer). Returns the wrong count.
 */
export function drawSymbols(canvas, snapshot) {
  const g = setupCanvas(canvas);
  useTask(snapshot);
  const decode = (rows) => rows.map(argmax);
  const input = decode(snapshot.input);
  const output = decode(snapshot.logits);
  const symbols = snapshot.target[0]?.length ?? 2;
  // Copy-or-reverse has two right answers: compare with the closer one.
  const answers = [snapshot.target, snapshot.alternative].filter(Boolean).map(decode);
  const misses = (answer) => output.filter((s, x) => s !== answer[x]).length;
  const target = answers.reduce((best, a) => (misses(a) < misses(best) ? a : best));
  const wrongAt = (x) => output[x] !== target[x];
  const wrong = misses(target);
  const cell = Math.min(28, (g.width - LEFT - 8) / input.length);
  const rowH = Math.min(24, (g.height - 3 * TITLE_H - 2 * GAP) / 3);
  const rows = [
    ['input', input, {}],
    [answers.length > 1 ? 'target (the closer answer)' : 'target', target, {}],
    ['output', output, { wrong: wrongAt }],
  ];
  let y = 0;
  for (const [name, values, options] of rows) {
    title(g, name, LEFT, y + TITLE_H / 2);
    if (name === 'output') {
      const verdict = wrong ? `✕ ${wrong} wrong symbol${wrong > 1 ? 's' : ''}` : 'every symbol right';
      text(g, verdict, LEFT + 60, y + TITLE_H / 2, { color: wrong ? g.theme.bad : g.theme.muted, size: 11, weight: '600' });
    }
    symbolRow(g, { x: LEFT, y: y + TITLE_H, w: cell * values.length, h: rowH }, values, { ...options, symbols });
    y += TITLE_H + rowH + GAP;
  }
  return wrong;
}

// ‖s[:, y, x]‖ per cell of a [m][h][n] image.
function cellNorms(values, maps, height, width) {
  const plane = height * width;
  const norms = new Float64Array(plane);
  for (let c = 0; c < maps; c++) {
    for (let i = 0; i < plane; i++) norms[i] += values[c * plane + i] ** 2;
  }
  return norms.map(Math.sqrt);
}

function describeFrame(frame, layers) {
  return frame.kind === 'encoder'
    ? `encoder step ${Math.floor(frame.index / layers) + 1}, layer ${(frame.index % layers) + 1}`
    : `decoder step ${frame.index + 1}: emits symbol ${label(frame.data.symbol)}`;
}

/**
 * The mental image at scrubber position t as an h × n grid of per-cell norms (row 0,
 * where the input is written and the output read, is marked), and beside it the change
 * map 1 − ū of the same step. Returns a description of the frame.
 */
export function drawMentalImage(canvas, snapshot, t) {
  // The Diagonal Neural GPU's one row is drawn over time instead (views/diagonal.js).
  if (snapshot.image?.shifts?.length) return drawDiagonalImage(canvas, snapshot, t);
  const g = setupCanvas(canvas);
  useTask(snapshot);
  const image = snapshot.image;
  const { maps, height, width } = image;
  const layers = Math.max(1, image.encoder.filter((e) => e.step === 0).length);
  const frame = frameAt(image, t);
  const norms = cellNorms(frame.data.image, maps, height, width);
  let scale = 1e-6;
  for (const step of [...image.encoder, ...image.decoder]) {
    for (const v of cellNorms(step.image, maps, height, width)) scale = Math.max(scale, v);
  }
  const what = describeFrame(frame, layers);
  title(g, what, LEFT, TITLE_H / 2);
  const panelW = (g.width - LEFT - 90) / 2;
  // Cells fill the room they have, up to twice as tall as wide: a short image (h rows)
  // in a tall view grows rather than leaving the view empty below it.
  const cw = Math.min(panelW / width, 64);
  const cell = Math.min((g.height - 2 * TITLE_H - 30) / height, 2 * cw, 64);
  const rect = { x: LEFT, y: 2 * TITLE_H, w: cw * width, h: cell * height };
  text(g, 'image ‖s‖ per cell', rect.x, rect.y - 8, { color: g.theme.muted, size: 11 });
  drawHeatmap(g, rect, height, width, (r, c) => norms[r * width + c] / scale, unit);
  // Row 0 holds the input and the output.
  drawCursor(g, { x: rect.x - 1, y: rect.y - 1, w: rect.w + 1, h: cell + 1 });
  text(g, 'row 0', rect.x - 6, rect.y + cell / 2, { align: 'right', color: g.theme.muted, size: 11 });
  const change = { x: rect.x + rect.w + 40, y: rect.y, w: rect.w, h: rect.h };
  text(g, 'change map 1 − ū', change.x, change.y - 8, { color: g.theme.muted, size: 11 });
  const mean = frame.data.gate_mean;
  drawHeatmap(g, change, height, width, (r, c) => 1 - mean[r * width + c], unit);
  drawColorBar(g, { x: change.x + change.w + 12, y: change.y, w: 10, h: change.h }, unit, [0, 1],
    { min: '0', max: '1' });
  if (frame.kind === 'decoder') {
    const col = frame.index;
    drawCursor(g, { x: rect.x + col * cw - 1, y: rect.y - 1, w: cw + 1, h: cell + 1 });
  }
  return what;
}

/**
 * The dependent-output model's tape at scrubber position t: the symbols emitted so far
 * (one per decoder step) and the softmax of the step shown.
 */
export function drawTape(canvas, snapshot, t) {
  const g = setupCanvas(canvas);
  useTask(snapshot);
  const image = snapshot.image;
  if (!image?.decoder.length) {
    text(g, 'this model has no decoder', g.width / 2, g.height / 2, { align: 'center', color: g.theme.muted });
    return;
  }
  const frame = frameAt(image, t);
  const step = frame.kind === 'decoder' ? frame.index : -1;
  const emitted = image.decoder.map((d, k) => (k <= step ? d.symbol : 0));
  const symbols = image.decoder[0].softmax.length;
  const cell = Math.min(28, (g.width - LEFT - 8) / image.width);
  title(g, step < 0 ? 'tape (the decoder has not started)' : `tape after decoder step ${step + 1}`, LEFT, TITLE_H / 2);
  symbolRow(g, { x: LEFT, y: TITLE_H, w: cell * image.width, h: 22 }, emitted, {
    symbols, dim: (x) => x > step,
  });
  if (step < 0) return;
  const softmax = image.decoder[step].softmax;
  const top = TITLE_H + 22 + 2 * GAP + 12;
  text(g, `softmax at column ${step + 1}`, LEFT, top - 10, { color: g.theme.muted, size: 11 });
  const barW = Math.min(32, (g.width - LEFT - 8) / symbols);
  const barH = g.height - top - 24;
  softmax.forEach((p, j) => {
    const x = LEFT + j * barW;
    g.ctx.fillStyle = g.theme.grid;
    g.ctx.fillRect(x, top, barW - 2, barH);
    g.ctx.fillStyle = j === image.decoder[step].symbol ? g.theme.fg : g.theme.muted;
    g.ctx.fillRect(x, top + barH * (1 - p), barW - 2, barH * p);
    text(g, label(j), x + barW / 2, top + barH + 10, { align: 'center', size: 11, color: g.theme.muted });
  });
}
