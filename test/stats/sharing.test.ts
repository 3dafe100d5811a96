/**
 * Live tests of sharing by name, path and descriptor across cluster workers,
 * worker threads and unrelated processes (real memfds, real mmap).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MetricsRegistry, Raindrops, SharedAggregate } from '../../src/stats/index.ts';
import { runCapture } from '../helpers/env.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'cluster-count.ts');

function memfdLinks(pid: number | 'self' = 'self'): string[] {
  const out: string[] = [];
  for (const e of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const l = readlinkSync(`/proc/${pid}/fd/${e}`);
      if (l.startsWith('/memfd:rg1:')) out.push(l);
    } catch {}
  }
  return out;
}

async function runCluster(mode: string[]): Promise<Record<string, unknown>> {
  const r = await runCapture(process.execPath, ['--import', 'tsx', fixture, ...mode], 170_000);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

test('4 cluster workers × 2 threads × 1 000 000 increments: exactly 8 000 000 on a plain and a striped counter; primary never creates them', {
  timeout: 180_000,
}, async () => {
  const shm = readdirSync('/dev/shm').sort();
  const r = await runCluster(['1000000']);
  assert.equal(r.plain, 8_000_000);
  assert.equal(r.striped, 8_000_000);
  // a shared aggregate fed by 8 writers equals one single-process aggregate (count, sum, min, max, every bucket, text)
  assert.equal(r.aggSame, true);
  assert.equal(r.aggCount, 16_000);
  assert.equal(r.aggSum, r.singleSum);
  // registry read by another process through /proc/<pid>/fd: label sets consistent across processes
  const reg = r.registry as {
    name: string;
    series: { labels: Record<string, string>; value?: number; count?: number }[];
  }[];
  const req = reg.find((f) => f.name === 'requests_total')!;
  // each thread adds 1024 every 1024 increments starting at 0: ceil(1e6/1024) = 977 times
  const perThread = Math.ceil(1_000_000 / 1024) * 1024;
  assert.deepEqual(req.series.map((s) => [s.labels.worker, s.value]).sort(), [
    ['0', perThread * 4],
    ['1', perThread * 4],
  ]);
  assert.equal(reg.find((f) => f.name === 'size_bytes')!.series[0]!.count, 16_000);
  assert.deepEqual(readdirSync('/dev/shm').sort(), shm, 'nothing left in /dev/shm');
});

test('a SIGKILLed worker keeps the increments it made (plain and striped)', { timeout: 180_000 }, async () => {
  const r = await runCluster(['1000000', 'kill']);
  // worker 0's two threads stopped at 500 000 each, then the worker was killed with SIGKILL
  assert.equal(r.plain, 7_000_000);
  assert.equal(r.striped, 7_000_000);
});

test('the same name in this process gives the same counters; threads find it', async () => {
  const a = new Raindrops(3, { name: 'sharing-test' });
  const b = new Raindrops(3, { name: 'sharing-test' });
  a.incr(1, 5);
  assert.equal(b.get(1), 5);
  b.close();
  assert.equal(a.get(1), 5);
  a.close();
});

test('a name created only in a worker thread is found by another thread and by the main thread', async () => {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.api).then(async (m) => {
      m.register();
      const { Raindrops } = await import(workerData.src);
      const r = new Raindrops(1, { name: 'thread-born' });
      r.incr(0, workerData.n);
      parentPort.postMessage(r.get(0));
      await new Promise((res) => setTimeout(res, workerData.hold));
      r.close();
    });`;
  const { Worker } = await import('node:worker_threads');
  const api = import.meta.resolve('tsx/esm/api');
  const src = new URL('../../src/stats/index.ts', import.meta.url).href;
  const first = new Worker(code, { eval: true, workerData: { api, src, n: 2, hold: 3000 } });
  const v1 = await new Promise((res) => first.once('message', res));
  assert.equal(v1, 2);
  const second = new Worker(code, { eval: true, workerData: { api, src, n: 3, hold: 0 } });
  const v2 = await new Promise((res) => second.once('message', res));
  assert.equal(v2, 5);
  const main = new Raindrops(1, { name: 'thread-born' });
  assert.equal(main.get(0), 5);
  main.close();
  await Promise.all([first, second].map((w) => new Promise((res) => w.once('exit', res))));
});

test('by path: two handles and an unrelated process share counters; zero clears; the file stays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stats-'));
  try {
    const path = join(dir, 'counters');
    const a = new Raindrops(4, { path });
    a.incr(0, 123);
    a.incr(3, 456);
    const script = `import { Raindrops } from ${JSON.stringify(new URL('../../src/stats/index.ts', import.meta.url).href)};
      const r = new Raindrops(4, { path: ${JSON.stringify(path)} }); r.incr(3); console.log(r.toArray().join(','));`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(out.stdout.trim(), '123,0,0,457', out.stderr);
    assert.equal(a.get(3), 457);
    const z = new Raindrops(4, { path, zero: true });
    assert.deepEqual(z.toArray(), [0, 0, 0, 0]);
    assert.equal(a.get(0), 0);
    a.close();
    z.close();
    const again = new Raindrops(4, { path });
    assert.equal(again.get(0), 0);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('by descriptor: a child given the fd as a stdio slot shares the counters', () => {
  const r = new Raindrops(2);
  r.incr(0, 40);
  const script = `import { Raindrops } from ${JSON.stringify(new URL('../../src/stats/index.ts', import.meta.url).href)};
    const r = new Raindrops(2, { fd: 3 }); r.incr(0, 2); console.log(r.get(0));`;
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe', r.fd],
  });
  assert.equal(out.stdout.trim(), '42', out.stderr);
  assert.equal(r.get(0), 42);
  r.close();
});

test('no descriptor leaks into exec-ed children (FD_CLOEXEC)', () => {
  const r = new Raindrops(1, { name: 'cloexec-test' });
  const s = new SharedAggregate({ name: 'cloexec-test' });
  assert.equal(memfdLinks().length >= 2, true);
  const out = spawnSync('sh', ['-c', 'ls -l /proc/$$/fd'], { encoding: 'utf8' });
  assert.equal(out.status, 0);
  assert.doesNotMatch(out.stdout, /memfd:rg1/);
  r.close();
  s.close();
});

test('MetricsRegistry.open by { pid, name } and by path is read-only and sees live values', () => {
  const reg = new MetricsRegistry({ name: 'open-test' });
  reg.counter('hits_total', 'hits', ['code']).inc({ code: '200' }, 3);
  const ro = MetricsRegistry.open({ pid: process.pid, name: 'open-test' });
  assert.equal(ro.collect()[0]!.series[0]!.value, 3);
  reg.counter('hits_total', 'hits', ['code']).inc({ code: '200' });
  assert.equal(ro.collect()[0]!.series[0]!.value, 4);
  assert.throws(() => MetricsRegistry.open({ pid: process.pid, name: 'nope' }), { name: 'NotFoundError' });
  ro.close();
  reg.close();
  const dir = mkdtempSync(join(tmpdir(), 'rg-stats-'));
  try {
    const path = join(dir, 'reg');
    const w = new MetricsRegistry({ path });
    w.gauge('temp', 'temperature').set(undefined, 21.5);
    const r2 = MetricsRegistry.open({ path });
    assert.equal(r2.collect()[0]!.series[0]!.value, 21.5);
    r2.close();
    w.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('100 000 create/close cycles leave descriptors and mappings flat', () => {
  const count = () => [readdirSync('/proc/self/fd').length, readFileMaps()];
  const before = count();
  for (let i = 0; i < 100_000; i++) new Raindrops(1).close();
  for (let i = 0; i < 2_000; i++) new Raindrops(1, { name: 'cycle' }).close();
  assert.deepEqual(count(), before);
});

function readFileMaps(): number {
  return spawnSync('cat', [`/proc/${process.pid}/maps`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.includes('memfd:rg1')).length;
}
