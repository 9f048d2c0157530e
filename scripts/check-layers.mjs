// The import-boundary check of `npm run lint`: dependency-cruiser with .dependency-cruiser.cjs
// (no upward import between layers, no cycle between files), then no cycle between folders
// (src/<folder>), which dependency-cruiser does not check. Exits 1 on any violation.
import { createRequire } from 'node:module';
import { cruise, format } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs');
const { options, ...ruleSet } = config;

const cruised = await cruise(['src'], { ...options, validate: true, ruleSet, outputType: 'json' });
const result = typeof cruised.output === 'string' ? JSON.parse(cruised.output) : cruised.output;
let failed = false;

if (result.summary.violations.length) {
  failed = true;
  const text = await format(result, { outputType: 'err' });
  process.stderr.write(text.output);
}

// Folder graph: src/a/x.ts -> src/b/y.ts gives a -> b (files at the root of src are their own node).
const folderOf = (file) => {
  const parts = file.split('/');
  return parts.length > 2 ? `src/${parts[1]}/` : file;
};
const edges = new Map();
const witness = new Map();
for (const mod of result.modules) {
  if (!mod.source.startsWith('src/')) continue;
  const from = folderOf(mod.source);
  for (const dep of mod.dependencies) {
    if (!dep.resolved.startsWith('src/')) continue;
    const to = folderOf(dep.resolved);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(to);
    if (!witness.has(`${from} ${to}`)) witness.set(`${from} ${to}`, `${mod.source} → ${dep.resolved}`);
  }
}

// Tarjan's strongly connected components: a component of more than one folder is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
const visit = (v) => {
  const s = { index, low: index, onStack: true };
  index++;
  state.set(v, s);
  stack.push(v);
  for (const w of edges.get(v) ?? []) {
    const t = state.get(w);
    if (!t) {
      visit(w);
      s.low = Math.min(s.low, state.get(w).low);
    } else if (t.onStack) s.low = Math.min(s.low, t.index);
  }
  if (s.low === s.index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  }
};
for (const v of edges.keys()) if (!state.has(v)) visit(v);

for (const component of cycles) {
  failed = true;
  process.stderr.write(`\n  error folder cycle: ${component.join(' ↔ ')}\n`);
  for (const from of component)
    for (const to of component)
      if (witness.has(`${from} ${to}`)) process.stderr.write(`    ${witness.get(`${from} ${to}`)}\n`);
}

if (failed) process.exit(1);
const n = result.modules.filter((m) => m.source.startsWith('src/')).length;
process.stdout.write(`layers: no upward import, no file or folder cycle (${n} files in src/)\n`);
