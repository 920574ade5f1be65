// Input, target and output bits over time, with wrongly predicted bits marked.

import { drawCursor, fit, setupCanvas, text, textWidth, title } from './canvas.js';
import { indexAxis } from './chart.js';
import { clampStep } from './snapshot.js';

const LEFT = 52;
const RIGHT = 8;
const TITLE_H = 20;
const GAP = 8;
const BOTTOM = 40;
const MAX_CELL_H = 16;
// Wider cells than this read as stripes rather than bits, so short sequences
// get a compact, left-aligned figure instead of one stretched to the width.
const MAX_ASPECT = 3;
const DIM = 0.3;

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

// Scored bits whose thresholded prediction (logit > 0) disagrees with the target.
function wrongBits(snapshot) {
  const wrong = [];
  snapshot.logits.forEach((row, c) => {
    if (!(snapshot.mask[c] > 0)) return;
    row.forEach((logit, r) => {
      if ((logit > 0) !== (snapshot.target[c][r] > 0.5)) wrong.push([r, c]);
    });
  });
  return wrong;
}

// Each cell is an "off" grid-coloured square overlaid with the foreground
// colour at opacity = value, so 0/1 bits and probabilities share one scale and
// follow the theme. Unscored columns are faded.
function drawCells(g, rect, grid) {
  const { ctx, theme } = g;
  const cw = rect.w / grid.cols;
  const ch = rect.h / grid.rows;
  const gap = Math.min(cw, ch) > 6 ? 1 : 0;
  for (let c = 0; c < grid.cols; c++) {
    const alpha = grid.dimmed?.(c) ? DIM : 1;
    for (let r = 0; r < grid.rows; r++) {
      const [x, y] = [rect.x + c * cw, rect.y + r * ch];
      ctx.globalAlpha = alpha;
      ctx.fillStyle = theme.grid;
      ctx.fillRect(x, y, cw - gap, ch - gap);
      ctx.globalAlpha = alpha * Math.min(Math.max(grid.value(r, c), 0), 1);
      ctx.fillStyle = theme.fg;
      ctx.fillRect(x, y, cw - gap, ch - gap);
    }
  }
  ctx.globalAlpha = 1;
}

// An outline plus a cross, so wrong bits read without colour too.
function markWrong(g, rect, grid) {
  const { ctx } = g;
  const cw = rect.w / grid.cols;
  const ch = rect.h / grid.rows;
  ctx.strokeStyle = g.theme.bad;
  ctx.lineWidth = 2;
  for (const [r, c] of grid.wrong) {
    const [x, y] = [rect.x + c * cw + 1, rect.y + r * ch + 1];
    const [w, h] = [Math.max(cw - 3, 2), Math.max(ch - 3, 2)];
    ctx.strokeRect(x, y, w, h);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + w, y + h);
    ctx.moveTo(x + w, y);
    ctx.lineTo(x, y + h);
    ctx.stroke();
  }
}

// The ✕ in the count echoes the marks on the grid for readers who cannot tell the colours apart.
// Returns where the text after it may start.
function drawVerdict(g, count, x, y) {
  const verdict = count ? `✕ ${count} wrong bit${count > 1 ? 's' : ''}` : 'all scored bits correct';
  text(g, verdict, x, y, { color: count ? g.theme.bad : g.theme.muted, size: 11, weight: '600' });
  return x + textWidth(g, verdict, 11, '600') + 10;
}

function grids(snapshot, wrong) {
  const { input, target, logits, mask } = snapshot;
  const cols = input.length;
  return [
    { name: 'input', rows: input[0].length, cols, value: (r, c) => input[c][r] },
    {
      name: 'target',
      note: 'faded steps are not scored',
      rows: target[0].length,
      cols,
      value: (r, c) => target[c][r],
      dimmed: (c) => !(mask[c] > 0),
    },
    {
      name: 'output',
      note: 'shade = sigmoid(logit)',
      wrong,
      rows: logits[0].length,
      cols,
      value: (r, c) => sigmoid(logits[c][r]),
    },
  ];
}

/**
 * Stacked input / target / output bit grids over time with a cursor at step t.
 * Returns the number of wrongly predicted scored bits.
 */
export function drawBitGrids(canvas, snapshot, t) {
  const g = setupCanvas(canvas);
  const wrong = wrongBits(snapshot);
  const all = grids(snapshot, wrong);
  const step = clampStep(snapshot, t);
  const totalRows = all.reduce((sum, grid) => sum + grid.rows, 0);
  const free = g.height - BOTTOM - all.length * TITLE_H - (all.length - 1) * GAP;
  const cellH = Math.min(MAX_CELL_H, Math.max(free, 0) / totalRows);
  const width = Math.min(g.width - LEFT - RIGHT, all[0].cols * Math.max(cellH * MAX_ASPECT, 12));
  let y = 0;
  let rect;
  for (const grid of all) {
    title(g, grid.name, LEFT, y + TITLE_H / 2);
    // The output's verdict comes first, so a narrow figure (a phone) cuts the note
    // about shading, not whether the model was right.
    let noteX = LEFT + 56;
    if (grid.wrong) noteX = drawVerdict(g, grid.wrong.length, noteX, y + TITLE_H / 2);
    const note = fit(g, grid.note ?? '', g.width - noteX - 2, 11);
    text(g, note, noteX, y + TITLE_H / 2, { color: g.theme.muted, size: 11 });
    rect = { x: LEFT, y: y + TITLE_H, w: width, h: grid.rows * cellH };
    drawCells(g, rect, grid);
    if (grid.wrong) markWrong(g, rect, grid);
    indexAxis(g, rect, grid.rows, 'left', 'bit');
    const cw = width / grid.cols;
    drawCursor(g, { x: rect.x + step * cw - 1, y: rect.y - 1, w: cw + 1, h: rect.h + 1 });
    y = rect.y + rect.h + GAP;
  }
  indexAxis(g, rect, all[0].cols, 'bottom', 'time step');
  return wrong.length;
}
