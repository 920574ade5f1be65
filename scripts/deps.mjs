// The crate's import graph, from the paths its source names (`crate::…`, `super::…`,
// `use` groups included), at two levels: between the top modules of src/ (`models`,
// `gpu`, …), and between the sibling modules inside each of them (`gpu::program`,
// `gpu::kernels`, …). Prints each level's layers, bottom first, and every circle
// (a strongly connected set of two or more modules, with the files whose imports make
// it); exits 1 if there is one. Run by scripts/deps.sh.
//
//   node scripts/deps.mjs            layers and circles
//   node scripts/deps.mjs --models   also: the files outside a family's own folder and
//                                    the registry that name a specific model

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const SRC = join(ROOT, 'src');

function rustFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return rustFiles(path);
    return name.endsWith('.rs') ? [path] : [];
  });
}

// src/gpu/program.rs → ['gpu', 'program']; src/gpu/mod.rs → ['gpu']; lib.rs → [].
function modulePath(file) {
  const parts = relative(SRC, file).replace(/\.rs$/, '').split('/');
  if (parts[0] === 'bin') return null; // the binary is a client of the crate
  const last = parts[parts.length - 1];
  if (last === 'mod' || last === 'lib') parts.pop();
  return parts;
}

// Source without comments and its unit tests (a `#[cfg(test)] mod` at the end of a file:
// a client of the module, not part of it).
function withoutComments(text) {
  const tests = text.search(/#\[cfg\(test\)\]\s*mod\s/);
  return (tests < 0 ? text : text.slice(0, tests))
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
}

// The same without string literals too, so no text can add an edge.
function code(text) {
  return withoutComments(text)
    .replace(/r#*"[\s\S]*?"#*/g, '""')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

// Every path a file names through `crate::`/`super::`/`self::`, expanding `{…}` groups.
function namedPaths(text, self) {
  const paths = [];
  const expand = (prefix, rest) => {
    // rest starts right after `prefix::`; returns the paths it names.
    if (rest.startsWith('{')) {
      let depth = 0;
      let item = '';
      for (let i = 1; i < rest.length; i++) {
        const c = rest[i];
        if (c === '{') depth++;
        if (c === '}' && depth-- === 0) {
          if (item.trim()) expand(prefix, item.trim());
          return;
        }
        if (c === ',' && depth === 0) {
          if (item.trim()) expand(prefix, item.trim());
          item = '';
        } else item += c;
      }
      return;
    }
    const match = rest.match(/^([A-Za-z_][A-Za-z0-9_]*)(\s*::\s*)?/);
    if (!match) return;
    const next = [...prefix, match[1]];
    if (match[2]) expand(next, rest.slice(match[0].length));
    else paths.push(next);
  };
  const pattern = /\b(crate|(?:super\s*::\s*)*super|self)\s*::\s*/g;
  for (const m of text.matchAll(pattern)) {
    let base;
    if (m[1] === 'crate') base = [];
    else if (m[1] === 'self') base = [...self];
    else {
      const ups = m[1].split('super').length - 1;
      base = self.slice(0, Math.max(0, self.length - ups));
    }
    expand(base, text.slice(m.index + m[0].length));
  }
  return paths;
}

// Tarjan's strongly connected components.
function circles(nodes, edges) {
  let index = 0;
  const order = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), order.get(w)));
    }
    if (low.get(v) === order.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of nodes) if (!order.has(v)) visit(v);
  return found;
}

// Layers, bottom first: a module's layer is one above the highest it imports (modules in
// a circle share one).
function layers(nodes, edges) {
  const depth = new Map();
  const visiting = new Set();
  const of = (v) => {
    if (depth.has(v)) return depth.get(v);
    if (visiting.has(v)) return 0;
    visiting.add(v);
    const d = Math.max(-1, ...[...(edges.get(v) ?? [])].map(of)) + 1;
    visiting.delete(v);
    depth.set(v, d);
    return d;
  };
  nodes.forEach(of);
  const rows = [];
  for (const [v, d] of depth) (rows[d] ??= []).push(v);
  return rows.map((row) => row.sort());
}

