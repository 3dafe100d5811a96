/**
 * sock_diag benchmark: full INET dumps decoded into records, the LISTEN-only
 * dump, event-loop delay during async dumps, TCP_INFO, measured against
 * `ss` doing the same work (when installed).
 *
 * Full mode: 5 000 established loopback connections in this process (10 000
 * sockets plus the listener). Smoke: 200 connections, no peer needed.
 *
 *   npm run bench -- sockdiag
 *   npm run bench -- --smoke sockdiag
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  closeSockDiagSocket,
  inetSocketStream,
  inetSockets,
  inetSocketsSync,
  planInetDiagRequests,
  sockDiagSocket,
  TcpState,
  tcpInfo,
} from '../src/sockdiag/index.ts';
import { type BenchContext, median, timeIt } from './harness.ts';

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Wall time of one `ss` run in ms (median of n). */
function timeSs(args: string[], n: number): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('ss', args, { stdio: ['ignore', 'ignore', 'ignore'] });
    if (r.status !== 0) throw new Error(`ss ${args.join(' ')} failed`);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(t.sort((a, b) => a - b));
}

export default async function bench(ctx: BenchContext): Promise<void> {
  // RG_SOCKDIAG_CONNECTIONS=20000 gives ~40 000 sockets (needs `ulimit -n` > 2 × that)
  const n = ctx.smoke ? 200 : Number(process.env.RG_SOCKDIAG_CONNECTIONS ?? 5000);
  const server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s));
  const accepted: net.Socket[] = [];
  const clients: net.Socket[] = [];
  try {
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => r()));
    const port = (server.address() as net.AddressInfo).port;
    for (let done = 0; done < n; ) {
      const batch = Math.min(500, n - done);
      await Promise.all(
        Array.from({ length: batch }, () => {
          const c = net.connect(port, '127.0.0.1');
          clients.push(c);
          return new Promise((r) => c.once('connect', r));
        }),
      );
      done += batch;
    }
    while (accepted.length < n) await new Promise((r) => setTimeout(r, 10));
    const total = inetSocketsSync({ family: 'inet' }).length;
    ctx.log(`${n} connections, ${total} IPv4 TCP sockets in the table`);
    const runs = ctx.smoke ? 10 : 30;

    const full = median(await timeIt(() => inetSockets({ family: 'inet' }), runs));
    const ssAvailable = have('ss');
    ctx.report({
      name: `all TCP sockets decoded to records (${total} sockets, async)`,
      value: full,
      unit: 'ms',
      better: 'lower',
      peer: ssAvailable ? { name: 'ss -tan4 (to /dev/null)', value: timeSs(['-tan4'], ctx.smoke ? 3 : 10) } : undefined,
      note: `${((full * 1000) / total).toFixed(2)} µs per socket`,
    });
    const withInfo = median(await timeIt(() => inetSockets({ family: 'inet', extensions: ['info', 'cong'] }), runs));
    ctx.report({
      name: `all TCP sockets with tcp_info + congestion (${total} sockets, async)`,
      value: withInfo,
      unit: 'ms',
      better: 'lower',
      peer: ssAvailable ? { name: 'ss -tani4', value: timeSs(['-tani4'], ctx.smoke ? 3 : 10) } : undefined,
    });
    // kernel-only reader: the same requests, every datagram read, no record decoded or allocated;
    // its process system time is the kernel walk + netlink copy, the wall time minus it is the read loop
    const raw = sockDiagSocket();
    const plan = planInetDiagRequests({ family: 'inet', extensions: ['info', 'cong'] });
    const sysMs: number[] = [];
    let rawCount = 0;
    const rawWall = median(
      await timeIt(async () => {
        const c0 = process.cpuUsage();
        rawCount = 0;
        for (const r of plan) {
          await raw.dump(
            r.type,
            0,
            r.payload,
            () => {
              rawCount++;
            },
            r.description,
            r.send,
          );
        }
        sysMs.push(process.cpuUsage(c0).system / 1000);
      }, runs),
    );
    ctx.log(`kernel-only reader: ${rawCount} records in the last dump`);
    ctx.report({
      name: `kernel-only raw dump with tcp_info + congestion, no decode (${total} sockets, wall)`,
      value: rawWall,
      unit: 'ms',
      better: 'lower',
      peer: { name: 'inetSockets with tcp_info (decoded)', value: withInfo },
    });
    ctx.report({
      name: `kernel-only raw dump with tcp_info: process system time (${total} sockets)`,
      value: median(sysMs),
      unit: 'ms',
      better: 'lower',
    });
    ctx.report({
      name: `decode + allocation per socket (tcp_info dump minus kernel-only, ${total} sockets)`,
      value: ((withInfo - rawWall) * 1000) / total,
      unit: 'µs/socket',
      better: 'lower',
    });
    if (ssAvailable) {
      ctx.report({
        name: `ss -tinH (${total} sockets, wall)`,
        value: timeSs(['-tinH'], ctx.smoke ? 3 : 10),
        unit: 'ms',
        better: 'lower',
        peer: { name: 'inetSockets with tcp_info', value: withInfo },
      });
    }
    const sync = median(await timeIt(() => inetSocketsSync({ family: 'inet' }), runs));
    ctx.report({ name: `all TCP sockets, sync (${total} sockets)`, value: sync, unit: 'ms', better: 'lower' });
    let streamed = 0;
    const stream = median(
      await timeIt(async () => {
        streamed = 0;
        for await (const _s of inetSocketStream({ family: 'inet' })) streamed++;
      }, runs),
    );
    ctx.report({
      name: `all TCP sockets, async iterator (${streamed} sockets)`,
      value: stream,
      unit: 'ms',
      better: 'lower',
    });

    const listen = median(await timeIt(() => inetSocketsSync({ family: 'inet', states: [TcpState.LISTEN] }), 200));
    ctx.report({
      name: `LISTEN-only dump with ${total} sockets present (sync)`,
      value: listen,
      unit: 'ms',
      better: 'lower',
      target: '≤ 0.2 ms',
      met: listen <= 0.2,
    });

    // event-loop delay: the array form keeps the whole table alive until it returns (its GC
    // cost grows with the table); the stream form hands out one kernel datagram at a time
    let idleMs = 0;
    for (const mode of ['array', 'stream'] as const) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) {
        if (mode === 'array') await inetSockets({ family: 'inet', extensions: ['info'] });
        else for await (const _s of inetSocketStream({ family: 'inet', extensions: ['info'] })) void _s;
      }
      h.disable();
      idleMs = Math.max(idleMs, performance.now() - t0);
      const maxDelay = h.max / 1e6;
      ctx.report({
        name: `max event-loop delay during async dumps with tcp_info (${mode} form)`,
        value: maxDelay,
        unit: 'ms',
        better: 'lower',
        target: '≤ 10 ms',
        met: maxDelay <= 10,
        note: `p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms`,
      });
    }

    // the same measurement with an idle event loop for as long: what the machine itself adds
    const idle = monitorEventLoopDelay({ resolution: 1 });
    idle.enable();
    await new Promise((r) => setTimeout(r, idleMs));
    idle.disable();
    ctx.report({
      name: 'max event-loop delay of an idle loop over the same time (machine noise)',
      value: idle.max / 1e6,
      unit: 'ms',
      better: 'lower',
      note: `p99 ${(idle.percentile(99) / 1e6).toFixed(1)} ms`,
    });

    const ti = median(
      await timeIt(() => {
        for (let i = 0; i < 1000; i++) tcpInfo(clients[i % clients.length]);
      }, 10),
    );
    ctx.report({ name: 'tcpInfo(socket) getsockopt + decode', value: ti, unit: 'µs/call', better: 'lower' });
  } finally {
    for (const c of clients) c.destroy();
    for (const s of accepted) s.destroy();
    server.close();
    closeSockDiagSocket();
  }
}
