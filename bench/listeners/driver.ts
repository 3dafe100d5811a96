/**
 * Listener-statistics benchmark driver. Runs INSIDE a private network
 * namespace (bench/listeners.bench.ts starts it under `unshare --net`): raises
 * the namespace's own somaxconn / ip_local_port_range, starts one server
 * process per listener and one client process per listener (each under the
 * 20 000-descriptor limit), opens the connections, then measures side by side:
 * raingauge (async, sync, one address, queued-only, owners), the kernel's own
 * dump time (system CPU of a minimal counting reader), `ss`, and raindrops.
 * Prints one JSON line with the figures on stdout; progress goes to stderr.
 *
 *   node --import tsx bench/listeners/driver.ts CONNS_PER_LISTENER RUNS [--no-peers]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sourcePortFilterBytecode } from '../../src/listeners/bytecode.ts';
import { tcpListenerStats, tcpListenerStatsSync } from '../../src/listeners/index.ts';
import { NETLINK_SOCK_DIAG, NetlinkSocket } from '../../src/netlink/index.ts';

const perListener = Number(process.argv[2] ?? 14_300);
const runs = Number(process.argv[3] ?? 10);
const peers = !process.argv.includes('--no-peers');
const here = fileURLToPath(new URL('.', import.meta.url));
const log = (m: string) => process.stderr.write(`   [driver] ${m}\n`);

/** Listener address, port, and the address clients dial (a wildcard is dialed on another loopback address). */
const LISTENERS: { host: string; port: number; dial: string; key: string }[] = [
  { host: '127.0.0.1', port: 9001, dial: '127.0.0.1', key: '127.0.0.1:9001' },
  { host: '127.0.0.2', port: 9002, dial: '127.0.0.2', key: '127.0.0.2:9002' },
  { host: '127.0.0.3', port: 9003, dial: '127.0.0.3', key: '127.0.0.3:9003' },
  { host: '0.0.0.0', port: 9004, dial: '127.0.0.5', key: '0.0.0.0:9004' },
  { host: '::1', port: 9005, dial: '::1', key: '[::1]:9005' },
  { host: '::', port: 9006, dial: '127.0.0.6', key: '[::]:9006' },
  { host: '127.0.0.4', port: 9007, dial: '127.0.0.4', key: '127.0.0.4:9007' },
];

const children: ChildProcess[] = [];
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
}
process.on('exit', cleanup);
process.on('SIGTERM', () => process.exit(1));

function sysctl(path: string, value: string): void {
  writeFileSync(`/proc/sys/${path}`, value);
  log(`${path.replaceAll('/', '.')} = ${readFileSync(`/proc/sys/${path}`, 'utf8').trim()} (this namespace only)`);
}

function start(script: string, args: string[]): ChildProcess {
  const c = spawn(process.execPath, [`${here}/${script}`, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(c);
  return c;
}

function line(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) {
        c.stdout!.off('data', onData);
        resolve(buf.slice(0, i));
      }
    };
    c.stdout!.on('data', onData);
    c.once('exit', (code) => reject(new Error(`${c.spawnargs.join(' ')} exited (${code})`)));
  });
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall-clock, CPU (user + system, all threads of this process) and system milliseconds per call, medians over `n` calls. */
async function time<T>(n: number, fn: () => T | Promise<T>): Promise<{ wall: number; cpu: number; sys: number }> {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  const sys: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    sys.push(c.system / 1000);
  }
  return { wall: median(wall), cpu: median(cpu), sys: median(sys) };
}

/** System (kernel) CPU ms per dump of a reader that only counts messages. */
function kernelDumpMs(
  sock: NetlinkSocket,
  payloads: Buffer[],
  n: number,
): { sysMs: number; userMs: number; wallMs: number; messages: number } {
  let messages = 0;
  const count = () => {
    messages++;
  };
  for (const p of payloads) sock.dumpSync(18, 1, p, count);
  messages = 0;
  const u0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) for (const p of payloads) sock.dumpSync(18, 1, p, count);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6 / n;
  const u = process.cpuUsage(u0);
  return { sysMs: u.system / 1000 / n, userMs: u.user / 1000 / n, wallMs, messages: messages / n };
}