const files = rustFiles(SRC).map((file) => ({ file, self: modulePath(file) })).filter((f) => f.self);
const known = new Set(files.map((f) => f.self.join('::')));

// The unit a path belongs to at `level` under `parent` (null: outside it).
function unit(path, parent) {
  if (path.length <= parent.length || parent.some((p, i) => path[i] !== p)) return null;
  return [...parent, path[parent.length]].join('::');
}

function graph(parent) {
  const nodes = new Set();
  const edges = new Map();
  const why = new Map();
  for (const { file, self } of files) {
    const from = unit(self, parent);
    if (!from || !known.has(from)) continue;
    nodes.add(from);
    for (const path of namedPaths(code(readFileSync(file, 'utf8')), self)) {
      const to = unit(path, parent);
      if (!to || to === from || !known.has(to)) continue;
      nodes.add(to);
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
      const key = `${from} → ${to}`;
      if (!why.has(key)) why.set(key, new Set());
      why.get(key).add(relative(ROOT, file));
    }
  }
  return { nodes: [...nodes].sort(), edges, why };
}

const parents = [[], ...[...known].filter((m) => m && !m.includes('::')).sort().map((m) => [m])];
let failed = false;
for (const parent of parents) {
  const { nodes, edges, why } = graph(parent);
  if (nodes.length < 2) continue;
  const title = parent.length ? `inside ${parent.join('::')}` : 'the top modules of src/';
  const found = circles(nodes, edges);
  console.log(`\n${title}: ${nodes.length} modules, ${found.length ? `${found.length} circle(s)` : 'no circle'}`);
  layers(nodes, edges).forEach((row, i) => console.log(`  layer ${i}: ${row.join(', ')}`));
  for (const component of found) {
    failed = true;
    console.log(`  circle: ${component.join(', ')}`);
    const members = new Set(component);
    for (const from of component) {
      for (const to of edges.get(from) ?? []) {
        if (members.has(to)) console.log(`    ${from} → ${to}: ${[...why.get(`${from} → ${to}`)].join(', ')}`);
      }
    }
  }
}

// Where a model may be named: the kinds, the registry, and each family's own folders.
const MODEL_HOMES = [
  'src/kinds.rs', 'src/registry/', 'src/memory/', 'src/models/memory_model.rs',
  'src/models/neural_gpu/', 'src/models/gtmm/', 'src/gpu/memory/', 'src/gpu/neural_gpu/', 'src/gpu/gtmm/',
];

if (process.argv.includes('--models')) {
  const kinds = readFileSync(join(SRC, 'kinds.rs'), 'utf8');
  const names = [...kinds.matchAll(/ModelKind::\w+ => "(\w+)"/g)].map((m) => m[1]);
  // A kind by its variant (not `ModelKind::ALL`), or a model's name in quotes.
  const named = new RegExp(`ModelKind::(?!ALL\\b)\\w+|(["'\`])(?:${names.join('|')})\\1`, 'g');
  const listed = (dir, ext) => readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith(ext)).map((f) => join(dir, f));
  const report = (files) => files
    .map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }))
    .filter(({ file }) => !MODEL_HOMES.some((home) => file.startsWith(home)))
    // String literals count here; Cargo feature names (`feature = "memory"`) do not.
    .map(({ file, text }) => ({
      file,
      hits: new Set(withoutComments(text.replace(/feature\s*=\s*"\w+"/g, '')).match(named) ?? []),
    }))
    .filter(({ hits }) => hits.size);
  for (const [title, files] of [['src/', listed(SRC, '.rs')], ['www/', listed(join(ROOT, 'www'), '.js')]]) {
    const found = report(files);
    console.log(`\nfiles in ${title} outside the kinds, the registry and the families' folders that name a model: ${found.length}`);
    for (const { file, hits } of found) console.log(`  ${file}: ${[...hits].slice(0, 6).join(' ')}${hits.size > 6 ? ' …' : ''}`);
  }
}

process.exit(failed ? 1 : 0);
