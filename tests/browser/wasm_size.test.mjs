// The page's wasm against a size budget, so that growth is a decision and not an
// accident (a dependency's update once added 10 KB gzipped unnoticed). The budget is the
// size the last size work left, 325,086 bytes as `gzip -9` counts them, plus 2%; see the
// README's "The wasm's size" for what the wasm holds and what has been tried.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { DIST } from './harness.mjs';

const BUDGET_GZIPPED = 331_600;

test("the page's wasm stays within its gzipped size budget", () => {
  const wasm = path.join(DIST, 'engram_bg.wasm');
  const gzipped = execFileSync('gzip', ['-9', '-c', wasm], { maxBuffer: 64 << 20 }).length;
  console.log(`wasm ${statSync(wasm).size} bytes, ${gzipped} gzipped (budget ${BUDGET_GZIPPED})`);
  assert.ok(gzipped > 100_000, `${gzipped} bytes gzipped: not the whole engine`);
  assert.ok(gzipped <= BUDGET_GZIPPED,
    `the wasm is ${gzipped} bytes gzipped, over its budget of ${BUDGET_GZIPPED}: find what grew (README, "The wasm's size")`);
});
