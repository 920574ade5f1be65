// The addressing pipeline view: it draws for the NTM, DNC and LRU, the numbers it reads
// out are the trace's, and the keyboard alone reaches every bar of every stage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, waitReady, step } from './harness.mjs';

const shared = sharedBrowser();

// The distinct colours drawn on a canvas (a blank one has one or two).
function colours(page, id) {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set();
    for (let i = 0; i < pixels.length; i += 4) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
    return seen.size;
  }, id);
}

// What the readout says, and the value the trace holds under the same cursor.
function readout(page) {
  return page.evaluate(() => {
    const out = document.getElementById('pipeline-readout');
    const { head, stage, position, value } = out.dataset;
    const snapshot = window.engram.snapshot;
    const t = Math.min(window.engram.time, snapshot.steps.length - 1);
    const traced = snapshot.steps[t].addressing.find((h) => h.head === head).stages.find((s) => s.name === stage);
    return { text: out.textContent, head, stage, position: Number(position), shown: Number(value), traced: traced.values[Number(position)] };
  });
}

for (const [model, heads, firstStages] of [
  ['ntm', ['write head', 'read head 1'], ['key', 'similarity', 'content', 'previous', 'gated', 'shifted', 'weighting', 'erase', 'add']],
  ['dnc', ['write head', 'read head 1'], ['key', 'similarity', 'content', 'retention', 'usage', 'free_list', 'allocation', 'weighting', 'erase', 'write_vector']],
  ['lru', ['head 1', 'head 2'], ['least_used', 'previous', 'write', 'key', 'similarity', 'weighting']],
]) {
  test(`${model}: the pipeline view draws, its numbers are the trace's, and arrow keys reach every bar`, async () => {
    const { page, problems } = await openPage(shared.browser, `${shared.server.url}#model=${model}&task=copy&hidden=16&memory_slots=8&memory_width=4&read_heads=${model === 'lru' ? 2 : 1}`,
      { reducedMotion: 'reduce' }); // time holds still unless moved
    await waitReady(page);
    await step(page, 5);
    await page.evaluate(() => { window.engram.snapshot = null; window.engram.engine.send({ type: 'snapshot', length: 3 }); });
    await page.waitForFunction(() => window.engram.snapshot?.steps?.[0]?.addressing);
    await page.waitForFunction(() => document.getElementById('pipeline-readout').dataset.stage);
    assert.equal(await page.isVisible('#pipeline-view'), true);
    assert.ok(await colours(page, 'pipeline-view') > 4, 'the view is drawn');
    const options = await page.$$eval('#pipeline-head option', (o) => o.map((x) => x.textContent));
    assert.deepEqual(options.slice(0, heads.length), heads);
    const stages = await page.evaluate(() => window.engram.snapshot.steps[0].addressing[0].stages.map((s) => s.name));
    assert.deepEqual(stages, firstStages);

    // Keyboard only: Tab lands on the view (it is in the tab order), then ↓ and → walk
    // every stage and every bar; each time the readout is the trace's number.
    assert.equal(await page.$eval('#pipeline-view', (c) => c.tabIndex), 0);
    await page.focus('#pipeline-head');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'pipeline-view');
    const time = await page.evaluate(() => window.engram.time);
    const lengths = await page.evaluate(() => {
      const at = window.engram.snapshot.steps[Math.min(window.engram.time, window.engram.snapshot.steps.length - 1)];
      return at.addressing[0].stages.map((s) => s.values.length);
    });
    const visited = new Set();
    for (let s = 0; s < lengths.length; s++) {
      await page.keyboard.press('Home');
      for (let p = 0; p < lengths[s]; p++) {
        const r = await readout(page);
        assert.equal(r.stage, stages[s]);
        assert.equal(r.position, p);
        assert.equal(r.shown, r.traced, `${r.stage}[${p}]`);
        visited.add(`${s}.${p}`);
        await page.keyboard.press('ArrowRight');
      }
      await page.keyboard.press('ArrowDown');
    }
    assert.equal(visited.size, lengths.reduce((a, b) => a + b, 0), 'every bar reached');
    assert.equal(await page.evaluate(() => window.engram.time), time, 'the arrows moved the cursor, not time');
    const { text } = await readout(page);
    assert.match(text, /head/);

    // The second head, chosen with the selector, is the trace's second head.
    await page.selectOption('#pipeline-head', '1');
    await page.waitForFunction(() => document.getElementById('pipeline-readout').dataset.head !== 'write'
      && document.getElementById('pipeline-readout').dataset.head !== 'head.0');
    const second = await readout(page);
    assert.equal(second.shown, second.traced);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

test('on a touch screen, tapping a bar reads it out as hovering does', async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.url}#model=ntm&task=copy&hidden=16&memory_slots=8&memory_width=4`,
    { reducedMotion: 'reduce', hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });
  await waitReady(page);
  await step(page, 3);
  await page.waitForFunction(() => document.getElementById('pipeline-readout').dataset.stage);
  await page.locator('#pipeline-view').scrollIntoViewIfNeeded();
  const before = await readout(page);
  // Somewhere low in the view, on the right: a later stage and a later slot than the
  // cursor's first place (stage 0, slot 0).
  const box = await page.locator('#pipeline-view').boundingBox();
  await page.touchscreen.tap(box.x + box.width * 0.8, box.y + box.height * 0.7);
  await page.waitForFunction((stage) => document.getElementById('pipeline-readout').dataset.stage !== stage, before.stage);
  const after = await readout(page);
  assert.notEqual(after.stage, before.stage);
  assert.equal(after.shown.toFixed(3), after.traced.toFixed(3), 'the tapped bar\'s number is the trace\'s');
  await context.close();
});
