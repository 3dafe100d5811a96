/**
 * `/proc/<pid>/maps` (memory mappings) and `/proc/<pid>/smaps_rollup`
 * (summed memory accounting; falls back to summing `smaps` on kernels < 4.15).
 *
 * Go procfs: `Proc.ProcMaps() []*ProcMap`, `Proc.ProcSMapsRollup()`.
 * @module
 */
import { type ProcWhere, pHex, pKB, procFail, procLines, pU64, pUint, safeKey } from './proc_util.js';

/** Permission flags of a mapping (`rwxp` / `rwxs`). */
export interface ProcMapPermissions {
  read: boolean;
  write: boolean;
  execute: boolean;
  shared: boolean;
  private: boolean;
}

/** One line of `/proc/<pid>/maps`. Addresses and offsets are bigint (u64). */
export interface ProcMap {
  /** Start address. */
  startAddr: bigint;
  /** End address (exclusive). */
  endAddr: bigint;
  /** Permissions. */
  perms: ProcMapPermissions;
  /** Offset into the file. */
  offset: bigint;
  /** Device major number of the backing file. */
  devMajor: number;
  /** Device minor number. */
  devMinor: number;
  /** Inode of the backing file (0 = anonymous). */
  inode: bigint;
  /** Path, pseudo-path (`[heap]`, `[stack]`, `[vdso]`…) or empty for anonymous mappings. May end in ` (deleted)`. */
  pathname: string;
}

const MAP_LINE =
  /^([0-9a-f]+)-([0-9a-f]+) ([r-])([w-])([x-])([sp]) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\d+)(?: +(.*))?$/;

/** Parse `/proc/<pid>/maps`. @throws {ParseError} on a malformed line. */
export function parseProcMaps(text: string, file = '/proc/<pid>/maps'): ProcMap[] {
  const out: ProcMap[] = [];
  const ls = procLines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    const m = MAP_LINE.exec(line);
    if (!m) procFail(where, 'expected "start-end perms offset maj:min inode [path]"');
    out.push({
      startAddr: pHex(m[1], where, 'start'),
      endAddr: pHex(m[2], where, 'end'),
      perms: {
        read: m[3] === 'r',
        write: m[4] === 'w',
        execute: m[5] === 'x',
        shared: m[6] === 's',
        private: m[6] === 'p',
      },
      offset: pHex(m[7], where, 'offset'),
      devMajor: Number.parseInt(m[8]!, 16),
      devMinor: Number.parseInt(m[9]!, 16),
      inode: pU64(m[10], where, 'inode'),
      pathname: m[11] ?? '',
    });
  }
  return out;
}

/**
 * `/proc/<pid>/smaps_rollup` parsed: sizes in BYTES (the file prints kB).
 * Keys absent on this kernel are absent here; unknown keys go to `other`.
 */
export interface ProcSMapsRollup {
  /** `Rss`: resident memory. */
  rss: number;
  /** `Pss`: proportional share of resident memory. */
  pss: number;
  /** `Pss_Dirty` (6.1+). */
  pssDirty?: number;
  /** `Pss_Anon` (5.8+). */
  pssAnon?: number;
  /** `Pss_File` (5.8+). */
  pssFile?: number;
  /** `Pss_Shmem` (5.8+). */
  pssShmem?: number;
  /** `Shared_Clean`. */
  sharedClean: number;
  /** `Shared_Dirty`. */
  sharedDirty: number;
  /** `Private_Clean`. */
  privateClean: number;
  /** `Private_Dirty`. */
  privateDirty: number;
  /** `Referenced`. */
  referenced: number;
  /** `Anonymous`. */
  anonymous: number;
  /** `Swap`. */
  swap: number;
  /** `SwapPss`. */
  swapPss: number;
  /** Every other `Key: n kB` line (KSM, LazyFree, AnonHugePages, Locked…), bytes. */
  other: Record<string, number>;
}

const ROLLUP_KEYS: Record<string, keyof ProcSMapsRollup> = {
  Rss: 'rss',
  Pss: 'pss',
  Pss_Dirty: 'pssDirty',
  Pss_Anon: 'pssAnon',
  Pss_File: 'pssFile',
  Pss_Shmem: 'pssShmem',
  Shared_Clean: 'sharedClean',
  Shared_Dirty: 'sharedDirty',
  Private_Clean: 'privateClean',
  Private_Dirty: 'privateDirty',
  Referenced: 'referenced',
  Anonymous: 'anonymous',
  Swap: 'swap',
  SwapPss: 'swapPss',
};
const REQUIRED_ROLLUP = [
  'rss',
  'pss',
  'sharedClean',
  'sharedDirty',
  'privateClean',
  'privateDirty',
  'referenced',
  'anonymous',
  'swap',
  'swapPss',
] as const;

/**
 * Parse `/proc/<pid>/smaps_rollup`, or a whole `/proc/<pid>/smaps` (every
 * mapping's `kB` lines are summed; mapping header lines and non-kB lines such
 * as `VmFlags` or `THPeligible` are skipped).
 * @throws {ParseError}
 */
export function parseProcSMapsRollup(text: string, file = '/proc/<pid>/smaps_rollup'): ProcSMapsRollup {
  const out = { other: {} } as ProcSMapsRollup;
  const w = out as unknown as Record<string, unknown>;
  const ls = procLines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    if (MAP_LINE.test(line)) continue;
    const where: ProcWhere = { file, line: i + 1, text: line };
    const c = line.indexOf(':');
    if (c <= 0) procFail(where, 'expected "Key: n kB" or a mapping header');
    const key = line.slice(0, c);
    const v = line.slice(c + 1);
    if (!v.endsWith(' kB')) {
      if (key === 'VmFlags' || /^\s*\d+$/.test(v) || key === 'ProtectionKey') continue;
      procFail(where, `${key}: expected "<n> kB"`);
    }
    const bytes = pKB(v, where, key);
    const name = ROLLUP_KEYS[key];
    if (name) w[name] = ((w[name] as number | undefined) ?? 0) + bytes;
    else if (safeKey(key)) out.other[key] = (out.other[key] ?? 0) + bytes;
  }
  for (const k of REQUIRED_ROLLUP) if (w[k] === undefined) procFail({ file }, `missing the ${k} line`);
  return out;
}

/** Parse a `maj:min` device pair as printed in maps/mountinfo (decimal in mountinfo). */
export function parseDevPair(s: string, where: ProcWhere): { major: number; minor: number } {
  const m = /^(\d+):(\d+)$/.exec(s);
  if (!m) procFail(where, `expected "major:minor", got ${JSON.stringify(s)}`);
  return { major: pUint(m[1], where, 'major'), minor: pUint(m[2], where, 'minor') };
}
