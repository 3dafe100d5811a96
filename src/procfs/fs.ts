/**
 * `ProcFS`: typed access to a procfs mount (default `/proc`). Every reader
 * takes its paths from the mount point, so it runs unchanged on a fixture tree.
 *
 * Files are read whole in one go (procfs `stat` sizes are 0 or lies, and a
 * size cap would silently truncate large files). Errors are typed:
 * ENOENT → {@link NotFoundError}, EACCES/EPERM → {@link PermissionError}.
 * @module
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, PermissionError } from '../errors.js';
import { type NetDev, parseNetDev } from './net_dev.js';
import { allProcsOf, listPids, type Proc, type Procs, procOf, selfOf } from './proc.js';
import { type ProcessesOptions, ProcessScanner, type ProcessSnapshot, scanProcesses } from './scan.js';

/** Map a filesystem error on `path` to raingauge's typed errors (others are rethrown). */
export function mapFsError(err: unknown, path: string): never {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ESRCH') throw new NotFoundError(path, undefined, { cause: err });
  if (code === 'EACCES' || code === 'EPERM') {
    throw new PermissionError(
      `permission denied reading ${path} (run as root or with CAP_SYS_PTRACE / CAP_DAC_READ_SEARCH)`,
      {
        path,
        cause: err,
      },
    );
  }
  throw err;
}

/** A procfs mount point. */
export class ProcFS {
  /** The mount point, e.g. `/proc` or a fixture directory. */
  readonly mountPoint: string;

  constructor(mountPoint = '/proc') {
    this.mountPoint = mountPoint;
  }

  /** Absolute path of a file below the mount point. */
  path(...parts: (string | number)[]): string {
    return join(this.mountPoint, ...parts.map(String));
  }

  /** Read a file below the mount point whole, as UTF-8 text (synchronously). */
  readText(...parts: (string | number)[]): string {
    const p = this.path(...parts);
    try {
      return readFileSync(p, 'utf8');
    } catch (err) {
      mapFsError(err, p);
    }
  }

  /** Read a file below the mount point whole, as bytes (synchronously). */
  readBytes(...parts: (string | number)[]): Buffer {
    const p = this.path(...parts);
    try {
      return readFileSync(p);
    } catch (err) {
      mapFsError(err, p);
    }
  }

  /** Read a file below the mount point whole, as UTF-8 text. */
  async readTextAsync(...parts: (string | number)[]): Promise<string> {
    const p = this.path(...parts);
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      mapFsError(err, p);
    }
  }

  // --- per-process API (owned by the procfs-process helper) ---

  /** Every process, sorted by PID (seed `FS.AllProcs`). */
  allProcs(): Procs {
    return allProcsOf(this);
  }

  /** PIDs of every process (numeric entries of the mount point), sorted. */
  pids(): number[] {
    return listPids(this);
  }

  /** Process `pid` (seed `FS.Proc`). @throws {NotFoundError} when `<mount>/<pid>` does not exist. */
  proc(pid: number): Proc {
    return procOf(this, pid);
  }

  /** The reading process, via `<mount>/self` (seed `FS.Self`). */
  self(): Proc {
    return selfOf(this);
  }

  /**
   * Read the chosen files of every process in one pass (e.g.
   * `{ fields: ['stat', 'status', 'cmdline'] }`). Processes that exit mid-scan
   * are dropped; per-field errors are recorded on the process. Synchronous.
   */
  processes(options: ProcessesOptions = {}): ProcessSnapshot[] {
    return scanProcesses(this, options);
  }

  /** A reusable {@link ProcessScanner} (optionally keeping descriptors open between scans). */
  processScanner(options: ProcessesOptions = {}): ProcessScanner {
    return new ProcessScanner(this, options);
  }

  // --- system-wide files (owned by the procfs-system helper) ---

  /** `/proc/net/dev`: per-interface counters of this process's network namespace (seed: `FS.NetDev`). */
  netDev(): NetDev {
    return parseNetDev(this.readText('net/dev'), this.path('net/dev'));
  }
}
