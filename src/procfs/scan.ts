/**
 * Bulk process scanning: read chosen `/proc/<pid>/…` files of every process
 * in one pass, fast. Files are read with `openSync`/`readSync` into one reused
 * buffer (grown when a file does not fit) and only the requested fields are
 * parsed. A {@link ProcessScanner} can keep descriptors open between scans
 * and re-read them with `pread` at offset 0 (one system call per file).
 *
 * Semantics: a process that exits mid-scan (ENOENT/ESRCH) is dropped, not an
 * error; a permission error, a missing file or a parse error is recorded on
 * the field in `errors`, never on the whole scan; no PID appears twice.
 * The scan is synchronous; {@link ProcessScanner.scanAsync} yields to the event
 * loop between slices of processes.
 * @module
 */
import { closeSync, constants, existsSync, openSync, readlinkSync, statSync } from 'node:fs';
import { errnoNameOf, ProcessGoneError, RaingaugeError } from '../errors.js';
import { type Cgroup, parseProcCgroups } from './cgroup.js';
import type { ProcFS } from './fs.js';
import { listPids } from './proc.js';
import { type ProcIO, type ProcPidSchedstat, parseProcInteger, parseProcIO, parseProcPidSchedstat } from './proc_io.js';
import { type ProcLimits, parseProcLimits } from './proc_limits.js';
import { type ProcStat, type ProcStatm, parseProcStat, parseProcStatm } from './proc_stat.js';
import { type ProcStatus, parseProcStatus } from './proc_status.js';
import { chompNewline, mapProcError, splitNul } from './proc_util.js';
import { readFdIntoShared, sharedText } from './read.js';

/** What a scan can read for each process. */
export interface ProcessSnapshotFields {
  /** `/proc/<pid>/stat`. */
  stat: ProcStat;
  /** `/proc/<pid>/status`. */
  status: ProcStatus;
  /** `/proc/<pid>/cmdline`, split at NUL. */
  cmdline: string[];
  /** `/proc/<pid>/comm` without the newline. */
  comm: string;
  /** `/proc/<pid>/io` (root or CAP_SYS_PTRACE for other users). */
  io: ProcIO;
  /** `/proc/<pid>/statm`. */
  statm: ProcStatm;
  /** `/proc/<pid>/schedstat`. */
  schedstat: ProcPidSchedstat;
  /** `/proc/<pid>/environ` (root or CAP_SYS_PTRACE for other users). */
  environ: string[];
  /** `/proc/<pid>/limits`. */
  limits: ProcLimits;
  /** `/proc/<pid>/cgroup`. */
  cgroup: Cgroup[];
  /** `/proc/<pid>/wchan` ('' when running). */
  wchan: string;
  /** `/proc/<pid>/oom_score`. */
  oomScore: number;
  /** Open descriptors: `st_size` of `/proc/<pid>/fd` on Linux ≥ 6.2 (root or CAP_SYS_PTRACE for other users). */
  fdCount: number;
  /** Target of `/proc/<pid>/exe`. */
  exe: string;
  /** Target of `/proc/<pid>/cwd`. */
  cwd: string;
}

/** A field name accepted by `fields`. */
export type ProcessField = keyof ProcessSnapshotFields;

/** Every field a scan can read. */
export const PROCESS_FIELDS: readonly ProcessField[] = [
  'stat',
  'status',
  'cmdline',
  'comm',
  'io',
  'statm',
  'schedstat',
  'environ',
  'limits',
  'cgroup',
  'wchan',
  'oomScore',
  'fdCount',
  'exe',
  'cwd',
];

/** One process of a scan: the requested fields that could be read, and an error per field that could not. */
export type ProcessSnapshot = { pid: number } & Partial<ProcessSnapshotFields> & {
    /** Per-field errors (PermissionError, NotFoundError for a file this process lacks, ParseError). */
    errors?: Partial<Record<ProcessField, RaingaugeError>>;
  };

