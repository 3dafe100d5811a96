/**
 * Helpers that turn raw `struct taskstats` members into what people ask:
 * the exit status from `ac_exitcode`, the `ac_flag` bits, and the delay
 * blocks (count, total, average, max/min) in milliseconds.
 * @module
 */
import { AC_FLAG_ACORE, AC_FLAG_AFORK, AC_FLAG_AGROUP, AC_FLAG_ASU, AC_FLAG_AXSIG } from './layout.js';
import type { TaskstatsRecord } from './record.js';

/** The meaning of a wait status (`ac_exitcode` is the task's `exit_code`, the same encoding as wait(2)). */
export interface TaskstatsExitStatus {
  /** `exited` (normal exit with a code), `signaled` (killed by a signal), `stopped` (0x7f, not expected at exit). */
  kind: 'exited' | 'signaled' | 'stopped';
  /** Exit code (0 … 255) when `kind` is `exited`, else null. */
  exitCode: number | null;
  /** Signal number when `kind` is `signaled` (or the stop signal for `stopped`), else null. */
  signal: number | null;
  /** Signal name (`SIGKILL`) when known. */
  signalName: string | null;
  /** True when the task dumped core (bit 0x80 of a signaled status). */
  coreDumped: boolean;
  /** The raw status. */
  raw: number;
}

const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  16: 'SIGSTKFLT',
  17: 'SIGCHLD',
  18: 'SIGCONT',
  19: 'SIGSTOP',
  20: 'SIGTSTP',
  21: 'SIGTTIN',
  22: 'SIGTTOU',
  23: 'SIGURG',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  26: 'SIGVTALRM',
  27: 'SIGPROF',
  28: 'SIGWINCH',
  29: 'SIGIO',
  30: 'SIGPWR',
  31: 'SIGSYS',
};

/**
 * Decode a wait status such as `ac_exitcode` (kernel `task_struct.exit_code`):
 * low 7 bits = terminating signal (0 = normal exit), bit 0x80 = core dumped,
 * bits 8 … 15 = exit code. Pure.
 */
export function decodeExitStatus(status: number): TaskstatsExitStatus {
  const raw = status >>> 0;
  const low = raw & 0x7f;
  if (low === 0) {
    return { kind: 'exited', exitCode: (raw >>> 8) & 0xff, signal: null, signalName: null, coreDumped: false, raw };
  }
  if (low === 0x7f) {
    const sig = (raw >>> 8) & 0xff;
    return {
      kind: 'stopped',
      exitCode: null,
      signal: sig,
      signalName: SIGNAL_NAMES[sig] ?? null,
      coreDumped: false,
      raw,
    };
  }
  return {
    kind: 'signaled',
    exitCode: null,
    signal: low,
    signalName: SIGNAL_NAMES[low] ?? (low >= 34 && low <= 64 ? `SIGRT${low - 34}` : null),
    coreDumped: (raw & 0x80) !== 0,
    raw,
  };
}

/** A short human form of an exit status: `exit 0`, `killed by SIGKILL`, `killed by SIGSEGV (core dumped)`. */
export function formatExitStatus(status: number): string {
  const s = decodeExitStatus(status);
  if (s.kind === 'exited') return `exit ${s.exitCode}`;
  const name = s.signalName ?? `signal ${s.signal}`;
  if (s.kind === 'stopped') return `stopped by ${name}`;
  return `killed by ${name}${s.coreDumped ? ' (core dumped)' : ''}`;
}

/** The `ac_flag` bits (include/uapi/linux/acct.h) as booleans. */
export interface TaskstatsAcFlags {
  /** AFORK 0x01: forked but did not exec. */
  forkedNoExec: boolean;
  /** ASU 0x02: used super-user privileges. */
  superUser: boolean;
  /** ACORE 0x08: dumped core. */
  coreDumped: boolean;
  /** AXSIG 0x10: killed by a signal. */
  killedBySignal: boolean;
  /** AGROUP 0x20: last thread of its thread group (the group exited). */
  groupExit: boolean;
}

