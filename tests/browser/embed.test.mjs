// Embedding: inside a sandboxed iframe (an opaque origin), under the page's
// Content-Security-Policy (no unsafe-eval, only wasm-unsafe-eval), with embed=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openPage, DIST, sharedBrowser, openSettings } from './harness.mjs';

const shared = sharedBrowser();

test('the page\'s Content-Security-Policy allows wasm but not eval', () => {
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const policy = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/)[1];
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(policy, /'unsafe-eval'|'unsafe-inline'/);
});

test('trains inside <iframe sandbox="allow-scripts"> with embed=1, hiding the prose', async () => {
  const { page, problems, requests } = await openPage(shared.browser, shared.server.origin + '/frame.html?embed=1&hide=seed,share');
  await page.waitForSelector('#playground');
  const frame = page.frames().find((f) => f.url().includes('/index.html'));
  assert.ok(frame, 'the iframe loaded');
  await frame.waitForFunction(() => !document.getElementById('play').disabled, null, { timeout: 30_000 });
  assert.equal(await frame.evaluate(() => self.origin), 'null', 'the frame is sandboxed');
  assert.equal(await frame.textContent('#backend'), 'CPU (WebAssembly)');
  assert.equal(await frame.isVisible('.tagline'), false, 'embed=1 hides the page\'s prose');
  await openSettings(frame);
  assert.equal(await frame.isVisible('input[name=seed]'), false, 'hide= hides chosen controls');
  assert.equal(await frame.isVisible('select[name=model]'), true);
  await frame.click('#play');
  await frame.waitForFunction(() => window.engram.steps >= 20, null, { timeout: 60_000 });
  await frame.click('#play');
  const violations = problems.filter((p) => /Content Security Policy|Refused/.test(p));
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(shared.server.origin) && !u.startsWith('blob:')), []);
});

test('the Embed dialog gives an iframe snippet of the whole playground with the chosen controls hidden', async () => {
  const { page } = await openPage(shared.browser, shared.server.url + '#model=dnc');
  await page.waitForFunction(() => !document.getElementById('play').disabled);
  await page.click('#embed');
  // No view chosen: the whole playground, with the controls the writer keeps.
  for (const box of await page.$$('#embed-views input:checked')) await box.uncheck();
  await page.uncheck('#embed-hide input[value=learning_rate]');
  const snippet = await page.inputValue('#embed-snippet');
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/demo\/engram\/#model=dnc&[^"]*embed=1/);
  assert.match(snippet, /hide=learning_rate/);
  assert.match(snippet, /title="Engram/);
});
