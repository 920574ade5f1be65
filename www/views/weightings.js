// Every read and write weighting over the whole sequence: one slot × time
// heatmap per head, so addressing patterns (shifts, jumps, reuse) show at once.

import { drawCursor, drawHeatmap, drawMessage, setupCanvas, title } from './canvas.js';
import { indexAxis } from './chart.js';
import { drawColorBar, viridis } from './colormap.js';
import { NO_MEMORY, clampStep, hasMemory, heads } from './snapshot.js';

const LEGEND_W = 56;
const PAD_LEFT = 46;
const PAD_RIGHT = 14;
const PAD_TOP = 24;
const PAD_BOTTOM = 40;

// The panel grid (columns × rows) giving the biggest cells, so a few heads sit
// side by side on wide screens and wrap into rows on narrow ones.
function bestGrid(count, width, height, slots, times) {
  let best = { columns: 1, rows: count, cell: -1 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellW = (width / columns - PAD_LEFT - PAD_RIGHT) / times;
    const cellH = (height / rows - PAD_TOP - PAD_BOTTOM) / slots;
    const cell = Math.min(cellW, cellH);
    if (cell > best.cell) best = { columns, rows, cell };
  }
  return best;
}

// One entry per head with its weightings over time, series[time][slot].
function headSeries(snapshot) {
  const perStep = snapshot.steps.map(heads);
  return perStep[0].map((head, i) => ({ ...head, series: perStep.map((step) => step[i].weights) }));
}

/** Slot × time heatmaps of each read and write weighting (viridis, 0–1), cursor at step t. */
export function drawWeightings(canvas, snapshot, t) {
  if (!hasMemory(snapshot)) return drawMessage(canvas, NO_MEMORY);
  const g = setupCanvas(canvas);
  const panels = headSeries(snapshot);
  const step = clampStep(snapshot, t);
  const times = snapshot.steps.length;
  const slots = panels[0]?.series[0].length ?? 0;
  const room = g.width - LEGEND_W;
  const { columns, rows } = bestGrid(panels.length, room, g.height, slots, times);
  const [panelW, panelH] = [room / columns, g.height / rows];

  let first;
  panels.forEach((panel, i) => {
    const [col, row] = [i % columns, Math.floor(i / columns)];
    const x = col * panelW;
    const y = row * panelH;
    const rect = {
      x: x + PAD_LEFT,
      y: y + PAD_TOP,
      w: panelW - PAD_LEFT - PAD_RIGHT,
      h: panelH - PAD_TOP - PAD_BOTTOM,
    };
    first ??= rect;
    title(g, panel.name, rect.x, y + 10);
    drawHeatmap(g, rect, slots, times, (r, c) => panel.series[c][r], viridis);
    indexAxis(g, rect, slots, 'left', col === 0 ? 'slot' : '');
    indexAxis(g, rect, times, 'bottom', 'time step');
    const cw = rect.w / times;
    drawCursor(g, { x: rect.x + step * cw, y: rect.y, w: cw, h: rect.h });
  });
  if (first) {
    const bar = { x: g.width - LEGEND_W + 8, y: first.y, w: 12, h: first.h };
    drawColorBar(g, bar, viridis, [0, 1], { min: '0', max: '1', title: 'weight' });
  }
}
