/**
 * Socket probes benchmark.
 *
 * 1. Decoding rate on one core: sub-buffers of `sock_send_length` records
 *    (synthesized with this kernel's captured format) and the captured pages
 *    of test/fixtures/tracefs, walked and decoded into SocketProbeEvents.
 *    Target ≥ 1 M events/s.
 * 2. Zero loss at a sustained 200 k events/s (root): a child re-reads a
 *    queued UDP datagram with recv(MSG_PEEK) at a paced 220 k calls/s (each
 *    call one `sock_recv_length` event); the probes, filtered to its pid in the
 *    kernel, must see every one (4 MiB per-CPU buffer).
 * 3. Kernel cost per recorded event (root): recv(MSG_PEEK) calls from node
 *    with `sock_recv_length` on vs off (events toggled in one pid-filtered
 *    instance whose reader keeps running), best block of each.
 * 4. Cost to loopback request/response workloads (root): HTTP/1.1 keep-alive
 *    (node:http, sequential requests) and a raw 64-byte TCP ping-pong (worst
 *    case), client and server in one warm process. One probe session for the
 *    whole run; blocks of round trips with `socket.send` + `socket.receive`
 *    off, on and off again (an A/A control) in rotating order; the median of
 *    the paired ratios of the workload's own CPU per round trip, with the
 *    A/A figure (this machine's noise) and the kernel floor (events per round
 *    trip × item 3) in the note. Target ≤ 5 %. Why not separate best-of-N
 *    runs: on this shared 2-CPU VM identical runs differ by ±20 % in CPU per
 *    round trip, so minima of separate runs compare noise, not probes.
 *
 * Smoke: decoding on fixtures and a small synthesized set, plus one second
 * at 20 k events/s when root.
 *
 *   npm run bench -- probes            (full)
 *   npm run bench -- --smoke probes
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocketProbeDecoder, planSocketProbes, socketProbes } from '../src/probes/index.ts';
import { buildTracePage, type SyntheticRecord, Tracefs, TracePageCursor } from '../src/tracefs/index.ts';
import { type BenchContext, median } from './harness.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(repo, 'test', 'fixtures', 'tracefs');
const isRoot = process.getuid?.() === 0;

/** Pages of sock_send_length records as the kernel writes them (payload layout from the captured format). */
function synthPages(tfs: Tracefs, pages: number): Buffer[] {
  const f = tfs.format('sock:sock_send_length');
  const off = (n: string) => f.byName.get(n)!.offset;
  const out: Buffer[] = [];
  const payloadLen = Math.max(...f.fields.map((x) => x.offset + x.size));
  for (let p = 0; p < pages; p++) {
    const recs: SyntheticRecord[] = [];
    for (let i = 0; i < 127; i++) {
      const b = Buffer.alloc(payloadLen);
      b.writeUInt16LE(f.id, 0);
      b.writeInt32LE(process.pid, 4);
      b.writeBigUInt64LE(0xffff888100000000n + BigInt(i & 7) * 64n, off('sk'));
      b.writeUInt16LE(2, off('family'));
      b.writeUInt16LE(17, off('protocol'));
      b.writeInt32LE(64 + (i & 63), off('ret'));
      recs.push({ kind: 'data', delta: 1000 + i, payload: b });
    }
    try {
      out.push(buildTracePage(1e12 + p * 1e6, recs));
    } catch {
      out.push(buildTracePage(1e12 + p * 1e6, recs.slice(0, 120)));
    }
  }
  return out;
}

function capturedPages(): Buffer[] {
  const out: Buffer[] = [];
  for (const cpu of [0, 1]) {
    const b = readFileSync(join(fixtures, 'traffic', `cpu${cpu}.bin`));
    for (let p = 0; p < b.length; ) {
      const n = b.readUInt32LE(p);
      out.push(b.subarray(p + 4, p + 4 + n));
      p += 4 + n;
    }
  }
  return out;
}

