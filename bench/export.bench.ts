/**
 * Exporter benchmark.
 *
 * Full mode (root): a private network namespace (`unshare --net`; this file
 * re-runs itself there with `--driver`) holding 7 listeners and ~100 000
 * established loopback connections (bench/listeners/server.mjs and
 * client.mjs), then, side by side on the same host:
 * - Debian's prometheus-node-exporter and `raingauge serve` (a child process
 *   each, the collectors both have: netstat, sockstat, tcpstat, load, meminfo,
 *   cpu, stat, pressure, filefd, netdev, uname): CPU per scrape (utime +
 *   stime of the exporter process from /proc/<pid>/stat over N scrapes) and
 *   wall time per scrape, as a client sees it; target ≤ 0.5× node_exporter's CPU;
 * - the event loop's longest block during in-process scrapes of listeners +
 *   tcpstat over those sockets (monitorEventLoopDelay, 1 ms resolution); target ≤ 10 ms;
 * - memory over 10 000 in-process scrapes of every collector (heap after GC
 *   and RSS at scrape 1 000 and 10 000); target: growth ≤ 5 MB;
 * - application metrics: 4 workers × 5 000 histogram series (11 buckets)
 *   read in one pass and encoded, beside prom-client's AggregatorRegistry
 *   collecting the same series from 4 cluster workers over IPC; target ≤ 20 ms.
 *
 * RG_EXPORT_BENCH=application runs only the application row.
 *
 * Smoke mode: no peers, no namespace: a few scrapes of every collector, a
 * short memory run and a small application encode.
 *
 *   npm run bench -- export            (full)
 *   npm run bench -- --smoke export
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { applicationCollector } from '../src/export/collectors/application.ts';
import { buildCollectors } from '../src/export/collectors/index.ts';
import { scrape } from '../src/export/scrape.ts';
import { MetricsRegistry } from '../src/stats/index.ts';
import { type BenchContext, median } from './harness.ts';

const self = fileURLToPath(import.meta.url);
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const log = (m: string) => process.stderr.write(`   [export] ${m}\n`);
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SERIES = 5000;
const WORKERS = 4;

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => {
        n += d.length;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${url}: ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await get(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

/** utime + stime of a process in ms (/proc/<pid>/stat fields 14 and 15, clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** CPU ms per scrape of the process behind `url` and the client's wall ms per scrape (medians of blocks). */
async function perScrape(
  pid: number,
  url: string,
  n: number,
): Promise<{ cpuMs: number; wallMs: number; bytes: number }> {
  for (let i = 0; i < 3; i++) await get(url);
  const block = Math.max(5, Math.floor(n / 5));
  const cpu: number[] = [];
  const wall: number[] = [];
  let bytes = 0;
  for (let b = 0; b < 5; b++) {
    const c0 = cpuMsOf(pid);
    const t0 = performance.now();
    for (let i = 0; i < block; i++) bytes = await get(url);
    wall.push((performance.now() - t0) / block);
    cpu.push((cpuMsOf(pid) - c0) / block);
  }
  return { cpuMs: median(cpu.sort((a, b) => a - b)), wallMs: median(wall.sort((a, b) => a - b)), bytes };
}

const gc = (): void => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

/** Memory over many in-process scrapes of every collector. */
async function memoryRun(
  n: number,
): Promise<{ heapGrowthMb: number; rssGrowthMb: number; heap1: number; heapN: number }> {
  const cs = buildCollectors({ processes: { top: 10 } });
  const at = Math.max(1, Math.floor(n / 10));
  let heap1 = 0;
  let rss1 = 0;
  for (let i = 1; i <= n; i++) {
    await scrape(cs);
    if (i === at) {
      gc();
      heap1 = process.memoryUsage().heapUsed;
      rss1 = process.memoryUsage().rss;
    }
  }
  gc();
  const m = process.memoryUsage();
  for (const c of cs) c.close?.();
  return {
    heapGrowthMb: (m.heapUsed - heap1) / 2 ** 20,
    rssGrowthMb: (m.rss - rss1) / 2 ** 20,
    heap1,
    heapN: m.heapUsed,
  };
}

