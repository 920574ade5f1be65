// The page as its three audiences meet it, at their sizes: a projector (1280 × 720), a
// blog post's figure (an iframe of 700 × 400) and a phone (390 × 844). What each must see
// is written here from the page's purpose (a model's story on one screen), not read
// from the page's own code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, waitReady } from './harness.mjs';

const shared = sharedBrowser();
const PROJECTOR = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };

// Each model's story: the views that must be in sight together at 1280 × 720, by canvas.
const STORIES = {
  'model=ntm&task=copy': ['bits-view', 'memory-view', 'weightings-view', 'loss-view'],
  'model=dnc&task=copy': ['bits-view', 'memory-view', 'weightings-view', 'loss-view'],
  'model=lru&task=copy': ['bits-view', 'memory-view', 'weightings-view', 'loss-view'],
  'model=lstm&task=copy': ['bits-view', 'loss-view'],
  'model=neural_gpu&task=reverse': ['symbols-view', 'image-view', 'loss-view'],
  'model=neural_gpu_dep&task=either': ['symbols-view', 'image-view', 'tape-view', 'loss-view'],
  'model=gtmm&task=recall&memory=dnc': ['frames-view', 'kl-view', 'loss-view'],
};
// The view a phone shows first, under Play.
const MAIN_VIEW = { memory: 'bits-view', neural_gpu: 'image-view', generative: 'frames-view' };

async function open(viewport, hash, options = {}) {
  const context = await shared.browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(shared.server.url + '#' + hash);
  await waitReady(page);
  return { page, context, problems };
}

// The fraction of an element's box inside the window, with the page scrolled to the top.
function inView(page, selector) {
  return page.evaluate((sel) => {
    const box = document.querySelector(sel).getBoundingClientRect();
    const w = Math.max(0, Math.min(box.right, innerWidth) - Math.max(box.left, 0));
    const h = Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
    return box.width * box.height > 0 ? (w * h) / (box.width * box.height) : 0;
  }, selector);
}

// The visible selects whose chosen option's text is wider than the room the select has.
function truncatedSelects(page) {
  return page.evaluate(() => {
    const ctx = document.createElement('canvas').getContext('2d');
    const cut = [];
    for (const select of document.querySelectorAll('select')) {
      if (!select.checkVisibility() || select.selectedIndex < 0) continue;
      const style = getComputedStyle(select);
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = ctx.measureText(select.options[select.selectedIndex].text).width;
      // The room for text: the box less its padding, borders and the drop-down arrow.
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
      if (text > room) cut.push(`${select.name || select.id}: "${select.options[select.selectedIndex].text}" ${text.toFixed(0)} px in ${room.toFixed(0)}`);
    }
    return cut;
  });
}

