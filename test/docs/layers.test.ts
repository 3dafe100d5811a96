/**
 * The layer check (scripts/check-layers.js) passes on the real tree and
 * catches a deliberate upward import and a run-time cycle in a scratch tree.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/env.ts';

const script = join(repoRoot, 'scripts', 'check-layers.js');

function check(dir?: string) {
  return spawnSync(process.execPath, dir ? [script, dir] : [script], { encoding: 'utf8' });
}

test('the real src/ follows the layer table', () => {
  const r = check();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /every import goes down the layer table/);
});

test('an upward import and a cycle are reported with the files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-layers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['procfs', 'cli', 'sys']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'cli', 'x.ts'), 'export const x = 1;\n');
  writeFileSync(
    join(dir, 'procfs', 'a.ts'),
    "import { x } from '../cli/x.js';\nimport type { T } from '../cli/t.js';\nexport const a = x;\n",
  );
  writeFileSync(join(dir, 'sys', 'p.ts'), "import { q } from './q.js';\nexport const p = () => q;\n");
  writeFileSync(join(dir, 'sys', 'q.ts'), "import { p } from './p.js';\nexport const q = () => p;\n");
  const r = check(dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /procfs\/a\.ts → .*cli\/x\.ts \(sources procfs may not import surfaces cli\)/);
  assert.doesNotMatch(r.stderr, /cli\/t\.ts/, 'import type is not a run-time import');
  assert.match(r.stderr, /run-time import cycle: .*sys\/p\.ts ↔ .*sys\/q\.ts/);
});
