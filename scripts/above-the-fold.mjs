// Which of each model's views are in sight on the first screen (≥ 95% of the view inside
// the window, the page at the top), at a projector's 1280 × 720 unless told otherwise:
// the check layout.test.mjs makes, printed for every view the model has.
//
//   node scripts/above-the-fold.mjs [DIST] [WIDTHxHEIGHT]    (dist, 1280x720)
import path from 'node:path';
import { launch, startServer } from '../tests/browser/harness.mjs';

const dist = path.resolve(process.argv[2] ?? 'dist');
const [width, height] = (process.argv[3] ?? '1280x720').split('x').map(Number);
const LINKS = ['model=ntm&task=copy', 'model=dnc&task=copy', 'model=lru&task=copy', 'model=lstm&task=copy',
  'model=neural_gpu&task=reverse', 'model=neural_gpu_dep&task=either', 'model=gtmm&task=recall&memory=dnc',
  'model=ntm&task=copy&compare=lstm'];

const server = await startServer(dist);
const browser = await launch();
for (const link of LINKS) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(`${server.url}#${link}`);
  await page.waitForFunction(() => !document.getElementById('play').disabled, null, { timeout: 60_000 });
  await page.waitForTimeout(300);
  const views = await page.evaluate(() => [...document.querySelectorAll('canvas')]
    .filter((c) => c.checkVisibility())
    .map((c) => {
      const box = c.getBoundingClientRect();
      const w = Math.max(0, Math.min(box.right, innerWidth) - Math.max(box.left, 0));
      const h = Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
      return { id: c.id.replace(/-view$/, ''), top: Math.round(box.top + scrollY), shown: (w * h) / (box.width * box.height) };
    }));
  const seen = views.filter((v) => v.shown >= 0.95).map((v) => v.id);
  const below = views.filter((v) => v.shown < 0.95).map((v) => `${v.id} (${v.top} px)`);
  const tall = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`${link}: in sight ${seen.join(', ') || 'none'}; below ${below.join(', ') || 'none'}; page ${tall} px`);
  await context.close();
}
await browser.close();
await server.close();
