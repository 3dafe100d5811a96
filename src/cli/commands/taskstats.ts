/**
 * `raingauge taskstats <pid> [--tgid] [--json]`: one task's (or process's)
 * taskstats record in getdelays style — delay blocks (CPU, IO, SWAP,
 * RECLAIM, THRASHING, COMPACT, WPCOPY, IRQ), CPU, memory, I/O and
 * context-switch lines. Without CAP_NET_ADMIN it prints the /proc fallback.
 * @module
 */
import type { Command } from 'commander';
import { PermissionError } from '../../errors.js';
import {
  decodeAcFlag,
  formatExitStatus,
  type ProcDelayStats,
  procDelayStats,
  TaskstatsClient,
  type TaskstatsRecord,
  taskstatsDelays,
  taskstatsJsonReplacer,
} from '../../taskstats/index.js';
import { escapeControl as esc } from '../output.js';
import { readProcComm, UsageError } from '../util.js';

/** Milliseconds with three decimals from nanoseconds. */
export function fmtNsAsMs(ns: bigint): string {
  return `${(Number(ns) / 1e6).toFixed(3)}ms`;
}

/** Microseconds (bigint) as seconds with three decimals. */
function fmtUsAsS(us: bigint): string {
  return `${(Number(us) / 1e6).toFixed(3)}s`;
}

/** Bytes with a binary unit (exact figure kept for small values). */
export function fmtBytes(n: bigint): string {
  const v = Number(n);
  if (v < 1024) return `${v}B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let x = v / 1024;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(1)}${units[i]}`;
}

function flagNames(flag: number): string {
  const f = decodeAcFlag(flag);
  const names = [
    f.forkedNoExec && 'AFORK',
    f.superUser && 'ASU',
    f.coreDumped && 'ACORE',
    f.killedBySignal && 'AXSIG',
    f.groupExit && 'AGROUP',
  ].filter(Boolean);
  return names.length ? names.join(',') : '-';
}

const pad = (s: string | number | bigint, w: number) => String(s).padStart(w);

/**
 * Format a record like the kernel's getdelays tool: a header, one block per
 * delay kind (count, total, average, max/min when the version has them),
 * then CPU, memory, I/O and context-switch lines. Pure.
 */
