/**
 * `/proc/<pid>/stat` and `/proc/<pid>/statm` (kernel `do_task_stat`,
 * `proc_pid_statm`), plus unit conversions using the kernel's own clock tick
 * rate and page size ({@link KernelUnits}).
 *
 * Go procfs: `Proc.Stat() ProcStat`, `ProcStat.CPUTime()`,
 * `ResidentMemory()`, `VirtualMemory()`, `StartTime()`.
 * @module
 */
import type { KernelUnits } from './auxv.js';
import { type ProcWhere, pInt, procFail, procFields, pU64, pUint } from './proc_util.js';

/**
 * One `/proc/<pid>/stat` line. Field numbers refer to proc(5).
 *
 * Types: counters of ticks and faults are `number` (they stay far below 2^53
 * for any real process); `vsize`, `rsslim`, addresses and the (obsolete,
 * decimal) signal masks are `bigint` because they are u64 values that can be
 * at or near 2^64 (`rsslim` is 2^64-1 when unlimited). The fields the kernel
 * prints signed (`seq_put_decimal_ll`: ppid … tpgid, cutime, cstime, priority,
 * nice, num_threads, exit_signal, processor, cguest_time, exit_code) are read
 * as signed 64-bit; a `number` field beyond ±2^53 is the nearest double, not
 * an error. Fields added after Linux 2.6.0 are optional: absent when the
 * kernel does not print them.
 */
export interface ProcStat {
  /** (1) Process (or thread) ID. */
  pid: number;
  /** (2) Command name (`task->comm`), without the parentheses; may contain spaces, parentheses, newlines. */
  comm: string;
  /** (3) State letter: R S D Z T t X I … */
  state: string;
  /** (4) Parent PID. */
  ppid: number;
  /** (5) Process group ID. */
  pgrp: number;
  /** (6) Session ID. */
  session: number;
  /** (7) Controlling terminal (`tty_nr`, device number; 0 = none). */
  tty: number;
  /** (8) Foreground process group of the controlling terminal (-1 = none). */
  tpgid: number;
  /** (9) Kernel flags word (`PF_*`). */
  flags: number;
  /** (10) Minor faults. */
  minflt: number;
  /** (11) Minor faults of waited-for children. */
  cminflt: number;
  /** (12) Major faults. */
  majflt: number;
  /** (13) Major faults of waited-for children. */
  cmajflt: number;
  /** (14) User-mode CPU time, clock ticks. */
  utime: number;
  /** (15) Kernel-mode CPU time, clock ticks. */
  stime: number;
  /** (16) User time of waited-for children, clock ticks. */
  cutime: number;
  /** (17) System time of waited-for children, clock ticks. */
  cstime: number;
  /** (18) Priority (negated RT priority minus one for RT tasks; 20+nice otherwise). */
  priority: number;
  /** (19) Nice value, 19 (low) … -20 (high). */
  nice: number;
  /** (20) Number of threads. */
  numThreads: number;
  /** (21) `itrealvalue`, always 0 since 2.6.17. */
  itrealvalue: number;
  /** (22) Start time after boot, clock ticks. */
  starttime: number;
  /** (23) Virtual memory size, bytes (u64). */
  vsize: bigint;
  /** (24) Resident set size, pages. */
  rss: number;
  /** (25) Soft RSS limit, bytes (u64; 2^64-1 = unlimited). */
  rsslim: bigint;
  /** (26) Start of the text segment (0 unless the reader may ptrace the process). */
  startcode: bigint;
  /** (27) End of the text segment. */
  endcode: bigint;
  /** (28) Start (bottom) of the stack. */
  startstack: bigint;
  /** (29) Current ESP (0 unless the process is being core-dumped). */
  kstkesp: bigint;
  /** (30) Current EIP. */
  kstkeip: bigint;
  /** (31) Pending signals (obsolete decimal bitmap; use status `SigPnd`). */
  signal: bigint;
  /** (32) Blocked signals. */
  blocked: bigint;
  /** (33) Ignored signals. */
  sigignore: bigint;
  /** (34) Caught signals. */
  sigcatch: bigint;
  /** (35) Wait channel placeholder (0 or 1 since 5.x; use `Proc.wchan()`). */
  wchan: bigint;
  /** (36) `nswap`, not maintained (0). */
  nswap: number;
  /** (37) `cnswap`, not maintained (0). */
  cnswap: number;
  /** (38, Linux 2.1.22) Signal sent to the parent when the process dies. */
  exitSignal?: number;
  /** (39, 2.2.8) CPU the task last ran on. */
  processor?: number;
  /** (40, 2.5.19) Real-time priority 1–99, 0 for normal tasks. */
  rtPriority?: number;
  /** (41, 2.5.19) Scheduling policy (`SCHED_*`). */
  policy?: number;
  /** (42, 2.6.18) Aggregated block I/O delay, clock ticks. */
  delayAcctBlkIOTicks?: number;
  /** (43, 2.6.24) Guest time, clock ticks. */
  guestTime?: number;
  /** (44, 2.6.24) Guest time of waited-for children, clock ticks. */
  cguestTime?: number;
  /** (45, 3.3) Start of the data segment. */
  startData?: bigint;
  /** (46, 3.3) End of the data segment. */
  endData?: bigint;
  /** (47, 3.3) Start of the heap (`brk`). */
  startBrk?: bigint;
  /** (48, 3.5) Start of argv. */
  argStart?: bigint;
  /** (49, 3.5) End of argv. */
  argEnd?: bigint;
  /** (50, 3.5) Start of the environment. */
  envStart?: bigint;
  /** (51, 3.5) End of the environment. */
  envEnd?: bigint;
  /** (52, 3.5) Exit status as reported by waitpid (only for exited tasks; 0 otherwise). */
  exitCode?: number;
  /** Fields after (52) printed by a newer kernel, kept as text. */
  extra?: string[];
}

