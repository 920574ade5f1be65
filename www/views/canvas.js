// Shared canvas plumbing for the playground views. Every view is a pure
// function of (canvas, data, t): it calls setupCanvas, which clears the canvas
// and reads the theme, and then draws with these helpers.

const FALLBACK = { fg: '#1f2328', muted: '#656d76', grid: '#d0d7de', bad: '#d1242f' };
const FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

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

function font(size = 12, weight = 'normal') {
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

export function title(g, str, x, y) {
  text(g, str, x, y, { size: 13, weight: '600' });
}

// A bold title with an optional muted note after it on the same line; the
// note is shortened with an ellipsis rather than run past `right`.
export function heading(g, str, note, x, y, right = g.width) {
  title(g, str, x, y);
  if (!note) return;
  const start = x + textWidth(g, str, 13, '600') + 10;
  text(g, fit(g, note, right - start, 11), start, y, { color: g.theme.muted, size: 11 });
}

// `str`, shortened with an ellipsis to fit `width` pixels at `size`.
export function fit(g, str, width, size) {
  if (textWidth(g, str, size) <= width) return str;
  let cut = str;
  while (cut && textWidth(g, `${cut}…`, size) > width) cut = cut.slice(0, -1);
  return cut ? `${cut}…` : '';
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

// Whether a CSS colour is light; the canvas normalises any opaque colour
// assigned to fillStyle to #rrggbb, which saves parsing every CSS syntax.
function isLight(ctx, color) {
  ctx.save();
  ctx.fillStyle = color;
  const hex = ctx.fillStyle;
  ctx.restore();
  if (!hex.startsWith('#')) return false;
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 128;
}

// The current time step as an outlined column: a foreground line over a
// halo of the opposite lightness stays visible on every colour map and theme.
export function drawCursor(g, rect) {
  const { ctx } = g;
  ctx.save();
  ctx.lineWidth = 4;
  ctx.strokeStyle = isLight(ctx, g.theme.fg) ? 'rgba(0, 0, 0, 0.85)' : 'rgba(255, 255, 255, 0.9)';
  ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = g.theme.fg;
  ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);
  ctx.restore();
}
