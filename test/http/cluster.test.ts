/**
 * Live: a cluster of 2 workers serving node:http with the middleware, in a
 * private network namespace; the scenario is test/http/scripts/cluster.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { needNetns, repoRoot, runInNetns } from '../helpers/env.ts';

test('cluster of 2 workers: calling/writing across workers, active equals the set-up connections, aborts and throws leave 0', async (t) => {
  if (needNetns(t)) return;
  const r = await runInNetns(join(repoRoot, 'test/http/scripts/cluster.ts'), [], 90_000);
  assert.equal(r.code, 0, r.stderr);
  const { port, hold, stream, out } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const body = (calling: number, writing: number, active: number) =>
    `calling: ${calling}\nwriting: ${writing}\n127.0.0.1:${port} active: ${active}\n127.0.0.1:${port} queued: 0\n`;
  // the stats request's own connection is active on the listener it came in on
  assert.equal(out.idle, body(0, 0, 1));
  assert.equal(out.busy, body(hold, stream, hold + stream + 1));
  assert.equal(out.busy2, body(hold, stream, hold + stream + 1));
  assert.equal(out.aborted, body(0, 0, 1));
  // 4 open connections whose handlers threw or rejected: counted nowhere
  assert.equal(out.failing, body(0, 0, 5));
  assert.equal(out.after, body(0, 0, 1));
});