export function formatTaskstatsText(
  rec: TaskstatsRecord,
  opts: { scope: 'pid' | 'tgid'; id: number; comm?: string },
): string {
  const lines: string[] = [];
  const comm = esc(rec.acComm || opts.comm || '?');
  lines.push(`${opts.scope === 'tgid' ? 'tgid' : 'pid'} ${opts.id} (${comm})  taskstats version ${rec.version}`);
  if (opts.scope === 'pid' || rec.acPid) {
    lines.push(
      `  uid ${rec.acUid}  gid ${rec.acGid}  ppid ${rec.acPpid}  tgid ${rec.acTgid ?? '-'}  nice ${rec.acNice}  sched ${rec.acSched}  flags ${flagNames(rec.acFlag)}`,
    );
    const started = rec.acBtime64 ?? BigInt(rec.acBtime);
    lines.push(
      `  started ${started > 0n ? new Date(Number(started) * 1000).toISOString() : '-'}  elapsed ${fmtUsAsS(rec.acEtime)}  status ${
        rec.acExitcode === 0 && (rec.acFlag & 0x30) === 0 ? 'running or exit 0' : formatExitStatus(rec.acExitcode)
      }`,
    );
  } else {
    lines.push(
      `  elapsed ${fmtUsAsS(rec.acEtime)} summed over the threads (ac_etime of each thread added up, not the process's wall-clock age)  (a live process's tgid record has no pid, comm, uid or I/O; delay max/min are not reliable in aggregates)`,
    );
  }
  lines.push('');
  const delays = taskstatsDelays(rec);
  const hasMax = delays.some((d) => d.delayMaxNs !== undefined);
  lines.push(
    `${'DELAY'.padEnd(10)}${pad('count', 12)}${pad('delay total', 16)}${pad('delay average', 16)}${hasMax ? `${pad('delay max', 14)}${pad('delay min', 14)}` : ''}`,
  );
  for (const d of delays) {
    lines.push(
      `${d.label.padEnd(10)}${pad(d.count, 12)}${pad(fmtNsAsMs(d.delayTotalNs), 16)}${pad(`${d.averageMs.toFixed(3)}ms`, 16)}${
        hasMax
          ? `${pad(d.delayMaxNs === undefined ? '-' : fmtNsAsMs(d.delayMaxNs), 14)}${pad(d.delayMinNs === undefined ? '-' : fmtNsAsMs(d.delayMinNs), 14)}`
          : ''
      }`,
    );
  }
  lines.push('');
  lines.push(
    `CPU       real ${fmtNsAsMs(rec.cpuRunRealTotal)}  virtual ${fmtNsAsMs(rec.cpuRunVirtualTotal)}  user ${fmtUsAsS(rec.acUtime)}  system ${fmtUsAsS(rec.acStime)}`,
  );
  lines.push(
    `MEMORY    peak rss ${fmtBytes(rec.hiwaterRss * 1024n)}  peak vm ${fmtBytes(rec.hiwaterVm * 1024n)}  minor faults ${rec.acMinflt}  major faults ${rec.acMajflt}`,
  );
  lines.push(
    `IO        read ${fmtBytes(rec.readChar)} (${rec.readSyscalls} syscalls)  written ${fmtBytes(rec.writeChar)} (${rec.writeSyscalls} syscalls)  [bytes rounded down to 1 KiB; syscall counts rounded down to multiples of 1024 by the kernel's accounting]`,
  );
  lines.push(
    `STORAGE   read ${fmtBytes(rec.readBytes)}  written ${fmtBytes(rec.writeBytes)}  cancelled ${fmtBytes(rec.cancelledWriteBytes)}`,
  );
  lines.push(`CONTEXT   voluntary switches ${rec.nvcsw}  involuntary switches ${rec.nivcsw}`);
  for (const w of rec.warnings ?? []) lines.push(`note: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** Format the /proc fallback figures. Pure. */
export function formatProcFallbackText(p: ProcDelayStats): string {
  const lines = [
    `pid ${p.pid}  (from /proc: taskstats needs CAP_NET_ADMIN)`,
    `CPU       run-queue waits ${p.cpuCount}  delay total ${fmtNsAsMs(p.cpuDelayTotal)}  average ${
      p.cpuCount > 0n ? `${(Number(p.cpuDelayTotal) / Number(p.cpuCount) / 1e6).toFixed(3)}ms` : '0.000ms'
    }  run time ${fmtNsAsMs(p.cpuRunVirtualTotal)}`,
    `IO        block I/O delay ${p.blkioDelayTicks} ticks (${fmtNsAsMs(p.blkioDelayTotal)})`,
  ];
  if (p.io) {
    lines.push(
      `IO        read ${fmtBytes(p.io.readChar)} (${p.io.readSyscalls} syscalls)  written ${fmtBytes(p.io.writeChar)} (${p.io.writeSyscalls} syscalls)  [exact]`,
      `STORAGE   read ${fmtBytes(p.io.readBytes)}  written ${fmtBytes(p.io.writeBytes)}  cancelled ${fmtBytes(p.io.cancelledWriteBytes)}`,
    );
  } else {
    lines.push(`IO        /proc/${p.pid}/io not readable: ${p.ioError?.message ?? 'permission denied'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Register `raingauge taskstats`. */
export function register(program: Command): void {
  program
    .command('taskstats')
    .description(
      "one task's kernel accounting (taskstats): delays by kind, CPU, memory, I/O, context switches (needs CAP_NET_ADMIN; falls back to /proc)",
    )
    .argument('<pid>', 'task (thread) id, or process id with --tgid')
    .option('--tgid', 'sum over the whole thread group (process) instead of one thread')
    .option('--json', 'print the record as JSON (u64 values as decimal strings)')
    .action(async (pidArg: string, opts: { tgid?: boolean; json?: boolean }) => {
      const id = Number(pidArg);
      if (!Number.isInteger(id) || id <= 0)
        throw new UsageError(`<pid> must be a positive integer, got ${JSON.stringify(pidArg)}`);
      const scope = opts.tgid ? 'tgid' : 'pid';
      let client: TaskstatsClient | undefined;
      try {
        client = await TaskstatsClient.open();
        const rec = scope === 'tgid' ? await client.tgidStats(id) : await client.pidStats(id);
        if (opts.json) {
          const out = {
            scope,
            id,
            comm: rec.acComm || readProcComm(id),
            exitStatus: rec.acExitcode ? formatExitStatus(rec.acExitcode) : null,
            delays: taskstatsDelays(rec),
            stats: rec,
          };
          process.stdout.write(`${JSON.stringify(out, taskstatsJsonReplacer)}\n`);
        } else {
          process.stdout.write(formatTaskstatsText(rec, { scope, id, comm: readProcComm(id) }));
        }
      } catch (e) {
        if (!(e instanceof PermissionError)) throw e;
        process.stderr.write(`raingauge: ${e.message}\nraingauge: showing the /proc fallback instead\n`);
        const p = procDelayStats(id);
        if (opts.json) process.stdout.write(`${JSON.stringify(p, taskstatsJsonReplacer)}\n`);
        else process.stdout.write(formatProcFallbackText(p));
      } finally {
        await client?.close();
      }
    });
}
