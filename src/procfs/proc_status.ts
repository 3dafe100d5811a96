/**
 * `/proc/<pid>/status` (kernel `proc_pid_status`): identity, memory, signals,
 * capabilities, context switches. Every `Key:\tvalue` line is kept: known keys
 * are typed, keys this parser does not know stay in `unknown`.
 *
 * Go procfs: `Proc.NewStatus() ProcStatus`, `TotalCtxtSwitches()`.
 * @module
 */
import { type ProcWhere, pHex, pInt, pKB, pOct, procFail, pUint, safeKey } from './proc_util.js';

/** Linux capability names by bit number (include/uapi/linux/capability.h), 0 … 40. */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Names of the bits set in a capability mask; bits without a known name become `CAP_<n>`. */
export function decodeCapabilities(mask: bigint): string[] {
  const out: string[] = [];
  const lo = Number(mask & 0xffffffffn);
  const hi = Number((mask >> 32n) & 0xffffffffn);
  for (let bit = 0; bit < 64; bit++) {
    const word = bit < 32 ? lo : hi;
    if ((word >>> (bit & 31)) & 1) out.push(CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
  }
  return out;
}

const hexCache = new Map<string, bigint>();
const capCache = new Map<string, { mask: bigint; names: readonly string[] }>();

function capabilitySet(hex: string, where: ProcWhere, key: string): CapabilitySet {
  let hit = capCache.get(hex);
  if (!hit) {
    const mask = pHex(hex, where, key);
    hit = { mask, names: decodeCapabilities(mask) };
    if (capCache.size < 256) capCache.set(hex, hit);
  }
  return { mask: hit.mask, names: hit.names.slice() };
}

/** A capability set from status: raw mask and decoded names. */
export interface CapabilitySet {
  /** The 64-bit mask as printed (hex), as a bigint. */
  mask: bigint;
  /** Names of the set bits, e.g. `CAP_NET_ADMIN`. */
  names: string[];
}

/** Real, effective, saved-set and filesystem IDs (status `Uid:`/`Gid:`). */
export type IdQuad = [real: number, effective: number, savedSet: number, filesystem: number];

/**
 * `/proc/<pid>/status` parsed. Memory sizes are in BYTES (the kernel prints
 * kB; they are multiplied by 1024) and absent for kernel threads. Signal masks
 * and capabilities are bigint bitmaps. Keys missing on this kernel are absent.
 */
export interface ProcStatus {
  /** `Name`: command name (kernel escapes `\n` and `\\`; unescaped here). */
  name: string;
  /** `Umask` (octal in the file), since 4.7. */
  umask?: number;
  /** `State`: letter, e.g. `S`. */
  state: string;
  /** `State`: description in parentheses, e.g. `sleeping`. */
  stateName?: string;
  /** `Tgid`: thread group ID (the process ID). */
  tgid: number;
  /** `Ngid`: NUMA group ID (0 if none). */
  ngid?: number;
  /** `Pid`: thread ID. */
  pid: number;
  /** `PPid`: parent PID. */
  ppid: number;
  /** `TracerPid`: PID of the tracer (0 if not traced). */
  tracerPid?: number;
  /** `Uid`: real, effective, saved set, filesystem user IDs. */
  uids: IdQuad;
  /** `Gid`: real, effective, saved set, filesystem group IDs. */
  gids: IdQuad;
  /** `FDSize`: slots in the current file descriptor table. */
  fdSize?: number;
  /** `Groups`: supplementary group IDs. */
  groups?: number[];
  /** `NStgid`: thread group ID in each nested PID namespace, outermost first. */
  nsTgid?: number[];
  /** `NSpid`: thread ID in each nested PID namespace. */
  nsPid?: number[];
  /** `NSpgid`: process group ID in each nested PID namespace. */
  nsPgid?: number[];
  /** `NSsid`: session ID in each nested PID namespace. */
  nsSid?: number[];
  /** `Kthread` (6.x): whether this is a kernel thread. */
  kthread?: boolean;
  /** `VmPeak`: peak virtual memory size, bytes. */
  vmPeak?: number;
  /** `VmSize`: virtual memory size, bytes. */
  vmSize?: number;
  /** `VmLck`: locked memory, bytes. */
  vmLck?: number;
  /** `VmPin`: pinned memory, bytes. */
  vmPin?: number;
  /** `VmHWM`: peak resident set size, bytes. */
  vmHWM?: number;
  /** `VmRSS`: resident set size (RssAnon + RssFile + RssShmem), bytes. */
  vmRSS?: number;
  /** `RssAnon`: resident anonymous memory, bytes. */
  rssAnon?: number;
  /** `RssFile`: resident file mappings, bytes. */
  rssFile?: number;
  /** `RssShmem`: resident shared memory, bytes. */
  rssShmem?: number;
  /** `VmData`: data segment, bytes. */
  vmData?: number;
  /** `VmStk`: stack, bytes. */
  vmStk?: number;
  /** `VmExe`: text segment, bytes. */
  vmExe?: number;
  /** `VmLib`: shared library code, bytes. */
  vmLib?: number;
  /** `VmPTE`: page table entries, bytes. */
  vmPTE?: number;
  /** `VmPMD`: second-level page tables, bytes (removed in 4.15). */
  vmPMD?: number;
  /** `VmSwap`: swapped-out anonymous memory, bytes. */
  vmSwap?: number;
  /** `HugetlbPages`: hugetlb memory, bytes. */
  hugetlbPages?: number;
  /** `CoreDumping`: the process is dumping core. */
  coreDumping?: boolean;
  /** `THP_enabled`: transparent huge pages allowed. */
  thpEnabled?: boolean;
  /** `untag_mask` (arm64/x86 LAM). */
  untagMask?: bigint;
  /** `Threads`: number of threads. */
  threads?: number;
  /** `SigQ`: queued signals for the real UID / limit. */
  sigQ?: { queued: number; limit: number };
  /** `SigPnd`: signals pending for the thread. */
  sigPnd?: bigint;
  /** `ShdPnd`: signals pending for the process. */
  shdPnd?: bigint;
  /** `SigBlk`: blocked signals. */
  sigBlk?: bigint;
  /** `SigIgn`: ignored signals. */
  sigIgn?: bigint;
  /** `SigCgt`: caught signals. */
  sigCgt?: bigint;
  /** `CapInh`: inheritable capabilities. */
  capInh?: CapabilitySet;
  /** `CapPrm`: permitted capabilities. */
  capPrm?: CapabilitySet;
  /** `CapEff`: effective capabilities. */
  capEff?: CapabilitySet;
  /** `CapBnd`: bounding set. */
  capBnd?: CapabilitySet;
  /** `CapAmb`: ambient capabilities (4.3+). */
  capAmb?: CapabilitySet;
  /** `NoNewPrivs`: the no_new_privs bit. */
  noNewPrivs?: boolean;
  /** `Seccomp`: 0 disabled, 1 strict, 2 filter. */
  seccomp?: number;
  /** `Seccomp_filters`: number of attached filters. */
  seccompFilters?: number;
  /** `Speculation_Store_Bypass`: mitigation state text. */
  speculationStoreBypass?: string;
  /** `SpeculationIndirectBranch`: mitigation state text. */
  speculationIndirectBranch?: string;
  /** `Cpus_allowed`: CPU affinity mask (hex words as printed). */
  cpusAllowed?: string;
  /** `Cpus_allowed_list`: CPU affinity as a list, e.g. `0-1`. */
  cpusAllowedList?: string;
  /** `Mems_allowed`: NUMA memory node mask (hex words). */
  memsAllowed?: string;
  /** `Mems_allowed_list`: memory nodes as a list. */
  memsAllowedList?: string;
  /** `voluntary_ctxt_switches`. */
  voluntaryCtxtSwitches?: number;
  /** `nonvoluntary_ctxt_switches`. */
  nonVoluntaryCtxtSwitches?: number;
  /** Lines whose key this parser does not know (newer kernels, other architectures): key → raw value. */
  unknown: Record<string, string>;
}

type Kind = 'u' | 'i' | 'kb' | 'hex' | 'bool' | 'str' | 'cap' | 'list' | 'oct';
/** Where a value goes: a field of the table, or the two ID quads. */
type Target = Field | 'uids' | 'gids';
/** The fields of {@link ProcStatus} a table row can fill. */
type Field = Exclude<keyof ProcStatus, 'name' | 'state' | 'stateName' | 'uids' | 'gids' | 'sigQ' | 'unknown'>;
/**
 * One row per key of `/proc/<pid>/status`: the key as the kernel prints it, the kind of its value
 * (its unit: `kb` = "<n> kB", stored in bytes; `hex` masks as bigint; `cap` decoded capability
 * sets) and the field it fills. A new key is one new row.
 */
const ROWS: Record<string, [Kind, Field]> = {
  Umask: ['oct', 'umask'],
  Tgid: ['u', 'tgid'],
  Ngid: ['u', 'ngid'],
  Pid: ['u', 'pid'],
  PPid: ['u', 'ppid'],
  TracerPid: ['u', 'tracerPid'],
  FDSize: ['u', 'fdSize'],
  Groups: ['list', 'groups'],
  NStgid: ['list', 'nsTgid'],
  NSpid: ['list', 'nsPid'],
  NSpgid: ['list', 'nsPgid'],
  NSsid: ['list', 'nsSid'],
  Kthread: ['bool', 'kthread'],
  VmPeak: ['kb', 'vmPeak'],
  VmSize: ['kb', 'vmSize'],
  VmLck: ['kb', 'vmLck'],
  VmPin: ['kb', 'vmPin'],
  VmHWM: ['kb', 'vmHWM'],
  VmRSS: ['kb', 'vmRSS'],
  RssAnon: ['kb', 'rssAnon'],
  RssFile: ['kb', 'rssFile'],
  RssShmem: ['kb', 'rssShmem'],
  VmData: ['kb', 'vmData'],
  VmStk: ['kb', 'vmStk'],
  VmExe: ['kb', 'vmExe'],
  VmLib: ['kb', 'vmLib'],
  VmPTE: ['kb', 'vmPTE'],
  VmPMD: ['kb', 'vmPMD'],
  VmSwap: ['kb', 'vmSwap'],
  HugetlbPages: ['kb', 'hugetlbPages'],
  CoreDumping: ['bool', 'coreDumping'],
  THP_enabled: ['bool', 'thpEnabled'],
  untag_mask: ['hex', 'untagMask'],
  Threads: ['u', 'threads'],
  SigPnd: ['hex', 'sigPnd'],
  ShdPnd: ['hex', 'shdPnd'],
  SigBlk: ['hex', 'sigBlk'],
  SigIgn: ['hex', 'sigIgn'],
  SigCgt: ['hex', 'sigCgt'],
  CapInh: ['cap', 'capInh'],
  CapPrm: ['cap', 'capPrm'],
  CapEff: ['cap', 'capEff'],
  CapBnd: ['cap', 'capBnd'],
  CapAmb: ['cap', 'capAmb'],
  NoNewPrivs: ['bool', 'noNewPrivs'],
  Seccomp: ['u', 'seccomp'],
  Seccomp_filters: ['u', 'seccompFilters'],
  Speculation_Store_Bypass: ['str', 'speculationStoreBypass'],
  SpeculationIndirectBranch: ['str', 'speculationIndirectBranch'],
  Cpus_allowed: ['str', 'cpusAllowed'],
  Cpus_allowed_list: ['str', 'cpusAllowedList'],
  Mems_allowed: ['str', 'memsAllowed'],
  Mems_allowed_list: ['str', 'memsAllowedList'],
  voluntary_ctxt_switches: ['u', 'voluntaryCtxtSwitches'],
  nonvoluntary_ctxt_switches: ['u', 'nonVoluntaryCtxtSwitches'],
};

function unescapeName(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(n|t|\\|[0-7]{3})/g, (_, e: string) =>
    e === 'n' ? '\n' : e === 't' ? '\t' : e === '\\' ? '\\' : String.fromCharCode(Number.parseInt(e, 8)),
  );
}