type NumKey = { [K in keyof ProcStat]-?: ProcStat[K] extends number | undefined ? K : never }[keyof ProcStat];
type BigKey = { [K in keyof ProcStat]-?: ProcStat[K] extends bigint | undefined ? K : never }[keyof ProcStat];

/** Fields (4)…(52) after `state`, in order: name and kind (u = unsigned number, i = signed number, b = u64 bigint). */
const LAYOUT: [NumKey | BigKey, 'u' | 'i' | 'b'][] = [
  ['ppid', 'i'],
  ['pgrp', 'i'],
  ['session', 'i'],
  ['tty', 'i'],
  ['tpgid', 'i'],
  ['flags', 'u'],
  ['minflt', 'u'],
  ['cminflt', 'u'],
  ['majflt', 'u'],
  ['cmajflt', 'u'],
  ['utime', 'u'],
  ['stime', 'u'],
  ['cutime', 'i'],
  ['cstime', 'i'],
  ['priority', 'i'],
  ['nice', 'i'],
  ['numThreads', 'i'],
  ['itrealvalue', 'i'],
  ['starttime', 'u'],
  ['vsize', 'b'],
  ['rss', 'i'],
  ['rsslim', 'b'],
  ['startcode', 'b'],
  ['endcode', 'b'],
  ['startstack', 'b'],
  ['kstkesp', 'b'],
  ['kstkeip', 'b'],
  ['signal', 'b'],
  ['blocked', 'b'],
  ['sigignore', 'b'],
  ['sigcatch', 'b'],
  ['wchan', 'b'],
  ['nswap', 'u'],
  ['cnswap', 'u'],
  ['exitSignal', 'i'],
  ['processor', 'i'],
  ['rtPriority', 'u'],
  ['policy', 'u'],
  ['delayAcctBlkIOTicks', 'u'],
  ['guestTime', 'u'],
  ['cguestTime', 'i'],
  ['startData', 'b'],
  ['endData', 'b'],
  ['startBrk', 'b'],
  ['argStart', 'b'],
  ['argEnd', 'b'],
  ['envStart', 'b'],
  ['envEnd', 'b'],
  ['exitCode', 'i'],
];
/** Number of fields after `state` every kernel since 2.6 prints (up to `cnswap`). */
const REQUIRED = 34;

