/**
 * `raingauge proc <pid> [--json]`: everything /proc knows about one process —
 * stat (with units), status (memory, IDs, capabilities, context switches),
 * io, limits, descriptor count, cgroups and their statistics, namespaces,
 * schedstat, command line, executable, working directory, OOM score.
 *
 * A section that cannot be read (another user's io without privileges, a file
 * this kernel lacks) is reported as an error for that section only.
 * @module
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { ProcessGoneError, RaingaugeError } from '../../errors.js';
import { ProcFS } from '../../procfs/fs.js';
import type { Proc } from '../../procfs/proc.js';
import { escapeControl as esc } from '../output.js';
import { UsageError } from '../util.js';
import { formatBytes } from './ps.js';

/** What `raingauge proc` collects: each section is its value or `{ error }`. */
export type ProcReport = Record<string, unknown>;

/** Parse the `<pid>` argument. @throws {UsageError} when it is not a positive integer. */
export function parsePidArg(s: string): number {
  if (!/^\d+$/.test(s) || Number(s) <= 0 || !Number.isSafeInteger(Number(s))) {
    throw new UsageError(`<pid> must be a positive integer, got ${JSON.stringify(s)}`, s);
  }
  return Number(s);
}

/**
 * Read every section for `p`; a section that fails holds `{ error: message }`. A process that exits
 * mid-read keeps the sections already read and marks the rest; ProcessGoneError is rethrown only when
 * nothing could be read.
 */
export function collectProc(p: Proc): ProcReport {
  const out: ProcReport = { pid: p.pid };
  const sections: [string, () => unknown][] = [
    ['stat', () => p.stat()],
    ['status', () => p.status()],
    ['cmdline', () => p.cmdLine()],
    ['executable', () => p.executable()],
    ['cwd', () => p.cwd()],
    ['fds', () => p.fileDescriptorsLen()],
    ['io', () => p.io()],
    ['limits', () => p.limits()],
    ['schedstat', () => p.schedstat()],
    ['statm', () => p.statm()],
    ['cgroups', () => p.cgroups()],
    ['cgroupStats', () => p.cgroupStats()],
    ['namespaces', () => p.namespaces()],
    ['oomScore', () => p.oomScore()],
    ['oomScoreAdj', () => p.oomScoreAdj()],
    ['wchan', () => p.wchan()],
  ];
  let gone: ProcessGoneError | undefined;
  let read = 0;
  for (const [name, f] of sections) {
    if (gone) {
      // the process exited mid-read: what was read stays, the rest is marked
      out[name] = { error: gone.message };
      continue;
    }
    try {
      out[name] = f();
      read++;
    } catch (err) {
      if (err instanceof ProcessGoneError) {
        if (read === 0) throw err;
        gone = err;
      }
      if (!(err instanceof RaingaugeError)) throw err;
      out[name] = { error: err.message };
    }
  }
  const stat = out.stat as { cpuTimeSeconds?: () => number } | undefined;
  if (stat && typeof stat.cpuTimeSeconds === 'function') out.cpuTimeSeconds = stat.cpuTimeSeconds();
  return out;
}

/** JSON with bigint as decimal strings and Infinity (unlimited) as the string "unlimited". */
export function procReportJson(r: ProcReport): string {
  return JSON.stringify(
    r,
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v === Number.POSITIVE_INFINITY ? 'unlimited' : v),
    2,
  );
}

function err(v: unknown): string | undefined {
  return v && typeof v === 'object' && 'error' in v ? String((v as { error: unknown }).error) : undefined;
}

