import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncrementalListenerCounts, tcpListenerStatsSync } from '../../src/index.js';
import { needNetns, runInNetns } from '../helpers/env.js';

test('incremental (kernel-kept) listener counts equal tcpListenerStats through 1 000 connects and closes', async (t) => {
  if (needNetns(t)) return;
  const r = await runInNetns('test/listeners/scripts/incremental.ts');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    mode: string;
    connects: number;
    closes: number;
    rounds: { round: number; bpf: Record<string, number>; diag: Record<string, number> }[];
    left: number[];
  };
  assert.equal(out.mode, 'bpf');
  assert.equal(out.connects, 1000);
  assert.ok(out.closes >= 700);
  assert.equal(out.rounds.length, 11);
  for (const round of out.rounds) assert.deepEqual(round.bpf, round.diag, `round ${round.round}`);
  // the numbers moved: not a comparison of zeros
  assert.ok(Object.values(out.rounds[10]!.diag).reduce((a, b) => a + b, 0) > 100);
  assert.ok(
    Object.values(out.rounds[0]!.diag).some((n) => n > 0),
    'the seeding walk found existing connections',
  );
  for (const k of ['127.0.0.1:9201', '127.0.0.2:9201', '0.0.0.0:9202', '[::]:9203']) {
    assert.ok((out.rounds[10]!.bpf[k] ?? 0) > 0, k);
  }
  assert.deepEqual(out.left, [], 'no BPF object left after close()');
});

test('incremental counts fall back to sock_diag when asked, stating why', () => {
  const inc = IncrementalListenerCounts.open({ forceSockDiag: true });
  try {
    assert.equal(inc.mode, 'sock_diag');
    assert.match(inc.fallbackReason!, /sock_diag/);
    assert.deepEqual([...inc.read().keys()].sort(), [...tcpListenerStatsSync().keys()].sort());
  } finally {
    inc.close();
  }
});
