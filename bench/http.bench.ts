/**
 * HTTP middleware and watcher costs:
 * - requests/s of a hello-world node:http, Express and Fastify app with and
 *   without the middleware (autocannon), measured as paired alternating
 *   blocks against one server process; target overhead ≤ 2 % (median of the
 *   per-pair ratios);
 * - stats endpoint latency with many established connections, beside the
 *   listener statistics call alone (target ≤ listener stats + 1 ms);
 * - the watcher's sampling cost per second of wall time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { raindropsHandler } from '../src/http/index.ts';
import { Watcher } from '../src/http/watcher.ts';
import { tcpListenerStats } from '../src/listeners/tcp.ts';
import { type Bench, median, timeIt } from './harness.ts';

const serverScript = fileURLToPath(new URL('./http/server.ts', import.meta.url));

async function startServer(kind: string): Promise<{ child: ChildProcess; plain: number; mw: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, ...(JSON.parse(line.toString()) as { plain: number; mw: number }) };
}

async function rps(port: number, seconds: number): Promise<number> {
  const r = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 20, duration: seconds, pipelining: 1 });
  return r.requests.average;
}

const bench: Bench = async (ctx) => {
  const pairs = ctx.smoke ? 1 : Number(process.env.RG_HTTP_BENCH_PAIRS ?? 8);
  const seconds = ctx.smoke ? 1 : 3;
  for (const kind of ctx.smoke ? ['node'] : ['node', 'express', 'fastify']) {
    const s = await startServer(kind);
    try {
      await rps(s.plain, 1);
      await rps(s.mw, 1);
      const ratios: number[] = [];
      const plain: number[] = [];
      const mw: number[] = [];
      for (let i = 0; i < pairs; i++) {
        // alternate which goes first so drift in machine load cancels out
        const order = i % 2 ? [s.mw, s.plain] : [s.plain, s.mw];
        const a = await rps(order[0]!, seconds);
        const b = await rps(order[1]!, seconds);
        const p = i % 2 ? b : a;
        const m = i % 2 ? a : b;
        plain.push(p);
        mw.push(m);
        ratios.push(m / p);
      }
      const overhead = (1 - median([...ratios].sort((x, y) => x - y))) * 100;
      ctx.report({
        name: `${kind} hello world req/s with the middleware (median of ${pairs} blocks)`,
        value: median(mw.sort((x, y) => x - y)),
        unit: 'req/s',
        better: 'higher',
        peer: { name: 'without middleware', value: median(plain.sort((x, y) => x - y)) },
        target: 'overhead ≤ 2 % (median paired ratio)',
        met: ctx.smoke ? undefined : overhead <= 2,
        note: `overhead ${overhead.toFixed(2)} % (paired ratios ${ratios.map((r) => r.toFixed(3)).join(' ')}); autocannon 20 connections, ${seconds} s blocks; shared 2-core machine, noisy`,
      });
    } finally {
      s.child.kill();
    }
  }

  // stats endpoint latency with many established connections
  const nConns = ctx.smoke ? 20 : 5000;
  const server = http.createServer(raindropsHandler((_q, r) => r.end(), { name: `bench-stats-${process.pid}` }));
  server.maxConnections = nConns + 100;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', 4096, r));
  const port = (server.address() as AddressInfo).port;
  const socks: net.Socket[] = [];
  for (let i = 0; i < nConns; i += 200) {
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(nConns, i + 200); j++) {
      const s = net.connect(port, '127.0.0.1');
      batch.push(new Promise((r) => s.once('connect', r).once('error', r)));
      socks.push(s);
    }
    await Promise.all(batch);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const getStats = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/_raindrops', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  const n = ctx.smoke ? 10 : 200;
  const endpoint = await timeIt(getStats, n);
  const direct = await timeIt(() => tcpListenerStats([`127.0.0.1:${port}`]), n);
  const plainReq = await timeIt(
    () =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      }),
    n,
  );
  agent.destroy();
  for (const s of socks) s.destroy();
  server.close();
  const extra = median(endpoint) - median(plainReq);
  ctx.report({
    name: `stats endpoint latency, ${nConns} established connections (median)`,
    value: median(endpoint),
    unit: 'ms',
    better: 'lower',
    peer: { name: 'tcpListenerStats alone', value: median(direct) },
    target: '≤ listener stats + 1 ms (net of a plain request round trip)',
    met: ctx.smoke ? undefined : extra <= median(direct) + 1,
    note: `plain request round trip ${median(plainReq).toFixed(3)} ms; endpoint minus round trip ${extra.toFixed(3)} ms`,
  });

  // the watcher's sampling cost per second of wall time (default delay 1 s; all listeners)
  const wallS = ctx.smoke ? 1 : 10;
  const w = new Watcher({ delay: ctx.smoke ? 0.2 : 1 });
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, wallS * 1000));
  const wall = (performance.now() - t0) / 1000;
  w.close();
  ctx.report({
    name: `watcher sampling cost per second of wall time (delay ${w.delay} s, all listeners)`,
    value: w.cost.ms / wall,
    unit: 'ms/s',
    better: 'lower',
    note: `${w.cost.samples} samples in ${wall.toFixed(1)} s (async dumps: time on the event loop and waiting)`,
  });
};

export default bench;
