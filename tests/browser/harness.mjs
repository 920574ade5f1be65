// Shared pieces of the browser tests: dist/ served under a sub-path (as a blog or a
// course site would host it; scripts/static-server.mjs), and Debian's headless Chromium.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import { serveStatic } from '../../scripts/static-server.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
// The native CLI the page is compared with: tests/run.sh names the one it built
// (target/checks/engram); alone, a test uses `cargo build --release`'s.
export const ENGRAM = process.env.ENGRAM_BIN
  ? path.resolve(ROOT, process.env.ENGRAM_BIN)
  : path.join(ROOT, 'target/release/engram');
export const BASE_PATH = '/demo/engram/';

// A host page that embeds the playground in a sandboxed iframe.
const FRAME_PAGE = (src) => `<!doctype html><title>host</title><link rel="icon" href="data:,">
<iframe id="playground" sandbox="allow-scripts" src="${src}" width="1200" height="1400"></iframe>`;

// Serves dist/ (or `root`) at BASE_PATH, plus /frame.html (the page in a sandboxed
// iframe, with the query as its hash).
export function startServer(root = DIST) {
  return serveStatic({
    root,
    basePath: BASE_PATH,
    route(url, response) {
      if (url.pathname !== '/frame.html') return false;
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(FRAME_PAGE(BASE_PATH + 'index.html' + (url.search ? '#' + url.search.slice(1) : '')));
      return true;
    },
  });
}

const FLAGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

// Without `webgpu`, Chromium has no GPU at all (the page's CPU fallback); with it,
// WebGPU runs on SwiftShader, a software adapter (no GPU needed).
export async function launch(extraFlags = [], { webgpu = false } = {}) {
  const gpu = webgpu ? ['--enable-unsafe-webgpu'] : ['--disable-gpu'];
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...FLAGS, ...gpu, ...extraFlags] });
}

// The engine's wasm modules a page has requested (its worker's requests included), by
// file name, in the order first asked for.
export function engineModules(requests) {
  return [...new Set(requests.filter((u) => u.endsWith('.wasm')).map((u) => u.split('/').pop()))];
}

// A page that records console errors, page errors and every request it makes.
export async function openPage(browser, url, contextOptions = {}) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1400 }, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, context, problems, requests };
}

export async function waitReady(page) {
  await page.waitForFunction(() => !document.getElementById('play').disabled, null, { timeout: 30_000 });
}

// Takes exactly `count` more training steps (one Step command each), and waits for them.
export async function step(page, count) {
  const target = await page.evaluate((n) => {
    for (let i = 0; i < n; i++) window.engram.engine.send({ type: 'step' });
    return window.engram.steps + n;
  }, count);
  await page.waitForFunction((n) => window.engram.steps >= n, target, { timeout: 300_000 });
}

// Runs training until at least `steps` steps are done, then pauses.
export async function train(page, steps) {
  await page.evaluate(() => { if (!window.engram.playing) document.getElementById('play').click(); });
  await page.waitForFunction((n) => window.engram.steps >= n, steps, { timeout: 120_000 });
  await page.click('#play');
}

// Parses a .safetensors file: its config and each tensor's raw bytes.
export function parseSafetensors(bytes) {
  const buffer = Buffer.from(bytes);
  const headerLength = Number(buffer.readBigUInt64LE(0));
  const header = JSON.parse(buffer.subarray(8, 8 + headerLength).toString('utf8'));
  const data = buffer.subarray(8 + headerLength);
  const tensors = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    tensors[name] = Buffer.from(data.subarray(info.data_offsets[0], info.data_offsets[1]));
  }
  return { config: JSON.parse(header.__metadata__.engram_config), tensors };
}

// One server and one browser for a whole test file, started before its tests and
// closed after them: `shared.server`, `shared.browser` (options as for `launch`, and
// `setup(shared)`, run once both are up: a page the whole file shares, say).
export function sharedBrowser(extraFlags = [], { setup, ...options } = {}) {
  const shared = {};
  before(async () => {
    shared.server = await startServer();
    shared.browser = await launch(extraFlags, options);
    await setup?.(shared);
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });
  return shared;
}

// Opens the settings panel (a drawer beside the views), where every setting but the
// model, task, speed and backend lives; a no-op when it is open.
export async function openSettings(page) {
  if ((await page.getAttribute('#settings-toggle', 'aria-expanded')) !== 'true') await page.click('#settings-toggle');
}
