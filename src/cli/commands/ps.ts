/**
 * `raingauge ps [--json] [--sort cpu|rss|threads|fds|pid] [--limit N] [--interval MS]`:
 * a process table read straight from /proc (no `ps`): PID, user, CPU %, RSS,
 * threads, open descriptors, state and command.
 *
 * CPU % is measured, not averaged since start: every process's
 * `/proc/<pid>/stat` is sampled twice `--interval` ms apart (default 250) with
 * kept-open descriptors, and CPU % = Δ(utime + stime) ticks / AT_CLKTCK / Δ
 * wall seconds × 100 (100 % = one CPU). Processes that start between the two
 * samples show their average since start.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { ProcFS } from '../../procfs/fs.js';
import { ProcessSampler } from '../../procfs/sampler.js';
import { sleep } from '../../util/time.js';
import { escapeControl as esc } from '../output.js';
import { parseNonNegativeInt, parsePositive, UsageError } from '../util.js';

/** One row of `raingauge ps`. */
export interface PsRow {
  /** Process ID. */
  pid: number;
  /** Parent PID. */
  ppid: number;
  /** Owner (user name from /etc/passwd, else the numeric UID of /proc/<pid>); absent if unknown. */
  user?: string;
  /** CPU % over the sampling interval (100 = one CPU). */
  cpuPercent: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  /** Threads. */
  threads: number;
  /** Open descriptors (st_size of /proc/<pid>/fd); absent when not readable. */
  fds?: number;
  /** State letter. */
  state: string;
  /** Command line joined with spaces, or `[comm]` for kernel threads and zombies. */
  command: string;
}

/** Sort keys of `--sort`. */
export const PS_SORT_KEYS = ['cpu', 'rss', 'threads', 'fds', 'pid'] as const;
export type PsSortKey = (typeof PS_SORT_KEYS)[number];

function userNames(): Map<number, string> {
  const out = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && /^\d+$/.test(f[2]!)) out.set(Number(f[2]), f[0]!);
    }
  } catch {
    /* no passwd: numeric UIDs */
  }
  return out;
}

/**
 * Collect the process table: two samples `intervalMs` apart, then the
 * command line, owner and descriptor count of each process still alive.
 */
export async function collectPs(fs: ProcFS, intervalMs: number): Promise<PsRow[]> {
  const sampler = new ProcessSampler(fs);
  try {
    sampler.sample(fs.pids());
    await sleep(intervalMs);
    const usage = sampler.sample(fs.pids());
    const names = userNames();
    const rows: PsRow[] = [];
    const scan = fs.processes({ fields: ['cmdline', 'fdCount'], pids: [...usage.keys()] });
    const byPid = new Map(scan.map((s) => [s.pid, s]));
    for (const u of usage.values()) {
      const s = byPid.get(u.pid);
      if (!s) continue; // exited meanwhile
      let user: string | undefined;
      try {
        const uid = statSync(fs.path(u.pid)).uid;
        user = names.get(uid) ?? String(uid);
      } catch {
        continue;
      }
      const row: PsRow = {
        pid: u.pid,
        ppid: u.ppid,
        user,
        cpuPercent: Math.round(u.cpuPercent * 10) / 10,
        rssBytes: u.rssBytes,
        threads: u.numThreads,
        state: u.state,
        command: s.cmdline && s.cmdline.length > 0 ? s.cmdline.join(' ') : `[${u.comm}]`,
      };
      if (s.fdCount !== undefined) row.fds = s.fdCount;
      rows.push(row);
    }
    return rows;
  } finally {
    sampler.close();
  }
}

/** Sort rows by `key` (descending, PID ascending for `pid`). */
export function sortPs(rows: PsRow[], key: PsSortKey): PsRow[] {
  const get: Record<PsSortKey, (r: PsRow) => number> = {
    cpu: (r) => r.cpuPercent,
    rss: (r) => r.rssBytes,
    threads: (r) => r.threads,
    fds: (r) => r.fds ?? -1,
    pid: (r) => -r.pid,
  };
  const g = get[key];
  return [...rows].sort((a, b) => g(b) - g(a) || a.pid - b.pid);
}

/** Human-readable byte size (KiB, MiB, GiB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Render rows as a table. */
export function formatPs(rows: readonly PsRow[], commandWidth = 60): string {
  const t = new Table({
    head: ['PID', 'USER', 'CPU%', 'RSS', 'THR', 'FDS', 'S', 'COMMAND'],
    colAligns: ['right', 'left', 'right', 'right', 'right', 'right', 'left', 'left'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    const cmd = r.command.length > commandWidth ? `${r.command.slice(0, commandWidth - 1)}…` : r.command;
    t.push([
      r.pid,
      r.user ?? '?',
      r.cpuPercent.toFixed(1),
      formatBytes(r.rssBytes),
      r.threads,
      r.fds ?? '-',
      r.state,
      esc(cmd),
    ]);
  }
  return t.toString();
}

/** Register `raingauge ps`. */
export function register(program: Command): void {
  program
    .command('ps')
    .description('process table from /proc: PID, user, CPU %, RSS, threads, open fds, state, command')
    .option('--json', 'print JSON (an array of rows) instead of a table')
    .option('--sort <key>', `sort by ${PS_SORT_KEYS.join('|')} (descending; pid ascending)`, 'cpu')
    .option('--limit <n>', 'show only the first N rows (0 = all)', '0')
    .option('--interval <ms>', 'time between the two CPU samples, milliseconds', '250')
    .action(async (opts: { json?: boolean; sort: string; limit: string; interval: string }) => {
      if (!(PS_SORT_KEYS as readonly string[]).includes(opts.sort)) {
        throw new UsageError(`--sort must be one of ${PS_SORT_KEYS.join(', ')}, got ${JSON.stringify(opts.sort)}`);
      }
      const limit = parseNonNegativeInt('--limit', opts.limit);
      const interval = parsePositive('--interval', opts.interval);
      let rows = sortPs(await collectPs(new ProcFS(), interval), opts.sort as PsSortKey);
      if (limit > 0) rows = rows.slice(0, limit);
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else process.stdout.write(`${formatPs(rows)}\n`);
    });
}