/** Options of {@link ProcessScanner} and `fs.processes()`. */
export interface ProcessesOptions {
  /** Files to read per process (default `['stat']`). */
  fields?: readonly ProcessField[];
  /** Only these PIDs (default: every PID listed in the mount point). */
  pids?: readonly number[];
  /**
   * Keep descriptors of text files open between scans and re-read them with
   * `pread` (only useful for repeated scans with the same scanner). Default false.
   */
  keepOpen?: boolean;
  /** Maximum descriptors kept open (default 2048); beyond it files are opened per read. */
  maxOpenFds?: number;
}

type TextField = Exclude<ProcessField, 'fdCount' | 'exe' | 'cwd'>;
const FILE: Record<TextField, string> = {
  stat: 'stat',
  status: 'status',
  cmdline: 'cmdline',
  comm: 'comm',
  io: 'io',
  statm: 'statm',
  schedstat: 'schedstat',
  environ: 'environ',
  limits: 'limits',
  cgroup: 'cgroup',
  wchan: 'wchan',
  oomScore: 'oom_score',
};
const PARSE: Record<TextField, (text: string, file: string) => unknown> = {
  stat: parseProcStat,
  status: parseProcStatus,
  cmdline: (t) => splitNul(t),
  comm: chompNewline,
  io: parseProcIO,
  statm: parseProcStatm,
  schedstat: parseProcPidSchedstat,
  environ: (t) => splitNul(t),
  limits: parseProcLimits,
  cgroup: parseProcCgroups,
  wchan: (t) => {
    const s = t.trim();
    return s === '0' ? '' : s;
  },
  oomScore: parseProcInteger,
};

class Gone extends Error {}

const O_RDONLY = constants.O_RDONLY;

/**
 * A reusable scanner: `scan()` returns a snapshot of every process (or of
 * `pids`). Create one per caller; it owns one read buffer and, with
 * `keepOpen`, the descriptors it keeps (release them with {@link close}).
 */
export class ProcessScanner {
  readonly fs: ProcFS;
  readonly fields: readonly ProcessField[];
  private readonly pids: readonly number[] | undefined;
  private readonly keepOpen: boolean;
  private readonly maxOpenFds: number;
  /** The mount point with a trailing slash. */
  private readonly base: string;
  /** `pid` → (file → fd) of kept-open descriptors. */
  private open = new Map<number, Map<string, number>>();
  private openCount = 0;

  constructor(fs: ProcFS, options: ProcessesOptions = {}) {
    this.fs = fs;
    this.base = fs.mountPoint.endsWith('/') ? fs.mountPoint : `${fs.mountPoint}/`;
    const fields = options.fields ?? ['stat'];
    for (const f of fields) {
      if (!PROCESS_FIELDS.includes(f)) {
        throw new RaingaugeError(`unknown process field ${JSON.stringify(f)}; known: ${PROCESS_FIELDS.join(', ')}`);
      }
    }
    this.fields = [...new Set(fields)];
    this.pids = options.pids;
    this.keepOpen = options.keepOpen ?? false;
    this.maxOpenFds = options.maxOpenFds ?? 2048;
  }

  /** Read a whole file into the shared buffer; returns its text. Throws Gone when the process exited. */
  private readFile(pid: number, file: string, path: string): string {
    let fd = this.keepOpen ? this.open.get(pid)?.get(file) : undefined;
    const kept = fd !== undefined;
    try {
      if (fd === undefined) fd = openSync(path, O_RDONLY);
      // Every file a scan reads is a single-record seq_file (stat, status, io, limits…) or has its own
      // read (cmdline, environ): a short read is the end of the file (see readFdIntoShared).
      const n = readFdIntoShared(fd, kept || this.keepOpen, true);
      const text = sharedText(n);
      if (!kept) {
        if (this.keepOpen && this.openCount < this.maxOpenFds) {
          let m = this.open.get(pid);
          if (!m) {
            m = new Map();
            this.open.set(pid, m);
          }
          m.set(file, fd);
          this.openCount++;
        } else closeSync(fd);
      }
      return text;
    } catch (err) {
      if (fd !== undefined) {
        if (kept) this.forget(pid);
        else
          try {
            closeSync(fd);
          } catch {}
      }
      return this.fileError(err, pid, path);
    }
  }

