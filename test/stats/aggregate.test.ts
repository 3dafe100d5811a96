/** Aggregate: reference statistics, quantile error bound, merge/reset, and toString against the Ruby gem. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { Aggregate, SharedAggregate } from '../../src/stats/index.ts';
import { have, skipBecause } from '../helpers/env.ts';

test('1..10: mean 5.5, stdDev 3.0276503540974917 (sample, n - 1), min/max/sum/count', () => {
  const a = new Aggregate();
  for (let i = 1; i <= 10; i++) a.add(i);
  assert.equal(a.count, 10);
  assert.equal(a.sum, 55);
  assert.equal(a.min, 1);
  assert.equal(a.max, 10);
  assert.equal(a.mean, 5.5);
  assert.equal(a.stdDev, 3.0276503540974917);
  // independent computation: two-pass sample variance
  const xs = Array.from({ length: 10 }, (_, i) => i + 1);
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
  assert.ok(Math.abs(a.stdDev - sd) < 1e-12);
});

test('empty and single-sample aggregates: NaN mean/stdDev, undefined min/max, "Empty histogram"', () => {
  const a = new Aggregate();
  assert.ok(Number.isNaN(a.mean));
  assert.ok(Number.isNaN(a.stdDev));
  assert.equal(a.min, undefined);
  assert.equal(a.toString(), 'Empty histogram');
  a.add(5);
  assert.ok(Number.isNaN(a.stdDev));
  a.add(0);
  a.add(-3);
  assert.equal(a.outliersLow, 2, '0 and negatives are low outliers');
  a.add(2 ** 127);
  assert.equal(a.outliersHigh, 1);
  assert.throws(() => a.add(Number.NaN), { name: 'InvalidArgumentError' });
  assert.throws(() => a.add('3' as unknown as number), { name: 'InvalidArgumentError' });
});

test('quantiles stay within the documented error bound (relative < 1/32 in [1, 2^127))', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { minLength: 1, maxLength: 400 }),
      fc.double({ min: 0.001, max: 0.999, noNaN: true }),
      (xs, q) => {
        const a = new Aggregate();
        for (const x of xs) a.add(x);
        const sorted = [...xs].sort((x, y) => x - y);
        const truth = sorted[Math.max(1, Math.ceil(q * xs.length)) - 1]!;
        const est = a.quantile(q);
        return Math.abs(est - truth) <= truth / 32;
      },
    ),
    { numRuns: 300 },
  );
  const z = new Aggregate();
  for (let i = 0; i < 90; i++) z.add(0);
  for (let i = 0; i < 10; i++) z.add(100);
  assert.equal(z.quantile(0.5), 0, 'ranks among equal low outliers are exact');
  assert.equal(z.quantile(0), 0);
  assert.equal(z.quantile(1), 100);
  assert.throws(() => z.quantile(1.5), { name: 'InvalidArgumentError' });
});

test('merge equals one aggregate over both sample sets; reset empties; linear buckets follow the gem rules', () => {
  const a = new Aggregate();
  const b = new Aggregate();
  const all = new Aggregate();
  for (let i = 0; i < 500; i++) {
    const v = (i * 7919) % 10007;
    (i % 2 ? a : b).add(v);
    all.add(v);
  }
  a.merge(b);
  assert.equal(a.count, all.count);
  assert.equal(a.sum, all.sum);
  assert.equal(a.min, all.min);
  assert.equal(a.max, all.max);
  assert.equal(a.toString(), all.toString());
  a.reset();
  assert.equal(a.count, 0);
  assert.equal(a.toString(), 'Empty histogram');
  assert.throws(() => new Aggregate({ low: 10, high: 0, width: 1 }), /must be > low/);
  assert.throws(() => new Aggregate({ low: 0, high: 10, width: 20 }), /width/);
  assert.throws(() => new Aggregate({ low: 0, high: 10, width: 3 }), /multiple of width/);
  assert.throws(() => a.merge(new Aggregate({ low: 0, high: 10, width: 1 })), { name: 'InvalidArgumentError' });
});

function rubyToS(values: number[], linear?: [number, number, number], columns?: number): string {
  const init = linear ? `Aggregate.new(${linear.join(',')})` : 'Aggregate.new';
  const script = `a = ${init}; STDIN.read.split.each { |x| a << (x.include?('.') || x.include?('e') ? Float(x) : Integer(x)) }; print a.to_s${columns ? `(${columns})` : ''}`;
  const r = spawnSync('ruby', ['-raggregate', '-e', script], {
    input: values.map(String).join('\n'),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('toString() is byte-identical to the Ruby aggregate gem on random data', (t) => {
  if (!have('ruby') || spawnSync('ruby', ['-raggregate', '-e', '1']).status !== 0) {
    skipBecause(t, 'needs ruby and the aggregate gem (Debian ruby-aggregate)');
    return;
  }
  const cases: { values: number[]; linear?: [number, number, number]; columns?: number }[] = [];
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let c = 0; c < 12; c++) {
    const n = 1 + Math.floor(rnd() * 3000);
    const scale = 2 ** Math.floor(rnd() * 50);
    const values = Array.from({ length: n }, () => Math.floor(rnd() * scale) - (c % 3 === 0 ? 5 : 0));
    if (c % 4 === 1) values.push(...Array.from({ length: 20 }, (_, i) => 2 ** (i * 3))); // exact powers of two
    if (c % 5 === 2) values.push(0.5, 1.5, 3.25, 1e20, 7.000001);
    cases.push({ values, columns: c === 7 ? 120 : undefined });
  }
  cases.push(
    { values: [5] },
    { values: [5, 10, 20, 1000] },
    { values: Array.from({ length: 100_000 }, (_, i) => i % 7) },
  );
  cases.push({ values: Array.from({ length: 2000 }, () => Math.floor(rnd() * 130) - 10), linear: [0, 100, 10] });
  cases.push({ values: Array.from({ length: 50 }, () => Math.floor(rnd() * 1000)), linear: [100, 1000, 100] });
  for (const { values, linear, columns } of cases) {
    const a = new Aggregate(linear ? { low: linear[0], high: linear[1], width: linear[2] } : undefined);
    for (const v of values) a.add(v);
    assert.equal(a.toString(columns), rubyToS(values, linear, columns), `${values.length} values ${linear ?? ''}`);
  }
});

test('SharedAggregate: read() is a consistent copy equal to an Aggregate of the same samples; reset; linear; closed', () => {
  const s = new SharedAggregate();
  const ref = new Aggregate();
  for (let i = 0; i < 5000; i++) {
    const v = ((i * 2654435761) >>> 0) % 70000;
    s.add(v);
    ref.add(v);
  }
  const r = s.read();
  assert.equal(r.count, ref.count);
  assert.equal(r.sum, ref.sum);
  assert.equal(r.min, ref.min);
  assert.equal(r.max, ref.max);
  assert.deepEqual([...r.buckets], [...ref.buckets]);
  assert.equal(r.toString(), ref.toString());
  assert.equal(r.quantile(0.99), ref.quantile(0.99));
  s.reset();
  assert.equal(s.read().count, 0);
  s.add(7);
  assert.equal(s.read().count, 1);
  s.close();
  assert.throws(() => s.add(1), { name: 'StatsClosedError' });
  assert.throws(() => s.read(), { name: 'StatsClosedError' });
  const lin = new SharedAggregate({ linear: { low: 0, high: 100, width: 10 } });
  lin.add(5);
  lin.add(55);
  lin.add(500);
  assert.equal(lin.read().outliersHigh, 1);
  assert.equal(lin.read().buckets[5], 1);
  lin.close();
});
