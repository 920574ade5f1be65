// The DNC's temporal link matrix: L[i][j] is how strongly slot i was written
// right after slot j, which lets read heads replay writes forwards or backwards.

import { drawHeatmap, drawMessage, heading, setupCanvas } from './canvas.js';
import { indexAxis } from './chart.js';
import { drawColorBar, viridis } from './colormap.js';
import { clampStep } from './snapshot.js';

const LEFT = 50;
const TOP = 44;
const BOTTOM = 40;
const LEGEND_W = 56;

/** N × N heatmap (viridis, 0–1) of the DNC temporal link matrix at step t. */
export function drawLink(canvas, snapshot, t) {
  const step = clampStep(snapshot, t);
  const link = snapshot.steps[step]?.link;
  if (!link) return drawMessage(canvas, 'The temporal link matrix exists only in the DNC');
  const g = setupCanvas(canvas);
  const slots = link.length;
  // Square cells: the matrix is slot × slot, so a stretched one would mislead.
  const side = Math.max(0, Math.min(g.height - TOP - BOTTOM, g.width - LEFT - LEGEND_W - 12));
  const rect = { x: LEFT, y: TOP, w: side, h: side };

  heading(g, `temporal link matrix at step ${step}`, 'row i, column j: slot i was written right after slot j', 0, 10);
  drawHeatmap(g, rect, slots, slots, (i, j) => link[i][j], viridis);
  indexAxis(g, rect, slots, 'left', 'slot i');
  indexAxis(g, rect, slots, 'bottom', 'written after slot j');
  const bar = { x: rect.x + rect.w + 16, y: rect.y, w: 12, h: rect.h };
  drawColorBar(g, bar, viridis, [0, 1], { min: '0', max: '1', title: 'link' });
}