/** Decode `pages` repeatedly for about `ms`; events per second. */
/** Decode `pages` repeatedly for about `ms`: records walked and events emitted per second. */
function decodeRate(
  tfs: Tracefs,
  pages: Buffer[],
  probes: string[],
  ms: number,
  resolveTasks: boolean,
): { records: number; events: number } {
  const plan = planSocketProbes(tfs, { probes });
  const dec = createSocketProbeDecoder(tfs, plan, {}, { resolveTasks });
  const cursor = new TracePageCursor();
  let events = 0;
  let records = 0;
  let sink = 0;
  const emit = (e: { size?: number }) => {
    events++;
    sink += e.size ?? 0;
  };
  const run = () => {
    for (const p of pages) {
      cursor.reset(p, p.length);
      while (cursor.next()) {
        records++;
        dec(0, p, cursor.start, cursor.length, cursor.timestampNs, emit);
      }
    }
  };
  for (let i = 0; i < 20; i++) run(); // warm up
  events = 0;
  records = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms) {
    run();
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  if (sink < 0) throw new Error('unreachable');
  return { records: records / (elapsed / 1000), events: events / (elapsed / 1000) };
}

/**
 * Load generator: one datagram sits in a UDP socket and is read again and
 * again with recv(MSG_PEEK | MSG_DONTWAIT): every call is a real successful
 * receive (sock_recv_length, 16 bytes) without a trip through the IP stack,
 * so the generator, not the network, sets the pace.
 */
const LOAD = (sysPath: string) => `
import * as sys from ${JSON.stringify(sysPath)};
const [rate, seconds] = process.argv.slice(2).map(Number);
function sin(port) { const b = Buffer.alloc(16); b.writeUInt16LE(sys.AF_INET, 0); b.writeUInt16BE(port, 2); b.set([127, 0, 0, 1], 4); return b; }
const rx = sys.socket(sys.AF_INET, sys.SOCK_DGRAM, 0);
sys.bind(rx, sin(0));
const a = Buffer.alloc(16); sys.getsockname(rx, a);
const tx = sys.socket(sys.AF_INET, sys.SOCK_DGRAM, 0);
sys.connect(tx, sin(a.readUInt16BE(2)));
sys.send(tx, Buffer.alloc(16));
process.on('SIGUSR2', () => {
  const buf = Buffer.alloc(64); const total = Math.round(rate * seconds);
  const flags = sys.MSG_PEEK | sys.MSG_DONTWAIT;
  let calls = 0; let bad = 0; const t0 = process.hrtime.bigint();
  while (calls < total) {
    const el = Number(process.hrtime.bigint() - t0) / 1e9;
    const due = Math.min(total, Math.floor(el * rate) + 64);
    while (calls < due) { if (sys.recv(rx, buf, 64, flags) !== 16) bad++; calls++; }
  }
  const el = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ calls, bad, seconds: el }) + '\\n');
});
setInterval(() => {}, 1000);
`;

/**
 * A persistent request/response workload (client and server in one process,
 * as in the original bench): warm, then for each stdin line `N` it runs N
 * sequential round trips and answers `{ ms, cpuUs }` (its own CPU,
 * process.cpuUsage). `tcp`: raw 64-byte ping-pong with TCP_NODELAY; `http`:
 * node:http keep-alive GET with a 256-byte body.
 */
