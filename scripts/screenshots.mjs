// Screenshots of the page at its audiences' sizes, for docs/ and for looking at a change:
// a projector (1280 × 720), a blog post's figure (an iframe of 700 × 400) and a phone
// (390 × 844), for each model family, from the built dist/ (bash scripts/build-page.sh).
//
//   node scripts/screenshots.mjs [OUT_DIR] [NAME_FILTER]   (OUT_DIR: docs/screens)
//
// Models with a shipped trained checkpoint load it first, so the views show a model
// that has learned; the others train 150 steps.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch } from '../tests/browser/harness.mjs';

const out = path.resolve(process.argv[2] ?? 'docs/screens');
const only = process.argv[3] ?? '';
const PROJECTOR = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };

const SHOTS = [
  { name: 'projector-ntm', hash: '#model=ntm&task=copy', viewport: PROJECTOR, trained: true },
  { name: 'projector-dnc', hash: '#model=dnc&task=copy', viewport: PROJECTOR, trained: true },
  { name: 'projector-lru', hash: '#model=lru&task=copy', viewport: PROJECTOR, steps: 150 },
  { name: 'projector-lstm', hash: '#model=lstm&task=copy', viewport: PROJECTOR, steps: 150 },
  { name: 'projector-neural-gpu', hash: '#model=neural_gpu&task=reverse', viewport: PROJECTOR, trained: true },
  { name: 'projector-neural-gpu-diag', hash: '#model=neural_gpu_diag&task=reverse&max_length=8', viewport: PROJECTOR, trained: true },
  { name: 'projector-neural-gpu-dep', hash: '#model=neural_gpu_dep&task=either', viewport: PROJECTOR, steps: 60 },
  { name: 'projector-generative', hash: '#model=gtmm&task=recall&memory=dnc', viewport: PROJECTOR, trained: true },
  { name: 'projector-compare', hash: '#model=ntm&task=copy&compare=lstm', viewport: PROJECTOR, steps: 150 },
  { name: 'projector-lesson', hash: '#model=lstm&task=copy&lesson=why-memory', viewport: PROJECTOR, lesson: true },
  { name: 'projector-settings', hash: '#model=dnc&task=copy', viewport: PROJECTOR, settings: true },
  { name: 'projector-settings-generative', hash: '#model=gtmm&task=recall&memory=dnc', viewport: PROJECTOR, settings: true },
  { name: 'sweep-ntm', hash: '#model=ntm&task=copy&test_length=40', viewport: PROJECTOR, trained: true, sweep: true },
  { name: 'sweep-dnc-n8', hash: '#model=dnc&task=copy&test_length=40', viewport: PROJECTOR, checkpoint: 'dnc-copy-n8', sweep: true },
  { name: 'sweep-diagonal', hash: '#model=neural_gpu_diag&task=reverse&test_length=160', viewport: PROJECTOR, trained: true, sweep: true },
  { name: 'sweep-diagonal-phone', hash: '#model=neural_gpu_diag&task=reverse&test_length=160', viewport: PHONE, trained: true, sweep: true },
  { name: 'phone-ntm', hash: '#model=ntm&task=copy', viewport: PHONE, trained: true },
  { name: 'phone-neural-gpu', hash: '#model=neural_gpu&task=reverse', viewport: PHONE, trained: true },
  { name: 'phone-neural-gpu-diag', hash: '#model=neural_gpu_diag&task=reverse', viewport: PHONE, trained: true },
  { name: 'phone-generative', hash: '#model=gtmm&task=recall&memory=dnc', viewport: PHONE, trained: true },
  { name: 'phone-settings', hash: '#model=ntm&task=copy', viewport: PHONE, settings: true },
  { name: 'phone-settings-generative', hash: '#model=gtmm&task=recall&memory=dnc', viewport: PHONE, settings: true },
  { name: 'embed-memory', frame: 'embed=1&view=memory&model=ntm&task=copy', trained: true },
  { name: 'embed-mental-image', frame: 'embed=1&view=mental_image&model=neural_gpu&task=reverse', trained: true },
  { name: 'embed-diagonal', frame: 'embed=1&view=mental_image&model=neural_gpu_diag&task=reverse', trained: true },
  { name: 'embed-frames', frame: 'embed=1&view=frames&model=gtmm&task=recall&memory=dnc', trained: true },
  { name: 'embed-bits-memory', frame: 'embed=1&view=bits,memory&model=ntm&task=copy', trained: true },
];

// A host page holding one 700 × 400 figure, as a blog post would.
const HOST = (src) => `<!doctype html><title>A blog post</title><link rel="icon" href="data:,">
<body style="margin:0;background:#fff"><iframe src="${src}" width="700" height="400" style="border:0"
sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" title="figure"></iframe></body>`;

async function prepare(target, shot) {
  await target.waitForFunction(() => !document.getElementById('play').disabled, null, { timeout: 60_000 });
  if (shot.trained) {
    const count = await target.evaluate(() => window.engram.readyCount);
    await target.evaluate(() => document.getElementById('load-trained').click());
    await target.waitForFunction((n) => window.engram.readyCount > n, count, { timeout: 60_000 });
  }
  if (shot.checkpoint) {
    const count = await target.evaluate(() => window.engram.readyCount);
    await target.evaluate(async (name) => {
      const { importShipped } = await import(new URL('www/checkpoints.js', location.href).href);
      await importShipped(window.engram, name);
    }, shot.checkpoint);
    await target.waitForFunction((n) => window.engram.readyCount > n, count, { timeout: 60_000 });
  }
  if (shot.steps) {
    await target.evaluate(() => document.getElementById('play').click());
    await target.waitForFunction((n) => window.engram.steps >= n, shot.steps, { timeout: 120_000 });
    await target.evaluate(() => document.getElementById('play').click());
  }
  if (shot.lesson) await target.waitForSelector('#lesson:not([hidden])');
  if (shot.settings) await target.evaluate(() => document.getElementById('settings-toggle').click());
  if (shot.sweep) {
    await target.evaluate(() => document.getElementById('sweep').click());
    await target.waitForFunction(() => /^Tested/.test(document.getElementById('sweep-status').textContent), null, { timeout: 300_000 });
  }
  await target.evaluate(() => { window.engram.time = 6; window.engram.animating = false; window.engram.dirty = true; });
  await new Promise((resolve) => setTimeout(resolve, 700));
}

mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launch();
try {
  for (const shot of SHOTS.filter((s) => s.name.includes(only))) {
    const context = await browser.newContext({ viewport: shot.viewport ?? { width: 700, height: 400 } });
    const page = await context.newPage();
    if (shot.frame) {
      const src = `${server.url}index.html#${shot.frame}`;
      await page.route('**/host.html', (route) => route.fulfill({ contentType: 'text/html', body: HOST(src) }));
      await page.goto(`${server.origin}/host.html`);
      const frame = await (await page.waitForSelector('iframe')).contentFrame();
      await prepare(frame, shot);
    } else {
      await page.goto(server.url + shot.hash);
      await prepare(page, shot);
    }
    const file = path.join(out, `${shot.name}.png`);
    writeFileSync(file, shot.sweep ? await page.locator('#sweep-figure').screenshot() : await page.screenshot());
    console.log(file);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
