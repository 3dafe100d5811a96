/**
 * `raingauge delays [--interval S] [--json]`: a top-like view of processes
 * ordered by how long they waited during the interval — CPU run queue,
 * block I/O, swap-in, memory reclaim and the rest — from taskstats TGID
 * queries of every process listed in /proc (what iotop shows for I/O, for
 * every kind of delay). Without CAP_NET_ADMIN it falls back to /proc
 * (run-queue delay from schedstat, block-I/O delay from stat in ticks).
 * @module
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { PermissionError, RaingaugeError } from '../../errors.js';
import { ProcFS } from '../../procfs/fs.js';
import { delayAccounting, procDelayStats, TaskstatsClient } from '../../taskstats/index.js';
import { sleep } from '../../util/time.js';
import { escapeControl as esc } from '../output.js';
import { parsePositive, readProcComm, stopSignal } from '../util.js';

/** Cumulative counters of one process at one sample (ns). */
export interface DelaySample {
  comm: string;
  cpuRunNs: bigint;
  cpuDelayNs: bigint;
  blkioDelayNs: bigint;
  swapinDelayNs: bigint;
  reclaimDelayNs: bigint;
  /** thrashing + compaction + wpcopy + IRQ delays. */
  otherDelayNs: bigint;
}

/** One row of the view: what a process did during the interval, as % of the interval. */
export interface DelayRow {
  pid: number;
  comm: string;
  /** CPU time (`cpu_run_virtual_total` delta) as % of the interval (100 = one CPU busy). */
  cpuRunPct: number;
  /** Run-queue wait (`cpu_delay_total` delta) as % of the interval. */
  runqWaitPct: number;
  /** Block-I/O wait (`blkio_delay_total` delta). */
  blkioWaitPct: number;
  /** Swap-in wait (`swapin_delay_total` delta). */
  swapinWaitPct: number;
  /** Memory-reclaim wait (`freepages_delay_total` delta). */
  reclaimWaitPct: number;
  /** Thrashing + compaction + write-protect copy + IRQ waits. */
  otherWaitPct: number;
  /** Sum of every wait, ns, during the interval (the sort key). */
  totalWaitNs: bigint;
}

const pct = (ns: bigint, intervalNs: bigint) => (intervalNs > 0n ? (Number(ns) / Number(intervalNs)) * 100 : 0);
const nonNeg = (a: bigint, b: bigint) => (a >= b ? a - b : a);

/**
 * Rows for the processes present in both samples, sorted by total wait
 * (then CPU time) descending; processes with nothing to show are left out.
 * A counter that went backwards (pid reused) is taken as a fresh process. Pure.
 */
export function computeDelayRows(
  prev: ReadonlyMap<number, DelaySample>,
  cur: ReadonlyMap<number, DelaySample>,
  intervalNs: bigint,
): DelayRow[] {
  const rows: DelayRow[] = [];
  for (const [pid, c] of cur) {
    const p = prev.get(pid);
    if (!p) continue;
    const reused = c.cpuRunNs < p.cpuRunNs;
    const d = (k: keyof Omit<DelaySample, 'comm'>) => (reused ? c[k] : nonNeg(c[k], p[k]));
    const runq = d('cpuDelayNs');
    const blkio = d('blkioDelayNs');
    const swap = d('swapinDelayNs');
    const reclaim = d('reclaimDelayNs');
    const other = d('otherDelayNs');
    const run = d('cpuRunNs');
    const total = runq + blkio + swap + reclaim + other;
    if (total === 0n && run === 0n) continue;
    rows.push({
      pid,
      comm: c.comm,
      cpuRunPct: pct(run, intervalNs),
      runqWaitPct: pct(runq, intervalNs),
      blkioWaitPct: pct(blkio, intervalNs),
      swapinWaitPct: pct(swap, intervalNs),
      reclaimWaitPct: pct(reclaim, intervalNs),
      otherWaitPct: pct(other, intervalNs),
      totalWaitNs: total,
    });
  }
  return rows.sort((a, b) =>
    a.totalWaitNs === b.totalWaitNs ? b.cpuRunPct - a.cpuRunPct : a.totalWaitNs > b.totalWaitNs ? -1 : 1,
  );
}

