/**
 * Fleet test: a real Prometheus server (Debian `prometheus`), started inside
 * a private network namespace, scrapes `raingauge serve`'s exporter every
 * second; PromQL through Prometheus's HTTP API returns the queued count of a
 * listener held full and the ListenOverflows the test provoked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { have, needNetns, repoRoot, runInNetns, skipBecause } from '../helpers/env.ts';

test('Prometheus scrapes raingauge: queued connections of a full listener and the rate of ListenOverflows', async (t) => {
  if (needNetns(t)) return;
  if (!have('prometheus')) {
    skipBecause(t, 'needs Debian prometheus (scripts/install-test-deps.sh)');
    return;
  }
  const B = 2;
  const K = 3;
  const r = await runInNetns(`${repoRoot}test/export/scripts/fleet.ts`, [String(B), String(K)], 150_000);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  // the accept queue holds backlog + 1 connections before the kernel drops (sk_acceptq_is_full is `>`)
  assert.equal(j.queued, B + 1);
  assert.equal(j.backlog, B);
  assert.deepEqual(j.errors, ['ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT']);
  // every dropped SYN (first and retried) counts once: K clients × 2 SYNs with tcp_syn_retries = 1
  assert.ok((j.kernelDelta as number) >= K, `kernel delta ${j.kernelDelta}`);
  assert.equal(j.seenDelta, j.kernelDelta, 'Prometheus saw the whole rise of ListenOverflows');
  assert.ok((j.rate as number) > 0, 'rate(ListenOverflows) > 0');
  assert.equal(j.attributed, j.kernelDelta, 'overflows attributed to the full listener');
});