for (const [hash, views] of Object.entries(STORIES)) {
  test(`1280 × 720, ${hash}: the story views and Play are in sight without scrolling`, async () => {
    const { page, context, problems } = await open(PROJECTOR, hash);
    assert.equal(await page.evaluate(() => scrollY), 0);
    for (const id of views) {
      const fraction = await inView(page, `#${id}`);
      assert.ok(fraction >= 0.95, `${id}: ${(fraction * 100).toFixed(0)}% in sight`);
      assert.ok(await page.evaluate((i) => document.getElementById(i).clientHeight >= 120, id), `${id} has room`);
    }
    assert.equal(await inView(page, '#play'), 1, 'Play');
    assert.equal(await inView(page, '#step-count'), 1, 'the step read-out');
    assert.deepEqual(await truncatedSelects(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('1280 × 720 side by side: both models\' examples are in sight at once, in two columns', async () => {
  const { page, context } = await open(PROJECTOR, 'model=ntm&task=copy&compare=lstm');
  await page.waitForSelector('#partner:not([hidden])');
  for (const id of ['bits-view', 'partner-bits-view', 'loss-view']) {
    const fraction = await inView(page, `#${id}`);
    assert.ok(fraction >= 0.95, `${id}: ${(fraction * 100).toFixed(0)}% in sight`);
  }
  const [own, partner] = await page.evaluate(() => ['bits-view', 'partner-bits-view']
    .map((id) => document.getElementById(id).getBoundingClientRect().left));
  assert.ok(partner > own + 200, 'the partner stands in its own column');
  await context.close();
});

test('1280 × 720: the settings open in a drawer beside the views and close with Escape', async () => {
  const { page, context } = await open(PROJECTOR, 'model=dnc&task=copy');
  assert.equal(await page.isVisible('input[name=learning_rate]'), false, 'closed at first');
  await page.click('#settings-toggle');
  assert.equal(await page.getAttribute('#settings-toggle', 'aria-expanded'), 'true');
  assert.equal(await inView(page, 'input[name=learning_rate]'), 1);
  assert.ok(await inView(page, '#bits-view') >= 0.95, 'the example stays in sight');
  // The DNC's options in a visitor's words; the paper in the tooltip.
  const masking = page.locator('label[data-control=dnc_masking]');
  assert.equal((await masking.textContent()).trim(), 'Masked lookup');
  assert.match(await masking.getAttribute('title'), /Csordás & Schmidhuber 2019/);
  assert.deepEqual(await truncatedSelects(page), []);
  const outside = await page.evaluate(() => {
    const panel = document.getElementById('settings-panel').getBoundingClientRect();
    return [...document.querySelectorAll('#settings-panel input, #settings-panel select')]
      .filter((e) => e.checkVisibility() && e.getBoundingClientRect().right > panel.right - 8).map((e) => e.name);
  });
  assert.deepEqual(outside, [], 'controls past the drawer\'s edge');
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('input[name=learning_rate]'), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'settings-toggle');
  await context.close();
});

for (const hash of Object.keys(STORIES)) {
  test(`390 × 844, ${hash}: no sideways scrolling; Play and the main view on the first screen`, async () => {
    const { page, context } = await open(PHONE, hash, { isMobile: true, hasTouch: true });
    const family = await page.evaluate(() => window.engram.state && document.getElementById('views').dataset.family);
    const widths = () => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
    let { scroll, inner } = await widths();
    assert.ok(scroll <= inner, `scrollWidth ${scroll} > ${inner}`);
    assert.equal(await inView(page, '#play'), 1, 'Play');
    const main = await inView(page, `#${MAIN_VIEW[family]}`);
    assert.ok(main >= 0.95, `${MAIN_VIEW[family]}: ${(main * 100).toFixed(0)}% on the first screen`);
    // The controls open in a sheet, and fit it.
    await page.tap('#settings-toggle');
    assert.equal(await page.isVisible('select[name=model]'), true);
    ({ scroll, inner } = await widths());
    assert.ok(scroll <= inner, `with the sheet open, scrollWidth ${scroll} > ${inner}`);
    const overflow = await page.evaluate(() => [...document.querySelectorAll('#settings input, #settings select')]
      .filter((e) => e.checkVisibility() && e.getBoundingClientRect().right > innerWidth + 0.5).map((e) => e.name));
    assert.deepEqual(overflow, [], 'controls past the sheet\'s edge');
    assert.deepEqual(await truncatedSelects(page), []);
    await page.tap('#settings-close');
    assert.equal(await page.isVisible('select[name=model]'), false);
    await context.close();
  });
}

test('390 × 844: the time scrubber works by touch', async () => {
  const { page, context } = await open(PHONE, 'model=ntm&task=copy', { isMobile: true, hasTouch: true });
  await page.waitForFunction(() => Number(document.getElementById('time').max) > 4);
  const box = await page.locator('#time').boundingBox();
  await page.touchscreen.tap(box.x + box.width * 0.9, box.y + box.height / 2);
  const { time, max, animating } = await page.evaluate(() => ({
    time: window.engram.time, max: Number(document.getElementById('time').max), animating: window.engram.animating,
  }));
  assert.equal(animating, false, 'a touch on the scrubber holds the animation');
  assert.ok(time >= max * 0.7, `tapped near the end: time ${time} of ${max}`);
  await context.close();
});

// --- Figures for blog posts -------------------------------------------------------

// A host page with figures of the given sizes and hashes, as a blog post embeds them.
async function hostPage(figures, viewport = { width: 1300, height: 1400 }) {
  const context = await shared.browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  const body = figures.map(({ hash, width, height }, i) => `<iframe id="f${i}" src="${shared.server.url}index.html#${hash}" ` +
    `width="${width}" height="${height}" style="border:0;display:block" loading="lazy" title="figure ${i}" ` +
    'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe>').join('\n');
  await page.route('**/post.html', (route) => route.fulfill({
    contentType: 'text/html', body: `<!doctype html><title>post</title><link rel="icon" href="data:,"><body style="margin:0">${body}</body>`,
  }));
  await page.goto(`${shared.server.origin}/post.html`);
  const frames = [];
  for (let i = 0; i < figures.length; i++) {
    const frame = await (await page.waitForSelector(`#f${i}`)).contentFrame();
    await waitReady(frame);
    frames.push(frame);
  }
  return { page, context, frames, problems };
}

function canvasHash(frame, id) {
  return frame.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    for (let i = 0; i < pixels.length; i += 16) hash = (hash * 31 + pixels[i] + pixels[i + 1] * 7) | 0;
    return hash;
  }, id);
}

// No scrollbars: nothing is wider or taller than the frame.
const overflowOf = (frame) => frame.evaluate(() => ({
  x: document.documentElement.scrollWidth - innerWidth, y: document.documentElement.scrollHeight - innerHeight,
}));

for (const [view, hash, canvas] of [
  ['memory', 'model=ntm&task=copy', 'memory-view'],
  ['mental_image', 'model=neural_gpu&task=reverse', 'image-view'],
  ['frames', 'model=gtmm&task=recall&memory=dnc', 'frames-view'],
]) {
  test(`a 700 × 400 figure of view=${view}: fills the frame, waits for Play, then trains`, async () => {
    const { context, frames: [frame], problems } = await hostPage([{ hash: `embed=1&view=${view}&${hash}`, width: 700, height: 400 }]);
    const area = await frame.evaluate((id) => {
      const box = document.getElementById(id).getBoundingClientRect();
      return (box.width * box.height) / (innerWidth * innerHeight);
    }, canvas);
    assert.ok(area >= 0.6, `the view covers ${(area * 100).toFixed(0)}% of the frame`);
    assert.deepEqual(await overflowOf(frame), { x: 0, y: 0 });
    assert.equal(await frame.isVisible('select[name=model]'), false, 'no settings form');
    assert.equal(await frame.isVisible('#open-full'), true, 'a way to the full page');
    assert.doesNotMatch(await frame.getAttribute('#open-full', 'href'), /embed=|view=/);
    await frame.waitForTimeout(1000);
    assert.equal(await frame.evaluate(() => window.engram.steps), 0, 'nothing trains before Play');
    const before = await canvasHash(frame, canvas);
    await frame.click('#play');
    await frame.waitForFunction(() => window.engram.steps >= 8, null, { timeout: 60_000 });
    await frame.click('#play');
    await frame.waitForTimeout(600);
    assert.notEqual(await canvasHash(frame, canvas), before, 'the view changed as it trained');
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('figures fit frames from 320 × 240 to 1200 × 800 without scrollbars; autoplay=1 starts training', async () => {
  const { context, frames, problems } = await hostPage([
    { hash: 'embed=1&view=bits,memory&model=ntm&task=copy', width: 320, height: 240 },
    { hash: 'embed=1&view=memory&model=ntm&task=copy&autoplay=1', width: 1200, height: 800 },
    { hash: 'embed=1&view=lesson&lesson=why-memory&model=lstm&task=copy', width: 700, height: 400 },
  ]);
  for (const frame of frames) assert.deepEqual(await overflowOf(frame), { x: 0, y: 0 }, frame.url());
  assert.equal(await frames[0].isVisible('#memory-view'), true);
  assert.equal(await frames[0].isVisible('#weightings-view'), false, 'only the chosen views');
  await frames[1].waitForFunction(() => window.engram.steps > 0, null, { timeout: 60_000 });
  await frames[2].waitForSelector('#lesson:not([hidden])');
  assert.equal(await frames[2].isVisible('#bits-view'), true, 'the lesson\'s views beside its card');
  assert.deepEqual(problems, []);
  await context.close();
});

test('three figures of one model on one page train independently', async () => {
  const figure = { hash: 'embed=1&view=memory&model=ntm&task=copy', width: 700, height: 400 };
  const { context, frames } = await hostPage([figure, figure, figure]);
  await frames[1].click('#play');
  await frames[1].waitForFunction(() => window.engram.steps >= 10, null, { timeout: 60_000 });
  await frames[1].click('#play');
  const steps = await Promise.all(frames.map((f) => f.evaluate(() => window.engram.steps)));
  assert.equal(steps[0], 0);
  assert.ok(steps[1] >= 10);
  assert.equal(steps[2], 0);
  await frames[2].click('#step');
  await frames[2].waitForFunction(() => window.engram.steps === 1);
  assert.equal(await frames[0].evaluate(() => window.engram.steps), 0);
  await context.close();
});

test('a view= the model does not have is refused with a message, and the defaults open', async () => {
  const { page, context } = await open(PROJECTOR, 'model=lstm&task=copy&embed=1&view=memory');
  assert.match(await page.textContent('#message'), /LSTM \(no memory\) has no view memory/);
  assert.equal(await page.evaluate(() => window.engram.state.model), 'ntm');
  await context.close();
});

test('the Embed dialog offers views, size and autoplay, previews the figure and states its download', async () => {
  const { page, context } = await open(PROJECTOR, 'model=ntm&task=copy');
  await page.click('#embed');
  await page.waitForSelector('#embed-dialog[open]');
  await page.check('#embed-views input[value=memory]');
  await page.uncheck('#embed-views input[value=bits]');
  await page.selectOption('#embed-size', '480x320');
  await page.check('#embed-autoplay');
  const snippet = await page.inputValue('#embed-snippet');
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/demo\/engram\/#model=ntm&[^"]*embed=1/);
  assert.match(snippet, /view=memory(&|")/);
  assert.match(snippet, /autoplay=1/);
  assert.match(snippet, / width="480" height="320" /);
  assert.match(snippet, / loading="lazy" /);
  assert.match(snippet, / title="Engram: Neural Turing Machine learning copy"/);
  assert.match(snippet, / sandbox="allow-scripts[^"]*"/);
  assert.doesNotMatch(snippet, /allow-same-origin/);
  // The preview follows the last change 400 ms later (share.js), so a slow machine can
  // show an earlier choice's preview first: wait for the chosen size's.
  await page.waitForFunction(() => document.querySelector('#embed-preview iframe')?.getAttribute('width') === '480');
  await page.waitForFunction(() => /about \d+ KB/.test(document.getElementById('embed-download').textContent));
  await context.close();
});

// --- For everyone: labels, contrast, the dark theme -------------------------------

// Visible form controls without an accessible name.
function unlabelled(page) {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((e) => e.checkVisibility() || (e.type === 'file' && e.closest('label')?.checkVisibility()))
    .filter((e) => !(e.labels?.length && [...e.labels].some((l) => l.textContent.trim()))
      && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
      && !(e.tagName === 'BUTTON' && e.textContent.trim()))
    .map((e) => e.outerHTML.slice(0, 80)));
}

// Text whose contrast against what is behind it is under 4.5:1 (WCAG AA), computed from
// the styles: the text's colour over the first opaque background among its ancestors.
function lowContrast(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const over = (top, under) => ({
      r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a), a: 1,
    });
    const luminance = ({ r, g, b }) => {
      const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (element) => {
      const layers = [];
      for (let e = element; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) layers.push(c);
        if (c && c.a === 1) break;
      }
      let colour = { r: 255, g: 255, b: 255, a: 1 };
      for (const layer of layers.reverse()) colour = over(layer, colour);
      return colour;
    };
    const low = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.textContent.trim() || seen.has(element) || !element.checkVisibility()) continue;
      seen.add(element);
      // Inactive controls are exempt (WCAG 1.4.3), as is text hidden from view.
      if (element.closest(':disabled, [aria-disabled=true], .visually-hidden, noscript, option')) continue;
      const style = getComputedStyle(element);
      let opacity = 1;
      for (let e = element; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      const back = background(element);
      const fore = over({ ...parse(style.color), a: parse(style.color).a * opacity }, back);
      const [l1, l2] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < 4.5) low.push(`${ratio.toFixed(2)}: "${node.textContent.trim().slice(0, 40)}" (${element.tagName.toLowerCase()}.${element.className})`);
    }
    return low;
  });
}

for (const colorScheme of ['light', 'dark']) {
  test(`${colorScheme} theme: every control is labelled and all text has a contrast of at least 4.5:1`, async () => {
    const { page, context } = await open(PROJECTOR, 'model=dnc&task=copy&compare=dnc&dnc_masking=1', { colorScheme });
    await page.click('#settings-toggle');
    assert.deepEqual(await unlabelled(page), []);
    assert.deepEqual(await lowContrast(page), []);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = background === 'rgb(20, 22, 26)';
    assert.equal(dark, colorScheme === 'dark', `body background ${background}`);
    await page.keyboard.press('Escape');
    await page.click('#embed');
    assert.deepEqual(await unlabelled(page), []);
    assert.deepEqual(await lowContrast(page), []);
    await context.close();
  });
}

test('a lesson\'s card stands beside the views it outlines, in sight at 1280 × 720', async () => {
  const { page, context } = await open(PROJECTOR, 'model=lstm&task=copy&lesson=why-memory');
  await page.waitForSelector('#lesson:not([hidden])');
  await page.waitForSelector('figure.highlight');
  const text = await page.textContent('#lesson [data-part=text]');
  assert.doesNotMatch(text, /\b(above|below)\b/, 'no direction that a layout can make wrong');
  assert.equal(await inView(page, '#lesson'), 1);
  assert.ok(await inView(page, 'figure.highlight') >= 0.95);
  const [lesson, figure] = await page.evaluate(() => ['#lesson', 'figure.highlight']
    .map((s) => document.querySelector(s).getBoundingClientRect()));
  assert.ok(lesson.left >= figure.right, 'the card does not cover the view');
  await context.close();
});

test('a lesson as a figure shows beside its card the views each step is about, detail views included', async () => {
  const { context, frames: [frame], problems } = await hostPage([
    { hash: 'embed=1&view=lesson&lesson=ntm-addressing&model=ntm&task=copy', width: 900, height: 500 },
  ]);
  const shownViews = () => frame.evaluate(() => [...document.querySelectorAll('figure[data-views]')]
    .filter((f) => f.checkVisibility()).map((f) => f.dataset.views));
  await frame.waitForFunction(() => document.querySelector('#lesson [data-part=next]')?.getAttribute('aria-disabled') === 'false',
    null, { timeout: 120_000 });
  assert.deepEqual(await shownViews(), ['weightings']);
  await frame.click('#lesson [data-part=next]');
  await frame.waitForFunction(() => document.querySelector('#lesson [data-part=progress]').textContent === 'Step 2 of 6');
  await frame.waitForFunction(() => document.querySelector('#lesson [data-part=next]').getAttribute('aria-disabled') === 'false',
    null, { timeout: 120_000 });
  assert.deepEqual(await shownViews(), ['addressing']);
  const area = await frame.evaluate(() => {
    const box = document.getElementById('pipeline-view').getBoundingClientRect();
    return (box.width * box.height) / (innerWidth * innerHeight);
  });
  assert.ok(area >= 0.3, `the pipeline covers ${(area * 100).toFixed(0)}% of the frame`);
  assert.deepEqual(await overflowOf(frame), { x: 0, y: 0 });
  assert.deepEqual(problems, []);
  await context.close();
});

// What the bits view draws as text, recorded from its canvas: each string with where it
// starts and ends, and the canvas's width (CSS pixels).
const RECORD_BITS_TEXT = () => {
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  window.bitsText = [];
  CanvasRenderingContext2D.prototype.fillText = function (str, x, y, ...rest) {
    if (this.canvas.id === 'bits-view') {
      // The context's transform holds the text's place and the pixel ratio.
      const { a, e } = this.getTransform();
      const scale = this.canvas.width / this.canvas.clientWidth;
      const measured = this.measureText(str).width;
      const left = x - (this.textAlign === 'center' ? measured / 2 : this.textAlign === 'right' ? measured : 0);
      const start = (a * left + e) / scale;
      window.bitsText.push({ str: String(str), start, end: start + (a * measured) / scale, width: this.canvas.clientWidth });
    }
    return fillText.call(this, str, x, y, ...rest);
  };
};

test('390 × 844 and a 700 × 400 figure: the trained model\'s verdict on its output is drawn whole', async () => {
  for (const [where, viewport, hash] of [
    ['phone', PHONE, 'model=ntm&task=copy'],
    ['figure', { width: 700, height: 400 }, 'embed=1&view=bits,memory&model=ntm&task=copy'],
  ]) {
    const context = await shared.browser.newContext({ viewport });
    await context.addInitScript(RECORD_BITS_TEXT);
    const page = await context.newPage();
    await page.goto(shared.server.url + '#' + hash);
    await waitReady(page);
    const count = await page.evaluate(() => window.engram.readyCount);
    await page.evaluate(async () => {
      const { importShipped } = await import(new URL('www/checkpoints.js', location.href).href);
      await importShipped(window.engram, 'ntm-copy');
    });
    await page.waitForFunction((n) => window.engram.readyCount > n, count, { timeout: 60_000 });
    await page.evaluate(() => { window.bitsText = []; window.engram.dirty = true; });
    await page.waitForFunction(() => window.bitsText.some((t) => t.str === 'all scored bits correct'), null, { timeout: 10_000 });
    const verdict = await page.evaluate(() => window.bitsText.find((t) => t.str === 'all scored bits correct'));
    assert.ok(verdict.end <= verdict.width, `${where}: the verdict ends at ${verdict.end.toFixed(0)} px of ${verdict.width}`);
    await context.close();
  }
});
