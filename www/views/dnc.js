// How the DNC (and the LRU-access memory) choose where to write: per-slot
// usage-style bars at one step, and the gates that steer writing over time.

import { drawCursor, drawMessage, frame, heading, setupCanvas, text } from './canvas.js';
import { DASHES, SERIES, drawLegend, indexAxis, polyline } from './chart.js';
import { clampStep, gateSeries } from './snapshot.js';

const LEFT = 48;
const RIGHT = 12;
const AXIS_H = 40;
const CAPTION_H = 18;

function dncSpec(snapshot, step) {
  const at = snapshot.steps[step];
  return {
    heading: `DNC allocation at step ${step}`,
    bars: [
      { label: 'usage', values: at.usage },
      { label: 'allocation weighting (free slots)', values: at.allocation },
      { label: 'precedence (last written)', values: at.precedence },
    ],
    lines: [
      { label: 'allocation gate', values: gateSeries(snapshot, 'allocation_gate') },
      { label: 'write gate', values: gateSeries(snapshot, 'write_gate') },
    ],
    note: 'allocation gate: 1 = write to a free slot, 0 = write by content lookup',
  };
}

function lruSpec(snapshot, step) {
  const at = snapshot.steps[step];
  const heads = at.gates?.write_gates?.length ?? 0;
  return {
    heading: `LRU usage at step ${step}`,
    bars: [
      { label: 'usage', values: at.usage },
      { label: 'least used (written next if the gate is 0)', values: at.gates?.least_used },
    ].filter((row) => row.values),
    lines: Array.from({ length: heads }, (_, i) => ({
      label: heads > 1 ? `write gate ${i + 1}` : 'write gate',
      values: gateSeries(snapshot, 'write_gates', i),
    })),
    note: 'write gate: 1 = write to the slot read last step, 0 = to the least-used slot',
  };
}

// Rows of per-slot bars on a fixed 0–1 scale, sharing one slot axis.
function drawBarRows(g, rect, rows) {
  const { ctx, theme } = g;
  const rowH = rect.h / rows.length;
  rows.forEach((row, i) => {
    const area = { x: rect.x, y: rect.y + i * rowH + 18, w: rect.w, h: rowH - 24 };
    text(g, row.label, area.x, area.y - 10, { size: 12 });
    text(g, '1', area.x - 6, area.y, { align: 'right', color: theme.muted, size: 11 });
    text(g, '0', area.x - 6, area.y + area.h, { align: 'right', color: theme.muted, size: 11 });
    const cell = area.w / row.values.length;
    ctx.fillStyle = SERIES[i % SERIES.length];
    row.values.forEach((value, slot) => {
      const h = area.h * Math.min(Math.max(value, 0), 1);
      ctx.fillRect(area.x + slot * cell + cell * 0.1, area.y + area.h - h, cell * 0.8, h);
    });
    frame(g, area);
    if (i === rows.length - 1) indexAxis(g, area, row.values.length, 'bottom', 'slot');
  });
}

// Gate values (0–1) over time, one point per step at its column centre so the
// column cursor lines up with the other time views.
function drawGateChart(g, rect, lines, step, note) {
  const { ctx, theme } = g;
  const times = lines[0]?.values.length ?? 0;
  const cw = rect.w / Math.max(times, 1);
  for (const v of [0, 0.5, 1]) {
    const y = rect.y + (1 - v) * rect.h;
    ctx.fillStyle = theme.grid;
    ctx.fillRect(rect.x, Math.round(y), rect.w, 1);
    text(g, String(v), rect.x - 6, y, { align: 'right', color: theme.muted, size: 11 });
  }
  const styled = lines.map((line, i) => ({
    ...line, color: SERIES[i % SERIES.length], dash: DASHES[i % DASHES.length], width: 2,
  }));
  for (const line of styled) {
    const points = line.values.map((v, c) => [rect.x + (c + 0.5) * cw, rect.y + (1 - v) * rect.h]);
    polyline(g, points.filter(([, y]) => Number.isFinite(y)), line);
  }
  drawCursor(g, { x: rect.x + step * cw, y: rect.y, w: cw, h: rect.h });
  indexAxis(g, rect, times, 'bottom', 'time step');
  text(g, 'gate', rect.x - 38, rect.y + rect.h / 2, { align: 'center', rotate: true });
  const legendLeft = drawLegend(g, rect.x + rect.w, rect.y - 16, styled);
  heading(g, 'gates over time', '', 0, rect.y - 16, legendLeft);
  // What the gate values mean, as a caption under the axis so it is never cut.
  text(g, note, 0, rect.y + rect.h + 38, { baseline: 'top', color: theme.muted, size: 11 });
}

/** DNC: usage / allocation / precedence bars at step t and gates over time. LRU: usage and write gates. */
export function drawAllocation(canvas, snapshot, t) {
  const specs = { dnc: dncSpec, lru: lruSpec };
  const spec = specs[snapshot.model.model];
  if (!spec) return drawMessage(canvas, 'This view is for the DNC and LRU models');
  const g = setupCanvas(canvas);
  const step = clampStep(snapshot, t);
  const { heading: name, bars, lines, note } = spec(snapshot, step);
  const width = g.width - LEFT - RIGHT;
  const chartH = Math.max(150, g.height * 0.42);
  const split = g.height - chartH;

  heading(g, name, 'each bar: one slot, scale 0–1', 0, 10);
  drawBarRows(g, { x: LEFT, y: 24, w: width, h: split - 24 - AXIS_H }, bars);
  drawGateChart(g, { x: LEFT, y: split + 30, w: width, h: chartH - 30 - AXIS_H - CAPTION_H }, lines, step, note);
}