/**
 * Parse `/proc/<pid>/stat`. The command name is taken between the first `(`
 * and the LAST `)`, so names with spaces, parentheses or newlines parse.
 * @throws {ParseError} naming the field that is missing or malformed.
 */
export function parseProcStat(text: string, file = '/proc/<pid>/stat'): ProcStat {
  return parseProcStatInto(text, file, {} as ProcStat);
}

/** {@link parseProcStat} storing into `out` (always the same field order, so one hidden class). */
function parseProcStatInto<T extends ProcStat>(text: string, file: string, out: T): T {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) procFail(statWhere(file, text), 'no "pid (comm)" prefix');
  const pid = pUint(text.slice(0, open), statWhere(file, text), 'pid');
  const comm = text.slice(open + 2, close);
  let rest = text.slice(close + 1);
  if (rest.endsWith('\n')) rest = rest.slice(0, -1);
  if (rest.charCodeAt(0) !== 32) procFail(statWhere(file, text), 'expected a space after the command name');
  // fields after the state letter, parsed in place (no split): position-based for speed
  if (rest.length < 3 || rest.charCodeAt(2) !== 32 || rest.charCodeAt(1) === 32) {
    procFail(statWhere(file, text), 'state: expected one letter followed by the numeric fields');
  }
  const state = rest.charAt(1);
  const v: (number | bigint)[] = [];
  let extra: string[] | undefined;
  let p = 3;
  const len = rest.length;
  while (p <= len) {
    let e = rest.indexOf(' ', p);
    if (e < 0) e = len;
    const i = v.length;
    if (i >= LAYOUT.length) {
      extra = rest.slice(p).split(' ');
      break;
    }
    const kind = LAYOUT[i]![1];
    const d = decimalAt(rest, p, e, kind !== 'b');
    if (d === undefined) {
      const name = LAYOUT[i]![0];
      const x = rest.slice(p, e);
      v.push(
        kind === 'b'
          ? pU64(x, statWhere(file, text), name)
          : kind === 'u'
            ? pUint(x, statWhere(file, text), name)
            : pInt(x, statWhere(file, text), name),
      );
    } else if (kind === 'b') v.push(typeof d === 'bigint' ? d : BigInt(d));
    else if (kind === 'u' && d < 0) v.push(pUint(rest.slice(p, e), statWhere(file, text), LAYOUT[i]![0]));
    else v.push(d);
    p = e + 1;
  }
  const n = v.length;
  if (n < REQUIRED) procFail(statWhere(file, text), `only ${n + 3} fields, expected at least ${REQUIRED + 3}`);
  out.pid = pid;
  out.comm = comm;
  out.state = state;
  out.ppid = v[0] as number;
  out.pgrp = v[1] as number;
  out.session = v[2] as number;
  out.tty = v[3] as number;
  out.tpgid = v[4] as number;
  out.flags = v[5] as number;
  out.minflt = v[6] as number;
  out.cminflt = v[7] as number;
  out.majflt = v[8] as number;
  out.cmajflt = v[9] as number;
  out.utime = v[10] as number;
  out.stime = v[11] as number;
  out.cutime = v[12] as number;
  out.cstime = v[13] as number;
  out.priority = v[14] as number;
  out.nice = v[15] as number;
  out.numThreads = v[16] as number;
  out.itrealvalue = v[17] as number;
  out.starttime = v[18] as number;
  out.vsize = v[19] as bigint;
  out.rss = v[20] as number;
  out.rsslim = v[21] as bigint;
  out.startcode = v[22] as bigint;
  out.endcode = v[23] as bigint;
  out.startstack = v[24] as bigint;
  out.kstkesp = v[25] as bigint;
  out.kstkeip = v[26] as bigint;
  out.signal = v[27] as bigint;
  out.blocked = v[28] as bigint;
  out.sigignore = v[29] as bigint;
  out.sigcatch = v[30] as bigint;
  out.wchan = v[31] as bigint;
  out.nswap = v[32] as number;
  out.cnswap = v[33] as number;
  const w = out as unknown as Record<string, unknown>;
  for (let i = REQUIRED; i < n; i++) w[LAYOUT[i]![0]] = v[i];
  if (extra) out.extra = extra;
  return out;
}