/** `struct inet_diag_req` for TCPDIAG_GETSOCK, family 0, the given states, optional bytecode. */
function legacy(states: number, bc?: Buffer): Buffer {
  const b = Buffer.alloc(60 + (bc ? 4 + bc.length : 0));
  b.writeUInt32LE(states, 52);
  if (bc) {
    b.writeUInt16LE(4 + bc.length, 60);
    b.writeUInt16LE(1, 62);
    bc.copy(b, 64);
  }
  return b;
}

async function main() {
  sysctl('net/core/somaxconn', '8192');
  sysctl('net/ipv4/ip_local_port_range', '1024 65000');
  // servers
  for (const l of LISTENERS) {
    const s = start('server.mjs', [l.host, String(l.port), '4096']);
    await line(s);
  }
  log(`${LISTENERS.length} listeners up; opening ${perListener * LISTENERS.length} connections`);
  const t0 = Date.now();
  const clients = LISTENERS.map((l) => start('client.mjs', [l.dial, String(l.port), String(perListener)]));
  const results = await Promise.all(clients.map(line));
  const bad = results.find((r) => !r.startsWith('connected'));
  if (bad) throw new Error(`a client failed: ${bad}`);
  log(`connected in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const expected = perListener;
  // wait until every server accepted everything
  for (let i = 0; ; i++) {
    const s = tcpListenerStatsSync();
    const ok = LISTENERS.every((l) => s.get(l.key)?.active === expected && s.get(l.key)?.queued === 0);
    if (ok) break;
    if (i > 600) throw new Error(`servers did not accept everything: ${JSON.stringify(Object.fromEntries(s))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const ours = tcpListenerStatsSync();
  log(`ours: ${JSON.stringify(Object.fromEntries([...ours].map(([k, v]) => [k, [v.active, v.queued, v.backlog]])))}`);

  const out: Record<string, unknown> = { connections: expected * LISTENERS.length, listeners: LISTENERS.length };
  // ours, async, with the event-loop delay it causes
  // the longest the main thread spends in one slice of handing out a datagram's messages (the netlink
  // layer delivers in slices of its EventLoopSlicer; its private method is wrapped for this measurement only)
  const proto = NetlinkSocket.prototype as unknown as { process: (...args: unknown[]) => number };
  const original = proto.process;
  let maxDeliverySliceMs = 0;
  proto.process = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      maxDeliverySliceMs = Math.max(maxDeliverySliceMs, performance.now() - t);
    }
  };
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const ta = Date.now();
  const asyncAll = await time(runs, () => tcpListenerStats());
  const spent = Date.now() - ta;
  h.disable();
  out.asyncAllMs = asyncAll.wall;
  out.asyncAllCpuMs = asyncAll.cpu;
  out.asyncAllSysMs = asyncAll.sys;
  out.loopDelayMaxMs = h.max / 1e6;
  out.loopDelayP99Ms = h.percentile(99) / 1e6;
  proto.process = original;
  out.maxDeliverySliceMs = maxDeliverySliceMs;
  // control: the same histogram over an idle loop for as long (scheduling noise of this machine)
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((r) => setTimeout(r, spent));
  idle.disable();
  out.idleLoopDelayMaxMs = idle.max / 1e6;
  const syncAll = await time(runs, () => tcpListenerStatsSync());
  out.syncAllMs = syncAll.wall;
  out.syncAllCpuMs = syncAll.cpu;
  out.syncAllSysMs = syncAll.sys;
  const asyncOne = await time(runs, () => tcpListenerStats(['127.0.0.1:9001']));
  out.asyncOneMs = asyncOne.wall;
  out.asyncOneCpuMs = asyncOne.cpu;
  out.syncOneMs = (await time(runs, () => tcpListenerStatsSync(['127.0.0.1:9001']))).wall;
  out.queuedOnlySyncMs = (await time(200, () => tcpListenerStatsSync(undefined, { active: false }))).wall;
  out.queuedOnlyAsyncMs = (await time(200, () => tcpListenerStats(undefined, { active: false }))).wall;
  const t1 = process.hrtime.bigint();
  await tcpListenerStats(undefined, { owners: true });
  out.ownersMs = Number(process.hrtime.bigint() - t1) / 1e6;
  // the kernel's own time to produce the dumps (system CPU of a reader that only counts), measured in
  // rounds interleaved with our calls so that drifts of this busy machine hit both sides alike
  const k = NetlinkSocket.open(NETLINK_SOCK_DIAG);
  const full = [legacy((1 << 10) | (1 << 1))];
  const ourRequests = [legacy(1 << 10), legacy(1 << 1, sourcePortFilterBytecode(LISTENERS.map((l) => l.port)))];
  const kFull: number[] = [];
  const kOurs: number[] = [];
  const kFullWall: number[] = [];
  const kOursWall: number[] = [];
  const oursSyncCpu: number[] = [];
  const oursAsyncCpu: number[] = [];
  let kFullMsgs = 0;
  let kOursMsgs = 0;
  for (let i = 0; i < runs; i++) {
    const f = kernelDumpMs(k, full, 1);
    kFull.push(f.sysMs);
    kFullWall.push(f.wallMs);
    kFullMsgs = f.messages;
    const o = kernelDumpMs(k, ourRequests, 1);
    kOurs.push(o.sysMs);
    kOursWall.push(o.wallMs);
    kOursMsgs = o.messages;
    oursSyncCpu.push((await time(1, () => tcpListenerStatsSync())).cpu);
    oursAsyncCpu.push((await time(1, () => tcpListenerStats())).cpu);
  }
  k.close();
  out.kernelRaindropsRequestSysMs = median(kFull);
  out.kernelRaindropsRequestMessages = kFullMsgs;
  out.kernelRaindropsRequestWallMs = median(kFullWall);
  out.kernelOurRequestsSysMs = median(kOurs);
  out.kernelOurRequestsMessages = kOursMsgs;
  out.kernelOurRequestsWallMs = median(kOursWall);
  out.pairedSyncCpuMs = median(oursSyncCpu);
  out.pairedAsyncCpuMs = median(oursAsyncCpu);
  // ss, for the same table (all connected sockets; listeners)
  const ssTime = (args: string[]) =>
    median(
      Array.from({ length: Math.max(3, runs >> 1) }, () => {
        const t = process.hrtime.bigint();
        const r = spawnSync('ss', args, { stdio: 'ignore' });
        if (r.status !== 0) throw new Error(`ss ${args.join(' ')} failed`);
        return Number(process.hrtime.bigint() - t) / 1e6;
      }),
    );
  out.ssTnMs = ssTime(['-tn']);
  out.ssLtnMs = ssTime(['-ltn']);
  if (peers) {
    const r = spawnSync('ruby', [`${here}/raindrops.rb`, String(runs), '127.0.0.1:9001'], { encoding: 'utf8' });
    if (r.status === 0) {
      const rd = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        all_ms: number;
        one_ms: number;
        all_cpu_ms: number;
        one_cpu_ms: number;
        all: Record<string, { active: number; queued: number }>;
      };
      out.raindropsAllMs = rd.all_ms;
      out.raindropsOneMs = rd.one_ms;
      out.raindropsAllCpuMs = rd.all_cpu_ms;
      out.raindropsOneCpuMs = rd.one_cpu_ms;
      // same numbers?
      const diffs: string[] = [];
      for (const [key, v] of Object.entries(rd.all)) {
        const o = ours.get(key);
        if (!o || o.active !== v.active || o.queued !== v.queued)
          diffs.push(`${key}: raindrops ${JSON.stringify(v)}, ours ${JSON.stringify(o)}`);
      }
      out.raindropsKeys = Object.keys(rd.all).length;
      out.raindropsDiffs = diffs;
    } else out.raindropsError = (r.stderr || r.error?.message || 'failed').trim().split('\n').slice(-3).join(' | ');
  }
  out.loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (e) => {
    log(`FAILED: ${(e as Error).stack ?? e}`);
    cleanup();
    process.exit(1);
  },
);
