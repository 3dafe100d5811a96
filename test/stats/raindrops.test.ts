/** Raindrops and defineStruct: raindrops' own test cases, its bugs fixed, bad input and faults. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defineStruct, MetricsRegistry, Raindrops } from '../../src/stats/index.ts';
import { isRoot } from '../helpers/env.ts';

test('raindrops test_raindrops.rb cases: incr/decr/[]/to_ary/capacity', () => {
  const r = new Raindrops(4);
  assert.equal(r.size, 4);
  assert.ok(r.capacity >= r.size);
  assert.equal(r.capacity, 64, 'one 4 KiB page of 64-byte lines');
  assert.deepEqual(r.toArray(), [0, 0, 0, 0]);
  assert.equal(r.incr(0), 1);
  assert.deepEqual(r.toArray(), [1, 0, 0, 0]);
  r.set(0, 0);
  assert.equal(r.incr(3, 6), 6);
  assert.equal(r.decr(3, 1), 5);
  assert.deepEqual(r.toArray(), [0, 0, 0, 5]);
  assert.equal(new Raindrops(65).capacity, 128);
  r.close();
});

test('wraps modulo 2^64 like raindrops; bigint access above 2^53', () => {
  const r = new Raindrops(2);
  r.decr(0);
  assert.equal(r.getBigInt(0), 2n ** 64n - 1n);
  assert.equal(r.incr(0), 0);
  r.set(1, 2n ** 64n - 2n);
  assert.equal(r.getBigInt(1), 2n ** 64n - 2n);
  r.incr(1, 3);
  assert.equal(r.getBigInt(1), 1n);
  r.set(1, 0xffffffff);
  assert.equal(r.incr(1), 2 ** 32, 'carry into the high word');
  assert.equal(r.decr(1), 0xffffffff, 'borrow from the high word');
  r.incr(0, 2n ** 63n);
  r.incr(0, 2n ** 63n);
  assert.equal(r.getBigInt(0), 0n);
  r.incr(0, -5);
  assert.equal(r.getBigInt(0), 2n ** 64n - 5n);
  r.close();
});

test('striped: incr returns the total, set adjusts the sum, exact under two stripes', () => {
  const a = new Raindrops(2, { striped: true, name: 'striped-unit' });
  const b = new Raindrops(2, { striped: true, name: 'striped-unit' });
  assert.equal(a.incr(0), 1);
  assert.equal(b.incr(0, 4), 5);
  b.add(0);
  a.sub(0, 2);
  assert.equal(a.get(0), 4);
  a.set(0, 100);
  assert.equal(b.get(0), 100);
  b.decr(0, 101);
  assert.equal(a.getBigInt(0), 2n ** 64n - 1n);
  b.close();
  assert.equal(a.get(0), 2 ** 64 - 1, 'a closed writer keeps its share');
  assert.throws(() => (a.size = a.capacity + 1), { name: 'InvalidArgumentError' });
  a.close();
});

test('huge, negative and non-integer indexes are refused with the index and the size (no aliasing of slot 0)', () => {
  const r = new Raindrops(2);
  r.incr(0, 7);
  for (const i of [2, -1, 2 ** 58, -(2 ** 58), 2 ** 58 + 1, 1.5, Number.NaN, '0', null, undefined, 2n ** 64n]) {
    assert.throws(
      () => r.get(i as number),
      (e: Error & { index?: unknown; size?: number }) =>
        e.name === 'IndexOutOfRangeError' && e.size === 2 && Object.is(e.index, i) && /size 2/.test(e.message),
      String(i),
    );
    assert.throws(() => r.incr(i as number), { name: 'IndexOutOfRangeError' });
  }
  assert.equal(r.get(0), 7);
  assert.throws(() => r.incr(0, 1.5), { name: 'InvalidArgumentError' });
  assert.throws(() => r.set(0, 2 ** 60), { name: 'InvalidArgumentError' });
  r.close();
});

test('bad sizes: 0, negative, fractional, beyond what can be mapped', () => {
  for (const s of [0, -1, 1.5, Number.NaN, '2'])
    assert.throws(() => new Raindrops(s as number), { name: 'InvalidArgumentError' });
  assert.throws(
    () => new Raindrops(2 ** 40),
    (e: Error) => e.name === 'InvalidArgumentError' && /can be mapped/.test(e.message),
  );
  assert.throws(() => new Raindrops(1, { striped: true, stripes: 1 }), { name: 'InvalidArgumentError' });
  assert.throws(() => new MetricsRegistry({ maxSeries: 0 }), { name: 'InvalidArgumentError' });
});

test('size = within capacity is free, beyond capacity grows (raindrops always fails with mremap); shrinking hides slots', () => {
  const r = new Raindrops(4, { name: 'grow-test' });
  r.size = r.capacity;
  assert.equal(r.incr(r.capacity - 1), 1);
  assert.throws(() => r.get(r.capacity), { name: 'IndexOutOfRangeError' });
  r.incr(2, 9);
  r.size = 1000;
  assert.equal(r.capacity, 1024);
  assert.equal(r.get(2), 9, 'values survive the remap');
  assert.equal(r.incr(999), 1);
  const other = new Raindrops(1000, { name: 'grow-test' });
  assert.equal(other.get(999), 1, 'another handle sees the grown counters');
  r.size = 2;
  assert.throws(() => r.get(2), { name: 'IndexOutOfRangeError' });
  r.size = 0;
  assert.deepEqual(r.toArray(), []);
  other.close();
  r.close();
});

test('snapshot() is an independent copy (raindrops dup)', () => {
  const r = new Raindrops(1, { striped: true });
  r.incr(0);
  const c = r.snapshot();
  assert.equal(c.incr(0), 2);
  assert.equal(r.get(0), 1);
  assert.equal(c.striped, false);
  r.close();
  c.close();
});

test('close() (evaporate!): every later call throws StatsClosedError; close is idempotent', () => {
  const r = new Raindrops(2);
  r.close();
  r.close();
  for (const f of [
    () => r.incr(0),
    () => r.get(0),
    () => r.toArray(),
    () => r.size,
    () => r.snapshot(),
    () => r.set(0, 1),
    () => r.add(0),
  ]) {
    assert.throws(f, { name: 'StatsClosedError' });
  }
});

test('defineStruct: typed members, getters, toObject, shared by name; bad member lists refused', () => {
  const Stats = defineStruct(['calling', 'writing'], { name: 'struct-test' });
  assert.deepEqual(Stats.members, ['calling', 'writing']);
  const a = new Stats();
  const b = new Stats();
  a.incr('calling');
  b.incr('calling', 2);
  b.incr('writing');
  a.decr('writing');
  assert.equal(a.calling, 3);
  assert.equal(b.get('calling'), 3);
  assert.deepEqual(a.toObject(), { calling: 3, writing: 0 });
  assert.throws(() => a.incr('nope' as 'calling'), { name: 'InvalidArgumentError' });
  a.close();
  b.close();
  assert.throws(() => defineStruct([]), { name: 'InvalidArgumentError' });
  assert.throws(() => defineStruct(['a', 'a']), /twice/);
  assert.throws(() => defineStruct(['incr']), /reserved/);
});

test('files: FIFO, directory, unmappable file system, foreign contents and read-only descriptors give clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stats-'));
  try {
    const fifo = join(dir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    assert.ok(statSync(fifo).isFIFO());
    assert.throws(
      () => new Raindrops(1, { path: fifo }),
      (e: Error) => e.name === 'SharedMemoryError' && /FIFO/.test(e.message),
    );
    assert.throws(
      () => new Raindrops(1, { path: dir }),
      (e: Error) => e.name === 'SharedMemoryError' && /directory/.test(e.message),
    );
    assert.throws(
      () => new Raindrops(1, { path: '/proc/self/status' }),
      (e: Error) => /cannot|mapped|writ/i.test(e.message),
    );
    const foreign = join(dir, 'foreign');
    writeFileSync(foreign, Buffer.alloc(8192, 1));
    assert.throws(
      () => new Raindrops(1, { path: foreign }),
      (e: Error) => e.name === 'SharedMemoryError' && /zero: true/.test(e.message),
    );
    const z = new Raindrops(1, { path: foreign, zero: true });
    assert.equal(z.get(0), 0);
    z.close();
    const agg = join(dir, 'kind');
    new MetricsRegistry({ path: agg }).close();
    assert.throws(() => new Raindrops(1, { path: agg }), /registry region, not a raindrops region/);
    const ro = join(dir, 'ro');
    new Raindrops(1, { path: ro }).close();
    chmodSync(ro, 0o444);
    if (!isRoot) assert.throws(() => new Raindrops(1, { path: ro }), { name: 'PermissionError' });
    // a read-only descriptor (as root too): mmap refuses a writable shared mapping
    const fdTest = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { Raindrops } from ${JSON.stringify(new URL('../../src/stats/index.ts', import.meta.url).href)};
         try { new Raindrops(1, { fd: 3 }); console.log('opened'); } catch (e) { console.log(e.name); }`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
    );
    assert.match(fdTest.stdout, /SharedMemoryError|PermissionError/, fdTest.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