function statWhere(file: string, text: string): ProcWhere {
  return { file, line: 1, text: text.length > 200 ? `${text.slice(0, 200)}…` : text };
}

/** {@link decimal} on `s[from, to)` without slicing when it is short. */
function decimalAt(s: string, from: number, to: number, signed: boolean): number | bigint | undefined {
  const len = to - from;
  if (len <= 0) return undefined;
  if (len > 15) return decimal(s.slice(from, to), signed);
  let i = from;
  let neg = false;
  if (s.charCodeAt(i) === 45) {
    if (!signed || len === 1) return undefined;
    neg = true;
    i++;
  }
  let n = 0;
  for (; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

/**
 * Fast path for a decimal field: a number (or a bigint when it has more than
 * 15 digits), or undefined when `s` is not a plain (optionally negative)
 * decimal, in which case the caller reports a ParseError.
 */
function decimal(s: string, signed: boolean): number | bigint | undefined {
  const len = s.length;
  if (len === 0 || len > 20) return undefined;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (!signed || len === 1) return undefined;
    i = 1;
  }
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  if (len <= 15) return Number(s);
  const b = BigInt(s);
  if (b > 0xffffffffffffffffn || b < -0x8000000000000000n) return undefined;
  // number fields are signed 64-bit (`seq_put_decimal_ll`) or unsigned: beyond 2^53 they become the
  // nearest double instead of an error (no real kernel value gets there; garbage must not throw)
  if (signed) return Number(b);
  return b;
}

/** Total user + system CPU time of the process in seconds (Go procfs `ProcStat.CPUTime`). */
export function procStatCpuTimeSeconds(stat: Pick<ProcStat, 'utime' | 'stime'>, units: KernelUnits): number {
  return (stat.utime + stat.stime) / units.clockTicksPerSecond;
}

/** Resident set size in bytes: `rss` pages × page size (Go procfs `ResidentMemory`). */
export function procStatRssBytes(stat: Pick<ProcStat, 'rss'>, units: KernelUnits): number {
  return stat.rss * units.pageSizeBytes;
}

/** Start time as Unix seconds: boot time + `starttime` / clock ticks (Go procfs `StartTime`). */
export function procStatStartTimeSeconds(
  stat: Pick<ProcStat, 'starttime'>,
  units: KernelUnits,
  bootTimeSeconds: number,
): number {
  return bootTimeSeconds + stat.starttime / units.clockTicksPerSecond;
}

/** {@link ProcStat} with the conversions filled in (what `Proc.stat()` returns). */
export interface ProcStatWithUnits extends ProcStat {
  /** Clock ticks per second used for the conversions (`AT_CLKTCK`). */
  clockTicksPerSecond: number;
  /** Page size used for the conversions (`AT_PAGESZ`). */
  pageSizeBytes: number;
  /** `rss` × page size, bytes. */
  rssBytes: number;
  /** `vsize` (already bytes in the kernel file). */
  vsizeBytes: bigint;
  /** Boot time + `starttime` ticks (boot time is `btime` of `/proc/stat`). */
  startTime: Date;
  /** (utime + stime) / clock ticks per second. */
  cpuTimeSeconds(): number;
}

/** Shared prototype of what {@link parseProcStatWithUnits} returns: `cpuTimeSeconds()` once, not per object. */
const UNITS_PROTO: Pick<ProcStatWithUnits, 'cpuTimeSeconds'> = Object.create(Object.prototype, {
  cpuTimeSeconds: {
    value(this: ProcStatWithUnits): number {
      return (this.utime + this.stime) / this.clockTicksPerSecond;
    },
    enumerable: false,
  },
});

/**
 * Parse `/proc/<pid>/stat` and fill in the unit conversions in one pass (what `Proc.stat()`
 * returns): no second object, no per-object method.
 * @throws {ParseError} as {@link parseProcStat}.
 */
export function parseProcStatWithUnits(
  text: string,
  file: string,
  units: KernelUnits,
  bootTimeSeconds: number,
): ProcStatWithUnits {
  const out = parseProcStatInto(text, file, Object.create(UNITS_PROTO) as ProcStatWithUnits);
  out.clockTicksPerSecond = units.clockTicksPerSecond;
  out.pageSizeBytes = units.pageSizeBytes;
  out.rssBytes = out.rss * units.pageSizeBytes;
  out.vsizeBytes = out.vsize;
  out.startTime = new Date((bootTimeSeconds + out.starttime / units.clockTicksPerSecond) * 1000);
  return out;
}

/** Attach the unit conversions to a parsed stat. */
export function withProcStatUnits(stat: ProcStat, units: KernelUnits, bootTimeSeconds: number): ProcStatWithUnits {
  const out = stat as ProcStatWithUnits;
  out.clockTicksPerSecond = units.clockTicksPerSecond;
  out.pageSizeBytes = units.pageSizeBytes;
  out.rssBytes = procStatRssBytes(stat, units);
  out.vsizeBytes = stat.vsize;
  out.startTime = new Date(procStatStartTimeSeconds(stat, units, bootTimeSeconds) * 1000);
  Object.defineProperty(out, 'cpuTimeSeconds', {
    value: () => procStatCpuTimeSeconds(stat, units),
    enumerable: false,
  });
  return out;
}

/**
 * A page count of `/proc/<pid>/statm`: a `number` when it is a safe integer (every real process),
 * the exact `bigint` beyond 2^53 (the kernel prints `unsigned long`).
 */
export type PageCount = number | bigint;

/** `/proc/<pid>/statm`: memory sizes in pages (kernel `proc_pid_statm`); see {@link PageCount}. */
export interface ProcStatm {
  /** Total program size (same as VmSize), pages. */
  size: PageCount;
  /** Resident set size (VmRSS), pages. */
  resident: PageCount;
  /** Resident shared pages (RssFile + RssShmem). */
  shared: PageCount;
  /** Text (code), pages. */
  text: PageCount;
  /** Library, always 0 since 2.6. */
  lib: PageCount;
  /** Data + stack, pages. */
  data: PageCount;
  /** Dirty pages, always 0 since 2.6. */
  dt: PageCount;
}

const STATM_KEYS = ['size', 'resident', 'shared', 'text', 'lib', 'data', 'dt'] as const;

/** Parse `/proc/<pid>/statm` (seven page counts; above 2^53 a count is a bigint). */
export function parseProcStatm(text: string, file = '/proc/<pid>/statm'): ProcStatm {
  const { f, where } = procFields(text, file, 7);
  const out = {} as ProcStatm;
  for (let i = 0; i < 7; i++) {
    const s = f[i];
    const name = STATM_KEYS[i]!;
    if (s !== undefined && s.length > 15) {
      const b = pU64(s, where, name);
      out[name] = b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    } else out[name] = pUint(s, where, name);
  }
  return out;
}

/**
 * Just the `btime` line of `/proc/stat` (boot time, Unix seconds). A tiny
 * reader so process start times do not depend on the full `/proc/stat` parser.
 */
export function parseBootTime(text: string, file = '/proc/stat'): number {
  const i = text.indexOf('\nbtime ');
  const start = i >= 0 ? i + 7 : text.startsWith('btime ') ? 6 : -1;
  if (start < 0) procFail({ file }, 'no btime line');
  const end = text.indexOf('\n', start);
  const v = text.slice(start, end < 0 ? undefined : end).trim();
  return pUint(v, { file, text: `btime ${v}` }, 'btime');
}