const WORKLOAD = `
const net = require('net'); const http = require('http');
const kind = process.argv[2];
let runBlock;
function ready() {
  let buf = '';
  process.stdin.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\n')) >= 0) { const n = Number(buf.slice(0, i)); buf = buf.slice(i + 1);
    if (!(n > 0)) process.exit(0);
    const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage();
    runBlock(n, () => { const cu = process.cpuUsage(c0);
      process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuUs: cu.user + cu.system }) + '\\n'); }); } });
  process.stdout.write('ready\\n');
}
if (kind === 'tcp') {
  const srv = net.createServer((c) => c.on('data', (d) => c.write(d)));
  srv.listen(0, '127.0.0.1', () => {
    const c = net.connect(srv.address().port, '127.0.0.1'); c.setNoDelay(true);
    const msg = Buffer.alloc(64); let left = 0; let done;
    c.on('data', () => { if (--left === 0) done(); else c.write(msg); });
    c.on('connect', () => { runBlock = (n, cb) => { left = n; done = cb; c.write(msg); }; ready(); });
  });
} else {
  const body = Buffer.alloc(256, 97);
  const srv = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end(body)); });
  srv.listen(0, '127.0.0.1', () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const opts = { host: '127.0.0.1', port: srv.address().port, path: '/x', agent };
    runBlock = (n, cb) => { let i = 0; (function one() { http.get(opts, (res) => { res.resume(); res.on('end', () => { if (++i < n) one(); else cb(); }); }); })(); };
    ready();
  });
}
`;

/**
 * recv(MSG_PEEK | MSG_DONTWAIT) of one queued datagram, N times per stdin
 * line: one sock_recv_length event per call, nothing else. Answers the CPU
 * ns per call.
 */
const PEEK_LOOP = (sysPath: string) => `
import * as sys from ${JSON.stringify(sysPath)};
function sin(port) { const b = Buffer.alloc(16); b.writeUInt16LE(sys.AF_INET, 0); b.writeUInt16BE(port, 2); b.set([127, 0, 0, 1], 4); return b; }
const rx = sys.socket(sys.AF_INET, sys.SOCK_DGRAM, 0);
sys.bind(rx, sin(0));
const a = Buffer.alloc(16); sys.getsockname(rx, a);
const tx = sys.socket(sys.AF_INET, sys.SOCK_DGRAM, 0);
sys.connect(tx, sin(a.readUInt16BE(2)));
sys.send(tx, Buffer.alloc(16));
const buf = Buffer.alloc(64); const flags = sys.MSG_PEEK | sys.MSG_DONTWAIT;
for (let i = 0; i < 20000; i++) sys.recv(rx, buf, 64, flags); // warm the FFI path
let line = '';
process.stdin.on('data', (d) => { line += d; let i; while ((i = line.indexOf('\\n')) >= 0) { const n = Number(line.slice(0, i)); line = line.slice(i + 1);
  if (!(n > 0)) process.exit(0);
  let bad = 0; const c0 = process.cpuUsage();
  for (let k = 0; k < n; k++) if (sys.recv(rx, buf, 64, flags) !== 16) bad++;
  const cu = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ nsPerCall: ((cu.user + cu.system) * 1000) / n, bad }) + '\\n'); } });
process.stdout.write('ready\\n');
`;