  /** Gone when the process exited and was reaped; a typed per-field error otherwise (a zombie's environ: ProcessExitedError). */
  private fileError(err: unknown, pid: number, path: string): never {
    const code = errnoNameOf(err);
    if ((code === 'ENOENT' || code === 'ESRCH') && !existsSync(`${this.base}${pid}`)) throw new Gone();
    mapProcError(err, pid, `${this.base}${pid}`, path);
  }

  private forget(pid: number): void {
    const m = this.open.get(pid);
    if (!m) return;
    for (const fd of m.values()) {
      try {
        closeSync(fd);
      } catch {}
      this.openCount--;
    }
    this.open.delete(pid);
  }

  private readField(pid: number, f: ProcessField): unknown {
    if (f === 'fdCount') {
      const p = `${this.base}${pid}/fd`;
      try {
        return statSync(p).size;
      } catch (err) {
        return this.fileError(err, pid, p);
      }
    }
    if (f === 'exe' || f === 'cwd') {
      const p = `${this.base}${pid}/${f}`;
      try {
        return readlinkSync(p);
      } catch (err) {
        return this.fileError(err, pid, p);
      }
    }
    const file = FILE[f];
    const path = `${this.base}${pid}/${file}`;
    return PARSE[f](this.readFile(pid, file, path), path);
  }

  /** Snapshot one process; undefined when it exited. */
  scanOne(pid: number): ProcessSnapshot | undefined {
    const snap: ProcessSnapshot = { pid };
    const w = snap as Record<string, unknown>;
    for (const f of this.fields) {
      try {
        w[f] = this.readField(pid, f);
      } catch (err) {
        if (err instanceof Gone) {
          this.forget(pid);
          return undefined;
        }
        if (!(err instanceof RaingaugeError)) throw err;
        if (err instanceof ProcessGoneError) {
          this.forget(pid);
          return undefined;
        }
        snap.errors ??= {};
        snap.errors[f] = err;
      }
    }
    return snap;
  }

  /** The pids to scan, each once, ascending (the `pids` option, or every process of the mount). */
  private pidList(): Set<number> {
    return new Set(this.pids ? [...this.pids].sort((a, b) => a - b) : listPids(this.fs));
  }

  /** Forget the kept-open descriptors of processes not in this scan's list. */
  private sweep(scanned: Set<number>): void {
    if (!this.keepOpen) return;
    for (const pid of [...this.open.keys()]) if (!scanned.has(pid)) this.forget(pid);
  }

  /** Snapshot every process (synchronous; about 10–30 µs per process for stat+status+cmdline). */
  scan(): ProcessSnapshot[] {
    const out: ProcessSnapshot[] = [];
    const pids = this.pidList();
    for (const pid of pids) {
      const s = this.scanOne(pid);
      if (s) out.push(s);
    }
    this.sweep(pids);
    return out;
  }

  /** Like {@link scan}, yielding to the event loop after every `sliceSize` processes (default 64). */
  async scanAsync(sliceSize = 64): Promise<ProcessSnapshot[]> {
    const out: ProcessSnapshot[] = [];
    const pids = this.pidList();
    let i = 0;
    for (const pid of pids) {
      if (i > 0 && i % sliceSize === 0) await new Promise((r) => setImmediate(r));
      i++;
      const s = this.scanOne(pid);
      if (s) out.push(s);
    }
    this.sweep(pids);
    return out;
  }

  /** Number of descriptors currently kept open. */
  get openDescriptors(): number {
    return this.openCount;
  }

  /** Close every kept-open descriptor. The scanner stays usable. */
  close(): void {
    for (const pid of [...this.open.keys()]) this.forget(pid);
  }
}

/** One-shot scan of `fs` (what `fs.processes()` calls). */
export function scanProcesses(fs: ProcFS, options: ProcessesOptions = {}): ProcessSnapshot[] {
  const s = new ProcessScanner(fs, { ...options, keepOpen: false });
  return s.scan();
}
