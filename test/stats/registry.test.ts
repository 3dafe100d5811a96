/** MetricsRegistry: families, label handling, limits, collect(). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsRegistry } from '../../src/stats/index.ts';

test('counter, gauge and histogram families: slots on first use, shared by two handles of one name', () => {
  const a = new MetricsRegistry({ name: 'reg-unit' });
  const b = new MetricsRegistry({ name: 'reg-unit' });
  const ca = a.counter('http_requests_total', 'requests', ['method', 'status']);
  const cb = b.counter('http_requests_total', 'requests', ['method', 'status']);
  ca.inc({ method: 'GET', status: '200' });
  cb.inc({ status: '200', method: 'GET' }, 2);
  cb.inc({ method: 'POST', status: 500 });
  const g = b.gauge('inflight', 'in flight');
  g.inc();
  g.inc(undefined, 2);
  g.dec();
  a.gauge('inflight', 'in flight').inc();
  const h = a.histogram('latency_seconds', 'latency', ['route'], [0.1, 1]);
  h.observe({ route: '/' }, 0.05);
  h.observe({ route: '/' }, 0.5);
  h.observe({ route: '/' }, 5);
  const snap = b.collect();
  assert.deepEqual(
    snap.map((f) => [f.name, f.type]),
    [
      ['http_requests_total', 'counter'],
      ['inflight', 'gauge'],
      ['latency_seconds', 'histogram'],
    ],
  );
  assert.deepEqual(snap[0]!.series, [
    { labels: { method: 'GET', status: '200' }, value: 3 },
    { labels: { method: 'POST', status: '500' }, value: 1 },
  ]);
  assert.equal(snap[1]!.series[0]!.value, 3);
  assert.deepEqual(snap[2]!.series[0], {
    labels: { route: '/' },
    buckets: [
      { le: 0.1, count: 1 },
      { le: 1, count: 2 },
      { le: Number.POSITIVE_INFINITY, count: 3 },
    ],
    sum: 5.55,
    count: 3,
  });
  g.set(undefined, -2.5);
  assert.equal(a.collect()[1]!.series[0]!.value, -2.5);
  a.close();
  b.close();
  assert.throws(() => a.collect(), { name: 'StatsClosedError' });
  assert.throws(() => ca.inc({ method: 'GET', status: '200' }), { name: 'StatsClosedError' });
});

test('maxSeries is enforced with SeriesLimitError naming the family and the limit', () => {
  const r = new MetricsRegistry({ maxSeries: 3 });
  const c = r.counter('c_total', 'c', ['k']);
  for (const k of ['a', 'b', 'c']) c.inc({ k });
  assert.throws(
    () => c.inc({ k: 'd' }),
    (e: Error & { family?: string; maxSeries?: number }) =>
      e.name === 'SeriesLimitError' && e.family === 'c_total' && e.maxSeries === 3,
  );
  c.inc({ k: 'a' });
  assert.equal(r.collect()[0]!.series.length, 3);
  r.close();
});

test('bad names, labels, values and conflicting registrations are typed errors', () => {
  const r = new MetricsRegistry();
  assert.throws(() => r.counter('bad-name', 'x'), { name: 'InvalidArgumentError' });
  assert.throws(() => r.counter('ok', 'x', ['__x']), { name: 'InvalidArgumentError' });
  assert.throws(() => r.histogram('h', 'x', ['le']), /reserved/);
  assert.throws(() => r.histogram('h2', 'x', [], [1, 1]), /increasing/);
  const c = r.counter('req_total', 'x', ['code']);
  assert.equal(r.counter('req_total', 'x', ['code']), c, 'same registration returns the same handle');
  assert.throws(() => r.gauge('req_total', 'x', ['code']), /already registered as a counter/);
  assert.throws(() => c.inc({ code: '200' }, -1), { name: 'InvalidArgumentError' });
  assert.throws(() => c.inc({ nope: '1' } as Record<string, string>), /unknown label/);
  assert.throws(() => c.inc({}), /needs a string value/);
  assert.throws(() => r.gauge('g', 'x').set(undefined, Number.NaN), { name: 'InvalidArgumentError' });
  r.close();
});
