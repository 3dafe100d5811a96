/**
 * The unprivileged fallback of taskstats: what /proc gives without
 * CAP_NET_ADMIN. `/proc/<pid>/schedstat` holds exactly
 * `cpu_run_virtual_total cpu_delay_total cpu_count`, `/proc/<pid>/io` the exact
 * (not 1 KiB-rounded) I/O counters, and field 42 of `/proc/<pid>/stat`
 * (`delayacct_blkio_ticks`) the block-I/O delay in clock ticks.
 *
 * Reading and parsing of schedstat, io and stat go through the procfs module's
 * public API (`ProcFS.proc(pid)`, `Proc.schedstat()`, `Proc.io()`, `Proc.readText()`);
 * field 42 of stat is picked out here.
 * @module
 */
import { InvalidArgumentError, NotFoundError, ParseError, PermissionError, ProcessGoneError } from '../errors.js';
import { type Proc, ProcFS, type ProcIO, type ProcPidSchedstat } from '../procfs/index.js';

const UINT = /^\d+$/;

/** `/proc/<pid>/io` (kernel `do_io_accounting`): exact I/O counters, same names as the taskstats members. */
export interface ProcIoCounters {
  /** `rchar`: bytes read by read-like syscalls (exact; taskstats `read_char` is rounded to 1 KiB). */
  readChar: bigint;
  /** `wchar`: bytes written by write-like syscalls. */
  writeChar: bigint;
  /** `syscr`: read-like syscalls. */
  readSyscalls: bigint;
  /** `syscw`: write-like syscalls. */
  writeSyscalls: bigint;
  /** `read_bytes`: bytes fetched from storage. */
  readBytes: bigint;
  /** `write_bytes`: bytes sent to storage. */
  writeBytes: bigint;
  /** `cancelled_write_bytes`: bytes whose write-out was cancelled. */
  cancelledWriteBytes: bigint;
}

/**
 * Parse field 42 (`delayacct_blkio_ticks`) of `/proc/<pid>/stat`. The command
 * name (field 2) may contain spaces and parentheses: fields are counted after
 * the last `)`.
 */
export function parseProcStatBlkioTicks(text: string, file = '/proc/<pid>/stat'): bigint {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new ParseError(file, 'no ")" closing the command name', { text });
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field 42 is rest[39]
  const v = rest[39];
  if (v === undefined || !UINT.test(v)) {
    throw new ParseError(file, 'field 42 (delayacct_blkio_ticks) missing or not a number', { text });
  }
  return BigInt(v);
}

/** Clock ticks per second of /proc (`USER_HZ`, 100 on every mainstream Linux architecture). */
export const PROC_USER_HZ = 100;

/** What /proc gives without CAP_NET_ADMIN (see {@link procDelayStats}). */
export interface ProcDelayStats {
  /** The process or thread id read. */
  pid: number;
  /** Always `procfs`, to tell these apart from a taskstats record. */
  source: 'procfs';
  /** `cpu_count` from /proc/<pid>/schedstat. */
  cpuCount: bigint;
  /** `cpu_delay_total` (ns) from /proc/<pid>/schedstat: exactly the taskstats value. */
  cpuDelayTotal: bigint;
  /** `cpu_run_virtual_total` (ns) from /proc/<pid>/schedstat. */
  cpuRunVirtualTotal: bigint;
  /** Block-I/O delay in clock ticks (`/proc/<pid>/stat` field 42); 0 while delay accounting is off. */
  blkioDelayTicks: bigint;
  /** `blkioDelayTicks` in ns (ticks × 10⁹ / {@link PROC_USER_HZ}): tick resolution, not the exact taskstats total. */
  blkioDelayTotal: bigint;
  /** Exact I/O counters from /proc/<pid>/io, or null when that file is not readable (ptrace access needed). */
  io: ProcIoCounters | null;
  /** Why `io` is null. */
  ioError?: PermissionError;
}

/**
 * The unprivileged fallback of a taskstats query: CPU run time, run-queue
 * delay and count from `/proc/<pid>/schedstat` (exact), block-I/O delay from
 * `/proc/<pid>/stat` field 42 (clock ticks), and exact I/O counters from
 * `/proc/<pid>/io` when readable (same user or CAP_SYS_PTRACE). A thread id
 * works too (Linux resolves /proc/<tid>). `procRoot` lets tests use a fixture tree.
 *
 * @throws {ProcessGoneError} when the process does not exist (anymore).
 * @throws {NotFoundError} when schedstat is missing (kernel without CONFIG_SCHED_INFO).
 */
export function procDelayStats(pid: number, options: { procRoot?: string } = {}): ProcDelayStats {
  if (!Number.isInteger(pid) || pid <= 0 || pid > 0x7fffffff) {
    throw new InvalidArgumentError(`pid must be a positive integer, got ${pid}`, pid);
  }
  const fs = new ProcFS(options.procRoot ?? '/proc');
  let p: Proc;
  try {
    p = fs.proc(pid);
  } catch (err) {
    if (err instanceof NotFoundError) throw new ProcessGoneError(pid, fs.path(pid), { cause: err });
    throw err;
  }
  let sched: ProcPidSchedstat;
  try {
    sched = p.schedstat();
  } catch (err) {
    if (err instanceof NotFoundError && !(err instanceof ProcessGoneError)) {
      throw new NotFoundError(
        p.path('schedstat'),
        `${p.path('schedstat')} is missing: the kernel lacks CONFIG_SCHED_INFO/SCHEDSTATS`,
        { cause: err },
      );
    }
    throw err;
  }
  const ticks = parseProcStatBlkioTicks(p.readText('stat'), p.path('stat'));
  let io: ProcIoCounters | null = null;
  let ioError: PermissionError | undefined;
  try {
    const raw: ProcIO = p.io();
    io = {
      readChar: raw.rchar,
      writeChar: raw.wchar,
      readSyscalls: BigInt(raw.syscr),
      writeSyscalls: BigInt(raw.syscw),
      readBytes: raw.readBytes,
      writeBytes: raw.writeBytes,
      cancelledWriteBytes: raw.cancelledWriteBytes,
    };
  } catch (err) {
    if (!(err instanceof PermissionError)) throw err;
    ioError = err;
  }
  const out: ProcDelayStats = {
    pid,
    source: 'procfs',
    cpuCount: BigInt(sched.runTimeslices),
    cpuDelayTotal: sched.waitingNanoseconds,
    cpuRunVirtualTotal: sched.runningNanoseconds,
    blkioDelayTicks: ticks,
    blkioDelayTotal: (ticks * 1_000_000_000n) / BigInt(PROC_USER_HZ),
    io,
  };
  if (ioError) out.ioError = ioError;
  return out;
}
