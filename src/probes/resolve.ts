/**
 * Thread id → process id and command name, for probe events. Reads
 * `/proc/<tid>/status` (`Tgid:`, `Name:`) once per thread and caches it;
 * when the thread is already gone, falls back to tracefs' `saved_cmdlines`
 * (the kernel's record of recent command names; the pid stays unknown).
 * `sched_process_exit` / `sched_process_exec` events invalidate entries.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Who a thread belongs to. */
export interface TaskIdentity {
  /** Thread group id (the process id), from `/proc/<tid>/status` `Tgid:`; undefined when it could not be read. */
  pid: number | undefined;
  /** `Name:` (the kernel's `comm`, at most 15 bytes). */
  comm: string | undefined;
}

interface Entry extends TaskIdentity {
  /** Time (trace clock ns) the thread exited; events after it belong to a reused tid. */
  exitedAtNs: number;
}

/** Caches tid → {pid, comm}. */
export class TaskResolver {
  private readonly cache = new Map<number, Entry>();
  private readonly saved = new Map<string, { at: number; map: Map<number, string> }>();
  private readonly procRoot: string;
  private readonly tracefsRoot: string | undefined;

  constructor(options: { procRoot?: string; tracefsRoot?: string } = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.tracefsRoot = options.tracefsRoot;
  }

  /** Identity of thread `tid` as of time `tsNs`. */
  resolve(tid: number, tsNs: number): TaskIdentity {
    const hit = this.cache.get(tid);
    if (hit && tsNs <= hit.exitedAtNs) return hit;
    const e = this.read(tid);
    this.cache.set(tid, e);
    if (this.cache.size > 65536) this.cache.clear();
    return e;
  }

  /** Time until which the cached identity of `tid` holds (its exit time, or +∞). */
  validUntil(tid: number): number {
    return this.cache.get(tid)?.exitedAtNs ?? 0;
  }

  /** The thread exited at `tsNs` (from `sched_process_exit`). */
  exited(tid: number, tsNs: number): void {
    const hit = this.cache.get(tid);
    if (hit) hit.exitedAtNs = tsNs;
  }

  /** The thread called exec (from `sched_process_exec`): its comm changed. */
  execed(tid: number, comm: string | undefined): void {
    const hit = this.cache.get(tid);
    if (hit && comm !== undefined) hit.comm = comm;
    else this.cache.delete(tid);
  }

  private read(tid: number): Entry {
    try {
      const text = readFileSync(join(this.procRoot, String(tid), 'status'), 'utf8');
      const name = /^Name:\t(.*)$/m.exec(text)?.[1];
      const tgid = /^Tgid:\t(\d+)$/m.exec(text)?.[1];
      return {
        pid: tgid === undefined ? undefined : Number(tgid),
        comm: name?.replace(/\\n/g, '\n').replace(/\\\\/g, '\\'),
        exitedAtNs: Number.POSITIVE_INFINITY,
      };
    } catch {
      return {
        pid: this.fromSaved('saved_tgids', tid, Number),
        comm: this.fromSaved('saved_cmdlines', tid, String),
        exitedAtNs: Number.POSITIVE_INFINITY,
      };
    }
  }

  /**
   * Look `tid` up in tracefs `saved_cmdlines` ("tid comm") or `saved_tgids`
   * ("tid tgid", filled while an instance has `options/record-tgid`). Re-read
   * at most every 200 ms.
   */
  private fromSaved<T>(file: 'saved_cmdlines' | 'saved_tgids', tid: number, conv: (s: string) => T): T | undefined {
    if (!this.tracefsRoot) return undefined;
    const now = Date.now();
    let m = this.saved.get(file);
    if (!m || (!m.map.has(tid) && now - m.at > 200)) {
      m = { at: now, map: new Map() };
      this.saved.set(file, m);
      try {
        const text = readFileSync(join(this.tracefsRoot, file), 'utf8');
        for (const line of text.split('\n')) {
          const sp = line.indexOf(' ');
          if (sp > 0) m.map.set(Number(line.slice(0, sp)), line.slice(sp + 1));
        }
      } catch {
        // not readable
      }
    }
    const v = m.map.get(tid);
    return v === undefined ? undefined : conv(v);
  }
}
