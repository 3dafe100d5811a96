/**
 * `/proc/<pid>/cgroup` (kernel `proc_cgroup_show`) and the resource
 * statistics of the process's own cgroup: cgroup v2 `cpu.stat`,
 * `memory.current`/`max`/`stat`, `io.stat`, `pids.current`/`max`, and the v1
 * `memory`, `cpuacct`, `cpu` and `pids` controllers where they are mounted.
 *
 * Go procfs: `Cgroup`, `Proc.Cgroups()`; the statistics are not in Go procfs.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MountInfo } from './mountinfo.js';
import { type ProcWhere, procFail, procLines, pU64, pUint, safeKey } from './proc_util.js';

/** One line of `/proc/<pid>/cgroup`. */
export interface Cgroup {
  /** Hierarchy ID (0 for the cgroup v2 unified hierarchy). */
  hierarchyId: number;
  /** Controllers bound to the hierarchy (empty for v2; `name=systemd` style names included). */
  controllers: string[];
  /** Path of the cgroup relative to the hierarchy's root (in the reader's cgroup namespace). */
  path: string;
}

/** Parse `/proc/<pid>/cgroup` (`id:controllers:path`; the path may itself contain `:`). @throws {ParseError} */
export function parseProcCgroups(text: string, file = '/proc/<pid>/cgroup'): Cgroup[] {
  const out: Cgroup[] = [];
  const ls = procLines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) procFail(where, 'expected "id:controllers:path"');
    const ctl = line.slice(a + 1, b);
    out.push({
      hierarchyId: pUint(line.slice(0, a), where, 'hierarchy ID'),
      controllers: ctl === '' ? [] : ctl.split(','),
      path: line.slice(b + 1),
    });
  }
  return out;
}

/** `key value` lines (cpu.stat, memory.stat…) as bigint values (u64 counters). @throws {ParseError} */
export function parseCgroupKeyValues(text: string, file: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  const ls = procLines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    const m = /^(\S+) (\d+)$/.exec(line);
    if (!m) procFail(where, 'expected "key value"');
    if (safeKey(m[1]!)) out[m[1]!] = pU64(m[2], where, m[1]!);
  }
  return out;
}

/** One device line of cgroup v2 `io.stat`. */
export interface CgroupIoStat {
  /** Device major number. */
  major: number;
  /** Device minor number. */
  minor: number;
  /** `rbytes`, `wbytes`, `rios`, `wios`, `dbytes`, `dios` and any other `key=value`, bigint. */
  counters: Record<string, bigint>;
}

/** Parse cgroup v2 `io.stat` (`maj:min key=value …`). @throws {ParseError} */
export function parseCgroupIoStat(text: string, file = 'io.stat'): CgroupIoStat[] {
  const out: CgroupIoStat[] = [];
  const ls = procLines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    const f = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!m) procFail(where, 'expected "major:minor key=value…"');
    const counters: Record<string, bigint> = {};
    for (const kv of f.slice(1)) {
      const e = kv.indexOf('=');
      if (e <= 0) procFail(where, `expected key=value, got ${JSON.stringify(kv)}`);
      const k = kv.slice(0, e);
      if (safeKey(k)) counters[k] = pU64(kv.slice(e + 1), where, k);
    }
    out.push({ major: pUint(m[1], where, 'major'), minor: pUint(m[2], where, 'minor'), counters });
  }
  return out;
}

/** A limit file value: `max` (no limit) → `'max'`, else bytes/count as bigint. */
export type CgroupLimit = bigint | 'max';

/** Statistics of the process's cgroup in the v2 unified hierarchy. Files the kernel does not offer are absent. */
export interface CgroupV2Stats {
  /** Absolute path of the cgroup directory. */
  dir: string;
  /** `cpu.stat`: usage_usec, user_usec, system_usec, nr_periods, nr_throttled, throttled_usec… (µs). */
  cpuStat?: Record<string, bigint>;
  /** `memory.current`: bytes charged to the cgroup. */
  memoryCurrentBytes?: bigint;
  /** `memory.max`: hard limit, bytes or `'max'`. */
  memoryMaxBytes?: CgroupLimit;
  /** `memory.peak` (5.19+), bytes. */
  memoryPeakBytes?: bigint;
  /** `memory.stat`: anon, file, kernel, sock, … bytes and event counts. */
  memoryStat?: Record<string, bigint>;
  /** `io.stat` per device. */
  ioStat?: CgroupIoStat[];
  /** `pids.current`. */
  pidsCurrent?: bigint;
  /** `pids.max`. */
  pidsMax?: CgroupLimit;
}

