/**
 * `Proc`: one process (or one thread, `/proc/<pid>/task/<tid>`) of a procfs
 * mount, with a reader per `/proc/<pid>/…` file. Every reader reads its file
 * whole and parses it with a pure `parseX` function.
 *
 * Errors: {@link ProcessGoneError} when the process exited (ENOENT/ESRCH under
 * its directory), {@link NotFoundError} when one file does not exist for a live
 * process, {@link PermissionError} when another user's file needs root or
 * CAP_SYS_PTRACE, {@link ParseError} when a file cannot be understood.
 *
 * Go procfs: `Proc`, `Procs`, `NewProc`, `Self`, `AllProcs`,
 * `GetMounts`, `GetProcMounts` and every `Proc` method.
 * @module
 */
import { readdirSync, readlinkSync, statfsSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { errnoNameOf, NotFoundError, ProcessGoneError, throwErrnoError } from '../errors.js';
import { type KernelUnits, readKernelUnits } from './auxv.js';
import { type Cgroup, type ProcCgroupStats, parseProcCgroups, readCgroupStats } from './cgroup.js';
import type { ProcFS } from './fs.js';
import { type MountInfo, parseMountInfo } from './mountinfo.js';
import { type Mount, parseMountStats } from './mountstats.js';
import { type NetDev, parseNetDev } from './net_dev.js';
import { type ProcFDInfo, parseProcFDInfo } from './proc_fdinfo.js';
import { type ProcIO, type ProcPidSchedstat, parseProcInteger, parseProcIO, parseProcPidSchedstat } from './proc_io.js';
import { type ProcLimits, parseProcLimits } from './proc_limits.js';
import { type ProcMap, type ProcSMapsRollup, parseProcMaps, parseProcSMapsRollup } from './proc_maps.js';
import {
  type ProcStat,
  type ProcStatm,
  type ProcStatWithUnits,
  parseBootTime,
  parseProcStat,
  parseProcStatm,
  parseProcStatWithUnits,
} from './proc_stat.js';
import { type ProcStatus, parseProcStatus } from './proc_status.js';
import { chompNewline, mapProcError, procFail, splitNul } from './proc_util.js';
import { readProcText } from './read.js';

/** One namespace of a process (`/proc/<pid>/ns/<type>` → `type:[inode]`). */
export interface Namespace {
  /** Namespace type: `net`, `mnt`, `pid`, `user`, `uts`, `ipc`, `cgroup`, `time`, `pid_for_children`… */
  type: string;
  /** Inode number of the namespace: equal inodes mean the same namespace. */
  inode: number;
}

/** Namespaces of a process keyed by the file name under `ns/` (Go procfs `Namespaces`). */
export type Namespaces = Record<string, Namespace>;

/** A list of processes sorted by PID (Go procfs `Procs`). */
export type Procs = Proc[];

const bootTimes = new Map<string, number>();
const countableFd = new Map<string, boolean>();
const PROC_SUPER_MAGIC = 0x9fa0;

/** Boot time (`btime` of `<mount>/stat`, Unix seconds), cached per mount point. */
export function readBootTime(fs: ProcFS): number {
  const hit = bootTimes.get(fs.mountPoint);
  if (hit !== undefined) return hit;
  const t = parseBootTime(fs.readText('stat'), fs.path('stat'));
  bootTimes.set(fs.mountPoint, t);
  return t;
}

/** Whether `stat(/proc/<pid>/fd).size` counts descriptors: a real procfs on Linux ≥ 6.2. */
function fdSizeCounts(fs: ProcFS): boolean {
  let v = countableFd.get(fs.mountPoint);
  if (v === undefined) {
    const [maj = 0, min = 0] = release()
      .split('.')
      .map((x) => Number.parseInt(x, 10));
    let isProc = false;
    try {
      isProc = statfsSync(fs.mountPoint).type === PROC_SUPER_MAGIC;
    } catch {
      isProc = false;
    }
    v = isProc && (maj > 6 || (maj === 6 && min >= 2));
    countableFd.set(fs.mountPoint, v);
  }
  return v;
}

/** One process, or one thread when created by {@link Proc.threads}. */
export class Proc {
  /** The procfs mount this process is read from. */
  readonly fs: ProcFS;
  /** Process ID (for a thread: its thread ID). */
  readonly pid: number;
  /** Absolute path of the process directory, e.g. `/proc/42` or `/proc/42/task/43`. */
  readonly dir: string;

  /** Use `fs.proc(pid)`, `fs.self()` or `fs.allProcs()` instead of constructing directly. */
  constructor(fs: ProcFS, pid: number, dir = fs.path(pid)) {
    this.fs = fs;
    this.pid = pid;
    this.dir = dir;
  }

  /** Path of a file of this process. */
  path(file: string): string {
    return join(this.dir, file);
  }

  private fail(err: unknown, file: string): never {
    mapProcError(err, this.pid, this.dir, this.path(file));
  }

  /** Read a file of this process whole as text (one reused buffer, no `fstat`; see `read.ts`). */
  readText(file: string): string {
    const path = `${this.dir}/${file}`;
    try {
      return readProcText(path, false);
    } catch (err) {
      mapProcError(err, this.pid, this.dir, path);
    }
  }

  /**
   * Read a one-record file (stat, status, statm, cmdline, environ, io …) whose read fills the
   * request unless the file ends: a short read is its end, saving the `read` that returns 0.
   */
  private readRecord(file: string): string {
    const path = `${this.dir}/${file}`;
    try {
      return readProcText(path, true);
    } catch (err) {
      mapProcError(err, this.pid, this.dir, path);
    }
  }

  private link(file: string): string {
    try {
      return readlinkSync(this.path(file));
    } catch (err) {
      this.fail(err, file);
    }
  }

  private list(file: string): string[] {
    try {
      return readdirSync(this.path(file));
    } catch (err) {
      this.fail(err, file);
    }
  }

  /** `/proc/<pid>/stat` without unit conversions. */
  rawStat(): ProcStat {
    return parseProcStat(this.readRecord('stat'), this.path('stat'));
  }

  /**
   * `/proc/<pid>/stat` with conversions: `rssBytes`, `vsizeBytes`, `startTime`
   * (a Date: `btime` + starttime ticks) and `cpuTimeSeconds()`, using the clock
   * tick rate and page size from `/proc/self/auxv` (Go procfs `Proc.Stat`).
   */
  stat(): ProcStatWithUnits {
    return parseProcStatWithUnits(this.readRecord('stat'), this.path('stat'), this.units(), readBootTime(this.fs));
  }

  /** Clock ticks per second and page size of the kernel (`/proc/self/auxv`). */
  units(): KernelUnits {
    return readKernelUnits(this.fs);
  }

  /** `/proc/<pid>/status` (Go procfs `Proc.NewStatus`). */
  status(): ProcStatus {
    return parseProcStatus(this.readRecord('status'), this.path('status'));
  }

  /** Alias of {@link Proc.status} under Go procfs's name. */
  newStatus(): ProcStatus {
    return this.status();
  }

  /** `/proc/<pid>/statm`: memory sizes in pages. */
  statm(): ProcStatm {
    return parseProcStatm(this.readRecord('statm'), this.path('statm'));
  }

  /** `/proc/<pid>/cmdline` split at NUL bytes (empty for kernel threads and zombies). */
  cmdLine(): string[] {
    return splitNul(this.readRecord('cmdline'));
  }

  /** `/proc/<pid>/comm`: the command name (at most 15 bytes), without the final newline. */
  comm(): string {
    return chompNewline(this.readRecord('comm'));
  }

  /** `/proc/<pid>/environ` split at NUL bytes. Another user's needs root or CAP_SYS_PTRACE. */
  environ(): string[] {
    return splitNul(this.readRecord('environ'));
  }

  /** Target of `/proc/<pid>/cwd` (the working directory). */
  cwd(): string {
    return this.link('cwd');
  }

  /** Target of `/proc/<pid>/root` (the root directory, as set by chroot). */
  rootDir(): string {
    return this.link('root');
  }

  /** Target of `/proc/<pid>/exe` (the executable; may end in ` (deleted)`). */
  executable(): string {
    return this.link('exe');
  }

  /** `/proc/<pid>/wchan`: kernel function the task sleeps in; empty string when running (the file says `0`). */
  wchan(): string {
    const t = this.readRecord('wchan').trim();
    return t === '0' ? '' : t;
  }

  /** Open descriptor numbers (entries of `/proc/<pid>/fd`), sorted. */
  fileDescriptors(): number[] {
    return this.list('fd')
      .map(Number)
      .filter((n) => Number.isInteger(n))
      .sort((a, b) => a - b);
  }

  /** Targets of every open descriptor (`/dev/null`, `socket:[123]`, `pipe:[…]`); descriptors closed meanwhile are skipped. */
  fileDescriptorTargets(): string[] {
    const out: string[] = [];
    for (const fd of this.fileDescriptors()) {
      try {
        out.push(readlinkSync(this.path(`fd/${fd}`)));
      } catch (err) {
        if (errnoNameOf(err) === 'ENOENT') continue;
        this.fail(err, `fd/${fd}`);
      }
    }
    return out;
  }

  /**
   * Number of open descriptors: on Linux ≥ 6.2 the `st_size` of
   * `/proc/<pid>/fd` (no readdir); otherwise (or on a fixture tree) the number
   * of entries.
   */
  fileDescriptorsLen(): number {
    if (fdSizeCounts(this.fs)) {
      try {
        return statSync(this.path('fd')).size;
      } catch (err) {
        this.fail(err, 'fd');
      }
    }
    return this.fileDescriptors().length;
  }

  /** `/proc/<pid>/fdinfo/<fd>` (Go procfs `Proc.FDInfo`). */
  fdInfo(fd: number | string): ProcFDInfo {
    const n = Number(fd);
    if (!Number.isInteger(n) || n < 0) throw new NotFoundError(this.path(`fdinfo/${fd}`), `bad descriptor ${fd}`);
    return parseProcFDInfo(this.readText(`fdinfo/${n}`), n, this.path(`fdinfo/${n}`));
  }

  /** fdinfo of every open descriptor; descriptors closed meanwhile are skipped (Go procfs `FileDescriptorsInfo`). */
  fileDescriptorsInfo(): ProcFDInfo[] {
    const out: ProcFDInfo[] = [];
    for (const fd of this.fileDescriptors()) {
      try {
        out.push(this.fdInfo(fd));
      } catch (err) {
        if (err instanceof NotFoundError && !(err instanceof ProcessGoneError)) continue;
        throw err;
      }
    }
    return out;
  }

  /** `/proc/<pid>/io`. Another user's needs root or CAP_SYS_PTRACE. */
  io(): ProcIO {
    return parseProcIO(this.readRecord('io'), this.path('io'));
  }

  /** `/proc/<pid>/limits`: soft and hard limits. */
  limits(): ProcLimits {
    return parseProcLimits(this.readRecord('limits'), this.path('limits'));
  }

  /** `/proc/<pid>/mountinfo`: mounts of the process's mount namespace. */
  mountInfo(): MountInfo[] {
    return parseMountInfo(this.readText('mountinfo'), this.path('mountinfo'));
  }

  /** `/proc/<pid>/mountstats` (NFS statistics included). Another user's needs root or CAP_SYS_PTRACE. */
  mountStats(): Mount[] {
    return parseMountStats(this.readText('mountstats'), this.path('mountstats'));
  }

  /** `/proc/<pid>/ns/*`: namespace types and inodes. */
  namespaces(): Namespaces {
    const out: Namespaces = {};
    for (const name of this.list('ns').sort()) {
      const target = this.link(`ns/${name}`);
      const m = /^([\w]+):\[(\d+)\]$/.exec(target);
      if (!m) procFail({ file: this.path(`ns/${name}`), text: target }, 'expected "type:[inode]"');
      out[name] = { type: m[1]!, inode: Number(m[2]) };
    }
    return out;
  }

  /** `/proc/<pid>/net/dev`: interface counters of the process's network namespace. */
  netDev(): NetDev {
    return parseNetDev(this.readText('net/dev'), this.path('net/dev'));
  }

  /** `/proc/<pid>/maps`: memory mappings. */
  procMaps(): ProcMap[] {
    return parseProcMaps(this.readText('maps'), this.path('maps'));
  }

  /** `/proc/<pid>/smaps_rollup` (falls back to summing `smaps` on kernels before 4.15). */
  procSMapsRollup(): ProcSMapsRollup {
    let text: string;
    let file = 'smaps_rollup';
    try {
      text = this.readText(file);
    } catch (err) {
      if (!(err instanceof NotFoundError) || err instanceof ProcessGoneError) throw err;
      file = 'smaps';
      text = this.readText(file);
    }
    return parseProcSMapsRollup(text, this.path(file));
  }

  /** `/proc/<pid>/schedstat`: ns on CPU, ns waiting, timeslices. */
  schedstat(): ProcPidSchedstat {
    return parseProcPidSchedstat(this.readRecord('schedstat'), this.path('schedstat'));
  }

  /** `/proc/<pid>/cgroup`: the process's place in each cgroup hierarchy. */
  cgroups(): Cgroup[] {
    return parseProcCgroups(this.readRecord('cgroup'), this.path('cgroup'));
  }

  /**
   * Resource statistics of the process's cgroups: v2 (`cpu.stat`, `memory.*`,
   * `io.stat`, `pids.*`) and mounted v1 controllers (memory, cpuacct, cpu,
   * pids). Mount points come from this process's `mountinfo`; `mountPrefix`
   * is prepended to them (for fixture trees).
   */
  cgroupStats(options: { mountPrefix?: string } = {}): ProcCgroupStats {
    return readCgroupStats(this.cgroups(), this.mountInfo(), options.mountPrefix ?? '/');
  }

  /** `/proc/<pid>/oom_score`: the OOM killer's badness score (0–2000). */
  oomScore(): number {
    return parseProcInteger(this.readRecord('oom_score'), this.path('oom_score'));
  }

  /** `/proc/<pid>/oom_score_adj`: adjustment, -1000 … 1000. */
  oomScoreAdj(): number {
    return parseProcInteger(this.readRecord('oom_score_adj'), this.path('oom_score_adj'));
  }

  /** Threads of the process (`/proc/<pid>/task/*`), each with the full per-process API, sorted by thread ID. */
  threads(): Proc[] {
    return this.list('task')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0)
      .sort((a, b) => a - b)
      .map((tid) => new Proc(this.fs, tid, this.path(`task/${tid}`)));
  }

  /** One thread (`/proc/<pid>/task/<tid>`). @throws {NotFoundError} when the thread does not exist. */
  thread(tid: number): Proc {
    const dir = this.path(`task/${tid}`);
    try {
      statSync(dir);
    } catch (err) {
      this.fail(err, `task/${tid}`);
    }
    return new Proc(this.fs, tid, dir);
  }
}

