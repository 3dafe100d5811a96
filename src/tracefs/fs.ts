/**
 * tracefs: finding (and mounting) it, reading event formats, and private
 * trace instances (`instances/raingauge-<pid>-<n>`) with a dead-man switch.
 * @module
 */
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, PermissionError, RaingaugeError } from '../errors.js';
import { close as sysClose, mount as sysMount, read as sysRead } from '../sys/index.js';
import { TraceFilterError, TracefsUnavailableError, TracepointMissingError } from './errors.js';
import { type EventFormat, parseEventFormat } from './format.js';

/** Where tracefs usually lives. */
export const TRACEFS_PATHS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] as const;

/** First kernel version of the tracepoints raingauge uses (for error messages). */
export const TRACEPOINT_SINCE: Readonly<Record<string, string>> = {
  'sock:sock_send_length': '6.3',
  'sock:sock_recv_length': '6.3',
  'sock:inet_sock_set_state': '4.16',
  'sock:sock_rcvqueue_full': '4.15',
  'sock:sock_exceed_buf_limit': '4.15',
  'sock:inet_sk_error_report': '5.13',
  'tcp:tcp_destroy_sock': '4.15',
  'tcp:tcp_retransmit_skb': '4.15',
  'tcp:tcp_send_reset': '4.15',
  'tcp:tcp_receive_reset': '4.15',
  'tcp:tcp_probe': '4.16',
  'skb:kfree_skb': '2.6.32 (drop reason since 5.17)',
  'syscalls:sys_enter_socket': '2.6.37 (CONFIG_FTRACE_SYSCALLS)',
  'syscalls:sys_exit_socket': '2.6.37 (CONFIG_FTRACE_SYSCALLS)',
  'syscalls:sys_enter_close': '2.6.37 (CONFIG_FTRACE_SYSCALLS)',
};

/** Name prefix of raingauge's instances; the full name is `raingauge-<owner pid>-<n>`. */
export const TRACE_INSTANCE_PREFIX = 'raingauge';
const INSTANCE_RE = /^raingauge-(\d+)-(\d+)$/;

function isTracefsRoot(dir: string): boolean {
  return probeTracefsRoot(dir) === 'ok';
}

/** 'ok' when `dir` holds events/ and instances/, 'denied' when it exists but cannot be read. */
function probeTracefsRoot(dir: string): 'ok' | 'absent' | 'denied' {
  try {
    return statSync(join(dir, 'events')).isDirectory() && existsSync(join(dir, 'instances')) ? 'ok' : 'absent';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? 'denied' : 'absent';
  }
}

/** Options of {@link findTracefs}. */
export interface FindTracefsOptions {
  /** Use this directory (a fixture tree or a non-standard mount) instead of searching. */
  root?: string;
  /** Mount tracefs on /sys/kernel/tracing when it is not mounted and we are root (default true). */
  mount?: boolean;
}

/**
 * Locate the tracefs mount: `/sys/kernel/tracing`, then
 * `/sys/kernel/debug/tracing`. When neither has `events/` and the process is
 * root, mount tracefs on `/sys/kernel/tracing` (mount(2), `tracefs`).
 * @throws {PermissionError} when not mounted and not root; {@link TracefsUnavailableError} otherwise.
 */
export function findTracefs(options: FindTracefsOptions = {}): string {
  if (options.root !== undefined) {
    if (!isTracefsRoot(options.root)) {
      throw new TracefsUnavailableError(`${options.root} is not a tracefs mount (no events/ or instances/ in it)`);
    }
    return options.root;
  }
  for (const p of TRACEFS_PATHS) {
    const state = probeTracefsRoot(p);
    if (state === 'ok') return p;
    if (state === 'denied') {
      throw new PermissionError(
        `tracefs at ${p} is not accessible to this user: tracing needs root (or CAP_SYS_ADMIN, or CAP_PERFMON with read/write access to ${p})`,
        { capability: 'CAP_SYS_ADMIN', path: p },
      );
    }
  }
  if (options.mount === false) {
    throw new TracefsUnavailableError(
      'tracefs is not mounted: run `mount -t tracefs nodev /sys/kernel/tracing` as root',
    );
  }
  if (process.getuid?.() !== 0) {
    throw new PermissionError(
      'tracefs is not mounted (or not readable) and only root can mount it: run as root, or have root run `mount -t tracefs nodev /sys/kernel/tracing`',
      { capability: 'CAP_SYS_ADMIN', path: TRACEFS_PATHS[0] },
    );
  }
  try {
    sysMount('nodev', TRACEFS_PATHS[0], 'tracefs');
  } catch (err) {
    if (err instanceof PermissionError) throw err;
    throw new TracefsUnavailableError(
      `tracefs is not mounted and mounting it on ${TRACEFS_PATHS[0]} failed (${(err as Error).message}); the kernel may lack CONFIG_TRACING`,
      { cause: err },
    );
  }
  if (isTracefsRoot(TRACEFS_PATHS[0])) return TRACEFS_PATHS[0];
  throw new TracefsUnavailableError(`mounted tracefs on ${TRACEFS_PATHS[0]} but it has no events/ directory`);
}

