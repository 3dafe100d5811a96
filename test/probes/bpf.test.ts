import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BpfProgramRefusedError,
  BpfSocketSummary,
  detectBpfCapabilities,
  InvalidArgumentError,
  listBpfObjectIds,
  openSocketProbes,
  type SocketProbeEvent,
  type SocketProbeSession,
} from '../../src/index.js';
import { have, needRoot, repoRoot, skipBecause } from '../helpers/env.js';

const SIGUSR1_BIT = 1n << 9n;

async function waitForHandler(pid: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const m = /^SigCgt:\s*([0-9a-f]+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m && (BigInt(`0x${m[1]}`) & SIGUSR1_BIT) !== 0n) return;
    await sleep(25);
  }
  throw new Error('traffic child never installed its SIGUSR1 handler');
}

async function drain(s: SocketProbeSession, into: SocketProbeEvent[]): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const b = await Promise.race([s.nextBatch(), sleep(150).then(() => [] as SocketProbeEvent[])]);
    if (b) into.push(...b);
  }
}

type Totals = Record<string, { calls: number; bytes: number }>;
function totals(events: SocketProbeEvent[], key: (e: SocketProbeEvent) => string): Totals {
  const out: Totals = {};
  for (const e of events) {
    if (e.success !== 1) continue;
    const k = key(e);
    out[k] ??= { calls: 0, bytes: 0 };
    const t = out[k]!;
    t.calls++;
    t.bytes += e.size!;
  }
  return out;
}