/** Render rows as a cli-table3 table. Pure. */
export function formatDelayTable(rows: readonly DelayRow[]): string {
  const t = new Table({
    head: ['PID', 'COMMAND', 'CPU%', 'RUNQ%', 'IO%', 'SWAP%', 'RECLAIM%', 'OTHER%', 'WAIT ms'],
    colAligns: ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) {
    t.push([
      r.pid,
      esc(r.comm),
      r.cpuRunPct.toFixed(1),
      r.runqWaitPct.toFixed(1),
      r.blkioWaitPct.toFixed(1),
      r.swapinWaitPct.toFixed(1),
      r.reclaimWaitPct.toFixed(1),
      r.otherWaitPct.toFixed(1),
      (Number(r.totalWaitNs) / 1e6).toFixed(1),
    ]);
  }
  return `${t.toString()}\n`;
}

/** Take one sample of every process: taskstats TGID queries, or /proc when `client` is undefined. */
async function sample(client: TaskstatsClient | undefined): Promise<Map<number, DelaySample>> {
  const out = new Map<number, DelaySample>();
  const pids = new ProcFS().pids();
  for (let i = 0; i < pids.length; i++) {
    if (i % 200 === 199) await new Promise((r) => setImmediate(r)); // keep the event loop responsive
    const pid = pids[i]!;
    try {
      if (client) {
        const r = client.tgidStatsSync(pid);
        out.set(pid, {
          comm: readProcComm(pid) ?? '?',
          cpuRunNs: r.cpuRunVirtualTotal,
          cpuDelayNs: r.cpuDelayTotal,
          blkioDelayNs: r.blkioDelayTotal,
          swapinDelayNs: r.swapinDelayTotal,
          reclaimDelayNs: r.freepagesDelayTotal,
          otherDelayNs:
            (r.thrashingDelayTotal ?? 0n) +
            (r.compactDelayTotal ?? 0n) +
            (r.wpcopyDelayTotal ?? 0n) +
            (r.irqDelayTotal ?? 0n),
        });
      } else {
        const p = procDelayStats(pid);
        out.set(pid, {
          comm: readProcComm(pid) ?? '?',
          cpuRunNs: p.cpuRunVirtualTotal,
          cpuDelayNs: p.cpuDelayTotal,
          blkioDelayNs: p.blkioDelayTotal,
          swapinDelayNs: 0n,
          reclaimDelayNs: 0n,
          otherDelayNs: 0n,
        });
      }
    } catch (e) {
      if (e instanceof PermissionError && client) throw e;
      if (!(e instanceof RaingaugeError)) throw e; // gone between listing and query: skip
    }
  }
  return out;
}

/** Register `raingauge delays`. */
export function register(program: Command): void {
  program
    .command('delays')
    .description(
      'top-like view of processes ordered by time spent waiting (CPU run queue, block I/O, swap, reclaim …) per interval, from taskstats (falls back to /proc without CAP_NET_ADMIN)',
    )
    .option('--interval <seconds>', 'time between samples', '2')
    .option('--count <n>', 'stop after this many reports (default: until Ctrl-C)')
    .option('--top <n>', 'rows per report', '20')
    .option('--json', 'one JSON object per report')
    .action(async (opts: { interval: string; count?: string; top: string; json?: boolean }) => {
      const intervalS = parsePositive('--interval', opts.interval);
      const count =
        opts.count === undefined ? Number.POSITIVE_INFINITY : parsePositive('--count', opts.count, { integer: true });
      const top = parsePositive('--top', opts.top, { integer: true });
      let client: TaskstatsClient | undefined = await TaskstatsClient.open();
      let source: 'taskstats' | 'procfs' = 'taskstats';
      try {
        client.pidStatsSync(process.pid);
      } catch (e) {
        if (!(e instanceof PermissionError)) throw e;
        process.stderr.write(
          `raingauge: ${e.message}\nraingauge: using /proc (run-queue delay from schedstat, block-I/O delay in ticks; no swap/reclaim)\n`,
        );
        await client.close();
        client = undefined;
        source = 'procfs';
      }
      let accounting: boolean | undefined;
      try {
        accounting = delayAccounting();
      } catch {
        accounting = undefined;
      }
      if (accounting === false && !opts.json) {
        process.stderr.write(
          'note: kernel.task_delayacct = 0: only the CPU run-queue delay is collected; enable with `sysctl kernel.task_delayacct=1` (counts for processes started afterwards)\n',
        );
      }
      const stop = stopSignal();
      try {
        let prev = await sample(client);
        let prevAt = process.hrtime.bigint();
        for (let n = 0; n < count && !stop.signal.aborted; n++) {
          await sleep(intervalS * 1000, stop.signal);
          if (stop.signal.aborted) break;
          const cur = await sample(client);
          const now = process.hrtime.bigint();
          const rows = computeDelayRows(prev, cur, now - prevAt).slice(0, top);
          prev = cur;
          prevAt = now;
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify({
                time: new Date().toISOString(),
                intervalS,
                source,
                delayAccounting: accounting ?? null,
                processes: rows.map((r) => ({ ...r, totalWaitNs: r.totalWaitNs.toString() })),
              })}\n`,
            );
          } else {
            process.stdout.write(
              `${new Date().toISOString()}  ${cur.size} processes, top ${rows.length} by wait over ${intervalS}s (${source})\n${formatDelayTable(rows)}`,
            );
          }
        }
      } finally {
        stop.dispose();
        await client?.close();
      }
    });
}
