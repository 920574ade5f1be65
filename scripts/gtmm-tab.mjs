// How long a generative model takes to learn recall in a browser tab, and what it
// reaches: opens the page on `#model=gtmm&task=recall&memory=M` (the preset: tiny
// sizes, batch 16), trains to STEPS steps with Play, then presses Test (256 sequences,
// evaluation seed 1000: the figure `engram eval` prints for the same model). Printed,
// never asserted.
//   node scripts/gtmm-tab.mjs [MEMORY] [STEPS] [EXTRA_HASH]   (defaults: dnc 10000)
//   (after scripts/build-page.sh)
import { startServer, launch, openPage } from '../tests/browser/harness.mjs';

const [memory = 'dnc', steps = '10000', extra = ''] = process.argv.slice(2);
const server = await startServer();
const browser = await launch();
const { page, problems } = await openPage(browser, `${server.url}#model=gtmm&task=recall&memory=${memory}&backend=cpu&speed=20${extra}`);
await page.waitForFunction(() => !document.getElementById('play').disabled);
const started = Date.now();
await page.click('#play');
await page.waitForFunction((n) => window.engram.steps >= n, Number(steps), { timeout: 3_600_000, polling: 1000 });
await page.click('#play');
const seconds = (Date.now() - started) / 1000;
const trained = await page.evaluate(() => window.engram.steps);
await page.click('#test');
await page.waitForFunction(() => window.engram.evaluation, null, { timeout: 600_000 });
const result = await page.evaluate(() => window.engram.evaluation[0]);
await browser.close();
await server.close();
const f = (v) => v.toFixed(2);
console.log(`gtmm ${memory} on recall in a tab: ${trained} steps (${trained * 16} sequences) in ${seconds.toFixed(0)} s ` +
  `(${((trained * 16) / seconds).toFixed(0)} seq/s); Test (256 sequences, seed 1000): recall −ELBO ` +
  `${f(result.recall_bits_per_frame)} bits/frame (KL ${f(result.recall_kl_bits_per_frame)}), recall pixel errors ` +
  `${f(result.recall_pixel_errors)}/frame, other frames ${f(result.other_bits_per_frame)} bits/frame` +
  (problems.length ? `; page problems: ${problems.join('; ')}` : ''));
