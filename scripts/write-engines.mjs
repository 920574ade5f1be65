// Writes OUT/engines.json, the worker's map from each model to the engine module that
// holds it, from the schema the modules themselves export (`engram schema`), so no list
// of models is kept by hand. Every module must export the same schema, and every model's
// family must have a module in OUT:
//
//   {"default_model": "ntm", "models": {"ntm": "memory", ...},
//    "modules": {"memory": {"module": "engram_memory.js", "wasm": "engram_memory_bg.wasm"}, ...}}
//
// Usage: node scripts/write-engines.mjs OUT
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

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
  modules[family] = { module: glue, wasm: file };
}
if (schema === null) throw new Error(`no engine modules (engram_*_bg.wasm) in ${out}`);

const models = {};
for (const model of JSON.parse(schema).models) {
  if (!modules[model.family]) throw new Error(`no engine module for the ${model.family} family (model ${model.name})`);
  models[model.name] = model.family;
}
const { default_model } = JSON.parse(schema);
writeFileSync(path.join(out, 'engines.json'), `${JSON.stringify({ default_model, models, modules }, null, 1)}\n`);
console.log(`engines.json: ${Object.keys(models).length} models in ${Object.keys(modules).length} modules`);