/** Longest event-loop block (ms) during `n` in-process scrapes of `names`. */
async function loopBlock(names: string[], n: number): Promise<{ maxMs: number; scrapeMs: number }> {
  const cs = buildCollectors({ names });
  await scrape(cs);
  const h = monitorEventLoopDelay({ resolution: 1 });
  const times: number[] = [];
  h.enable();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await scrape(cs);
    times.push(performance.now() - t0);
  }
  h.disable();
  for (const c of cs) c.close?.();
  return { maxMs: h.max / 1e6, scrapeMs: median(times.sort((a, b) => a - b)) };
}

/** The registry's shared name: the primary's pid, so that cluster workers (which get it in argv) use the same. */
const APP_NAME = `rg-bench-app-${cluster.isPrimary ? process.pid : process.ppid}`;

/** What every writer of the application registry opens (the same sizing in each process). */
const appRegistryOptions = (series: number) => ({ name: APP_NAME, maxSeries: series * 2 });

/** Throw unless the scrape holds every writer's observations (a scrape of an empty registry measures nothing). */
function checkAppTotals(reg: MetricsRegistry, series: number): void {
  let count = 0;
  let n = 0;
  for (const f of reg.collect()) {
    for (const s of f.series) {
      count += s.count ?? 0;
      n++;
    }
  }
  if (n !== series || count !== WORKERS * series)
    throw new Error(
      `application bench: read ${n} series / ${count} observations, expected ${series} / ${WORKERS * series}`,
    );
}

/** Observe one value into each of `series` label sets (one writer stripe of the shared registry). */
function fillApp(reg: MetricsRegistry, series: number): void {
  const h = reg.histogram('app_request_duration_seconds', 'Request duration.', ['route', 'method'], BUCKETS);
  for (let i = 0; i < series; i++) h.observe({ route: `/r/${i}`, method: i % 2 ? 'GET' : 'POST' }, (i % 100) / 100);
}

/** A cluster worker of the application bench: write its stripe, report, hold the mapping until killed. */
function appWorker(series: number): void {
  const reg = new MetricsRegistry(appRegistryOptions(series));
  fillApp(reg, series);
  process.send?.('ready');
  setInterval(() => {}, 1 << 30);
}

/** Resolve `p`, or reject after `ms` with `what` in the message. */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    }),
  ]);
}

/**
 * Our application scrape over the real shared-memory MetricsRegistry: `WORKERS`
 * writers (cluster workers forked under tsx in the full run; in the smoke run,
 * or when forking does not finish in time, `WORKERS` registry handles in this
 * process, each its own writer stripe), read in one pass by a read-only
 * `MetricsRegistry.open({ pid, name })` as `raingauge serve --app-metrics` does.
 */
