/**
 * `ProcessSampler`: CPU % and resident memory of many processes at once (what
 * the `pidusage` package does, faster). One descriptor per process on
 * `/proc/<pid>/stat` is kept open and re-read with `pread` at offset 0 into a
 * shared buffer; only the needed fields are decoded.
 *
 * CPU % = Δ(utime + stime) / clock ticks per second / Δ wall-clock seconds × 100,
 * between two samples of the same process (100 % = one CPU fully busy). On the
 * first sample of a process it is the average since the process started
 * (CPU time / (uptime − starttime)), as pidusage reports.
 *
 * A kept descriptor stays bound to the process it was opened for: when that
 * process exits, reads fail with ESRCH even if its PID is reused, so a reused
 * PID is never mixed up with the old process.
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { errnoNameOf, throwErrnoError } from '../errors.js';
import { type KernelUnits, readKernelUnits } from './auxv.js';
import type { ProcFS } from './fs.js';
import { procFail } from './proc_util.js';

/** Field indexes (after the command name) the sampler decodes. */
const WANTED: readonly boolean[] = Array.from({ length: 22 }, (_, i) => [1, 11, 12, 17, 19, 21].includes(i));

/** One process's figures from a {@link ProcessSampler.sample}. */
export interface ProcessUsage {
  /** Process ID. */
  pid: number;
  /** Parent PID (`/proc/<pid>/stat` field 4). */
  ppid: number;
  /** Command name (field 2). */
  comm: string;
  /** State letter (field 3). */
  state: string;
  /** CPU use in percent of one CPU over the interval since the previous sample (or since start, see module doc). */
  cpuPercent: number;
  /** Total CPU time, user + system, seconds (fields 14 + 15 / AT_CLKTCK). */
  cpuTimeSeconds: number;
  /** Resident set size, bytes (field 24 × AT_PAGESZ). */
  rssBytes: number;
  /** Number of threads (field 20). */
  numThreads: number;
  /** Seconds since the process started (uptime − field 22 / AT_CLKTCK). */
  elapsedSeconds: number;
  /** Wall-clock time of the sample (when this `sample()` call started), ms since the epoch. */
  timestampMs: number;
}

interface Entry {
  fd: number;
  ticks: number;
  /** performance.now() of the previous read, ms. */
  atMs: number;
  starttime: number;
}

/** Options of {@link ProcessSampler}. */
export interface ProcessSamplerOptions {
  /** Maximum descriptors kept open (default 4096); PIDs beyond it are opened and closed per sample. */
  maxOpenFds?: number;
}

/** Samples CPU % and RSS of many PIDs with kept-open descriptors. Call {@link close} when done. */
export class ProcessSampler {
  readonly fs: ProcFS;
  private readonly units: KernelUnits;
  private readonly maxOpenFds: number;
  private readonly entries = new Map<number, Entry>();
  private readonly buf = Buffer.allocUnsafe(4096);
  private readonly fields = new Float64Array(22);
  private readonly uptimeBuf = Buffer.allocUnsafe(128);
  private uptimeFd = -1;

  constructor(fs: ProcFS, options: ProcessSamplerOptions = {}) {
    this.fs = fs;
    this.units = readKernelUnits(fs);
    this.maxOpenFds = options.maxOpenFds ?? 4096;
  }

  /** System uptime in seconds (first number of `/proc/uptime`), read with a kept descriptor. */
  private uptimeSeconds(): number {
    if (this.uptimeFd < 0) this.uptimeFd = openSync(this.fs.path('uptime'), 'r');
    const n = readSync(this.uptimeFd, this.uptimeBuf, 0, this.uptimeBuf.length, 0);
    const s = this.uptimeBuf.toString('latin1', 0, n);
    const v = Number(s.slice(0, s.indexOf(' ')));
    if (!Number.isFinite(v)) procFail({ file: this.fs.path('uptime'), text: s }, 'expected "<uptime> <idle>"');
    return v;
  }

  /** Read `/proc/<pid>/stat` into the buffer; returns the byte count, or -1 when the process is gone. */
  private read(pid: number, entry: Entry | undefined): { n: number; fd: number } | undefined {
    let fd = entry?.fd ?? -1;
    try {
      if (fd < 0) fd = openSync(join(this.fs.mountPoint, String(pid), 'stat'), 'r');
      const n = readSync(fd, this.buf, 0, this.buf.length, 0);
      return { n, fd };
    } catch (err) {
      if (fd >= 0)
        try {
          closeSync(fd);
        } catch {}
      if (entry) this.entries.delete(pid);
      const code = errnoNameOf(err);
      if (code === 'ENOENT' || code === 'ESRCH') return undefined;
      throwErrnoError(err, join(this.fs.mountPoint, String(pid), 'stat'), { pid });
    }
  }

