/**
 * Listener statistics benchmark.
 *
 * Full mode (root): a private network namespace (`unshare --net`) with 7
 * listeners (IPv4, IPv6, wildcard, dual-stack) and ≥ 100 000 established
 * loopback connections spread over 14 processes (the descriptor limit is
 * 20 000 per process), measured side by side with the kernel's own dump
 * time, `ss`, and raindrops (`ruby-raindrops`, installed with apt-get when
 * missing). See bench/listeners/driver.ts. Everything lives in the namespace
 * and is gone when the driver exits.
 *
 * Smoke mode: a few hundred connections in this process, raingauge only.
 *
 *   npm run bench -- listeners            (full)
 *   npm run bench -- --smoke listeners
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tcpListenerStats, tcpListenerStatsSync } from '../src/listeners/index.ts';
import { type BenchContext, median, timeIt } from './harness.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const isRoot = process.getuid?.() === 0;

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function smoke(ctx: BenchContext): Promise<void> {
  const servers: net.Server[] = [];
  const sockets: net.Socket[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const s = net.createServer((c) => sockets.push(c));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
      ports.push((s.address() as net.AddressInfo).port);
    }
    const n = 300;
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const c = net.connect(ports[i % 2]!, '127.0.0.1');
        sockets.push(c);
        return new Promise((r) => c.once('connect', r));
      }),
    );
    const key = `127.0.0.1:${ports[0]}`;
    for (let i = 0; i < 50; i++) {
      if (tcpListenerStatsSync([key]).get(key)?.active === n / 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const all = await timeIt(() => tcpListenerStats(), 20);
    // keep calling for a while so the delay histogram has samples
    for (const end = Date.now() + 300; Date.now() < end; ) await tcpListenerStats();
    h.disable();
    ctx.report({
      name: `all-listener stats with active, ${n} conns (async)`,
      value: median(all),
      unit: 'ms',
      better: 'lower',
    });
    ctx.report({
      name: 'queued-only (LISTEN dump), sync',
      value: median(await timeIt(() => tcpListenerStatsSync(undefined, { active: false }), 200)),
      unit: 'ms',
      better: 'lower',
      target: '≤ 0.2 ms',
    });
    ctx.report({
      name: 'event-loop max delay during async calls',
      value: h.max / 1e6,
      unit: 'ms',
      better: 'lower',
      target: '≤ 10 ms',
    });
  } finally {
    for (const c of sockets) c.destroy();
    for (const s of servers) s.close();
  }
}

interface DriverResult {
  connections: number;
  listeners: number;
  loadAverage: string;
  asyncAllMs: number;
  asyncAllCpuMs: number;
  syncAllMs: number;
  syncAllCpuMs: number;
  asyncOneCpuMs: number;
  kernelRaindropsRequestWallMs: number;
  kernelOurRequestsWallMs: number;
  pairedSyncCpuMs: number;
  pairedAsyncCpuMs: number;
  raindropsAllCpuMs?: number;
  raindropsOneCpuMs?: number;
  asyncOneMs: number;
  syncOneMs: number;
  queuedOnlySyncMs: number;
  queuedOnlyAsyncMs: number;
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  idleLoopDelayMaxMs: number;
  maxDeliverySliceMs: number;
  ownersMs: number;
  kernelRaindropsRequestSysMs: number;
  kernelRaindropsRequestMessages: number;
  kernelOurRequestsSysMs: number;
  kernelOurRequestsMessages: number;
  ssTnMs: number;
  ssLtnMs: number;
  raindropsAllMs?: number;
  raindropsOneMs?: number;
  raindropsKeys?: number;
  raindropsDiffs?: string[];
  raindropsError?: string;
}

function ensureRaindrops(ctx: BenchContext): boolean {
  const ok = () => spawnSync('ruby', ['-e', 'require "raindrops"'], { stdio: 'ignore' }).status === 0;
  if (ok()) return true;
  if (!isRoot || !have('apt-get')) {
    ctx.log('raindrops peer skipped: ruby-raindrops is not installed (apt-get install ruby-raindrops)');
    return false;
  }
  ctx.log('installing ruby-raindrops (apt-get) for the peer comparison');
  const install =
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ruby-raindrops >/dev/null';
  const r = spawnSync('sh', ['-c', `${install} 2>/dev/null || (apt-get update -qq && ${install})`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0 || !ok()) {
    ctx.log('raindrops peer skipped: apt-get install ruby-raindrops failed');
    return false;
  }
  return true;
}

async function full(ctx: BenchContext): Promise<void> {
  if (!isRoot || !have('unshare') || !have('ip')) {
    ctx.log('full listener bench skipped: needs root, unshare and ip (it builds a private network namespace)');
    return smoke(ctx);
  }
  const peers = ensureRaindrops(ctx);
  const perListener = Number(process.env.RG_BENCH_CONNS_PER_LISTENER ?? 14_300);
  const runs = Number(process.env.RG_BENCH_RUNS ?? 10);
  const driver = `${here}/listeners/driver.ts`;
  const inner = `ip link set lo up && exec "${process.execPath}" --import tsx "${driver}" ${perListener} ${runs}${
    peers ? '' : ' --no-peers'
  }`;
  ctx.log(`driver: unshare --net -- sh -c '${inner}'`);
  const r = spawnSync('unshare', ['--net', '--', 'sh', '-c', inner], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) throw new Error(`driver failed (${r.status ?? r.signal})`);
  const d = JSON.parse(r.stdout.trim().split('\n').pop()!) as DriverResult;
  const size = `${Math.round(d.connections / 1000)}k conns, ${d.listeners} listeners`;
  ctx.log(
    `${d.connections} established connections (${2 * d.connections} sockets) in a private netns; load average ${d.loadAverage}`,
  );
  if (d.raindropsAllMs !== undefined) {
    ctx.report({
      name: `all-listener stats with active, ${size}: wall (async)`,
      value: d.asyncAllMs,
      unit: 'ms',
      better: 'lower',
      peer: { name: 'raindrops tcp_listener_stats', value: d.raindropsAllMs },
      target: '≥ 2× faster than raindrops',
      met: d.raindropsAllMs / d.asyncAllMs >= 2,
    });
    ctx.report({
      name: `all-listener stats with active, ${size}: CPU (async)`,
      value: d.asyncAllCpuMs,
      unit: 'ms',
      better: 'lower',
      peer: { name: 'raindrops tcp_listener_stats', value: d.raindropsAllCpuMs! },
      target: '≥ 2× less CPU than raindrops',
      met: d.raindropsAllCpuMs! / d.asyncAllCpuMs >= 2,
      note: 'CPU = user + system time of the whole process per call (robust when the machine is busy)',
    });
    ctx.report({
      name: `all-listener stats with active, ${size}: wall (sync)`,
      value: d.syncAllMs,
      unit: 'ms',
      better: 'lower',
      peer: { name: 'raindrops tcp_listener_stats', value: d.raindropsAllMs },
      target: '≥ 2× faster than raindrops',
      met: d.raindropsAllMs / d.syncAllMs >= 2,
    });
    ctx.report({
      name: `one address (127.0.0.1:9001), ${size}: wall (async)`,
      value: d.asyncOneMs,
      unit: 'ms',
      better: 'lower',
      peer: { name: 'raindrops tcp_listener_stats([addr])', value: d.raindropsOneMs! },
    });
    if (d.raindropsDiffs?.length) ctx.log(`raindrops and raingauge disagree: ${d.raindropsDiffs.join('; ')}`);
    else ctx.log(`raindrops and raingauge agree on all ${d.raindropsKeys} listeners raindrops reports`);
  } else if (d.raindropsError) ctx.log(`raindrops run failed: ${d.raindropsError}`);
  ctx.report({
    name: `all-listener stats with active, ${size}: wall (async) vs kernel dump time`,
    value: d.asyncAllMs,
    unit: 'ms',
    better: 'lower',
    peer: {
      name: 'kernel sys time of a counting reader, full LISTEN+ESTABLISHED dump',
      value: d.kernelRaindropsRequestSysMs,
    },
    target: '≤ 1.3× kernel time',
    met: d.asyncAllMs <= 1.3 * d.kernelRaindropsRequestSysMs,
    note: `${d.kernelRaindropsRequestMessages} messages; that reader's wall time ${d.kernelRaindropsRequestWallMs.toFixed(1)} ms`,
  });
  ctx.report({
    name: `all-listener stats with active, ${size}: CPU (async) vs kernel time of the same requests`,
    value: d.pairedAsyncCpuMs,
    unit: 'ms',
    better: 'lower',
    peer: { name: 'kernel sys time of a counting reader, our two requests', value: d.kernelOurRequestsSysMs },
    target: '≤ 1.3× kernel time',
    met: d.pairedAsyncCpuMs <= 1.3 * d.kernelOurRequestsSysMs,
    note: `${d.kernelOurRequestsMessages} messages (LISTEN + port-filtered ESTABLISHED); that reader's wall time ${d.kernelOurRequestsWallMs.toFixed(1)} ms`,
  });
  ctx.report({
    name: `all-listener stats with active, ${size}: CPU (sync) vs kernel time of the same requests`,
    value: d.pairedSyncCpuMs,
    unit: 'ms',
    better: 'lower',
    peer: { name: 'kernel sys time of a counting reader, our two requests', value: d.kernelOurRequestsSysMs },
    target: '≤ 1.3× kernel time',
    met: d.pairedSyncCpuMs <= 1.3 * d.kernelOurRequestsSysMs,
  });
  ctx.report({
    name: `all-listener stats with active, ${size}: wall (async) vs ss -tn`,
    value: d.asyncAllMs,
    unit: 'ms',
    better: 'lower',
    peer: { name: 'ss -tn', value: d.ssTnMs },
  });
  ctx.report({
    name: `queued-only (LISTEN dump), ${size}: wall (sync)`,
    value: d.queuedOnlySyncMs,
    unit: 'ms',
    better: 'lower',
    peer: { name: 'ss -ltn', value: d.ssLtnMs },
    target: '≤ 0.2 ms',
    met: d.queuedOnlySyncMs <= 0.2,
  });
  ctx.report({
    name: `queued-only (LISTEN dump), ${size}: wall (async)`,
    value: d.queuedOnlyAsyncMs,
    unit: 'ms',
    better: 'lower',
    target: '≤ 0.2 ms',
    met: d.queuedOnlyAsyncMs <= 0.2,
  });
  ctx.report({
    name: 'event-loop max delay during async all-listener calls',
    value: d.loopDelayMaxMs,
    unit: 'ms',
    better: 'lower',
    target: '≤ 10 ms',
    met: d.loopDelayMaxMs <= 10,
    note: `p99 ${d.loopDelayP99Ms.toFixed(2)} ms; an idle loop on this machine over the same time: max ${d.idleLoopDelayMaxMs.toFixed(2)} ms`,
  });
  ctx.log(
    `event-loop delay during async calls: max ${d.loopDelayMaxMs.toFixed(2)} ms, p99 ${d.loopDelayP99Ms.toFixed(2)} ms; idle loop over the same time: max ${d.idleLoopDelayMaxMs.toFixed(2)} ms; longest slice of delivering a datagram's messages: ${d.maxDeliverySliceMs.toFixed(2)} ms`,
  );
  ctx.report({ name: `owners lookup (scan of /proc/*/fd), ${size}`, value: d.ownersMs, unit: 'ms', better: 'lower' });
}

/** The listener-statistics benchmark (full: ≥ 100k connections in a netns; smoke: 300 in-process). */
export default async function listenersBench(ctx: BenchContext): Promise<void> {
  if (ctx.smoke) return smoke(ctx);
  return full(ctx);
}