/** Render the report as tables. */
export function formatProc(r: ProcReport): string {
  const parts: string[] = [];
  const kv = new Table({ style: { head: [], border: [], compact: true }, colWidths: [28, 92], wordWrap: true });
  // kernel and user text (comm, cmdline, paths) escaped: a name may carry terminal escapes
  const add = (k: string, v: unknown) => kv.push({ [k]: esc(String(v)) });
  const st = r.stat as Record<string, unknown> & { startTime?: Date };
  const s = r.status as Record<string, unknown>;
  add('pid', r.pid);
  if (!err(st)) {
    add('comm', st.comm);
    add('state', st.state);
    add('ppid', st.ppid);
    add('threads', st.numThreads);
    add('started', st.startTime?.toISOString());
    add('cpu time', `${(r.cpuTimeSeconds as number).toFixed(2)} s (utime ${st.utime}, stime ${st.stime} ticks)`);
    add('rss', formatBytes(st.rssBytes as number));
    add('vsize', formatBytes(Number(st.vsize)));
    add('nice / priority', `${st.nice} / ${st.priority}`);
    add('faults minor / major', `${st.minflt} / ${st.majflt}`);
  } else add('stat', err(st));
  add('cmdline', err(r.cmdline) ?? ((r.cmdline as string[]).join(' ') || '- (kernel thread or zombie)'));
  add('executable', err(r.executable) ?? r.executable);
  add('cwd', err(r.cwd) ?? r.cwd);
  add('open fds', err(r.fds) ?? r.fds);
  add('oom score / adj', `${err(r.oomScore) ?? r.oomScore} / ${err(r.oomScoreAdj) ?? r.oomScoreAdj}`);
  add('wchan', err(r.wchan) ?? (r.wchan || '-'));
  if (!err(s)) {
    const uids = s.uids as number[];
    add('uid (r/e/s/fs)', uids.join(' '));
    add('gid (r/e/s/fs)', (s.gids as number[]).join(' '));
    for (const k of ['vmPeak', 'vmSize', 'vmHWM', 'vmRSS', 'rssAnon', 'rssFile', 'rssShmem', 'vmSwap']) {
      if (typeof s[k] === 'number') add(k, formatBytes(s[k] as number));
    }
    add('ctxt switches vol / invol', `${s.voluntaryCtxtSwitches} / ${s.nonVoluntaryCtxtSwitches}`);
    const eff = s.capEff as { mask: bigint; names: string[] } | undefined;
    if (eff)
      add(
        'CapEff',
        eff.names.length > 8 ? `0x${eff.mask.toString(16)} (${eff.names.length} caps)` : eff.names.join(' ') || '-',
      );
    if (s.nsPid) add('NSpid', (s.nsPid as number[]).join(' '));
  } else add('status', err(s));
  const sched = r.schedstat as Record<string, bigint | number>;
  add(
    'schedstat',
    err(sched) ??
      `on cpu ${Number(sched.runningNanoseconds) / 1e9} s, waiting ${Number(sched.waitingNanoseconds) / 1e9} s, ${sched.runTimeslices} slices`,
  );
  const io = r.io as Record<string, bigint | number>;
  add(
    'io',
    err(io) ??
      `rchar ${io.rchar} wchar ${io.wchar} syscr ${io.syscr} syscw ${io.syscw} read_bytes ${io.readBytes} write_bytes ${io.writeBytes}`,
  );
  parts.push(kv.toString());

  const lim = r.limits as Record<string, { soft: number; hard: number; unit?: string }>;
  if (!err(lim)) {
    const t = new Table({ head: ['limit', 'soft', 'hard', 'unit'], style: { head: [], border: [], compact: true } });
    const fmt = (n: number) => (n === Number.POSITIVE_INFINITY ? 'unlimited' : String(n));
    for (const [k, v] of Object.entries(lim)) {
      if (k === 'unknown') continue;
      t.push([k, fmt(v.soft), fmt(v.hard), v.unit ?? '']);
    }
    parts.push(t.toString());
  }
  const cg = r.cgroups as { hierarchyId: number; controllers: string[]; path: string }[];
  const ns = r.namespaces as Record<string, { type: string; inode: number }>;
  const t2 = new Table({
    head: ['cgroup / namespace', 'value'],
    style: { head: [], border: [], compact: true },
    colWidths: [28, 92],
    wordWrap: true,
  });
  if (!err(cg)) for (const c of cg) t2.push([`cgroup ${c.hierarchyId}:${c.controllers.join(',')}`, c.path]);
  else t2.push(['cgroups', err(cg)!]);
  if (!err(ns)) for (const [k, v] of Object.entries(ns)) t2.push([`ns ${k}`, `${v.type}:[${v.inode}]`]);
  else t2.push(['namespaces', err(ns)!]);
  const stats = r.cgroupStats as { v2?: Record<string, unknown>; v1?: Record<string, Record<string, unknown>> };
  if (!err(stats)) {
    const v2 = stats.v2;
    if (v2?.memoryCurrentBytes !== undefined)
      t2.push(['v2 memory.current', formatBytes(Number(v2.memoryCurrentBytes))]);
    const cpu = v2?.cpuStat as Record<string, bigint> | undefined;
    if (cpu?.usage_usec !== undefined) t2.push(['v2 cpu.stat usage', `${Number(cpu.usage_usec) / 1e6} s`]);
    if (v2?.pidsCurrent !== undefined) t2.push(['v2 pids.current', String(v2.pidsCurrent)]);
    const mem = stats.v1?.memory;
    if (mem?.usageBytes !== undefined) t2.push(['v1 memory.usage_in_bytes', formatBytes(Number(mem.usageBytes))]);
    const acct = stats.v1?.cpuacct;
    if (acct?.usageNs !== undefined) t2.push(['v1 cpuacct.usage', `${Number(acct.usageNs) / 1e9} s`]);
    const pids = stats.v1?.pids;
    if (pids?.current !== undefined) t2.push(['v1 pids.current', String(pids.current)]);
  }
  parts.push(t2.toString());
  return parts.join('\n');
}

/** Register `raingauge proc`. */
export function register(program: Command): void {
  program
    .command('proc')
    .description('everything /proc knows about one process (stat, status, io, limits, fds, cgroups, namespaces…)')
    .argument('<pid>', 'process ID')
    .option('--json', 'print JSON (u64 counters as decimal strings, unlimited limits as "unlimited")')
    .action((pidArg: string, opts: { json?: boolean }) => {
      const pid = parsePidArg(pidArg);
      const report = collectProc(new ProcFS().proc(pid));
      process.stdout.write(`${opts.json ? procReportJson(report) : formatProc(report)}\n`);
    });
}