function wrapFsError(err: unknown, path: string, what: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new PermissionError(
      `${what}: ${code} on ${path}: tracing needs root (or CAP_SYS_ADMIN and tracefs access)`,
      {
        capability: 'CAP_SYS_ADMIN',
        path,
        cause: err,
      },
    );
  }
  if (code === 'ENOENT') return new NotFoundError(path, `${what}: ${path} does not exist`, { cause: err });
  return new RaingaugeError(`${what}: ${(err as Error).message}`, 'ERR_RAINGAUGE_TRACEFS', { cause: err });
}

/** Split `system:name` (or `system/name`) into its parts. */
export function splitTraceEventName(event: string): [string, string] {
  const m = /^([A-Za-z0-9_]+)[:/]([A-Za-z0-9_]+)$/.exec(event);
  if (!m) {
    throw new RaingaugeError(
      `bad event name ${JSON.stringify(event)}: expected "system:name" like "sched:sched_process_exec"`,
      'ERR_RAINGAUGE_INVALID_ARGUMENT',
    );
  }
  return [m[1]!, m[2]!];
}

/** True when process `pid` exists (signal 0; EPERM means it exists). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A tracefs mount: event formats and instances. */
export class Tracefs {
  /** The mount point (`/sys/kernel/tracing`). */
  readonly root: string;
  private readonly formats = new Map<string, EventFormat>();

  constructor(root: string) {
    this.root = root;
  }

  /** Find (and if needed mount) tracefs; see {@link findTracefs}. */
  static open(options: FindTracefsOptions = {}): Tracefs {
    return new Tracefs(findTracefs(options));
  }

  /** True when `events/<system>/<name>` exists. */
  hasEvent(event: string): boolean {
    const [s, n] = splitTraceEventName(event);
    return existsSync(join(this.root, 'events', s, n, 'format'));
  }

  /**
   * Parse `events/<system>/<name>/format` (cached per Tracefs).
   * @throws {TracepointMissingError} naming the event and the kernel version that added it.
   */
  format(event: string): EventFormat {
    const [s, n] = splitTraceEventName(event);
    const key = `${s}:${n}`;
    const hit = this.formats.get(key);
    if (hit) return hit;
    const path = join(this.root, 'events', s, n, 'format');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new TracepointMissingError(key, TRACEPOINT_SINCE[key]);
      throw wrapFsError(err, path, `reading the format of ${key}`);
    }
    const f = parseEventFormat(text, s, path);
    this.formats.set(key, f);
    return f;
  }

  /**
   * True when the kernel has kprobe-based dynamic events (`kprobe_events`
   * exists; CONFIG_KPROBE_EVENTS). Not the case on every kernel.
   */
  kprobesAvailable(): boolean {
    return existsSync(join(this.root, 'kprobe_events'));
  }

  /** Names under `instances/`. */
  listInstances(): string[] {
    try {
      return readdirSync(join(this.root, 'instances'));
    } catch (err) {
      throw wrapFsError(err, join(this.root, 'instances'), 'listing trace instances');
    }
  }

  /**
   * Remove raingauge instances whose owner process (the pid in the name) no
   * longer exists — left behind by a tracer that was killed with SIGKILL.
   * Returns the names removed.
   */
  removeStaleInstances(): string[] {
    const removed: string[] = [];
    for (const name of this.listInstances()) {
      const m = INSTANCE_RE.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || pidAlive(pid)) continue;
      try {
        rmdirSync(join(this.root, 'instances', name));
        removed.push(name);
      } catch {
        // another process removed it first, or it is busy: leave it
      }
    }
    return removed;
  }

  /** Create a private instance (removing stale ones first); see {@link TraceInstance.create}. */
  createInstance(options: TraceInstanceOptions = {}): TraceInstance {
    return TraceInstance.create(this, options);
  }
}

/** Options of a private trace instance. */
export interface TraceInstanceOptions {
  /** Per-CPU buffer size (`buffer_size_kb`); the kernel default (1410 KiB here) when omitted. */
  bufferSizeKb?: number;
  /** `options/overwrite`: true (kernel default) overwrites the oldest data when full; false drops new events. */
  overwrite?: boolean;
  /** Keep `free_buffer` open with `options/disable_on_free` so tracing stops if this process dies (default true). */
  deadManSwitch?: boolean;
  /** Remove stale raingauge instances before creating this one (default true). */
  removeStale?: boolean;
}