function ids(v: string, where: ProcWhere, what: string): IdQuad {
  const f = v.trim().split(/[\t ]+/);
  if (f.length !== 4) procFail(where, `${what}: expected 4 IDs, got ${f.length}`);
  return f.map((x) => pUint(x, where, what)) as IdQuad;
}

type Special = 'name' | 'state' | 'ids' | 'sigq';
/** A key's kind, the field it fills (none for Name, State, SigQ: parsed in place) and its text. */
type KeyEntry = [Kind | Special, Target | undefined, string];
/** Keys with their own syntax: `Name` (escaped), `State` (`X (description)`), `Uid`/`Gid` (four IDs), `SigQ` (`n/limit`). */
const SPECIAL: Record<string, KeyEntry> = {
  Name: ['name', undefined, 'Name'],
  State: ['state', undefined, 'State'],
  Uid: ['ids', 'uids', 'Uid'],
  Gid: ['ids', 'gids', 'Gid'],
  SigQ: ['sigq', undefined, 'SigQ'],
};
/**
 * Known keys bucketed by (length, first character): a line's key is found by
 * comparing in place (`startsWith` at the line's offset), without slicing or
 * hashing a new string.
 */
const BUCKETS = new Map<number, KeyEntry[]>();
for (const [k, e] of [
  ...Object.entries(ROWS).map(([k, v]): [string, KeyEntry] => [k, [v[0], v[1], k]]),
  ...Object.entries(SPECIAL),
]) {
  const h = k.length * 128 + k.charCodeAt(0);
  const b = BUCKETS.get(h);
  if (b) b.push(e);
  else BUCKETS.set(h, [e]);
}