  /**
   * Sample `pids`. Returns a map PID → usage; PIDs that do not exist (or
   * exited) are absent. Descriptors of PIDs not in this call stay open until
   * {@link forget} or {@link close}.
   */
  sample(pids: Iterable<number>): Map<number, ProcessUsage> {
    const out = new Map<number, ProcessUsage>();
    const tck = this.units.clockTicksPerSecond;
    let uptime: number | undefined;
    const wallMs = Date.now();
    for (const pid of pids) {
      if (out.has(pid)) continue;
      const prev = this.entries.get(pid);
      const r = this.read(pid, prev);
      if (!r) continue;
      const nowMs = performance.now();
      const buf = this.buf;
      const close = buf.lastIndexOf(0x29, r.n - 1);
      const open = buf.indexOf(0x28);
      if (close < 0 || open < 0 || close < open) {
        if (!prev) closeSync(r.fd);
        procFail({ file: join(this.fs.mountPoint, String(pid), 'stat') }, 'no "(comm)" field');
      }
      // fields after ")": 0 state, 1 ppid, 11 utime, 12 stime, 17 num_threads, 19 starttime, 21 rss —
      // decoded straight from the bytes (no string, no split)
      const v = this.fields;
      v.fill(Number.NaN);
      let k = 0;
      let i = close + 2;
      const state = String.fromCharCode(buf[i]!);
      while (i < r.n && k < 22) {
        if (buf[i] === 0x20) {
          k++;
          i++;
          if (WANTED[k]) {
            let n = 0;
            let digits = 0;
            let neg = false;
            if (buf[i] === 0x2d) {
              neg = true;
              i++;
            }
            for (; i < r.n; i++, digits++) {
              const d = buf[i]! - 0x30;
              if (d < 0 || d > 9) break;
              n = n * 10 + d;
            }
            if (digits > 0) v[k] = neg ? -n : n;
          }
          continue;
        }
        i++;
      }
      const utime = v[11]!;
      const stime = v[12]!;
      const starttime = v[19]!;
      const rss = v[21]!;
      const ticks = utime + stime;
      if (!Number.isFinite(ticks + rss + starttime + v[1]! + v[17]!) || state === ' ') {
        if (!prev) closeSync(r.fd);
        procFail(
          { file: join(this.fs.mountPoint, String(pid), 'stat'), text: buf.toString('latin1', 0, Math.min(r.n, 200)) },
          'truncated or malformed stat line',
        );
      }
      let cpuPercent: number;
      uptime ??= this.uptimeSeconds();
      const elapsed = Math.max(0, uptime - starttime / tck);
      if (prev && prev.starttime === starttime) {
        const dt = (nowMs - prev.atMs) / 1000;
        cpuPercent = dt > 0 ? ((ticks - prev.ticks) / tck / dt) * 100 : 0;
      } else {
        cpuPercent = elapsed > 0 ? (ticks / tck / elapsed) * 100 : 0;
      }
      if (prev) {
        prev.ticks = ticks;
        prev.atMs = nowMs;
        prev.starttime = starttime;
      } else if (this.entries.size < this.maxOpenFds) {
        this.entries.set(pid, { fd: r.fd, ticks, atMs: nowMs, starttime });
      } else {
        closeSync(r.fd);
      }
      out.set(pid, {
        pid,
        ppid: v[1]!,
        comm: buf.toString('utf8', open + 1, close),
        state,
        cpuPercent: Math.max(0, cpuPercent),
        cpuTimeSeconds: ticks / tck,
        rssBytes: rss * this.units.pageSizeBytes,
        numThreads: v[17]!,
        elapsedSeconds: elapsed,
        timestampMs: wallMs,
      });
    }
    return out;
  }

  /** Close the descriptor of `pid` and forget its previous sample. */
  forget(pid: number): void {
    const e = this.entries.get(pid);
    if (!e) return;
    try {
      closeSync(e.fd);
    } catch {}
    this.entries.delete(pid);
  }

  /** Number of descriptors kept open. */
  get openDescriptors(): number {
    return this.entries.size + (this.uptimeFd >= 0 ? 1 : 0);
  }

  /** Close every descriptor. The sampler can be used again (it starts over). */
  close(): void {
    for (const pid of [...this.entries.keys()]) this.forget(pid);
    if (this.uptimeFd >= 0) {
      try {
        closeSync(this.uptimeFd);
      } catch {}
      this.uptimeFd = -1;
    }
  }
}