test('BPF backend: exact counts and bytes for known UDP/TCP/UNIX traffic, equal to tracefs; state/type/flags filled', async (t) => {
  if (needRoot(t)) return;
  if (!have('python3')) return void skipBecause(t, 'needs python3 for the traffic child');
  if (!detectBpfCapabilities().tpBtf.available) return void skipBecause(t, 'tp_btf not permitted here');
  const child = spawn('python3', ['test/probes/scripts/bpf-traffic.py'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const probes = ['socket.send', 'socket.receive'];
  const bpf = openSocketProbes({ probes, filter: { pid: child.pid! }, intervalMs: 10 });
  const tfs = openSocketProbes({ probes, filter: { pid: child.pid! }, backend: 'tracefs', intervalMs: 10 });
  const sum = new BpfSocketSummary({ filter: { pid: child.pid! } });
  const be: SocketProbeEvent[] = [];
  const te: SocketProbeEvent[] = [];
  try {
    assert.equal(bpf.backend, 'bpf');
    assert.equal(tfs.backend, 'tracefs');
    await waitForHandler(child.pid!);
    child.kill('SIGUSR1');
    assert.equal(await exited, 0);
    await drain(bpf, be);
    await drain(tfs, te);
    const summary = sum.read();
    const key = (e: SocketProbeEvent) => `${e.name} ${e.family}/${e.protocol}`;
    const bt = totals(be, key);
    assert.deepEqual(bt, totals(te, key), 'BPF equals tracefs on the same traffic');
    const byType = totals(be, (e) => `${e.name} ${e.family}/${e.protocol}/${e.type}`);
    for (const dir of ['socket.send', 'socket.receive']) {
      assert.deepEqual(byType[`${dir} 2/17/2`], { calls: 15, bytes: 1250 }, `${dir} UDP`);
      assert.deepEqual(byType[`${dir} 2/6/1`], { calls: 20, bytes: 1280 }, `${dir} TCP`);
      assert.deepEqual(byType[`${dir} 1/0/1`], { calls: 7, bytes: 210 }, `${dir} UNIX stream`);
      assert.deepEqual(byType[`${dir} 1/0/2`], { calls: 3, bytes: 120 }, `${dir} UNIX dgram`);
      assert.deepEqual(byType[`${dir} 1/0/5`], { calls: 2, bytes: 40 }, `${dir} UNIX seqpacket`);
    }
    // struct socket state: UDP stays SS_UNCONNECTED (1) even after connect() (inet_dgram_connect leaves
    // sock->state alone); TCP and UNIX socket pairs are SS_CONNECTED (3)
    const udpSends = be.filter((e) => e.name === 'socket.send' && e.protocol === 17);
    assert.deepEqual(
      udpSends.map((e) => [e.size, e.state]),
      [...Array.from({ length: 10 }, () => [100, 1]), ...Array.from({ length: 5 }, () => [50, 1])],
    );
    for (const e of be.filter((x) => x.protocol === 6 || x.family === 1)) assert.equal(e.state, 3);
    for (const e of be) {
      assert.equal(typeof e.flags, 'number');
      assert.equal(e.pid, child.pid);
      assert.equal(e.comm, 'python3');
    }
    assert.ok(be.every((e) => e.type !== undefined));
    assert.ok(
      te.some((e) => e.family === 1 && e.type === undefined),
      'tracefs lacks the UNIX type',
    );
    const tcp = be.find((e) => e.protocol === 6)!;
    assert.ok(tcp.sport! > 0 && tcp.dport! > 0);
    assert.equal(bpf.stats().lost, 0);
    // kernel summary: same totals
    const sumTotals: Totals = {};
    for (const s of summary) {
      const k = `${s.name} ${s.family}/${s.protocol}/${s.type}`;
      sumTotals[k] ??= { calls: 0, bytes: 0 };
      const t = sumTotals[k]!;
      t.calls += s.calls - s.errors;
      t.bytes += s.bytes;
    }
    assert.deepEqual(sumTotals, byType);
    const tcpSend = summary.find((s) => s.name === 'socket.send' && s.protocol === 6)!;
    assert.equal(tcpSend.sizeLog2Histogram[6], 20, '64-byte sends land in bucket 2^6');
  } finally {
    bpf.close();
    tfs.close();
    sum.close();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('BPF backend: in-kernel port and family filters, ring overrun counted as lost', async (t) => {
  if (needRoot(t)) return;
  if (!detectBpfCapabilities().tpBtf.available) return void skipBecause(t, 'tp_btf not permitted here');
  const dgram = await import('node:dgram');
  const a = dgram.createSocket('udp4');
  const b = dgram.createSocket('udp4');
  await new Promise<void>((r) => a.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => b.bind(0, '127.0.0.1', () => r()));
  const port = b.address().port;
  // connected: the port filter reads the socket's own ports (skc_num, skc_dport), not a sendto address
  await new Promise<void>((r) => a.connect(port, '127.0.0.1', () => r()));
  // a 4 KiB ring holds 64 records of 64 bytes (with headers fewer): 200 sends overrun it between polls
  const s = openSocketProbes({
    probes: ['send'],
    filter: { pid: process.pid, port, family: 'inet' },
    ringBytes: 4096,
    intervalMs: 60_000,
  });
  try {
    assert.equal(s.backend, 'bpf');
    for (let i = 0; i < 200; i++) await new Promise<void>((r) => a.send(Buffer.alloc(10), () => r()));
    const got: SocketProbeEvent[] = [];
    if (s.backend === 'bpf') s.pump();
    got.push(...((await Promise.race([s.nextBatch(), sleep(2000)])) ?? []));
    assert.ok(got.length > 0 && got.length < 200);
    assert.equal(got.length + s.stats().lost, 200, 'every send is delivered or counted lost');
    assert.ok(got.every((e) => e.dport === port && e.size === 10));
  } finally {
    s.close();
    a.close();
    b.close();
  }
});

test('backend choice: probes the BPF backend lacks fall back to tracefs with the reason; refusal when forced', (t) => {
  if (needRoot(t)) return;
  const s = openSocketProbes({ probes: ['tcp.state'], filter: { pid: process.pid } });
  try {
    assert.equal(s.backend, 'tracefs');
    assert.match(s.fallbackReason!, /send and socket.receive only/);
  } finally {
    s.close();
  }
  assert.throws(() => openSocketProbes({ probes: ['tcp.state'], backend: 'bpf' }), BpfProgramRefusedError);
  assert.throws(
    () => openSocketProbes({ probes: ['tcp.state'], filter: { port: 80 } }),
    (e: unknown) => e instanceof InvalidArgumentError && /port filter needs the BPF backend/.test(e.message),
  );
  // fentry/fexit entry/return probes: refused on this kernel, detected with a reason
  const caps = detectBpfCapabilities();
  if (!caps.fentry.available) assert.ok(caps.fentry.reason && caps.fexit.reason);
});

test('BPF backend leaves no programs, links or maps behind after close', async (t) => {
  if (needRoot(t)) return;
  const ids = () => [...listBpfObjectIds('prog'), ...listBpfObjectIds('link'), ...listBpfObjectIds('map')];
  const before = ids();
  const s = openSocketProbes({ filter: { pid: process.pid } });
  const sum = new BpfSocketSummary({ filter: { pid: process.pid } });
  assert.ok(ids().length > before.length);
  s.close();
  sum.close();
  let left: number[] = [];
  for (let i = 0; i < 100; i++) {
    left = ids().filter((id) => !before.includes(id));
    if (left.length === 0) break;
    await sleep(50);
  }
  assert.deepEqual(left, []);
});
