// The addressing pipeline: for one head at one time step, every stage of its addressing
// (models.md §2–4) as a row of bars with the model's own numbers, from the trace's
// `addressing` (what each stage is, its label and its parameters all come from the
// engine; nothing here knows a model). A cursor picks a stage and a slot: the mouse, or
// the arrow keys when the canvas has focus; the readout below says the number.

import { drawMessage, frame, heading, setupCanvas, text } from './canvas.js';
import { SERIES, formatNumber } from './chart.js';
import { clampStep } from './snapshot.js';

const LEFT = 8;
const RIGHT = 8;
const TOP = 30;
const ROW_H = 52;
const LABEL_H = 18;

// Which head, stage and position (slot, or vector component) the cursor is on.
const cursor = { head: 0, stage: 0, position: 0 };

function headName(head) {
  const [kind, index] = head.head.split('.');
  if (index === undefined) return `${kind} head`;
  return `${kind === 'head' ? 'head' : `${kind} head`} ${Number(index) + 1}`;
}

// Four significant digits: enough to follow the arithmetic from stage to stage.
function precise(value) {
  if (value === 0 || (Math.abs(value) >= 1e-3 && Math.abs(value) < 1e5)) return String(Number(value.toPrecision(4)));
  return value.toExponential(3);
}

function scalarText(scalars = {}) {
  return Object.entries(scalars)
    .map(([symbol, values]) => `${symbol} = ${values.length > 1
      ? `(${values.map((v) => formatNumber(v)).join(', ')})` : formatNumber(values[0])}`)
    .join(' · ');
}

function headsAt(snapshot, t) {
  return snapshot.steps[clampStep(snapshot, t)]?.addressing ?? [];
}

// The bars of one stage inside `area`, scaled by its kind.
function drawStage(g, area, stage, colour, mark) {
  const { ctx, theme } = g;
  const n = stage.values.length;
  const cell = area.w / n;
  const gap = Math.min(cell * 0.15, 2);
  const extent = stage.kind === 'vector' ? Math.max(...stage.values.map(Math.abs), 1e-9) : 1;
  const signed = stage.kind === 'vector' || stage.kind === 'similarity';
  const zero = signed ? area.y + area.h / 2 : area.y + area.h;
  if (signed) {
    ctx.fillStyle = theme.grid;
    ctx.fillRect(area.x, Math.round(zero), area.w, 1);
  }
  stage.values.forEach((value, i) => {
    const x = area.x + i * cell + gap;
    if (stage.kind === 'order') {
      text(g, String(value), x + (cell - 2 * gap) / 2, area.y + area.h / 2,
        { align: 'center', size: Math.min(12, cell * 0.6), color: theme.fg });
      return;
    }
    const u = Math.max(-1, Math.min(1, value / extent));
    const h = (signed ? area.h / 2 : area.h) * Math.abs(u);
    ctx.fillStyle = colour;
    ctx.fillRect(x, u >= 0 ? zero - h : zero, Math.max(1, cell - 2 * gap), h);
  });
  frame(g, area);
  if (mark !== undefined) {
    ctx.strokeStyle = theme.bad;
    ctx.lineWidth = 2;
    ctx.strokeRect(area.x + mark * cell + 1, area.y + 1, cell - 2, area.h - 2);
    text(g, '×', area.x + (mark + 0.5) * cell, area.y + area.h / 2, { align: 'center', color: theme.bad, size: 14 });
  }
}

// Row rectangles of every stage, for drawing and for finding the bar under the mouse.
function layout(g, head) {
  const w = g.width - LEFT - RIGHT;
  return head.stages.map((stage, i) => ({
    stage,
    label: { x: LEFT, y: TOP + i * ROW_H + LABEL_H / 2 },
    area: { x: LEFT, y: TOP + i * ROW_H + LABEL_H, w, h: ROW_H - LABEL_H - 8 },
  }));
}

/** The height the view needs for the selected head's stages. */
export function pipelineHeight(snapshot) {
  const stages = Math.max(1, ...headsAt(snapshot, 0).map((h) => h.stages.length));
  return TOP + stages * ROW_H + 4;
}

/** One head's addressing at step t, stage by stage, with the cursor's bar outlined. */
export function drawPipeline(canvas, snapshot, t) {
  const heads = headsAt(snapshot, t);
  if (!heads.length) return drawMessage(canvas, 'This view is for the NTM, DNC and LRU models');
  const wanted = `${pipelineHeight(snapshot)}px`;
  if (canvas.style.height !== wanted) canvas.style.height = wanted;
  const g = setupCanvas(canvas);
  const head = heads[Math.min(cursor.head, heads.length - 1)];
  const step = clampStep(snapshot, t);
  const seen = head.memory === 'previous' ? 'Mₜ₋₁, before this step\'s write' : 'Mₜ, after this step\'s write';
  heading(g, `${headName(head)} at step ${step}`, `content lookup on ${seen}`, 0, 10);
  const rows = layout(g, head);
  const at = selection(snapshot, t);
  rows.forEach(({ stage, label, area }, i) => {
    const colour = SERIES[head.head === 'write' || stage.name === 'write' ? 1 : 0];
    const zeroed = stage.scalars?.['zeroed slot']?.[0];
    const scalars = scalarText(stage.scalars);
    text(g, stage.label, label.x, label.y, { size: 12, weight: i === at.stage ? '600' : 'normal' });
    if (scalars) {
      text(g, scalars, g.width - RIGHT, label.y, { align: 'right', size: 11, color: g.theme.muted });
    }
    drawStage(g, area, stage, colour, zeroed);
    if (i === at.stage) {
      const cell = area.w / stage.values.length;
      g.ctx.strokeStyle = g.theme.fg;
      g.ctx.lineWidth = 2;
      g.ctx.strokeRect(area.x + at.position * cell, area.y - 2, cell, area.h + 4);
    }
  });
}