/** A child driven by stdin lines; `ask(line)` resolves with its next stdout line, parsed. */
async function lineChild(args: string[]): Promise<{ proc: ChildProcess; ask: (line: string) => Promise<unknown> }> {
  const proc = spawn(process.execPath, args, { cwd: repo, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  let exited = false;
  let out = '';
  proc.stdout!.on('data', (d) => {
    out += d;
    for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
      lines.push(out.slice(0, i));
      out = out.slice(i + 1);
    }
    waiter?.();
  });
  proc.once('exit', () => {
    exited = true;
    waiter?.();
  });
  const next = async (): Promise<string> => {
    while (lines.length === 0) {
      if (exited) throw new Error('bench child exited');
      await new Promise<void>((r) => {
        waiter = r;
      });
    }
    return lines.shift()!;
  };
  if ((await next()) !== 'ready') throw new Error('bench child did not start');
  return {
    proc,
    ask: async (line: string) => {
      proc.stdin!.write(`${line}\n`);
      return JSON.parse(await next());
    },
  };
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sortedMedian = (xs: number[]) => median([...xs].sort((a, b) => a - b));

/**
 * Toggle a session's tracepoints. Off = the events disabled (the kernel's
 * static branch skips the tracepoint entirely, as with no tracer); the
 * instance, its pid filter and the reader stay, so on/off blocks differ only
 * in the events being recorded and read.
 */
function setEvents(session: ReturnType<typeof socketProbes>, tps: readonly string[], on: boolean): void {
  for (const tp of tps) {
    if (on) session.instance.enable(tp);
    else session.instance.disable(tp);
  }
}

/**
 * The kernel's own cost per recorded event: CPU per recv(MSG_PEEK) call with
 * `sock_recv_length` recorded minus off, least-disturbed block of each
 * (other tenants only add time). Two "on" states: through `socketProbes`
 * (pid-filtered, reader running), and into a bare instance with the same pid
 * filter and NO reader at all (the kernel buffer just wraps) — the cost the
 * kernel charges whatever the reader does.
 */
async function kernelCostPerEvent(ctx: BenchContext, dir: string): Promise<number> {
  const script = join(dir, 'peek.mts');
  writeFileSync(script, PEEK_LOOP(join(repo, 'src', 'sys', 'index.ts')));
  const { proc, ask } = await lineChild(['--import', 'tsx', script]);
  const tps = ['sock:sock_recv_length'];
  try {
    const session = socketProbes({ probes: ['socket.receive'], filter: { pid: proc.pid! }, bufferSizeKb: 4096 });
    const bare = session.instance.tracefs.createInstance();
    let events = 0;
    const consumer = (async () => {
      for await (const b of session.batches()) events += b.length;
    })();
    const n = 40_000;
    const states = ['off', 'on', 'bare'] as const;
    const ns: Record<(typeof states)[number], number[]> = { off: [], on: [], bare: [] };
    try {
      bare.setEventPids([proc.pid!]);
      setEvents(session, tps, false);
      for (let i = 0; i < 15; i++) {
        for (let k = 0; k < states.length; k++) {
          const state = states[(i + k) % states.length]!;
          setEvents(session, tps, state === 'on');
          if (state === 'bare') bare.enable(tps[0]!);
          else bare.disable(tps[0]!);
          const r = (await ask(String(n))) as { nsPerCall: number; bad: number };
          if (r.bad) throw new Error(`${r.bad} recv calls did not return the datagram`);
          ns[state].push(r.nsPerCall);
          await sleepMs(state === 'on' ? 80 : 5); // let the reader drain
        }
      }
    } finally {
      bare.close();
      session.close();
      await consumer;
    }
    const best = (xs: number[]) => Math.min(...xs);
    const base = best(ns.off);
    const cost = best(ns.on) - base;
    const bareCost = best(ns.bare) - base;
    for (const st of states)
      ctx.log(`kernel cost: recv(MSG_PEEK) ns/call ${st.padEnd(4)} ${ns[st].map((x) => x.toFixed(0)).join(' ')}`);
    ctx.log(`kernel cost: ${events} events read through socketProbes`);
    ctx.report({
      name: 'kernel cost per recorded socket event (sock_recv_length: tracepoint + ring-buffer write)',
      value: cost,
      unit: 'ns/event',
      better: 'lower',
      note: `recv(MSG_PEEK) from node: ${base.toFixed(0)} → ${best(ns.on).toFixed(0)} ns/call (best of 15 blocks of ${n} each way, events toggled, pid-filtered socketProbes with its reader)`,
    });
    ctx.report({
      name: 'same, into a bare pid-filtered instance with no reader at all',
      value: bareCost,
      unit: 'ns/event',
      better: 'lower',
      note: `${base.toFixed(0)} → ${best(ns.bare).toFixed(0)} ns/call: the kernel's share, whatever the reader does`,
    });
    return cost;
  } finally {
    proc.stdin!.end('0\n');
    proc.kill('SIGKILL');
  }
}

interface Block {
  ms: number;
  cpuUs: number;
  readerUs: number;
  events: number;
}

/**
 * Cost to a request/response workload, measured in paired blocks inside one
 * warm workload process with one probe session: blocks of round trips with
 * the send/receive events off, on (socketProbes with its reader), on into a
 * bare pid-filtered instance with NO reader, and off again (a second "off":
 * the A/A control that shows this machine's noise), every state in every
 * position in turn. Each set gives paired ratios; medians over many sets
 * cancel the slow drift of a shared machine that separate best-of-N runs do
 * not.
 */
async function workloadCost(
  ctx: BenchContext,
  dir: string,
  workload: 'tcp' | 'http',
  kernelNsPerEvent: number,
): Promise<void> {
  const script = join(dir, 'workload.cjs');
  writeFileSync(script, WORKLOAD);
  const { proc, ask } = await lineChild([script, workload]);
  const tps = ['sock:sock_send_length', 'sock:sock_recv_length'];
  const rounds = workload === 'http' ? 300 : 2_000;
  const sets = 40;
  try {
    const session = socketProbes({ probes: ['socket.send', 'socket.receive'], filter: { pid: proc.pid! } });
    let events = 0;
    const consumer = (async () => {
      for await (const b of session.batches()) events += b.length;
    })();
    // the same events into a bare instance with the same pid list and no reader at all
    const bare = session.instance.tracefs.createInstance();
    type State = 'off' | 'on' | 'bare' | 'off2';
    const block = async (state: State): Promise<Block> => {
      setEvents(session, tps, state === 'on');
      for (const tp of tps) {
        if (state === 'bare') bare.enable(tp);
        else bare.disable(tp);
      }
      await sleepMs(5);
      const e0 = events;
      const c0 = process.cpuUsage();
      const r = (await ask(String(rounds))) as { ms: number; cpuUs: number };
      await sleepMs(70); // the reader's period is 50 ms: count its work with the block (same wait when off)
      const c = process.cpuUsage(c0);
      return { ms: r.ms, cpuUs: r.cpuUs, readerUs: c.user + c.system, events: events - e0 };
    };
    const got: Record<State, Block[]> = { off: [], on: [], bare: [], off2: [] };
    try {
      bare.setEventPids([proc.pid!]);
      for (let i = 0; i < 3; i++) for (const st of ['off', 'on'] as const) await block(st); // warm-up
      const cycle: State[] = ['off', 'on', 'bare', 'off2'];
      for (let i = 0; i < sets; i++) {
        // every state in every position (rotation), forwards and backwards
        const order = cycle.map((_, k) => cycle[(i + k) % cycle.length]!);
        if (Math.floor(i / cycle.length) % 2) order.reverse();
        for (const st of order) got[st].push(await block(st));
      }
    } finally {
      setEvents(session, tps, false);
      bare.close();
      session.close();
      await consumer;
    }
    const { off, on, off2 } = got;
    const per = (b: Block) => b.cpuUs / rounds;
    const ratios = on.map((b, i) => (per(b) / per(off[i]!) - 1) * 100);
    const bareRatios = got.bare.map((b, i) => (per(b) / per(off[i]!) - 1) * 100);
    const aa = off2.map((b, i) => (per(b) / per(off[i]!) - 1) * 100);
    const wall = on.map((b, i) => (b.ms / off[i]!.ms - 1) * 100);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ci = (xs: number[]) => {
      const m = mean(xs);
      return (1.96 * Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1))) / Math.sqrt(xs.length);
    };
    const cost = sortedMedian(ratios);
    const aaCost = sortedMedian(aa);
    const cpuOff = sortedMedian(off.map(per));
    const cpuOn = sortedMedian(on.map(per));
    const evPerRound = on.reduce((a, b) => a + b.events, 0) / (on.length * rounds);
    const floor = ((evPerRound * kernelNsPerEvent) / 1000 / cpuOff) * 100;
    // our process's CPU in "on" blocks minus "off" blocks (which carry the same bench bookkeeping)
    const readerPerEvent =
      (on.reduce((a, b) => a + b.readerUs, 0) - off.reduce((a, b) => a + b.readerUs, 0)) /
      Math.max(
        1,
        on.reduce((a, b) => a + b.events, 0),
      );
    const what =
      workload === 'http'
        ? 'loopback HTTP/1.1 keep-alive request/response (node:http, 256-byte bodies)'
        : 'loopback raw TCP 64-byte ping-pong (worst case)';
    ctx.log(`${workload}: CPU µs/round trip off ${off.map((b) => per(b).toFixed(1)).join(' ')}`);
    ctx.log(`${workload}: CPU µs/round trip on  ${on.map((b) => per(b).toFixed(1)).join(' ')}`);
    ctx.log(`${workload}: paired on/off % ${ratios.map((x) => x.toFixed(1)).join(' ')}`);
    ctx.log(`${workload}: paired bare/off % (no reader) ${bareRatios.map((x) => x.toFixed(1)).join(' ')}`);
    ctx.log(`${workload}: paired off2/off % (A/A) ${aa.map((x) => x.toFixed(1)).join(' ')}`);
    ctx.report({
      name: `${what}: workload CPU per round trip, send+receive probes on vs off (median of ${sets} paired blocks of ${rounds})`,
      value: cost,
      unit: '% more CPU',
      better: 'lower',
      target: '≤ 5 %',
      met: cost <= 5,
      note:
        `median ${cpuOff.toFixed(1)} → ${cpuOn.toFixed(1)} µs/round trip; mean ${mean(ratios).toFixed(1)} ± ${ci(ratios).toFixed(1)} %; ` +
        `A/A control (off vs off) ${aaCost.toFixed(1)} % (mean ${mean(aa).toFixed(1)} ± ${ci(aa).toFixed(1)} %); ` +
        `kernel floor ${evPerRound.toFixed(1)} events × ${kernelNsPerEvent.toFixed(0)} ns = ${floor.toFixed(1)} %`,
    });
    ctx.report({
      name: `${workload}: the same with the events recorded into a bare instance with NO reader at all`,
      value: sortedMedian(bareRatios),
      unit: '% more CPU',
      better: 'lower',
      note: `mean ${mean(bareRatios).toFixed(1)} ± ${ci(bareRatios).toFixed(1)} %: the kernel's share, whatever the reader does`,
    });
    ctx.report({
      name: `${workload}: round-trip time, probes on vs off (median of paired blocks, wall clock)`,
      value: sortedMedian(wall),
      unit: '% slower',
      better: 'lower',
      target: '≤ 5 %',
      met: sortedMedian(wall) <= 5,
      note: `mean ${mean(wall).toFixed(1)} ± ${ci(wall).toFixed(1)} %`,
    });
    ctx.report({
      name: `${workload}: reader CPU per event (our process: read, decode, deliver)`,
      value: readerPerEvent,
      unit: 'µs/event',
      better: 'lower',
      note: `${evPerRound.toFixed(2)} events per round trip, i.e. ${((readerPerEvent * evPerRound * 100) / cpuOff).toFixed(1)} % of the workload's CPU spent beside it (on the other CPU when one is free)`,
    });
  } finally {
    proc.stdin!.end('0\n');
    proc.kill('SIGKILL');
  }
}

