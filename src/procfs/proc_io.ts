/**
 * `/proc/<pid>/io` (kernel `do_io_accounting`) and `/proc/<pid>/schedstat`
 * (kernel `proc_pid_schedstat`).
 *
 * Go procfs: `Proc.IO() ProcIO`, `Proc.Schedstat() ProcPidSchedstat`.
 * @module
 */
import { type ProcWhere, pInt, procFail, procFields, procLines, pS64, pU64, pUint, safeKey } from './proc_util.js';

/**
 * `/proc/<pid>/io`. Byte counters are `bigint` (u64; a busy long-lived
 * process passes 2^53 bytes in about 100 days at 1 GB/s); system-call counts
 * are numbers. Reading another user's io needs root or CAP_SYS_PTRACE.
 */
export interface ProcIO {
  /** `rchar`: bytes passed to read-like system calls (including page cache hits). */
  rchar: bigint;
  /** `wchar`: bytes passed to write-like system calls. */
  wchar: bigint;
  /** `syscr`: read-like system calls. */
  syscr: number;
  /** `syscw`: write-like system calls. */
  syscw: number;
  /** `read_bytes`: bytes this process caused to be fetched from storage. */
  readBytes: bigint;
  /** `write_bytes`: bytes this process caused to be sent to storage. */
  writeBytes: bigint;
  /** `cancelled_write_bytes`: written bytes later truncated away (signed in Go procfs; never negative in the kernel). */
  cancelledWriteBytes: bigint;
  /** Keys this parser does not know, raw. */
  unknown: Record<string, string>;
}

const IO_KEYS: Record<string, keyof ProcIO> = {
  rchar: 'rchar',
  wchar: 'wchar',
  syscr: 'syscr',
  syscw: 'syscw',
  read_bytes: 'readBytes',
  write_bytes: 'writeBytes',
  cancelled_write_bytes: 'cancelledWriteBytes',
};

/** Parse `/proc/<pid>/io` (`key: value` lines). @throws {ParseError} */
export function parseProcIO(text: string, file = '/proc/<pid>/io'): ProcIO {
  const out = { unknown: {} } as ProcIO;
  const w = out as unknown as Record<string, unknown>;
  const ls = procLines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    const m = /^(\w+): (\S+)$/.exec(line);
    if (!m) procFail(where, 'expected "key: value"');
    const name = IO_KEYS[m[1]!];
    if (!name) {
      if (safeKey(m[1]!)) out.unknown[m[1]!] = m[2]!;
      continue;
    }
    w[name] =
      name === 'syscr' || name === 'syscw'
        ? pUint(m[2], where, m[1]!)
        : name === 'cancelledWriteBytes'
          ? pS64(m[2], where, m[1]!)
          : pU64(m[2], where, m[1]!);
  }
  for (const k of Object.values(IO_KEYS)) if (w[k] === undefined) procFail({ file }, `missing the ${k} line`);
  return out;
}

/**
 * `/proc/<pid>/schedstat`: time on CPU and waiting on a run queue, in
 * nanoseconds (bigint: u64, past 2^53 after ~104 days of CPU time).
 */
export interface ProcPidSchedstat {
  /** Time spent on the CPU, ns (`se.sum_exec_runtime`). */
  runningNanoseconds: bigint;
  /** Time spent waiting on a run queue, ns (`sched_info.run_delay`). */
  waitingNanoseconds: bigint;
  /** Number of timeslices run on this CPU (`sched_info.pcount`). */
  runTimeslices: number;
}

/** Parse `/proc/<pid>/schedstat` (three numbers). @throws {ParseError} */
export function parseProcPidSchedstat(text: string, file = '/proc/<pid>/schedstat'): ProcPidSchedstat {
  const { f, where } = procFields(text, file, 3);
  return {
    runningNanoseconds: pU64(f[0], where, 'running'),
    waitingNanoseconds: pU64(f[1], where, 'waiting'),
    runTimeslices: pUint(f[2], where, 'timeslices'),
  };
}

/** Parse a file holding one integer (`oom_score`, `oom_score_adj`, `loginuid`…). @throws {ParseError} */
export function parseProcInteger(text: string, file: string): number {
  const t = text.trim();
  return pInt(t, { file, line: 1, text: t }, 'value');
}
