// Writes OUT/engines.json, the worker's map from each model to the engine module that
// holds it, from the schema the modules themselves export (`engram schema`), so no list
// of models is kept by hand. Every module must export the same schema, and every model's
// family must have a module in OUT:
//
//   {"default_model": "ntm", "models": {"ntm": "memory", ...},
//    "modules": {"memory": {"module": "engram_memory.js", "wasm": "engram_memory_bg.wasm",
//                           "gzipped": 279000}, ...},
//    "page": {"gzipped": 41000}}
//
// `gzipped` is what a first visit downloads, compressed as static hosts serve it: each
// engine module (its wasm and glue), and the page's own scripts and styles (OUT's
// index.html and www/, else the repository's). The Embed dialog states it.
//
// Usage: node scripts/write-engines.mjs OUT
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const gzipped = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

const out = path.resolve(process.argv[2] ?? 'dist');
const modules = {};
let schema = null;
for (const file of readdirSync(out).filter((f) => /^engram_\w+_bg\.wasm$/.test(f)).sort()) {
  const family = file.slice('engram_'.length, -'_bg.wasm'.length);
  const glue = `engram_${family}.js`;
  const engine = await import(pathToFileURL(path.join(out, glue)).href);
  engine.initSync({ module: readFileSync(path.join(out, file)) });
  const own = JSON.stringify(engine.schema());
  if (schema !== null && own !== schema) throw new Error(`${glue} exports a different schema from the other modules`);
  schema = own;
  modules[family] = { module: glue, wasm: file, gzipped: gzipped(path.join(out, file)) + gzipped(path.join(out, glue)) };
}
if (schema === null) throw new Error(`no engine modules (engram_*_bg.wasm) in ${out}`);

const models = {};
for (const model of JSON.parse(schema).models) {
  if (!modules[model.family]) throw new Error(`no engine module for the ${model.family} family (model ${model.name})`);
  models[model.name] = model.family;
}
// The page's scripts and styles (not the lessons or the shipped checkpoints, which load
// only when asked for).
const root = existsSync(path.join(out, 'www')) ? out : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pageFiles = ['index.html', ...readdirSync(path.join(root, 'www'), { recursive: true })
  .filter((f) => /\.(js|css)$/.test(f)).map((f) => path.join('www', f))];
const page = { gzipped: pageFiles.reduce((sum, f) => sum + gzipped(path.join(root, f)), 0) };
const { default_model } = JSON.parse(schema);
writeFileSync(path.join(out, 'engines.json'), `${JSON.stringify({ default_model, models, modules, page }, null, 1)}\n`);
console.log(`engines.json: ${Object.keys(models).length} models in ${Object.keys(modules).length} modules`);