/** Spawn a child that waits for SIGUSR2; resolves once its handler is installed. */
async function waitingChild(args: string[]): Promise<{ proc: ChildProcess; result: Promise<unknown> }> {
  const proc = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  const result = new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out));
    });
    proc.once('exit', (code) => reject(new Error(`bench child exited (${code})`)));
  });
  result.catch(() => {});
  for (let i = 0; i < 500; i++) {
    try {
      const st = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      if (BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)/m.exec(st)![1]}`) & (1n << 11n)) return { proc, result };
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  proc.kill('SIGKILL');
  throw new Error('bench child did not start');
}

async function sustained(ctx: BenchContext, dir: string, rate: number, seconds: number): Promise<void> {
  const script = join(dir, 'load.mts');
  writeFileSync(script, LOAD(join(repo, 'src', 'sys', 'index.ts')));
  const { proc, result } = await waitingChild(['--import', 'tsx', script, String(rate), String(seconds)]);
  const bufferSizeKb = 4096;
  try {
    const session = socketProbes({
      probes: ['socket.receive'],
      filter: { pid: proc.pid!, family: 'inet' },
      bufferSizeKb,
    });
    proc.kill('SIGUSR2');
    let events = 0;
    let done = false;
    result.then(
      () => {
        done = true;
        setTimeout(() => session.close(), 200);
      },
      () => session.close(),
    );
    for await (const b of session.batches()) events += b.length;
    if (!done) throw new Error('load generator failed');
    const r = (await result) as { calls: number; bad: number; seconds: number };
    if (r.bad) throw new Error(`${r.bad} recv calls did not return the 16-byte datagram`);
    const st = session.stats();
    const achieved = r.calls / r.seconds;
    ctx.log(`sustained: ${r.calls} recv(2) calls in ${r.seconds.toFixed(2)} s, ${events} events, lost ${st.lost}`);
    ctx.report({
      name: `events lost at ${Math.round(achieved / 1000)}k events/s for ${seconds} s (buffer ${bufferSizeKb} KiB/CPU)`,
      value: r.calls - events,
      unit: 'events',
      better: 'lower',
      target: rate >= 200_000 ? '0 lost at ≥ 200k events/s' : `0 lost at ${Math.round(rate / 1000)}k events/s`,
      met: events === r.calls && st.lost === 0 && achieved >= Math.min(rate, 200_000),
      note: `kernel-reported lost ${st.lost}; achieved ${Math.round(achieved)} calls/s`,
    });
  } finally {
    proc.kill('SIGKILL');
  }
}

export default async function bench(ctx: BenchContext): Promise<void> {
  const fixtureFs = new Tracefs(fixtures);
  const ms = ctx.smoke ? 300 : 2000;
  const synth = synthPages(fixtureFs, ctx.smoke ? 16 : 256);
  const rate = decodeRate(fixtureFs, synth, ['socket.send'], ms, true).events;
  ctx.report({
    name: 'decode sock_send_length pages → SocketProbeEvent (one core)',
    value: rate,
    unit: 'events/s',
    better: 'higher',
    target: '≥ 1,000,000 events/s',
    met: rate >= 1_000_000,
    note: `${synth.length} synthesized 4 KiB pages, this kernel's format`,
  });
  const captured = decodeRate(
    fixtureFs,
    capturedPages(),
    ['send', 'receive', 'create', 'create.return', 'close', 'state', 'drop'],
    ms,
    false, // replaying pages of exited threads would re-read /proc on every pass
  );
  ctx.report({
    name: 'walk + decode captured pages (mixed records, all probes)',
    value: captured.records,
    unit: 'records/s',
    better: 'higher',
    target: '≥ 1,000,000 records/s',
    met: captured.records >= 1_000_000,
    note: `test/fixtures/tracefs/traffic, no pid/comm resolution; ${Math.round(captured.events)} probe events/s emitted (most records are close(2) of non-sockets)`,
  });
  if (!isRoot) {
    ctx.log('not root: skipping the live parts (sustained rate, workload cost)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rg-probes-bench-'));
  // the library mounts tracefs when it is missing: leave the machine as we found it
  const tracefsMountedBefore = existsSync('/sys/kernel/tracing/events');
  try {
    if (ctx.smoke) {
      await sustained(ctx, dir, 20_000, 1);
      return;
    }
    await sustained(ctx, dir, 220_000, 5);
    const nsPerEvent = await kernelCostPerEvent(ctx, dir);
    for (const workload of ['http', 'tcp'] as const) await workloadCost(ctx, dir, workload, nsPerEvent);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (!tracefsMountedBefore && existsSync('/sys/kernel/tracing/events')) {
      spawnSync('umount', ['/sys/kernel/tracing'], { stdio: 'ignore' });
    }
  }
}
