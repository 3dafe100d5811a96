/**
 * `/proc/<pid>/limits` (kernel `proc_pid_limits`): soft and hard resource
 * limits (getrlimit(2)).
 *
 * Go procfs: `Proc.Limits() ProcLimits` (soft limits only; here both).
 * @module
 */
import { type ProcWhere, procFail, procLines, safeKey } from './proc_util.js';

/**
 * One limit. `Infinity` means `unlimited` (RLIM_INFINITY). Finite values
 * above 2^53 lose precision (limits, not counters).
 */
export interface ProcLimit {
  /** Soft limit (the one enforced). */
  soft: number;
  /** Hard limit (ceiling for the soft limit). */
  hard: number;
  /** Units column (`seconds`, `bytes`, `processes`, `files`, `locks`, `signals`, `us`), absent when empty. */
  unit?: string;
}

/** Every row of `/proc/<pid>/limits`; rows a newer kernel adds go to `unknown` keyed by their text. */
export interface ProcLimits {
  /** `Max cpu time` (RLIMIT_CPU), seconds. */
  cpuTime: ProcLimit;
  /** `Max file size` (RLIMIT_FSIZE), bytes. */
  fileSize: ProcLimit;
  /** `Max data size` (RLIMIT_DATA), bytes. */
  dataSize: ProcLimit;
  /** `Max stack size` (RLIMIT_STACK), bytes. */
  stackSize: ProcLimit;
  /** `Max core file size` (RLIMIT_CORE), bytes. */
  coreFileSize: ProcLimit;
  /** `Max resident set` (RLIMIT_RSS), bytes. */
  residentSet: ProcLimit;
  /** `Max processes` (RLIMIT_NPROC). */
  processes: ProcLimit;
  /** `Max open files` (RLIMIT_NOFILE). */
  openFiles: ProcLimit;
  /** `Max locked memory` (RLIMIT_MEMLOCK), bytes. */
  lockedMemory: ProcLimit;
  /** `Max address space` (RLIMIT_AS), bytes. */
  addressSpace: ProcLimit;
  /** `Max file locks` (RLIMIT_LOCKS). */
  fileLocks: ProcLimit;
  /** `Max pending signals` (RLIMIT_SIGPENDING). */
  pendingSignals: ProcLimit;
  /** `Max msgqueue size` (RLIMIT_MSGQUEUE), bytes. */
  msgqueueSize: ProcLimit;
  /** `Max nice priority` (RLIMIT_NICE). */
  nicePriority: ProcLimit;
  /** `Max realtime priority` (RLIMIT_RTPRIO). */
  realtimePriority: ProcLimit;
  /** `Max realtime timeout` (RLIMIT_RTTIME), microseconds. */
  realtimeTimeout: ProcLimit;
  /** Rows this parser does not know. */
  unknown: Record<string, ProcLimit>;
}

type LimitKey = Exclude<keyof ProcLimits, 'unknown'>;
const NAMES: Record<string, LimitKey> = {
  'Max cpu time': 'cpuTime',
  'Max file size': 'fileSize',
  'Max data size': 'dataSize',
  'Max stack size': 'stackSize',
  'Max core file size': 'coreFileSize',
  'Max resident set': 'residentSet',
  'Max processes': 'processes',
  'Max open files': 'openFiles',
  'Max locked memory': 'lockedMemory',
  'Max address space': 'addressSpace',
  'Max file locks': 'fileLocks',
  'Max pending signals': 'pendingSignals',
  'Max msgqueue size': 'msgqueueSize',
  'Max nice priority': 'nicePriority',
  'Max realtime priority': 'realtimePriority',
  'Max realtime timeout': 'realtimeTimeout',
};

function limitValue(s: string, where: ProcWhere): number {
  if (s === 'unlimited') return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(s)) procFail(where, `expected a number or "unlimited", got ${JSON.stringify(s)}`);
  return Number(s);
}

/** Parse `/proc/<pid>/limits`. @throws {ParseError} on a malformed row or a missing known row. */
export function parseProcLimits(text: string, file = '/proc/<pid>/limits'): ProcLimits {
  const ls = procLines(text);
  if (ls.length === 0 || !ls[0]!.startsWith('Limit'))
    procFail({ file, line: 1, text: ls[0] ?? '' }, 'missing the header');
  const out = { unknown: {} } as unknown as ProcLimits;
  for (let i = 1; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    const m = /^(\S.*?)\s{2,}(\S+)\s+(\S+)(?:\s+(\S+))?\s*$/.exec(line);
    if (!m) procFail(where, 'expected "name  soft  hard  [units]"');
    const lim: ProcLimit = { soft: limitValue(m[2]!, where), hard: limitValue(m[3]!, where) };
    if (m[4] !== undefined) lim.unit = m[4];
    const key = NAMES[m[1]!];
    if (key) out[key] = lim;
    else if (safeKey(m[1]!)) out.unknown[m[1]!] = lim;
  }
  for (const k of Object.values(NAMES)) if (out[k] === undefined) procFail({ file }, `missing the ${k} row`);
  return out;
}
