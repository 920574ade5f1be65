// Shared canvas plumbing for the playground views. Every view is a pure
// function of (canvas, data, t): it calls setupCanvas, which clears the canvas
// and reads the theme, and then draws with these helpers.

const FALLBACK = { fg: '#1f2328', muted: '#656d76', grid: '#d0d7de', bad: '#d1242f' };
const FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

// Colour-blind-safe (Okabe–Ito) series colours; the views pair them with dash
// patterns or labels so meaning never rests on hue alone.
export const SERIES = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];
export const DASHES = [[], [7, 4], [2, 3], [9, 3, 2, 3]];

// Theme colours come from CSS custom properties on the canvas, so light and
// dark themes work without the views knowing which one is active.
function readTheme(canvas) {
  const style = getComputedStyle(canvas);
  const theme = {};
  for (const [name, fallback] of Object.entries(FALLBACK)) {
    theme[name] = style.getPropertyValue(`--${name}`).trim() || fallback;
  }
  return theme;
}

// Sizes the backing store to the CSS box × devicePixelRatio (crisp on HiDPI)
// and returns a context that draws in CSS pixels. Assigning width/height also
// clears the bitmap and resets all context state, so every draw starts clean.
export function setupCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = Math.max(1, Math.round(width * dpr));
  canvas.height = Math.max(1, Math.round(height * dpr));
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, width, height, theme: readTheme(canvas) };
}

export function font(size = 12, weight = 'normal') {
  return `${weight} ${size}px ${FAMILY}`;
}

export function text(g, str, x, y, opts = {}) {
  const { align = 'left', baseline = 'middle', color = g.theme.fg, size = 12, weight, rotate } = opts;
  const { ctx } = g;
  ctx.save();
  ctx.font = font(size, weight);
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
  ctx.translate(x, y);
  if (rotate) ctx.rotate(-Math.PI / 2);
  ctx.fillText(str, 0, 0);
  ctx.restore();
}

export function title(g, str, x, y, opts = {}) {
  text(g, str, x, y, { size: 13, weight: '600', ...opts });
}

// A bold title with an optional muted note after it on the same line.
export function heading(g, str, note, x, y) {
  title(g, str, x, y);
  if (note) text(g, note, x + textWidth(g, str, 13, '600') + 10, y, { color: g.theme.muted, size: 11 });
}

export function textWidth(g, str, size = 12, weight = 'normal') {
  g.ctx.save();
  g.ctx.font = font(size, weight);
  const width = g.ctx.measureText(str).width;
  g.ctx.restore();
  return width;
}

// The whole view replaced by one centred line, for data a model does not have.
export function drawMessage(canvas, message) {
  const g = setupCanvas(canvas);
  text(g, message, g.width / 2, g.height / 2, { align: 'center', color: g.theme.muted, size: 14 });
}

// Draws a rows×cols matrix (value(r, c) → number, color(number) → [r, g, b])
// as one small image scaled up without smoothing: cells stay crisp and show no
// anti-aliased seams at fractional pixel ratios, and it is fast for big grids.
export function drawHeatmap(g, rect, rows, cols, value, color) {
  if (rows < 1 || cols < 1) return;
  const cells = document.createElement('canvas');
  cells.width = cols;
  cells.height = rows;
  const cellCtx = cells.getContext('2d');
  const image = cellCtx.createImageData(cols, rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [red, green, blue] = color(value(r, c));
      image.data.set([red, green, blue, 255], 4 * (r * cols + c));
    }
  }
  cellCtx.putImageData(image, 0, 0);
  g.ctx.imageSmoothingEnabled = false;
  g.ctx.drawImage(cells, rect.x, rect.y, rect.w, rect.h);
  frame(g, rect);
}

export function frame(g, rect) {
  g.ctx.strokeStyle = g.theme.grid;
  g.ctx.lineWidth = 1;
  g.ctx.strokeRect(rect.x - 0.5, rect.y - 0.5, rect.w + 1, rect.h + 1);
}

// The current time step as an outlined column: a light halo under a dark line
// stays visible on every colour map and on both themes.
export function drawCursor(g, rect) {
  const { ctx } = g;
  ctx.save();
  ctx.lineWidth = 4;
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
  ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#111';
  ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);
  ctx.restore();
}

// Smallest 1-2-5 × 10^k step that is at least `raw`.
export function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

// Indices 0, k, 2k, … of `count` equal cells across `pixels`, spaced so their
// labels never collide.
export function indexTicks(count, pixels, minGap = 26) {
  const step = Math.max(1, niceStep((minGap * count) / Math.max(pixels, 1)));
  const ticks = [];
  for (let i = 0; i < count; i += step) ticks.push(i);
  return ticks;
}

// Labels cell indices along the left or bottom edge of a rect whose `count`
// cells are equal rows (left) or columns (bottom), plus an axis title.
export function indexAxis(g, rect, count, side, label) {
  const muted = { color: g.theme.muted, size: 11 };
  const left = side === 'left';
  const cell = (left ? rect.h : rect.w) / count;
  let widest = 0;
  for (const i of indexTicks(count, left ? rect.h : rect.w, left ? 16 : 26)) {
    const at = (i + 0.5) * cell;
    if (left) {
      text(g, String(i), rect.x - 5, rect.y + at, { ...muted, align: 'right' });
      widest = Math.max(widest, textWidth(g, String(i), 11));
    } else {
      text(g, String(i), rect.x + at, rect.y + rect.h + 4, { ...muted, align: 'center', baseline: 'top' });
    }
  }
  if (!label) return;
  if (left) text(g, label, rect.x - widest - 14, rect.y + rect.h / 2, { align: 'center', rotate: true });
  else text(g, label, rect.x + rect.w / 2, rect.y + rect.h + 20, { align: 'center', baseline: 'top' });
}

// style: { color, width, dash, alpha }; points: [[x, y], …].
export function polyline(g, points, style) {
  const { ctx } = g;
  ctx.save();
  ctx.strokeStyle = style.color;
  ctx.lineWidth = style.width ?? 1.5;
  ctx.globalAlpha = style.alpha ?? 1;
  ctx.setLineDash(style.dash ?? []);
  ctx.lineJoin = 'round';
  ctx.beginPath();
  points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.stroke();
  ctx.restore();
}

// A one-line legend of line samples ending at xRight; items: [{ label, ...style }].
export function drawLegend(g, xRight, y, items) {
  const sample = 22;
  const widths = items.map((item) => sample + 6 + textWidth(g, item.label) + 14);
  let x = xRight - widths.reduce((a, b) => a + b, 0) + 14;
  items.forEach((item, i) => {
    polyline(g, [[x, y], [x + sample, y]], { ...item, alpha: Math.max(item.alpha ?? 1, 0.5) });
    text(g, item.label, x + sample + 6, y);
    x += widths[i];
  });
}

export function formatNumber(value) {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(0).replace('+', '');
  return String(Number(value.toPrecision(3)));
}
