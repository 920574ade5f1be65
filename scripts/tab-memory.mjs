// How much memory the tab holds as training runs on: the renderer processes' resident
// memory, the page's JS heap and the worker's wasm memory, every EVERY steps of a link's
// model at its speed, from a built dist/ (or another build of the page).
//
//   node scripts/tab-memory.mjs [LINK] [STEPS] [EVERY] [DIST]
//   (#model=ntm&task=copy&speed=50, 24000, 2000, dist)
//
// Chromium's processes are found by `ps` (Linux); the heap is CDP's Runtime.getHeapUsage
// without a forced collection, so it rises and falls with garbage. For a check that
// fails, see tests/browser/long_run.test.mjs.
import { execSync } from 'node:child_process';
import path from 'node:path';
import { launch, startServer } from '../tests/browser/harness.mjs';

const [link = '#model=ntm&task=copy&speed=50', steps = '24000', every = '2000', dist = 'dist'] = process.argv.slice(2);
const server = await startServer(path.resolve(dist));
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
const page = await context.newPage();
await page.goto(server.url + link);
await page.waitForFunction(() => !document.getElementById('play').disabled, null, { timeout: 60_000 });
const cdp = await context.newCDPSession(page);
const rendererMb = () => Math.round(Number(execSync(
  "ps -eo rss,args | grep -- '--type=renderer' | grep -v grep | awk '{s+=$1} END {print s}'").toString()) / 1024);
await page.click('#play');
for (let n = Number(every); n <= Number(steps); n += Number(every)) {
  await page.waitForFunction((k) => window.engram.steps >= k, n, { timeout: 1_800_000, polling: 1000 });
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await page.evaluate(() => { window.engram.wasmBytes = 0; window.engram.engine.send({ type: 'memory' }); });
  // A page from before the `memory` message never answers it.
  const wasm = await page.waitForFunction(() => window.engram.wasmBytes, null, { timeout: 2000 })
    .then((h) => h.jsonValue()).catch(() => NaN);
  console.log(`${n} steps: renderer RSS ${rendererMb()} MB, JS heap ${(usedSize / 1e6).toFixed(1)} MB, wasm ${(wasm / 1e6).toFixed(1)} MB`);
}
await browser.close();
await server.close();
