// The Diagonal Neural GPU's one-row state over time (neural_gpu.md §5.3): each panel is a
// space-time picture, a row per step (s_0 at the top, the answer's s_n at the bottom) and
// a column per symbol. The maps are drawn in their three groups, as the trace's `shifts`
// gives them (+1: the gate carries the map one column right each step, −1: left, 0:
// stays), so what the shifted maps carry shows as diagonal streaks; the change map
// 1 − ḡ shows where each step let new content in instead. The scrubber's step is marked.

import { drawCursor, drawHeatmap, setupCanvas, text, title } from './canvas.js';
import { drawColorBar, viridis } from './colormap.js';

const LEFT = 52;
const TITLE_H = 20;
const GAP = 16;

const unit = (v) => viridis(Math.min(Math.max(v, 0), 1));

// Each group's label, and a shorter one for a narrow panel (a phone).
const GROUPS = [
  { shift: 1, label: 'maps moving right →', short: 'right →' },
  { shift: -1, label: '← maps moving left', short: '← left' },
  { shift: 0, label: 'maps that stay', short: 'stay' },
];

// ‖s[group, x]‖ of one step's [m][n] state.
function groupNorms(values, shifts, shift, width) {
  const norms = new Float64Array(width);
  shifts.forEach((s, c) => {
    if (s !== shift) return;
    for (let x = 0; x < width; x++) norms[x] += values[c * width + x] ** 2;
  });
  return norms.map(Math.sqrt);
}

/** The space-time panels at scrubber step t; returns which step it is ("3 of 8"). */
export function drawDiagonalImage(canvas, snapshot, t) {
  const g = setupCanvas(canvas);
  const image = snapshot.image;
  const { width, shifts } = image;
  const states = [image.initial, ...image.encoder.map((e) => e.image)];
  const step = Math.max(0, Math.min(image.encoder.length - 1, t));
  const what = `${step + 1} of ${image.encoder.length}`;
  const panels = GROUPS.filter((group) => shifts.includes(group.shift));
  const count = panels.length + 1;
  const gap = g.width < 500 ? 8 : GAP;
  const panelW = (g.width - LEFT - 40 - gap * (count - 1)) / count;
  const narrow = panelW < 120;
  title(g, narrow ? `step ${what}` : `step ${what}: a row per step, a column per symbol`, LEFT, TITLE_H / 2);
  const rows = states.length;
  const cellW = Math.min(panelW / width, 48);
  const cellH = Math.min((g.height - 2 * TITLE_H - 24) / rows, 2 * cellW, 48);
  const top = 2 * TITLE_H;
  let x = LEFT;
  for (const group of panels) {
    const norms = states.map((s) => groupNorms(s, shifts, group.shift, width));
    const scale = Math.max(1e-6, ...norms.map((row) => Math.max(...row)));
    const rect = { x, y: top, w: cellW * width, h: cellH * rows };
    text(g, narrow ? group.short : group.label, rect.x, rect.y - 8, { color: g.theme.muted, size: 11 });
    drawHeatmap(g, rect, rows, width, (r, c) => norms[r][c] / scale, unit);
    drawCursor(g, { x: rect.x - 1, y: rect.y + (step + 1) * cellH - 1, w: rect.w + 1, h: cellH + 1 });
    x += panelW + gap;
  }
  // The change map has no row for s_0: row r is step r + 1's 1 − ḡ.
  const change = { x, y: top + cellH, w: cellW * width, h: cellH * (rows - 1) };
  text(g, narrow ? '1 − ḡ' : 'change map 1 − ḡ', change.x, top - 8, { color: g.theme.muted, size: 11 });
  drawHeatmap(g, change, rows - 1, width, (r, c) => 1 - image.encoder[r].gate_mean[c], unit);
  drawCursor(g, { x: change.x - 1, y: change.y + step * cellH - 1, w: change.w + 1, h: cellH + 1 });
  drawColorBar(g, { x: change.x + change.w + 12, y: change.y, w: 10, h: change.h }, unit, [0, 1],
    { min: '0', max: '1' });
  text(g, 's₀', LEFT - 6, top + cellH / 2, { align: 'right', color: g.theme.muted, size: 11 });
  text(g, `s${rows - 1}`, LEFT - 6, top + (rows - 0.5) * cellH,
    { align: 'right', color: g.theme.muted, size: 11 });
  return what;
}