async function applicationScrape(
  n: number,
  series: number,
  forkWorkers: boolean,
  log: (s: string) => void,
): Promise<{ ms: number[]; source: string; bytes: number }> {
  const primary = new MetricsRegistry({ ...appRegistryOptions(series), zero: true });
  const local: MetricsRegistry[] = [];
  let ws: ReturnType<typeof cluster.fork>[] = [];
  let what = `MetricsRegistry, ${WORKERS} cluster workers (tsx) writing, read by MetricsRegistry.open({ pid, name })`;
  try {
    if (forkWorkers) {
      try {
        cluster.setupPrimary({ exec: self, args: ['--app-worker', String(series)], execArgv: ['--import', 'tsx'] });
        ws = Array.from({ length: WORKERS }, () => cluster.fork());
        await bounded(
          Promise.all(ws.map((w) => new Promise<void>((r) => w.once('message', () => r())))),
          90_000,
          'application bench workers',
        );
      } catch (e) {
        log(`application bench: ${(e as Error).message}; writing from this process instead`);
        throw e;
      }
    } else {
      for (let w = 0; w < WORKERS; w++) {
        const r = new MetricsRegistry(appRegistryOptions(series));
        fillApp(r, series);
        local.push(r);
      }
      what = `MetricsRegistry, ${WORKERS} writer stripes in this process, read by MetricsRegistry.open({ pid, name })`;
    }
    const reader = MetricsRegistry.open({ pid: process.pid, name: APP_NAME });
    try {
      checkAppTotals(reader, series);
      const c = applicationCollector([reader]);
      let bytes = 0;
      for (let i = 0; i < 3; i++) bytes = (await scrape([c])).text.length;
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await scrape([c]);
        ms.push(performance.now() - t0);
      }
      return { ms: ms.sort((a, b) => a - b), source: what, bytes };
    } finally {
      reader.close();
    }
  } finally {
    for (const w of ws) w.process.kill('SIGKILL');
    for (const r of local) r.close();
    primary.close();
  }
}

/** prom-client 15 AggregatorRegistry over `workers` cluster workers with `series` histogram series each. */
async function promClientCluster(
  workers: number,
  series: number,
  n: number,
): Promise<{ ms: number[]; loopMaxMs: number }> {
  const { AggregatorRegistry } = await import('prom-client');
  const agg = new AggregatorRegistry();
  cluster.setupPrimary({ exec: self, args: ['--prom-worker', String(series)], execArgv: ['--import', 'tsx'] });
  const ws = Array.from({ length: workers }, () => cluster.fork());
  try {
    await Promise.all(ws.map((w) => new Promise<void>((r) => w.once('message', () => r()))));
    await agg.clusterMetrics();
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await agg.clusterMetrics();
      ms.push(performance.now() - t0);
    }
    h.disable();
    return { ms: ms.sort((a, b) => a - b), loopMaxMs: h.max / 1e6 };
  } finally {
    for (const w of ws) w.kill();
  }
}

async function promWorker(series: number): Promise<void> {
  const { Histogram, AggregatorRegistry, register } = await import('prom-client');
  new AggregatorRegistry();
  const h = new Histogram({
    name: 'app_request_duration_seconds',
    help: 'Request duration.',
    labelNames: ['route', 'method'],
    buckets: BUCKETS,
    registers: [register],
  });
  for (let i = 0; i < series; i++) h.observe({ route: `/r/${i}`, method: i % 2 ? 'GET' : 'POST' }, (i % 100) / 100);
  process.send?.('ready');
}

const NE_COLLECTORS = [
  'netstat',
  'sockstat',
  'tcpstat',
  'loadavg',
  'meminfo',
  'cpu',
  'stat',
  'pressure',
  'filefd',
  'netdev',
  'uname',
];