/** Statistics of the process's cgroups in v1 hierarchies that are mounted. */
export interface CgroupV1Stats {
  /** memory controller: `memory.usage_in_bytes`, `limit_in_bytes`, `max_usage_in_bytes`, `failcnt`, `stat`. */
  memory?: {
    dir: string;
    usageBytes?: bigint;
    limitBytes?: bigint;
    maxUsageBytes?: bigint;
    failcnt?: bigint;
    stat?: Record<string, bigint>;
  };
  /** cpuacct controller: `cpuacct.usage` (ns), `cpuacct.stat` (user/system, clock ticks). */
  cpuacct?: { dir: string; usageNs?: bigint; stat?: Record<string, bigint> };
  /** cpu controller: CFS quota/period (µs; quota -1 = none) and `cpu.stat` (nr_periods, nr_throttled, throttled_time ns). */
  cpu?: { dir: string; cfsQuotaMicros?: number; cfsPeriodMicros?: number; stat?: Record<string, bigint> };
  /** pids controller. */
  pids?: { dir: string; current?: bigint; max?: CgroupLimit };
}

/** What `Proc.cgroupStats()` returns. */
export interface ProcCgroupStats {
  /** The process's v2 cgroup, when a cgroup2 filesystem is mounted and the process has a `0::` line. */
  v2?: CgroupV2Stats;
  /** v1 controllers, when mounted. */
  v1?: CgroupV1Stats;
  /** Files that exist but could not be read or parsed: path → message. Missing files are simply absent. */
  errors: Record<string, string>;
}

type Reader = (path: string) => string | undefined;

function makeReader(errors: Record<string, string>): Reader {
  return (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENODEV' || code === 'EOPNOTSUPP') return undefined;
      errors[path] = (err as Error).message;
      return undefined;
    }
  };
}

function limit(text: string | undefined, file: string): CgroupLimit | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return t === 'max' ? 'max' : pU64(t, { file, line: 1, text: t }, 'limit');
}
function u64(text: string | undefined, file: string): bigint | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return pU64(t, { file, line: 1, text: t }, 'value');
}

/** Directory of `cgroupPath` inside the hierarchy mounted at `m` (its `root` is stripped when the mount shows a sub-tree). */
function cgroupDir(m: MountInfo, cgroupPath: string, prefix: string): string | undefined {
  let rel = cgroupPath;
  if (m.root !== '/') {
    if (rel !== m.root && !rel.startsWith(`${m.root}/`)) return undefined;
    rel = rel.slice(m.root.length);
  }
  return join(prefix, m.mountPoint, rel);
}

/**
 * Read the cgroup statistics of a process from its `/proc/<pid>/cgroup` lines
 * and the mount table (`mountinfo`). `prefix` is prepended to mount points
 * (for fixture trees). A file that is missing is absent from the result; one
 * that fails to parse is recorded in `errors`, never fatal.
 */