let instanceCounter = 0;
const liveInstances = new Set<TraceInstance>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const i of liveInstances) i.close();
  });
}

/**
 * A private tracefs instance (`instances/raingauge-<pid>-<n>`): its own ring
 * buffers, event enables, filters and `set_event_pid`. Always {@link close}
 * it (it is also removed at process exit; after SIGKILL the dead-man switch
 * stops tracing and the next start removes it).
 */
export class TraceInstance {
  readonly tracefs: Tracefs;
  /** Directory name under `instances/`. */
  readonly name: string;
  /** Full path of the instance directory. */
  readonly path: string;
  private freeBufferFd = -1;
  private readonly openFds = new Set<number>();
  private readonly enabled = new Set<string>();
  private closed = false;

  private constructor(tracefs: Tracefs, name: string) {
    this.tracefs = tracefs;
    this.name = name;
    this.path = join(tracefs.root, 'instances', name);
  }

  /**
   * `mkdir instances/raingauge-<pid>-<n>`, apply the options and arm the
   * dead-man switch.
   * @throws {PermissionError} without root / CAP_SYS_ADMIN.
   */
  static create(tracefs: Tracefs, options: TraceInstanceOptions = {}): TraceInstance {
    if (options.removeStale !== false) tracefs.removeStaleInstances();
    const name = `${TRACE_INSTANCE_PREFIX}-${process.pid}-${instanceCounter++}`;
    const inst = new TraceInstance(tracefs, name);
    try {
      mkdirSync(inst.path); // mkdir(2) under instances/ creates the instance
    } catch (err) {
      throw wrapFsError(err, inst.path, 'creating a trace instance');
    }
    liveInstances.add(inst);
    installExitHook();
    try {
      if (options.bufferSizeKb !== undefined) inst.writeFile('buffer_size_kb', String(Math.ceil(options.bufferSizeKb)));
      if (options.overwrite !== undefined) inst.setOption('overwrite', options.overwrite);
      if (options.deadManSwitch !== false) {
        inst.setOption('disable_on_free', true);
        const p = join(inst.path, 'free_buffer');
        inst.freeBufferFd = openSync(p, constants.O_WRONLY);
      }
    } catch (err) {
      inst.close();
      throw err;
    }
    return inst;
  }

  /** Write `text` to a file of the instance. */
  writeFile(rel: string, text: string): void {
    const p = join(this.path, rel);
    try {
      writeFileSync(p, text);
    } catch (err) {
      throw wrapFsError(err, p, `writing ${JSON.stringify(text)}`);
    }
  }

  /** Read a text file of the instance. */
  readFile(rel: string): string {
    const p = join(this.path, rel);
    try {
      return readFileSync(p, 'utf8');
    } catch (err) {
      throw wrapFsError(err, p, 'reading');
    }
  }

  /** Set `options/<name>` to 1 or 0. */
  setOption(name: string, on: boolean): void {
    this.writeFile(join('options', name), on ? '1' : '0');
  }

  /** `buffer_subbuf_size_kb` × 1024 (the size of one read of `trace_pipe_raw`), else the page size from `events/header_page`. */
  subBufferBytes(): number {
    try {
      const kb = Number(this.readFile('buffer_subbuf_size_kb').trim());
      if (Number.isInteger(kb) && kb > 0) return kb * 1024;
    } catch {
      // older kernels: one page
    }
    const hp = readFileSync(join(this.tracefs.root, 'events', 'header_page'), 'utf8');
    const m = /field: char data;\s*offset:(\d+);\s*size:(\d+);/.exec(hp);
    return m ? Number(m[1]) + Number(m[2]) : 4096;
  }

  /**
   * Limit every event of the instance to these processes (`set_event_pid`);
   * with `followForks` (`options/event-fork`) their future children are added.
   */
  setEventPids(pids: readonly number[], followForks = true): void {
    for (const p of pids) {
      if (!Number.isInteger(p) || p <= 0) {
        throw new RaingaugeError(`pid must be a positive integer, got ${p}`, 'ERR_RAINGAUGE_INVALID_ARGUMENT');
      }
    }
    this.setOption('event-fork', followForks);
    this.writeFile('set_event_pid', pids.join(' '));
  }

