// What a DNC does with its memory on one copy sequence, from its own trace
// (`engram trace --json`): which slot each input item is written to, the step where
// allocation first reuses a slot (and whether it is the oldest item's), how focused the
// writes stay after that, and which items come back right.
//
//   node scripts/memory-trace.mjs ENGRAM CHECKPOINT LENGTH [SEED]
//
// Copy's sequence is L items, a delimiter, then L output steps (tasks.md): the write at
// input step t stores item t; the read at output step L + 1 + j should return item j.
import { execFileSync } from 'node:child_process';

const [engram, checkpoint, length, seed = '1'] = process.argv.slice(2);
const trace = JSON.parse(execFileSync(engram, ['trace', '--checkpoint', checkpoint, '--length', length, '--seed', seed, '--json'],
  { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }));
const L = Number(length);
const steps = trace.steps;
const N = steps[0].usage.length;
const argmax = (v) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
const fixed = (v, digits = 2) => v.map((x) => x.toFixed(digits)).join(' ');

console.log(`${trace.model.model} with N = ${N} slots, copy of L = ${L} items (sequence seed ${seed}), ${checkpoint}`);

// A write whose largest weight is under this lands nowhere: with every slot's usage at
// 1, allocation's weighting is all zero (models.md §3), and a write gate near 1 then
// writes nothing.
const NOWHERE = 0.1;

// The writes of the input phase.
const holder = new Array(N).fill(-1); // slot → the item it holds (its last write)
const writtenAt = [];
let reuse = null;
let dropped = null;
// Step t's write to `slot`, which still holds an item: what allocation saw. u_t is
// computed at step t from the writes up to t − 1 (models.md §3).
function reuseAt(t, slot) {
  const usage = steps[t].usage;
  return {
    step: t, slot, item: holder[slot], oldest: holder[slot] === Math.min(...holder.filter((i) => i >= 0)),
    leastUsed: argmax(usage.map((u) => -u)) === slot, usage, weights: steps[t].write_weights, gates: steps[t].gates,
  };
}

// The recall's steps write too (the write gate stays open): a write there to an item's
// slot is a reuse as much as one during the input.
const recallWrites = [];
for (let t = 0; t < steps.length; t++) {
  const w = steps[t].write_weights;
  const slot = argmax(w);
  if (t >= L) {
    if (w[slot] >= NOWHERE && !reuse && holder[slot] >= 0) reuse = reuseAt(t, slot);
    if (w[slot] >= NOWHERE) {
      recallWrites.push(`${t}→${slot} (${w[slot].toFixed(2)})`);
      if (holder[slot] >= 0) holder[slot] = -2; // its item is gone
    }
    continue;
  }
  if (w[slot] < NOWHERE) {
    dropped ??= { step: t, usage: steps[t].usage, gates: steps[t].gates, weight: w[slot] };
    writtenAt.push({ slot: -1, weight: w[slot] });
    continue;
  }
  if (!reuse && holder[slot] >= 0) reuse = reuseAt(t, slot);
  writtenAt.push({ slot, weight: w[slot] });
  holder[slot] = t;
}
const where = (w) => (w.slot < 0 ? 'nowhere' : `${w.slot} (${w.weight.toFixed(2)})`);
console.log(`writes, item → slot (weight): ${writtenAt.map((w, t) => `${t}→${where(w)}`).join(', ')}`);
console.log(`writes during the delimiter and the recall, step → slot (weight): ${recallWrites.join(', ') || 'none'}`);
if (dropped) {
  const { step, usage, gates, weight } = dropped;
  console.log(`first dropped write: item ${step} is written nowhere (largest write weight ${weight.toFixed(3)}); ` +
    `${writtenAt.filter((w) => w.slot < 0).length} of ${L} items are dropped`);
  console.log(`  usage before it:   ${fixed(usage)}`);
  console.log(`  allocation gate ${gates.allocation_gate[0].toFixed(3)}, write gate ${gates.write_gate[0].toFixed(3)}, ` +
    `free gates ${fixed(gates.free_gates, 3)}`);
}
if (!reuse) {
  console.log('no slot is written twice during the input');
} else {
  const { step, slot, item, oldest, leastUsed, usage, weights, gates } = reuse;
  const what = step < L ? `item ${step}` : `the write at step ${step} (${step === L ? 'the delimiter' : `recall of item ${step - L - 1}`})`;
  console.log(`first reuse: ${what} goes to slot ${slot}, which held item ${item}` +
    ` (${oldest ? 'the oldest item in memory' : 'not the oldest item'}; ${leastUsed ? 'the least-used slot' : 'not the least-used slot'})`);
  console.log(`  usage before it:   ${fixed(usage)}`);
  console.log(`  write weighting:   ${fixed(weights)}`);
  console.log(`  allocation gate ${gates.allocation_gate[0].toFixed(3)}, write gate ${gates.write_gate[0].toFixed(3)}, ` +
    `free gates ${fixed(gates.free_gates, 3)}`);
  const after = writtenAt.slice(step).filter((w) => w.slot >= 0);
  if (after.length) {
    const focus = after.reduce((s, w) => s + w.weight, 0) / after.length;
    const before = writtenAt.slice(0, step);
    const focusBefore = before.reduce((s, w) => s + w.weight, 0) / before.length;
    console.log(`  the largest write weight: mean ${focusBefore.toFixed(2)} before the reuse, ${focus.toFixed(2)} from it on` +
      ` (${new Set(after.map((w) => w.slot)).size} distinct slots for ${after.length} items)`);
  }
}

// The reads of the output phase: each item's bit errors, and where its slot's content went.
const bits = trace.target[0].length;
const wrong = [];
for (let j = 0; j < L; j++) {
  const t = L + 1 + j;
  let errors = 0;
  for (let b = 0; b < bits; b++) {
    if ((trace.logits[t][b] > 0) !== (trace.target[t][b] > 0.5)) errors += 1;
  }
  wrong.push(errors);
}
// Each item's fate: kept (still in its slot), overwritten (its slot written again) or
// dropped (written nowhere).
// (Overwritten during the recall counts: the item was gone before it was read, or after.)
const fate = writtenAt.map((w, t) => (w.slot < 0 ? 'dropped' : holder[w.slot] === t ? 'kept' : 'overwritten'));
const mean = (xs) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
console.log(`bit errors per item (of ${bits}): ${wrong.join(' ')}`);
console.log(['kept', 'overwritten', 'dropped'].map((kind) => {
  const errors = wrong.filter((_, j) => fate[j] === kind);
  return `${kind}: ${errors.length} items${errors.length ? `, mean ${mean(errors).toFixed(2)} bit errors` : ''}`;
}).join('; '));
const reads = [];
for (let j = 0; j < L; j++) {
  const r = steps[L + 1 + j].read_weights[0];
  const total = r.reduce((a, x) => a + x, 0);
  reads.push(`${argmax(r)} (${r[argmax(r)].toFixed(2)} of ${total.toFixed(2)})`);
}
// The read weighting's total says whether the head still reads anything: following the
// temporal links (forward mode) from a slot whose links were overwritten gives ~0.
console.log(`reads, item → slot read (its weight of the weighting's total): ${reads.map((r, j) => `${j}→${r}`).join(', ')}`);
console.log('');