/** The cursor clamped to the snapshot at step t, with the number under it. */
export function selection(snapshot, t) {
  const heads = headsAt(snapshot, t);
  const head = heads[Math.min(cursor.head, heads.length - 1)];
  if (!head) return null;
  const stageIndex = Math.min(cursor.stage, head.stages.length - 1);
  const stage = head.stages[stageIndex];
  const position = Math.min(cursor.position, stage.values.length - 1);
  return { head: head.head, stage: stageIndex, name: stage.name, position, value: stage.values[position] };
}

// The readout's text for the cursor `at` (a `selection`), or '' without one.
function describe(snapshot, t, at) {
  if (!at) return '';
  const head = headsAt(snapshot, t).find((h) => h.head === at.head);
  const stage = head.stages[at.stage];
  const where = stage.kind === 'vector' ? `component ${at.position}` : stage.kind === 'order'
    ? `place ${at.position} in the free list: slot` : `slot ${at.position}`;
  const scalars = scalarText(stage.scalars);
  return `${headName(head)} · ${stage.label} · ${where} ${stage.kind === 'order' ? at.value : `= ${precise(at.value)}`}`
    + (scalars ? ` · ${scalars}` : '');
}

/**
 * Wires the head selector, the mouse and the keyboard to the cursor. `view()` returns
 * { snapshot, t } now; `changed()` asks for a redraw, which calls `show`.
 */
export function setupPipeline({ canvas, select, readout, announcer }, view, changed) {
  // What the cursor is on, shown below the view (as the data changes) and announced to
  // screen readers only when the cursor moves.
  const writeReadout = (snapshot, t) => {
    const at = selection(snapshot, t);
    const text = describe(snapshot, t, at);
    if (readout.textContent !== text) readout.textContent = text;
    if (at) Object.assign(readout.dataset, { head: at.head, stage: at.name, position: at.position, value: at.value });
    return text;
  };
  const update = () => {
    const { snapshot, t } = view();
    if (snapshot) announcer.textContent = writeReadout(snapshot, t);
    changed();
  };
  select.addEventListener('change', () => {
    cursor.head = Number(select.value);
    update();
  });
  canvas.addEventListener('keydown', (event) => {
    const { snapshot, t } = view();
    const at = snapshot && selection(snapshot, t);
    if (!at) return;
    const moves = {
      ArrowUp: () => { cursor.stage = Math.max(0, at.stage - 1); },
      ArrowDown: () => { cursor.stage = at.stage + 1; },
      ArrowLeft: () => { cursor.position = Math.max(0, at.position - 1); },
      ArrowRight: () => { cursor.position = at.position + 1; },
      Home: () => { cursor.position = 0; },
      End: () => { cursor.position = Infinity; },
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    event.stopPropagation();
    move();
    // Clamp to what exists; moving between stages keeps the slot, so a short (W-long)
    // stage on the way does not pull the cursor back for the stages after it.
    const now = selection(snapshot, t);
    cursor.stage = now.stage;
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') cursor.position = now.position;
    update();
  });
  // A mouse reads a bar by hovering it; a finger or a pen by tapping it (pointerdown).
  const point = (event) => {
    const { snapshot, t } = view();
    const heads = snapshot ? headsAt(snapshot, t) : [];
    const head = heads[Math.min(cursor.head, heads.length - 1)];
    if (!head) return;
    const box = canvas.getBoundingClientRect();
    const [x, y] = [event.clientX - box.left, event.clientY - box.top];
    const rows = layout({ width: box.width }, head);
    const hit = rows.findIndex(({ area }) => y >= area.y - LABEL_H && y < area.y + area.h + 8);
    if (hit < 0) return;
    const { area, stage } = rows[hit];
    const position = Math.floor(((x - area.x) / area.w) * stage.values.length);
    if (position < 0 || position >= stage.values.length) return;
    if (cursor.stage === hit && cursor.position === position) return;
    Object.assign(cursor, { stage: hit, position });
    update();
  };
  canvas.addEventListener('pointermove', point);
  canvas.addEventListener('pointerdown', point);
  return {
    // A new snapshot: the heads on offer may have changed (another model).
    refresh(snapshot) {
      const names = headsAt(snapshot, 0).map(headName);
      if ([...select.options].map((o) => o.text).join() !== names.join()) {
        select.replaceChildren(...names.map((name, i) => new Option(name, String(i))));
        cursor.head = Math.min(cursor.head, Math.max(names.length - 1, 0));
        select.value = String(cursor.head);
      }
    },
    // Puts the cursor on a head (index), a stage (name) and a slot, as a lesson asks.
    select({ head, stage, slot }) {
      if (head !== undefined) {
        cursor.head = head;
        select.value = String(head);
      }
      const { snapshot, t } = view();
      const heads = snapshot ? headsAt(snapshot, t) : [];
      const found = heads[Math.min(cursor.head, heads.length - 1)]?.stages.findIndex((s) => s.name === stage);
      if (found >= 0) cursor.stage = found;
      if (slot !== undefined) cursor.position = slot;
      update();
    },
    // Draws step t and says what the cursor is on.
    show(snapshot, t) {
      drawPipeline(canvas, snapshot, t);
      writeReadout(snapshot, t);
    },
  };
}