export function readCgroupStats(
  cgroups: readonly Cgroup[],
  mounts: readonly MountInfo[],
  prefix = '/',
): ProcCgroupStats {
  const errors: Record<string, string> = {};
  const read = makeReader(errors);
  const out: ProcCgroupStats = { errors };
  const guard = <T>(file: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      errors[file] = (err as Error).message;
      return undefined;
    }
  };
  const v2line = cgroups.find((c) => c.hierarchyId === 0 && c.controllers.length === 0);
  const v2mount = mounts.find((m) => m.fsType === 'cgroup2');
  if (v2line && v2mount) {
    const dir = cgroupDir(v2mount, v2line.path, prefix);
    if (dir) {
      const p = (f: string) => join(dir, f);
      const v2: CgroupV2Stats = { dir };
      const set = <K extends keyof CgroupV2Stats>(k: K, file: string, f: (t: string) => CgroupV2Stats[K]) => {
        const t = read(p(file));
        if (t === undefined) return;
        const v = guard(p(file), () => f(t));
        if (v !== undefined) v2[k] = v;
      };
      set('cpuStat', 'cpu.stat', (t) => parseCgroupKeyValues(t, p('cpu.stat')));
      set('memoryCurrentBytes', 'memory.current', (t) => u64(t, p('memory.current')));
      set('memoryMaxBytes', 'memory.max', (t) => limit(t, p('memory.max')));
      set('memoryPeakBytes', 'memory.peak', (t) => u64(t, p('memory.peak')));
      set('memoryStat', 'memory.stat', (t) => parseCgroupKeyValues(t, p('memory.stat')));
      set('ioStat', 'io.stat', (t) => parseCgroupIoStat(t, p('io.stat')));
      set('pidsCurrent', 'pids.current', (t) => u64(t, p('pids.current')));
      set('pidsMax', 'pids.max', (t) => limit(t, p('pids.max')));
      out.v2 = v2;
    }
  }
  const v1: CgroupV1Stats = {};
  const v1dir = (controller: string): string | undefined => {
    const line = cgroups.find((c) => c.hierarchyId !== 0 && c.controllers.includes(controller));
    const mount = mounts.find((m) => m.fsType === 'cgroup' && controller in m.superOptions);
    return line && mount ? cgroupDir(mount, line.path, prefix) : undefined;
  };
  const mem = v1dir('memory');
  if (mem) {
    const p = (f: string) => join(mem, f);
    const t = (f: string) => read(p(f));
    v1.memory = { dir: mem };
    const m = v1.memory;
    m.usageBytes = guard(p('memory.usage_in_bytes'), () => u64(t('memory.usage_in_bytes'), p('memory.usage_in_bytes')));
    m.limitBytes = guard(p('memory.limit_in_bytes'), () => u64(t('memory.limit_in_bytes'), p('memory.limit_in_bytes')));
    m.maxUsageBytes = guard(p('memory.max_usage_in_bytes'), () =>
      u64(t('memory.max_usage_in_bytes'), p('memory.max_usage_in_bytes')),
    );
    m.failcnt = guard(p('memory.failcnt'), () => u64(t('memory.failcnt'), p('memory.failcnt')));
    const st = t('memory.stat');
    if (st !== undefined) m.stat = guard(p('memory.stat'), () => parseCgroupKeyValues(st, p('memory.stat')));
  }
  const acct = v1dir('cpuacct');
  if (acct) {
    const p = (f: string) => join(acct, f);
    v1.cpuacct = { dir: acct };
    v1.cpuacct.usageNs = guard(p('cpuacct.usage'), () => u64(read(p('cpuacct.usage')), p('cpuacct.usage')));
    const st = read(p('cpuacct.stat'));
    if (st !== undefined) v1.cpuacct.stat = guard(p('cpuacct.stat'), () => parseCgroupKeyValues(st, p('cpuacct.stat')));
  }
  const cpu = v1dir('cpu');
  if (cpu) {
    const p = (f: string) => join(cpu, f);
    v1.cpu = { dir: cpu };
    const int = (f: string) => {
      const t = read(p(f))?.trim();
      if (t === undefined) return undefined;
      if (!/^-?\d+$/.test(t)) {
        errors[p(f)] = `expected an integer, got ${JSON.stringify(t)}`;
        return undefined;
      }
      return Number(t);
    };
    v1.cpu.cfsQuotaMicros = int('cpu.cfs_quota_us');
    v1.cpu.cfsPeriodMicros = int('cpu.cfs_period_us');
    const st = read(p('cpu.stat'));
    if (st !== undefined) v1.cpu.stat = guard(p('cpu.stat'), () => parseCgroupKeyValues(st, p('cpu.stat')));
  }
  const pids = v1dir('pids');
  if (pids) {
    const p = (f: string) => join(pids, f);
    v1.pids = { dir: pids };
    v1.pids.current = guard(p('pids.current'), () => u64(read(p('pids.current')), p('pids.current')));
    v1.pids.max = guard(p('pids.max'), () => limit(read(p('pids.max')), p('pids.max')));
  }
  for (const o of Object.values(v1) as Record<string, unknown>[]) {
    for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  }
  if (Object.keys(v1).length > 0) out.v1 = v1;
  return out;
}
