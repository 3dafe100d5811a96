/**
 * taskstats benchmarks:
 * 1. `pidStats` on a reused socket (sync and async) against reading and
 *    parsing /proc/<pid>/schedstat + /proc/<pid>/io (the unprivileged way to
 *    get CPU delay and I/O). Target ≤ 30 µs per query.
 * 2. Exit events: bursts of short-lived `/bin/true` processes (forked in the
 *    background by shells, ≥ 1000 exits/s), every one of them counted from
 *    the exit stream with zero loss.
 * Needs root (CAP_NET_ADMIN); skips with a log line otherwise.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseProcIO, parseProcPidSchedstat } from '../src/procfs/proc_io.ts';
import { TaskstatsClient } from '../src/taskstats/index.ts';
import type { BenchContext } from './harness.ts';

function perCallMicros(fn: () => unknown, n: number): number {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

async function perCallMicrosAsync(fn: () => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(100, n); i++) await fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

/** Median of `runs` measurements (the machine is shared: take the typical figure). */
function medianOf(runs: number, measure: () => number): number {
  const xs = Array.from({ length: runs }, measure).sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
}

export default async function bench(ctx: BenchContext): Promise<void> {
  if (process.getuid?.() !== 0) {
    ctx.log('skipped: taskstats needs CAP_NET_ADMIN (run the benchmarks as root)');
    return;
  }
  const client = await TaskstatsClient.open();
  try {
    // ---------------------------------------------------------------- queries
    const target = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
    await once(target, 'spawn');
    const pid = target.pid!;
    try {
      const n = ctx.smoke ? 200 : 20_000;
      const runs = ctx.smoke ? 1 : 5;
      const sync = medianOf(runs, () => perCallMicros(() => client.pidStatsSync(pid), n));
      const proc = medianOf(runs, () =>
        perCallMicros(() => {
          parseProcPidSchedstat(readFileSync(`/proc/${pid}/schedstat`, 'utf8'));
          parseProcIO(readFileSync(`/proc/${pid}/io`, 'utf8'));
        }, n),
      );
      ctx.report({
        name: 'pidStatsSync, reused socket',
        value: sync,
        unit: 'µs/query',
        peer: { name: '/proc/<pid>/schedstat + io', value: proc },
        better: 'lower',
        target: '≤ 30 µs',
        met: sync <= 30,
        note: `${n} queries × ${runs} runs, median run`,
      });
      const asyncN = ctx.smoke ? 100 : 5000;
      const asyncUs = await perCallMicrosAsync(() => client.pidStats(pid), asyncN);
      ctx.report({
        name: 'pidStats (async API)',
        value: asyncUs,
        unit: 'µs/query',
        better: 'lower',
        note: `${asyncN} sequential awaited queries`,
      });
    } finally {
      target.kill('SIGKILL');
    }

    // ------------------------------------------------------------ exit events
    const total = ctx.smoke ? 50 : 1000;
    const shells = ctx.smoke ? 1 : 4;
    const per = Math.ceil(total / shells);
    await client.registerCpumask();
    const stream = client.exits();
    const shellPids = new Set<number>();
    const exited = new Set<number>();
    let first = 0n;
    let last = 0n;
    let lost = 0;
    const children = Array.from({ length: shells }, () => {
      const c = spawn('/bin/sh', ['-c', `i=0; while [ $i -lt ${per} ]; do /bin/true & i=$((i+1)); done; wait`], {
        stdio: 'ignore',
      });
      shellPids.add(c.pid!);
      return c;
    });
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const started = process.hrtime.bigint();
    const deadline = Date.now() + (ctx.smoke ? 15_000 : 60_000);
    const expected = per * shells;
    const doneShells = Promise.all(children.map((c) => once(c, 'exit')));
    for await (const ev of stream) {
      if (ev.kind === 'lost') {
        lost++;
      } else if (shellPids.has(ev.stats.acPpid) && ev.comm === 'true') {
        const now = process.hrtime.bigint();
        if (exited.size === 0) first = now;
        last = now;
        exited.add(ev.pid);
      }
      if (exited.size >= expected || Date.now() > deadline) break;
    }
    await doneShells;
    loop.disable();
    const spanS = Number(last - first) / 1e9 || Number(process.hrtime.bigint() - started) / 1e9;
    const rate = exited.size / Math.max(spanS, 1e-3);
    ctx.report({
      name: `exit events captured (${expected} short-lived processes)`,
      value: rate,
      unit: 'exits/s',
      better: 'higher',
      target: '≥ 1000 exits/s, zero loss',
      met: lost === 0 && exited.size === expected && (ctx.smoke || rate >= 1000),
      note: `${exited.size}/${expected} captured, ${lost} overrun(s), over ${spanS.toFixed(2)} s, event rcvbuf ${client.getRxBufSize()} B`,
    });
    ctx.report({
      name: 'event-loop max delay while capturing exits',
      value: loop.max / 1e6,
      unit: 'ms',
      better: 'lower',
      note: `p99 ${(loop.percentile(99) / 1e6).toFixed(2)} ms (includes the shared machine's scheduling noise)`,
    });
    if (exited.size !== expected || lost) {
      ctx.log(`exit capture incomplete: ${exited.size}/${expected}, ${lost} overrun(s)`);
    }
  } finally {
    await client.close();
  }
}
