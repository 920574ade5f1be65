// The memory matrix at one step, with that step's read and write weightings
// drawn as bars beside the slots they address.

import { drawHeatmap, drawMessage, heading, setupCanvas, text } from './canvas.js';
import { SERIES, formatNumber, indexAxis } from './chart.js';
import { diverging, drawColorBar } from './colormap.js';
import { NO_MEMORY, clampStep, hasMemory, heads, maxAbsMemory } from './snapshot.js';

const LEFT = 48;
const TOP = 46;
const BOTTOM = 40;
const BAR_W = 52;
const BAR_GAP = 10;
const LEGEND_W = 70;
// Share of the width the weighting bars may take, so narrow screens keep the
// memory matrix as the main element.
const BAR_SHARE = 0.3;
const MAX_CELL_W = 36;

// Bars for one weighting, one per slot, on a fixed 0–1 scale so heads and
// steps compare directly.
function drawBars(g, rect, head) {
  const { ctx, theme } = g;
  const cell = rect.h / head.weights.length;
  const thickness = Math.max(1, Math.min(cell * 0.7, cell - 1));
  text(g, head.short, rect.x + rect.w / 2, rect.y - 6, { align: 'center', baseline: 'bottom', size: 11 });
  head.weights.forEach((weight, slot) => {
    const y = rect.y + slot * cell + (cell - thickness) / 2;
    ctx.fillStyle = theme.grid;
    ctx.globalAlpha = 0.5;
    ctx.fillRect(rect.x, y, rect.w, thickness);
    ctx.globalAlpha = 1;
    ctx.fillStyle = head.kind === 'write' ? SERIES[1] : SERIES[0];
    ctx.fillRect(rect.x, y, rect.w * Math.min(Math.max(weight, 0), 1), thickness);
  });
}

/** Memory matrix (slots × width) at step t, diverging colours scaled by max |value| over all steps. */
export function drawMemory(canvas, snapshot, t) {
  if (!hasMemory(snapshot)) return drawMessage(canvas, NO_MEMORY);
  const g = setupCanvas(canvas);
  const step = clampStep(snapshot, t);
  const memory = snapshot.steps[step].memory;
  const [slots, width] = [memory.length, memory[0].length];
  const scale = maxAbsMemory(snapshot);
  const bars = heads(snapshot.steps[step]);

  const note = `${slots} slots × ${width} · colour scale fixed over all steps`;
  heading(g, `memory at step ${step}`, note, 0, 10);

  const h = g.height - TOP - BOTTOM;
  const barW = Math.min(BAR_W, (g.width * BAR_SHARE) / Math.max(bars.length, 1) - BAR_GAP);
  const room = g.width - LEFT - bars.length * (barW + BAR_GAP) - 2 * BAR_GAP - LEGEND_W;
  // Cells at most twice as wide as tall, so a narrow memory is not stretched
  // into stripes across a wide screen.
  const cellW = Math.min(MAX_CELL_W, Math.max(h / slots, 12) * 2, room / width);
  const heat = { x: LEFT, y: TOP, w: cellW * width, h };
  drawHeatmap(g, heat, slots, width, (r, c) => memory[r][c] / scale, diverging);
  indexAxis(g, heat, slots, 'left', 'slot');
  indexAxis(g, heat, width, 'bottom', 'memory width');

  const barsX = heat.x + heat.w + 2 * BAR_GAP;
  let x = barsX;
  for (const head of bars) {
    drawBars(g, { x, y: TOP, w: barW, h }, head);
    x += barW + BAR_GAP;
  }
  if (bars.length) {
    text(g, 'weighting 0–1', (barsX + x - BAR_GAP) / 2, TOP + h + 20, { align: 'center', baseline: 'top' });
  }
  const max = formatNumber(scale);
  drawColorBar(g, { x: x + BAR_GAP, y: TOP, w: 12, h }, diverging, [-1, 1], {
    min: `−${max}`,
    max: `+${max}`,
    mid: '0',
    title: 'value',
  });
}
