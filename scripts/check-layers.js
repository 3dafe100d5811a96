#!/usr/bin/env node
// The layer check of docs/design.md: every run-time import in src/ must go
// down the layer table (kernel → bytes → typed values → features →
// surfaces), and no run-time import cycle may exist between src files.
// `import type` and `export type` are compile-time only and not checked.
//
//   node scripts/check-layers.js [SRC_DIR]     exit 0 clean, 1 with a list of violations
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = resolve(process.argv[2] ?? join(root, 'src'));

/** Layer rank per top-level entry of src/; a module may import its own folder and lower ranks. */
const LAYERS = {
  'errors.ts': 0,
  util: 1,
  sys: 2,
  netlink: 3,
  bpf: 3,
  procfs: 4,
  sysfs: 4,
  sockdiag: 4,
  taskstats: 4,
  tracefs: 4,
  netstat: 4,
  listeners: 5,
  probes: 5,
  stats: 5,
  cli: 6,
  http: 6,
  export: 6,
  'index.ts': 7,
};
const NAMES = ['errors', 'util', 'sys', 'protocols', 'sources', 'features', 'surfaces', 'package root'];
/** Surfaces may use each other (the CLI starts the exporter and the watcher; the middleware uses the exposition encoder). */
const SAME_RANK_ALLOWED = new Set([6, 7]);
/**
 * Sideways imports that are allowed, each with its reason: a source that
 * uses another source's public reader, or a feature built on another.
 */
const EXCEPTIONS = new Map([
  ['taskstats→procfs', 'the delay fallback reads /proc/<pid>/schedstat and io through the public ProcFS API'],
]);

function files(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function topOf(file) {
  return relative(src, file).split(sep)[0];
}

const IMPORT_RE =
  /^\s*(import|export)\s+(type\s+)?(?:[\s\S]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*(?:as\s+string\s*)?\)/gm;

function importsOf(file) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const out = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    if (m[2]) continue; // import type / export type
    const spec = m[3] ?? m[4];
    if (!spec?.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    out.push(target);
  }
  return out;
}

const all = files(src);
const known = new Set(all);
const violations = [];
const notes = new Set();
const graph = new Map();
for (const f of all) {
  const from = topOf(f);
  const rf = LAYERS[from];
  const deps = importsOf(f).filter((t) => known.has(t));
  graph.set(f, deps);
  if (rf === undefined) {
    violations.push(
      `${relative(root, f)}: src/${from} is not in the layer table (add it to scripts/check-layers.js and docs/design.md)`,
    );
    continue;
  }
  for (const t of deps) {
    const to = topOf(t);
    if (to === from) continue;
    const rt = LAYERS[to];
    if (rt === undefined) continue;
    if (rt < rf) continue;
    if (rt === rf && SAME_RANK_ALLOWED.has(rf)) continue;
    const key = `${from.replace(/\.ts$/, '')}→${to.replace(/\.ts$/, '')}`;
    if (EXCEPTIONS.has(key) && rt === rf) {
      notes.add(`allowed: ${key} (${EXCEPTIONS.get(key)})`);
      continue;
    }
    violations.push(
      `${relative(root, f)} → ${relative(root, t)} (${NAMES[rf]} ${from} may not import ${NAMES[rt]} ${to})`,
    );
  }
}

// run-time cycles (Tarjan's strongly connected components)
let index = 0;
const stack = [];
const onStack = new Set();
const idx = new Map();
const low = new Map();
const cycles = [];
function strong(v) {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) cycles.push(comp.map((c) => relative(root, c)).sort());
  }
}
for (const f of all) if (!idx.has(f)) strong(f);
for (const c of cycles) violations.push(`run-time import cycle: ${c.join(' ↔ ')}`);

for (const n of notes) process.stdout.write(`layers: ${n}\n`);
if (violations.length > 0) {
  process.stderr.write(`layers: ${violations.length} violation(s) of the layer table in docs/design.md:\n`);
  for (const v of violations) process.stderr.write(`  ${v}\n`);
  process.exit(1);
}
process.stdout.write(`layers: ${all.length} files, every import goes down the layer table, no run-time cycle\n`);