/** Decode `ac_flag`. Pure. */
export function decodeAcFlag(flag: number): TaskstatsAcFlags {
  return {
    forkedNoExec: (flag & AC_FLAG_AFORK) !== 0,
    superUser: (flag & AC_FLAG_ASU) !== 0,
    coreDumped: (flag & AC_FLAG_ACORE) !== 0,
    killedBySignal: (flag & AC_FLAG_AXSIG) !== 0,
    groupExit: (flag & AC_FLAG_AGROUP) !== 0,
  };
}

/** Nanoseconds (bigint) → milliseconds (number, fractional). */
export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** Average delay in ms: `totalNs / count`, 0 when `count` is 0. */
export function delayAverageMs(totalNs: bigint, count: bigint): number {
  return count === 0n ? 0 : Number(totalNs) / Number(count) / 1e6;
}

/** Kinds of delay taskstats accounts, in getdelays order. */
export type TaskstatsDelayKind = 'cpu' | 'blkio' | 'swapin' | 'freepages' | 'thrashing' | 'compact' | 'wpcopy' | 'irq';

/** One delay block of a record (getdelays' CPU, IO, SWAP, RECLAIM, THRASHING, COMPACT, WPCOPY, IRQ). */
export interface TaskstatsDelay {
  kind: TaskstatsDelayKind;
  /** getdelays' label: CPU, IO, SWAP, RECLAIM, THRASHING, COMPACT, WPCOPY, IRQ. */
  label: string;
  /** `<kind>_count`. */
  count: bigint;
  /** `<kind>_delay_total`, ns. */
  delayTotalNs: bigint;
  /** `delayTotalNs / count` in ms (0 without waits). */
  averageMs: number;
  /** `<kind>_delay_max`, ns (version ≥ 15 only). */
  delayMaxNs?: bigint;
  /** `<kind>_delay_min`, ns (version ≥ 15 only). */
  delayMinNs?: bigint;
}

const KINDS: [TaskstatsDelayKind, string][] = [
  ['cpu', 'CPU'],
  ['blkio', 'IO'],
  ['swapin', 'SWAP'],
  ['freepages', 'RECLAIM'],
  ['thrashing', 'THRASHING'],
  ['compact', 'COMPACT'],
  ['wpcopy', 'WPCOPY'],
  ['irq', 'IRQ'],
];

/** The delay blocks present in a record (those its version has), in getdelays order. Pure. */
export function taskstatsDelays(rec: TaskstatsRecord): TaskstatsDelay[] {
  const r = rec as unknown as Record<string, bigint | undefined>;
  const out: TaskstatsDelay[] = [];
  for (const [kind, label] of KINDS) {
    const count = r[`${kind}Count`];
    const total = r[`${kind}DelayTotal`];
    if (count === undefined || total === undefined) continue;
    const d: TaskstatsDelay = { kind, label, count, delayTotalNs: total, averageMs: delayAverageMs(total, count) };
    const max = r[`${kind}DelayMax`];
    const min = r[`${kind}DelayMin`];
    if (max !== undefined) d.delayMaxNs = max;
    if (min !== undefined) d.delayMinNs = min;
    out.push(d);
  }
  return out;
}

/**
 * True when every delay that needs `kernel.task_delayacct` (all but CPU) has
 * a zero count: the task either never waited on those or was started while
 * delay accounting was off (then they stay 0 for its whole life).
 */
export function delayFieldsAllZero(rec: TaskstatsRecord): boolean {
  return (
    rec.blkioCount === 0n &&
    rec.swapinCount === 0n &&
    rec.freepagesCount === 0n &&
    !rec.thrashingCount &&
    !rec.compactCount &&
    !rec.wpcopyCount &&
    !rec.irqCount
  );
}

/** JSON.stringify replacer that writes bigints as decimal strings (exact), Buffers as hex. */
export function taskstatsJsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    return Buffer.from((value as { data: number[] }).data).toString('hex');
  }
  return value;
}
