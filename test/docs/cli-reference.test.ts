import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCapture } from '../helpers/env.ts';

test('docs/cli.md matches the command definitions (regenerate with scripts/cli-reference.ts)', async () => {
  const r = await runCapture(process.execPath, ['--import', 'tsx', 'scripts/cli-reference.ts', '--check']);
  assert.equal(r.code, 0, r.stderr);
});

test('every sub-command has a description and bad arguments exit 2', async () => {
  const help = await runCapture(process.execPath, ['bin/raingauge.js', '--help']);
  assert.equal(help.code, 0);
  assert.doesNotMatch(help.stdout, /not implemented/);
  const bad = await runCapture(process.execPath, ['bin/raingauge.js', 'no-such-command']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command/);
});