  /**
   * Set an event's filter (`events/<system>/<name>/filter`). The kernel
   * checks it; when it rejects it, the explanation it left in `error_log`
   * is in the thrown {@link TraceFilterError}.
   */
  setFilter(event: string, filter: string): void {
    const [s, n] = splitTraceEventName(event);
    this.tracefs.format(event); // TracepointMissingError when absent
    const p = join(this.path, 'events', s, n, 'filter');
    try {
      writeFileSync(join(this.path, 'error_log'), ''); // O_TRUNC clears the log
    } catch {
      // older kernels: no per-instance error_log
    }
    try {
      writeFileSync(p, filter);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EINVAL') {
        throw new TraceFilterError(`${s}:${n}`, filter, this.lastError());
      }
      throw wrapFsError(err, p, `setting filter ${JSON.stringify(filter)}`);
    }
  }

  /** The last entry of the instance's `error_log`, without its time stamp. */
  lastError(): string {
    let text = '';
    try {
      text = readFileSync(join(this.path, 'error_log'), 'utf8');
    } catch {
      return '';
    }
    const entries = text.split(/^(?=\[\s*\d+\.\d+\])/m).filter((e) => e.trim() !== '');
    const last = entries[entries.length - 1];
    return last ? last.replace(/^\[\s*\d+\.\d+\]\s*/, '').trimEnd() : '';
  }

  /** Enable an event in this instance. @throws {TracepointMissingError} when absent. */
  enable(event: string): EventFormat {
    const [s, n] = splitTraceEventName(event);
    const f = this.tracefs.format(event);
    this.writeFile(join('events', s, n, 'enable'), '1');
    this.enabled.add(`${s}:${n}`);
    return f;
  }

  /** Disable an event in this instance. */
  disable(event: string): void {
    const [s, n] = splitTraceEventName(event);
    this.writeFile(join('events', s, n, 'enable'), '0');
    this.enabled.delete(`${s}:${n}`);
  }

  /** Events enabled through {@link enable}. */
  enabledEvents(): string[] {
    return [...this.enabled];
  }

  /** CPU numbers that have a `per_cpu/cpuN` directory. */
  cpus(): number[] {
    return readdirSync(join(this.path, 'per_cpu'))
      .map((d) => /^cpu(\d+)$/.exec(d))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** Open `per_cpu/cpuN/trace_pipe_raw` non-blocking; the descriptor is closed by {@link close}. */
  openRawPipe(cpu: number): number {
    const p = join(this.path, 'per_cpu', `cpu${cpu}`, 'trace_pipe_raw');
    try {
      const fd = openSync(p, constants.O_RDONLY | constants.O_NONBLOCK);
      this.openFds.add(fd);
      return fd;
    } catch (err) {
      throw wrapFsError(err, p, 'opening the raw trace pipe');
    }
  }

  /** Close a descriptor from {@link openRawPipe}. */
  closeFd(fd: number): void {
    if (this.openFds.delete(fd)) closeSync(fd);
  }

  /** Read one sub-buffer from a raw pipe: byte count, or -1 when the buffer is empty (EAGAIN). */
  readRaw(fd: number, page: Buffer): number {
    return sysRead(fd, page, page.length);
  }

  /** Parse `per_cpu/cpuN/stats`. */
  cpuStats(cpu: number): TraceCpuStats {
    return parseTraceCpuStats(this.readFile(join('per_cpu', `cpu${cpu}`, 'stats')));
  }

  /** True once {@link close} ran. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Stop and remove the instance: close every descriptor (the dead-man
   * switch's `free_buffer` last), then `rmdir` (which also disables the
   * events). Idempotent; never throws.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    liveInstances.delete(this);
    try {
      writeFileSync(join(this.path, 'tracing_on'), '0');
    } catch {
      // already gone
    }
    for (const fd of this.openFds) {
      try {
        closeSync(fd);
      } catch {
        // ignore
      }
    }
    this.openFds.clear();
    if (this.freeBufferFd >= 0) {
      try {
        sysClose(this.freeBufferFd);
      } catch {
        // ignore
      }
      this.freeBufferFd = -1;
    }
    for (let i = 0; i < 5; i++) {
      try {
        rmdirSync(this.path);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EBUSY') return;
      }
    }
  }
}

/** `per_cpu/cpuN/stats` of a ring buffer. */
export interface TraceCpuStats {
  /** `entries`: events in the buffer now. */
  entries: number;
  /** `overrun`: events overwritten (overwrite mode). */
  overrun: number;
  /** `commit overrun`. */
  commitOverrun: number;
  /** `bytes`. */
  bytes: number;
  /** `dropped events`: events refused because the buffer was full (no-overwrite mode). */
  droppedEvents: number;
  /** `read events`. */
  readEvents: number;
}

/** Parse the text of `per_cpu/cpuN/stats` (missing lines read as 0). */
export function parseTraceCpuStats(text: string): TraceCpuStats {
  const get = (key: string): number => {
    const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return {
    entries: get('entries'),
    overrun: get('overrun'),
    commitOverrun: get('commit overrun'),
    bytes: get('bytes'),
    droppedEvents: get('dropped events'),
    readEvents: get('read events'),
  };
}
