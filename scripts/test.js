#!/usr/bin/env node
// Runs every test of the project: lint and type check, a smoke pass of the
// benchmarks, then every unit, fuzz and live test with node's test runner
// (last, so its summary closes the output).
//
//   node scripts/test.js            everything
//   node scripts/test.js FILTER...  only test files whose path contains FILTER (no lint, no bench smoke)
//   node scripts/test.js --tests-only  every test file, no lint, no bench smoke (CI's extra Node versions)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testsOnly = process.argv.includes('--tests-only');
const filters = process.argv.slice(2).filter((a) => a !== '--tests-only');

// tsx keeps a transform cache in /tmp/tsx-<uid>; tests (some run as nobody) must leave no file behind
// Node >= 22: the CLI's compile cache (bin/raingauge.js) must not leave /tmp/node-compile-cache behind either
const env = { ...process.env, TSX_DISABLE_CACHE: '1', NODE_DISABLE_COMPILE_CACHE: '1' };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    process.stderr.write(`\n${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
}

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = find(join(root, 'test'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no test files match ${filters.join(' ')}\n`);
  process.exit(1);
}

if (filters.length === 0 && !testsOnly) {
  run(process.execPath, ['scripts/biome.js', 'check', '--error-on-warnings', '.']);
  run(process.execPath, ['scripts/check-layers.js']);
  run('npx', ['tsc', '-p', 'tsconfig.check.json']);
  run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke']);
}
run(process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=1',
  `--test-timeout=${10 * 60 * 1000}`,
  ...files,
]);