/** Whether `pid` is a positive safe integer (a possible process ID). */
export function validPid(pid: unknown): pid is number {
  return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0;
}

/** A process of `fs` after checking its directory exists (Go procfs `FS.Proc`). */
export function procOf(fs: ProcFS, pid: number): Proc {
  if (!validPid(pid)) throw new NotFoundError(fs.path(String(pid)), `not a process ID: ${String(pid)}`);
  const dir = fs.path(pid);
  try {
    statSync(dir);
  } catch (err) {
    throwErrnoError(err, dir, { notFoundMessage: `no process ${pid} (${dir} does not exist)` });
  }
  return new Proc(fs, pid, dir);
}

/** The reading process (`<mount>/self`, a symlink to its PID). */
export function selfOf(fs: ProcFS): Proc {
  let target: string;
  try {
    target = readlinkSync(fs.path('self'));
  } catch (err) {
    throwErrnoError(err, fs.path('self'), { notFoundMessage: `${fs.path('self')} does not exist` });
  }
  const pid = Number(target.split('/').pop());
  if (!validPid(pid)) throw new NotFoundError(fs.path('self'), `${fs.path('self')} points to ${target}, not a PID`);
  return procOf(fs, pid);
}

/** PIDs of every process (numeric entries of the mount point), sorted. */
export function listPids(fs: ProcFS): number[] {
  let names: string[];
  try {
    names = readdirSync(fs.mountPoint);
  } catch (err) {
    throwErrnoError(err, fs.mountPoint, {
      action: 'listing',
      notFoundMessage: `${fs.mountPoint} does not exist (is procfs mounted?)`,
    });
  }
  const out: number[] = [];
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(n);
    if (validPid(pid)) out.push(pid);
  }
  return out.sort((a, b) => a - b);
}

/** Every process of `fs` (Go procfs `FS.AllProcs`). */
export function allProcsOf(fs: ProcFS): Procs {
  return listPids(fs).map((pid) => new Proc(fs, pid));
}