/** Inside the namespace: sockets, both exporters, all measurements; prints one JSON line. */
async function driver(perListener: number, scrapes: number, memScrapes: number): Promise<void> {
  const children: ChildProcess[] = [];
  const kill = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.on('exit', kill);
  try {
    writeFileSync('/proc/sys/net/core/somaxconn', '8192');
    // ephemeral ports from 1024: the exporters listen below it (910, 911)
    writeFileSync('/proc/sys/net/ipv4/ip_local_port_range', '1024 65000');
    // memory first, with few sockets: 10 000 scrapes of every collector
    log(`memory: ${memScrapes} scrapes of every collector`);
    const mem = await memoryRun(memScrapes);
    const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'];
    for (const [i, host] of hosts.entries()) {
      const s = spawn(process.execPath, [`${here}listeners/server.mjs`, host, String(9001 + i), '4096'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(s);
      await new Promise((r) => s.stdout!.once('data', r));
    }
    const clients = hosts.map((host, i) => {
      const c = spawn(process.execPath, [`${here}listeners/client.mjs`, host, String(9001 + i), String(perListener)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(c);
      return new Promise<string>((r) => c.stdout!.once('data', (d) => r(String(d).trim())));
    });
    const opened = await Promise.all(clients);
    log(`connections: ${opened.join(', ')}`);
    const conns = perListener * hosts.length;

    const ne = spawn(
      'prometheus-node-exporter',
      [
        '--web.listen-address=127.0.0.1:910',
        '--collector.disable-defaults',
        ...NE_COLLECTORS.map((c) => `--collector.${c}`),
        '--web.disable-exporter-metrics',
      ],
      { stdio: 'ignore' },
    );
    children.push(ne);
    const RUN = "import { main } from './src/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));";
    const rg = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        RUN,
        '--',
        'serve',
        '--listen',
        '127.0.0.1:911',
        '--collectors',
        'netstat,sockstat,tcpstat,system',
        '--no-dashboard',
      ],
      { stdio: 'ignore', cwd: repo },
    );
    children.push(rg);
    await waitHttp('http://127.0.0.1:910/metrics');
    await waitHttp('http://127.0.0.1:911/metrics');
    log(`scrapes: ${scrapes} each, alternating blocks`);
    const neR = await perScrape(ne.pid!, 'http://127.0.0.1:910/metrics', scrapes);
    const rgR = await perScrape(rg.pid!, 'http://127.0.0.1:911/metrics', scrapes);
    const neR2 = await perScrape(ne.pid!, 'http://127.0.0.1:910/metrics', scrapes);
    const rgR2 = await perScrape(rg.pid!, 'http://127.0.0.1:911/metrics', scrapes);
    log('event loop during listeners + tcpstat scrapes');
    const loop = await loopBlock(['listeners', 'tcpstat'], Math.max(10, Math.floor(scrapes / 2)));
    process.stdout.write(`${JSON.stringify({ conns, ne: [neR, neR2], rg: [rgR, rgR2], loop, mem })}\n`);
  } finally {
    kill();
  }
}

async function full(ctx: BenchContext): Promise<void> {
  const r = spawnSync(
    'unshare',
    [
      '--net',
      '--',
      'sh',
      '-c',
      `ip link set lo up && exec "${process.execPath}" --import tsx "${self}" --driver 14300 50 10000`,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 900_000,
      cwd: repo,
    },
  );
  if (r.status !== 0) throw new Error(`export bench driver failed (${r.status ?? r.signal})`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    conns: number;
    ne: { cpuMs: number; wallMs: number; bytes: number }[];
    rg: { cpuMs: number; wallMs: number; bytes: number }[];
    loop: { maxMs: number; scrapeMs: number };
    mem: { heapGrowthMb: number; rssGrowthMb: number };
  };
  const neCpu = median(j.ne.map((x) => x.cpuMs).sort((a, b) => a - b));
  const rgCpu = median(j.rg.map((x) => x.cpuMs).sort((a, b) => a - b));
  const neWall = median(j.ne.map((x) => x.wallMs).sort((a, b) => a - b));
  const rgWall = median(j.rg.map((x) => x.wallMs).sort((a, b) => a - b));
  const note = `${j.conns} established sockets; collectors both have; runs: node_exporter ${j.ne.map((x) => x.cpuMs.toFixed(1)).join('/')} ms, raingauge ${j.rg.map((x) => x.cpuMs.toFixed(1)).join('/')} ms; ${j.rg[0]!.bytes} vs ${j.ne[0]!.bytes} bytes; shared 2-core VM`;
  ctx.report({
    name: 'scrape CPU (exporter process), 100k sockets',
    value: rgCpu,
    unit: 'ms',
    better: 'lower',
    peer: { name: 'node_exporter 1.5', value: neCpu },
    target: '≤ 0.5× node_exporter',
    met: rgCpu <= 0.5 * neCpu,
    note,
  });
  ctx.report({
    name: 'scrape wall (client view), 100k sockets',
    value: rgWall,
    unit: 'ms',
    better: 'lower',
    peer: { name: 'node_exporter 1.5', value: neWall },
    note,
  });
  ctx.report({
    name: 'event loop max block, listeners+tcpstat scrape, 100k sockets',
    value: j.loop.maxMs,
    unit: 'ms',
    better: 'lower',
    target: '≤ 10 ms',
    met: j.loop.maxMs <= 10,
    note: `scrape median ${j.loop.scrapeMs.toFixed(1)} ms`,
  });
  ctx.report({
    name: 'heap growth over 10 000 scrapes (all collectors)',
    value: j.mem.heapGrowthMb,
    unit: 'MB',
    better: 'lower',
    target: '≤ 5 MB',
    met: j.mem.heapGrowthMb <= 5,
    note: `RSS growth ${j.mem.rssGrowthMb.toFixed(1)} MB (scrape 1 000 → 10 000, after GC)`,
  });
}

async function appRows(ctx: BenchContext): Promise<void> {
  const series = ctx.smoke ? 200 : SERIES;
  const n = ctx.smoke ? 5 : 30;
  let ours: Awaited<ReturnType<typeof applicationScrape>>;
  try {
    ours = await applicationScrape(n, series, !ctx.smoke, ctx.log);
  } catch {
    ours = await applicationScrape(n, series, false, ctx.log);
  }
  let peer: { ms: number[]; loopMaxMs: number } | undefined;
  if (!ctx.smoke) {
    try {
      peer = await bounded(promClientCluster(WORKERS, series, 5), 120_000, 'prom-client cluster peer');
    } catch (e) {
      ctx.log(`prom-client cluster peer failed: ${(e as Error).message}`);
    }
  }
  ctx.report({
    name: `application metrics, ${WORKERS} workers × ${series} histogram series: one scrape`,
    value: median(ours.ms),
    unit: 'ms',
    better: 'lower',
    peer: peer ? { name: 'prom-client 15 AggregatorRegistry', value: median(peer.ms) } : undefined,
    target: '≤ 20 ms',
    met: ctx.smoke ? undefined : median(ours.ms) <= 20,
    note: `${ours.source}; ${ours.bytes} bytes${peer ? `; prom-client primary loop blocked up to ${peer.loopMaxMs.toFixed(0)} ms` : ''}`,
  });
}

async function smoke(ctx: BenchContext): Promise<void> {
  const loop = await loopBlock(['listeners', 'netstat', 'sockstat', 'tcpstat', 'system', 'processes'], 5);
  ctx.report({
    name: 'scrape, every collector (smoke)',
    value: loop.scrapeMs,
    unit: 'ms',
    better: 'lower',
    note: `event loop max ${loop.maxMs.toFixed(1)} ms (smoke: few sockets)`,
  });
  const mem = await memoryRun(100);
  ctx.report({ name: 'heap growth over 100 scrapes (smoke)', value: mem.heapGrowthMb, unit: 'MB', better: 'lower' });
}

export default async function bench(ctx: BenchContext): Promise<void> {
  if (process.env.RG_EXPORT_BENCH === 'application') {
    // only the application row (RG_EXPORT_BENCH=application node --import tsx bench/run.ts export)
    await appRows(ctx);
    return;
  }
  if (ctx.smoke) {
    await smoke(ctx);
  } else if (isRoot && have('unshare') && have('prometheus-node-exporter')) {
    await full(ctx);
  } else {
    ctx.log(
      'export bench: the node_exporter comparison needs root, unshare and prometheus-node-exporter; running the smoke part',
    );
    await smoke(ctx);
  }
  await appRows(ctx);
}

if (process.argv[2] === '--driver') {
  await driver(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
} else if (process.argv[2] === '--prom-worker') {
  await promWorker(Number(process.argv[3]));
} else if (process.argv[2] === '--app-worker') {
  appWorker(Number(process.argv[3]));
}