function lookupKey(text: string, start: number, colon: number): KeyEntry | undefined {
  const b = BUCKETS.get((colon - start) * 128 + text.charCodeAt(start));
  if (b === undefined) return undefined;
  for (let j = 0; j < b.length; j++) if (text.startsWith(b[j]![2], start)) return b[j];
  return undefined;
}

/** Whitespace-separated decimal integers in `text[from, to)`; undefined if anything else is there. */
function numbersAt(text: string, from: number, to: number): number[] | undefined {
  const out: number[] = [];
  let i = from;
  while (i < to) {
    let ch = text.charCodeAt(i);
    if (ch === 32 || ch === 9) {
      i++;
      continue;
    }
    let neg = false;
    if (ch === 45) {
      neg = true;
      i++;
      ch = text.charCodeAt(i);
    }
    let n = 0;
    let digits = 0;
    while (i < to) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 15) return undefined;
    if (i < to && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) return undefined;
    out.push(neg ? -n : n);
  }
  return out;
}

/**
 * The number in `text[from, to)` written as `\t<digits>` (or, with `kb`,
 * `\t<spaces><digits> kB`); -1 when the text has any other shape (the caller
 * then takes the slow path, which reports the error).
 */
function digitsAt(text: string, from: number, to: number, kb: boolean): number {
  let i = from;
  while (i < to && (text.charCodeAt(i) === 9 || text.charCodeAt(i) === 32)) i++;
  const end = kb ? to - 3 : to;
  if (i >= end || end - i > 15) return -1;
  if (kb && (text.charCodeAt(end) !== 32 || text.charCodeAt(end + 1) !== 107 || text.charCodeAt(end + 2) !== 66)) {
    return -1;
  }
  let n = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Parse `/proc/<pid>/status`.
 * @throws {ParseError} on a line without `:`, a malformed known value, or
 * when a required key (Name, State, Tgid, Pid, PPid, Uid, Gid) is missing.
 */
export function parseProcStatus(text: string, file = '/proc/<pid>/status'): ProcStatus {
  const out = { name: undefined, state: undefined, unknown: {} } as unknown as ProcStatus;
  const len = text.length;
  let pos = 0;
  for (let i = 0; pos < len; i++) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = len;
    const start = pos;
    pos = eol + 1;
    const c = text.indexOf(':', start);
    if (c <= start || c >= eol)
      procFail({ file, line: i + 1, text: text.slice(start, eol) }, 'expected "Key:\\tvalue"');
    // The kernel writes "Key:\t"; tools and some captures write "Key:   " with spaces: skip one tab,
    // or a run of spaces/tabs when the value does not start with a tab.
    let vs = c + 1;
    if (text.charCodeAt(vs) === 9) vs++;
    else while (vs < eol && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
    const entry = lookupKey(text, start, c);
    if (entry === undefined) {
      const key = text.slice(start, c);
      if (safeKey(key)) out.unknown[key] = text.slice(vs, eol);
      continue;
    }
    // fast paths: parse in place, no line string, no error context unless something is off
    const field = entry[1]!;
    const o = out as unknown as Record<Target, unknown>;
    switch (entry[0]) {
      case 'u':
      case 'kb': {
        const n = digitsAt(text, c + 1, eol, entry[0] === 'kb');
        if (n >= 0) {
          o[field] = entry[0] === 'kb' ? n * 1024 : n;
          continue;
        }
        break;
      }
      case 'str':
        o[field] = text.slice(vs, eol);
        continue;
      case 'bool':
        if (eol - vs === 1 && (text.charCodeAt(vs) === 48 || text.charCodeAt(vs) === 49)) {
          o[field] = text.charCodeAt(vs) === 49;
          continue;
        }
        break;
      case 'list': {
        const l = numbersAt(text, vs, eol);
        if (l) {
          o[field] = l;
          continue;
        }
        break;
      }
      case 'ids': {
        const l = numbersAt(text, vs, eol);
        if (l && l.length === 4 && l.every((x) => x >= 0)) {
          o[field] = l;
          continue;
        }
        break;
      }
      case 'hex': {
        const b = hexCache.get(text.slice(vs, eol));
        if (b !== undefined) {
          o[field] = b;
          continue;
        }
        break;
      }
      case 'cap': {
        const hit = capCache.get(text.slice(vs, eol));
        if (hit !== undefined) {
          o[field] = { mask: hit.mask, names: hit.names.slice() };
          continue;
        }
        break;
      }
    }
    const line = text.slice(start, eol);
    const where: ProcWhere = { file, line: i + 1, text: line };
    const key = entry[2];
    const v = line.slice(vs - start);
    if (key === 'Name') {
      out.name = unescapeName(v);
      continue;
    }
    if (key === 'State') {
      const m = /^(\S) \((.*)\)$/.exec(v) ?? /^(\S)$/.exec(v);
      if (!m) procFail(where, 'State: expected "X (description)"');
      out.state = m[1]!;
      if (m[2] !== undefined) out.stateName = m[2];
      continue;
    }
    if (entry[0] === 'ids') {
      o[field] = ids(v, where, key);
      continue;
    }
    if (key === 'SigQ') {
      const m = /^(\d+)\/(\d+)$/.exec(v);
      if (!m) procFail(where, 'SigQ: expected "queued/limit"');
      out.sigQ = { queued: pUint(m[1], where, 'SigQ'), limit: pUint(m[2], where, 'SigQ') };
      continue;
    }
    const kind = entry[0] as Kind | Special;
    let val: unknown;
    switch (kind) {
      case 'u':
        val = pUint(v.trim(), where, key);
        break;
      case 'i':
        val = pInt(v.trim(), where, key);
        break;
      case 'oct':
        val = pOct(v.trim(), where, key);
        break;
      case 'kb': {
        const e = v.length - 3;
        let j = 0;
        while (v.charCodeAt(j) === 32) j++;
        const n = e > j && v.endsWith(' kB') ? Number(v.slice(j, e)) : Number.NaN;
        val = Number.isSafeInteger(n) && n >= 0 && v.charCodeAt(j) !== 32 ? n * 1024 : pKB(v, where, key);
        break;
      }
      case 'hex': {
        // signal masks repeat across processes (mostly zero): memoize the conversion
        let b = hexCache.get(v);
        if (b === undefined) {
          b = pHex(v.trim(), where, key);
          if (hexCache.size < 1024) hexCache.set(v, b);
        }
        val = b;
        break;
      }
      case 'bool': {
        const t = v.trim();
        if (t !== '0' && t !== '1') procFail(where, `${key}: expected 0 or 1`);
        val = t === '1';
        break;
      }
      case 'str':
        val = v;
        break;
      case 'cap':
        val = capabilitySet(v.trim(), where, key);
        break;
      case 'list': {
        const t = v.trim();
        val = t === '' ? [] : t.split(/[\t ]+/).map((x) => pInt(x, where, key));
        break;
      }
    }
    o[field] = val;
  }
  for (const req of ['name', 'state', 'tgid', 'pid', 'ppid', 'uids', 'gids'] as const) {
    if (out[req] === undefined) procFail({ file }, `missing the ${req} line`);
  }
  return out;
}

/** Voluntary + involuntary context switches (Go procfs `ProcStatus.TotalCtxtSwitches`); undefined if either is absent. */
export function totalCtxtSwitches(s: ProcStatus): number | undefined {
  if (s.voluntaryCtxtSwitches === undefined || s.nonVoluntaryCtxtSwitches === undefined) return undefined;
  return s.voluntaryCtxtSwitches + s.nonVoluntaryCtxtSwitches;
}
