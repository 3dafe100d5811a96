/**
 * One shared-memory region: a memfd (or a file) with a header page, mapped
 * MAP_SHARED, found by name by every process and thread of an application.
 *
 * How a named region is found (see docs/stats.md):
 * 1. The memfd is named `rg1:<group>:<kind>:<name>`, where `<group>` is the pid
 *    of the cluster primary in a `node:cluster` worker (and its threads) and
 *    the process's own pid otherwise; `/proc/<pid>/fd/<n>` shows it as
 *    `/memfd:rg1:… (deleted)`.
 * 2. A process looks in its own descriptor table (worker threads share it),
 *    then in the group leader's (`/proc/<group>/fd`), then in every sibling's
 *    (processes whose parent is the group leader), and opens the first
 *    match through `/proc/<pid>/fd/<n>`. Identity check: after opening, the
 *    new descriptor's own link must read `/memfd:rg1:…` and the header page
 *    must carry the magic and kind; a bare descriptor number is never trusted.
 * 3. Nobody has it: the creator takes a lock (an abstract unix socket bound to
 *    `rg1-lock:<memfd name>`, released by the kernel even on SIGKILL, leaving
 *    nothing in the file system), looks again, and only then creates and
 *    initialises the memfd; the header's `ready` word is set last.
 * 4. The memory lives while any process holds the memfd and is freed by the
 *    kernel when the last one exits (also after kill -9): nothing in /dev/shm.
 *    When the cluster primary has loaded raingauge, it adopts every region a
 *    worker creates (a `process.send` notice; the primary reopens it through
 *    `/proc/<worker>/fd/<n>` with the same identity check), so counts survive
 *    even the death of every worker.
 *
 * Striping: the header holds an owner table; each writer (process + thread,
 * identified by pid and kernel tid) claims one stripe and writes it with plain
 * stores; a stripe whose owner thread no longer exists is reclaimed with its
 * values intact. Stripe 0 is never owned: it takes atomic updates from
 * writers that found no free stripe.
 * @internal
 * @module
 */

import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
} from 'node:fs';
import { InvalidArgumentError, NotFoundError, PermissionError, SysCallError } from '../errors.js';
import {
  AF_UNIX,
  bind,
  gettid,
  type Mapping,
  mapShared,
  memfdCreate,
  pageAlign,
  pageSize,
  SOCK_STREAM,
  socket,
  close as sysClose,
  unmapShared,
} from '../sys/index.js';
import { SharedMemoryError } from './errors.js';

/** Header magic, 'RGSH' little-endian. */
const MAGIC = 0x48534752;
const VERSION = 1;
/** u32 indexes in the header. */
const H_MAGIC = 0;
const H_VERSION = 1;
const H_KIND = 2;
const H_SLOT = 3;
const H_HEADER = 4;
const H_STRIPES = 5;
const H_READY = 6;
const H_HWM = 7;
const H_PARAMS = 16;
/** Byte offset of the stripe owner table (one u64 per stripe: pid | tid << 32). */
const OWNERS_OFFSET = 512;
/** Most stripes the header can describe. */
export const MAX_STRIPES = (4096 - OWNERS_OFFSET) / 8;
/** Largest mapping accepted (4 GiB: typed-array indexes stay below 2^32). */
export const MAX_MAPPING_BYTES = 2 ** 32;

/** Region kinds. */
export const KIND = { raindrops: 1, aggregate: 2, registry: 3 } as const;
const KIND_NAMES: Record<number, string> = { 1: 'raindrops', 2: 'aggregate', 3: 'registry' };

/** Where a region lives. */
export interface RegionLocation {
  /** Share by name within the application (cluster workers, threads, children of the group). */
  name?: string;
  /** Share through a file (raindrops' `io:`), reachable by unrelated processes. */
  path?: string;
  /** An inherited or passed descriptor of a region (its contents are checked). */
  fd?: number;
  /** Clear the contents on open (raindrops' `zero: true`). */
  zero?: boolean;
  /** The pid whose group to join by name (default: the cluster primary in a worker, else this process). */
  group?: number;
  /** Map read-only (MetricsRegistry.open). */
  readOnly?: boolean;
}

/** What the caller needs. */
export interface RegionSpec {
  kind: number;
  /** Bytes of data after the header page. */
  dataBytes: number;
  stripes: number;
  /** Kind-specific layout words, written at creation. */
  params: readonly number[];
  /** How many of `params` (from the first) must equal an existing region's; the owner checks the rest. */
  checkParams?: number;
  /** The class name for messages. */
  what: string;
  /** Accept an existing region's stripes and params as they are (read-only attach). */
  adopt?: boolean;
}

let clusterWorker: boolean | undefined;
/**
 * Whether this process is a `node:cluster` worker. Node deletes
 * NODE_UNIQUE_ID from `process.env` while setting a worker up, so worker
 * threads started later cannot see it there (`cluster.isWorker` is false in
 * them); the environment the process was started with is still in
 * /proc/self/environ.
 */
function isClusterWorker(): boolean {
  if (clusterWorker === undefined) {
    clusterWorker = cluster.isWorker || process.env.NODE_UNIQUE_ID !== undefined;
    if (!clusterWorker) {
      try {
        clusterWorker = `\0${readFileSync('/proc/self/environ', 'latin1')}`.includes('\0NODE_UNIQUE_ID=');
      } catch {
        clusterWorker = false;
      }
    }
  }
  return clusterWorker;
}

/** The pid that owns names in this process's group: the cluster primary in a worker (and its threads), else this process. */
export function groupLeader(): number {
  return isClusterWorker() ? process.ppid : process.pid;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The memfd name for a shared name (hashed when long). */
export function memfdName(group: number, kind: number, name: string): string {
  const k = KIND_NAMES[kind] ?? String(kind);
  const n = Buffer.byteLength(name) > 160 ? `#${createHash('sha256').update(name).digest('hex').slice(0, 32)}` : name;
  return `rg1:${group}:${k}:${n}`;
}

function findIn(pid: number | 'self', link: string): string | undefined {
  let ents: string[];
  try {
    ents = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  for (const e of ents) {
    const p = `/proc/${pid}/fd/${e}`;
    try {
      if (readlinkSync(p) === link) return p;
    } catch {}
  }
  return undefined;
}

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, 'latin1');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === ppid) out.push(Number(e));
    } catch {}
  }
  return out;
}

/** Whether thread `tid` of process `pid` is alive (not gone, not a zombie). */
export function threadAlive(pid: number, tid: number): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    const st = s[s.lastIndexOf(')') + 2];
    return st !== 'Z' && st !== 'X';
  } catch {
    return false;
  }
}

/** A lock held through an abstract unix socket name; the kernel drops it when the holder dies. */
function lockAbstract(key: string, timeoutMs = 10_000): number | undefined {
  let fd: number;
  try {
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
  } catch {
    return undefined; // no unix sockets (seccomp): proceed unlocked
  }
  const name = Buffer.from(`rg1-lock:${key}`).subarray(0, 100);
  const addr = Buffer.alloc(3 + name.length);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, 3);
  const t0 = Date.now();
  for (;;) {
    try {
      bind(fd, addr);
      return fd;
    } catch (e) {
      if (!(e instanceof SysCallError) || e.errnoName !== 'EADDRINUSE' || Date.now() - t0 > timeoutMs) {
        sysClose(fd);
        if (e instanceof SysCallError && e.errnoName === 'EADDRINUSE') {
          throw new SharedMemoryError(
            key,
            `timed out after ${timeoutMs} ms waiting for another process creating ${key}`,
          );
        }
        return undefined;
      }
      sleepMs(1);
    }
  }
}

const finalizer = new FinalizationRegistry<{ fd: number; mapping: Mapping | null }>((h) => {
  try {
    if (h.mapping) unmapShared(h.mapping);
    closeSync(h.fd);
  } catch {}
});

let adoptInstalled = false;
/** In a cluster primary: keep a descriptor of every region a worker creates (see module doc). */
function installAdopter(): void {
  if (adoptInstalled || !cluster.isPrimary) return;
  adoptInstalled = true;
  const kept = new Map<string, number>();
  cluster.on('message', (worker, msg: unknown) => {
    const m = msg as { raingaugeAdopt?: { link: string; fdPath: string } } | null;
    const a = m?.raingaugeAdopt;
    if (!a || typeof a.link !== 'string' || typeof a.fdPath !== 'string' || kept.has(a.link)) return;
    const pid = worker.process.pid;
    if (!a.fdPath.startsWith(`/proc/${pid}/fd/`) || !a.link.startsWith('/memfd:rg1:')) return;
    try {
      const fd = openSync(a.fdPath, fsConstants.O_RDWR);
      if (readlinkSync(`/proc/self/fd/${fd}`) !== a.link) closeSync(fd);
      else kept.set(a.link, fd);
    } catch {}
  });
}
installAdopter();

/** One mapped region. Views are replaced by empty arrays on close, so stale use throws instead of crashing. */
export class Region {
  readonly fd: number;
  /** Bytes before the data (one page). */
  readonly dataOffset = pageSize;
  readonly spec: RegionSpec;
  /** Where it came from, for messages (`memfd:…` or the path). */
  readonly label: string;
  readonly readOnly: boolean;
  mapping: Mapping | null;
  u32: Uint32Array;
  f64: Float64Array;
  u64: BigUint64Array;
  private readonly handle: { fd: number; mapping: Mapping | null };

  private constructor(fd: number, mapping: Mapping, spec: RegionSpec, label: string, readOnly: boolean) {
    this.fd = fd;
    this.mapping = mapping;
    this.spec = spec;
    this.label = label;
    this.readOnly = readOnly;
    this.u32 = new Uint32Array(mapping.buffer);
    this.f64 = new Float64Array(mapping.buffer);
    this.u64 = new BigUint64Array(mapping.buffer);
    this.handle = { fd, mapping };
    finalizer.register(this, this.handle, this);
  }

  /** Total bytes a spec needs. */
  static bytesFor(spec: RegionSpec): number {
    return pageSize + pageAlign(Math.max(spec.dataBytes, 1));
  }

  /** Open or create a region (see the module doc for the rules). */
  static open(spec: RegionSpec, loc: RegionLocation): Region {
    if (spec.stripes < 1 || spec.stripes > MAX_STRIPES || !Number.isInteger(spec.stripes)) {
      throw new InvalidArgumentError(
        `stripes must be an integer in [1, ${MAX_STRIPES}], got ${spec.stripes}`,
        spec.stripes,
      );
    }
    const bytes = Region.bytesFor(spec);
    if (bytes > MAX_MAPPING_BYTES) {
      throw new InvalidArgumentError(
        `${spec.what} needs ${bytes} bytes of shared memory; at most ${MAX_MAPPING_BYTES} (4 GiB) can be mapped: ask for fewer counters/series`,
        bytes,
      );
    }
    if (loc.fd !== undefined) return Region.fromFd(spec, loc, bytes);
    if (loc.path !== undefined) return Region.fromPath(spec, loc, bytes);
    return Region.fromName(spec, loc, bytes);
  }

  /**
   * Open the region named `name` held by process `pid` (any group), through
   * `/proc/<pid>/fd`, with the identity check on the opened descriptor.
   * @throws {NotFoundError} when that process holds no such region
   */
  static openFromProcess(spec: RegionSpec, pid: number, name: string, readOnly: boolean): Region {
    if (!Number.isInteger(pid) || pid <= 0)
      throw new InvalidArgumentError(`pid must be a positive integer, got ${pid}`, pid);
    const k = KIND_NAMES[spec.kind];
    const n = memfdName(0, spec.kind, name).slice(`rg1:0:${k}:`.length);
    const re = new RegExp(`^/memfd:rg1:\\d+:${k}:${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(deleted\\)$`);
    let ents: string[];
    try {
      ents = readdirSync(`/proc/${pid}/fd`);
    } catch (e) {
      throw new NotFoundError(
        `/proc/${pid}/fd`,
        `cannot list the descriptors of process ${pid}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    for (const e of ents) {
      const p = `/proc/${pid}/fd/${e}`;
      let link: string;
      try {
        link = readlinkSync(p);
      } catch {
        continue;
      }
      if (!re.test(link)) continue;
      let fd: number;
      try {
        fd = openSync(p, readOnly ? fsConstants.O_RDONLY : fsConstants.O_RDWR);
      } catch {
        continue;
      }
      let same = false;
      try {
        same = readlinkSync(`/proc/self/fd/${fd}`) === link;
      } catch {}
      if (!same) {
        closeSync(fd);
        continue;
      }
      return Region.attach(fd, spec, { readOnly }, Region.bytesFor(spec), link.slice(1, -10), false);
    }
    throw new NotFoundError(`/proc/${pid}/fd`, `process ${pid} holds no ${k} named ${JSON.stringify(name)}`);
  }

  private static fromFd(spec: RegionSpec, loc: RegionLocation, bytes: number): Region {
    const fd0 = loc.fd!;
    if (!Number.isInteger(fd0) || fd0 < 0)
      throw new InvalidArgumentError(`fd must be a descriptor number, got ${fd0}`, fd0);
    // reopen so the caller keeps its own descriptor and we get O_CLOEXEC
    let fd: number;
    try {
      fd = openSync(`/proc/self/fd/${fd0}`, loc.readOnly ? fsConstants.O_RDONLY : fsConstants.O_RDWR);
    } catch (e) {
      throw new SharedMemoryError(`fd ${fd0}`, `cannot reopen descriptor ${fd0}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    return Region.attach(fd, spec, loc, bytes, `fd ${fd0}`, false);
  }

  private static fromPath(spec: RegionSpec, loc: RegionLocation, bytes: number): Region {
    const path = loc.path!;
    if (typeof path !== 'string' || path === '')
      throw new InvalidArgumentError('path must be a non-empty string', path);
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(path);
    } catch {}
    if (st && !st.isFile()) {
      const kind = st.isFIFO()
        ? 'a FIFO'
        : st.isDirectory()
          ? 'a directory'
          : st.isSocket()
            ? 'a socket'
            : 'not a regular file';
      throw new SharedMemoryError(
        path,
        `${path} is ${kind}: shared counters need a regular file on a mappable file system (tmpfs such as /dev/shm, ext4, xfs)`,
      );
    }
    let fd: number;
    const flags = loc.readOnly
      ? fsConstants.O_RDONLY
      : fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_NONBLOCK;
    try {
      fd = openSync(path, flags, 0o644);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new PermissionError(
          `cannot open ${path} for reading and writing (${code}): shared counters need a writable file; fix its permissions or mount, or choose another path`,
          { path, cause: e },
        );
      }
      throw new SharedMemoryError(path, `cannot open ${path}: ${(e as Error).message}`, { cause: e });
    }
    return Region.attach(fd, spec, loc, bytes, path, true);
  }

  private static fromName(spec: RegionSpec, loc: RegionLocation, bytes: number): Region {
    const group = loc.group ?? groupLeader();
    const anonymous = loc.name === undefined;
    if (!anonymous && (typeof loc.name !== 'string' || loc.name === '')) {
      throw new InvalidArgumentError('name must be a non-empty string', loc.name);
    }
    const mname = anonymous
      ? `rg1:anon:${KIND_NAMES[spec.kind]}:${process.pid}`
      : memfdName(group, spec.kind, loc.name!);
    const link = `/memfd:${mname} (deleted)`;
    if (anonymous) return Region.create(mname, spec, bytes, loc);
    const found = Region.find(group, link, spec, loc, bytes);
    if (found) return found;
    const lock = lockAbstract(mname);
    try {
      const again = Region.find(group, link, spec, loc, bytes);
      if (again) return again;
      if (loc.readOnly) throw new SharedMemoryError(`memfd:${mname}`, `no process of group ${group} holds ${loc.name}`);
      const r = Region.create(mname, spec, bytes, loc);
      if (isClusterWorker() && group === process.ppid && process.send) {
        try {
          process.send({ raingaugeAdopt: { link, fdPath: `/proc/${process.pid}/fd/${r.fd}` } });
        } catch {}
      }
      return r;
    } finally {
      if (lock !== undefined) sysClose(lock);
    }
  }

  private static find(
    group: number,
    link: string,
    spec: RegionSpec,
    loc: RegionLocation,
    bytes: number,
  ): Region | undefined {
    let p = findIn('self', link);
    if (!p && group !== process.pid) p = findIn(group, link);
    if (!p) {
      for (const c of childrenOf(group)) {
        if (c === process.pid) continue;
        p = findIn(c, link);
        if (p) break;
      }
    }
    if (!p) return undefined;
    let fd: number;
    try {
      fd = openSync(p, loc.readOnly ? fsConstants.O_RDONLY : fsConstants.O_RDWR);
    } catch {
      return undefined;
    }
    // identity check on what we actually opened (the number may have been reused meanwhile)
    let ok = false;
    try {
      ok = readlinkSync(`/proc/self/fd/${fd}`) === link;
    } catch {}
    if (!ok) {
      closeSync(fd);
      return undefined;
    }
    const r = Region.attach(fd, spec, { ...loc, zero: false }, bytes, link.slice(1, -10), false, true);
    if (!r) return undefined; // not initialised yet: the caller takes the creation lock and looks again
    if (loc.zero) r.zeroData();
    return r;
  }

  private static create(mname: string, spec: RegionSpec, bytes: number, loc: RegionLocation): Region {
    // reopen through /proc so the descriptor is Node-managed like every other one (closed with fs.closeSync)
    const raw = memfdCreate(mname);
    let fd: number;
    try {
      fd = openSync(`/proc/self/fd/${raw}`, fsConstants.O_RDWR);
    } finally {
      sysClose(raw);
    }
    try {
      ftruncateSync(fd, bytes);
    } catch (e) {
      closeSync(fd);
      throw new SharedMemoryError(
        `memfd:${mname}`,
        `cannot size shared memory to ${bytes} bytes: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const r = Region.map(fd, bytes, spec, `memfd:${mname}`, loc.readOnly ?? false);
    r.init();
    return r;
  }

  private static map(fd: number, bytes: number, spec: RegionSpec, label: string, readOnly: boolean): Region {
    let m: Mapping;
    try {
      m = mapShared(fd, bytes, { readOnly });
    } catch (e) {
      closeSync(fd);
      const name = e instanceof SysCallError ? e.errnoName : '';
      if (name === 'ENODEV') {
        throw new SharedMemoryError(
          label,
          `${label} is on a file system that cannot be memory-mapped (mmap: ENODEV): use a file on tmpfs (/dev/shm) or a disk file system`,
          { cause: e },
        );
      }
      if (name === 'EACCES' || name === 'EPERM') {
        throw new PermissionError(
          `${label} is not open for writing (mmap: ${name}): shared counters need a read-write descriptor`,
          { path: label, cause: e },
        );
      }
      if (name === 'ENOMEM') {
        throw new SharedMemoryError(
          label,
          `not enough memory to map ${bytes} bytes of ${label} (mmap: ENOMEM): ask for fewer counters`,
          { cause: e },
        );
      }
      throw new SharedMemoryError(label, `cannot map ${label}: ${(e as Error).message}`, { cause: e });
    }
    return new Region(fd, m, spec, label, readOnly);
  }

  /**
   * Map an opened descriptor. `fromFind` returns undefined for a region that is not ready yet.
   * Files (`isFile`) are initialised under a lock when new or when `zero` is asked.
   */
  private static attach(
    fd: number,
    spec: RegionSpec,
    loc: RegionLocation,
    bytes: number,
    label: string,
    isPath: boolean,
    fromFind = false,
  ): Region {
    let st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw new SharedMemoryError(label, `${label} is not a regular file or memfd`);
    }
    const lock = isPath && !loc.readOnly ? lockAbstract(`file:${st.dev}:${st.ino}`) : undefined;
    try {
      st = fstatSync(fd);
      const readOnly = loc.readOnly ?? false;
      if (st.size < bytes && !readOnly) {
        try {
          ftruncateSync(fd, bytes);
        } catch (e) {
          closeSync(fd);
          throw new SharedMemoryError(label, `cannot extend ${label} to ${bytes} bytes: ${(e as Error).message}`, {
            cause: e,
          });
        }
      }
      const mapBytes = readOnly
        ? Math.max(pageSize, Math.floor(st.size / pageSize) * pageSize)
        : Math.max(bytes, Math.floor(st.size / pageSize) * pageSize);
      if (readOnly && st.size < pageSize) {
        closeSync(fd);
        throw new SharedMemoryError(label, `${label} is too short (${st.size} bytes) to be a raingauge shared region`);
      }
      const r = Region.map(fd, Math.min(mapBytes, MAX_MAPPING_BYTES), spec, label, readOnly);
      const u = r.u32;
      const fresh = st.size === 0 || (u[H_MAGIC] === 0 && u[H_READY] === 0 && isPath);
      if (isPath && (fresh || loc.zero) && !readOnly) {
        r.init();
        return r;
      }
      if (u[H_MAGIC] !== MAGIC || Atomics.load(u, H_READY) !== 1) {
        if (fromFind) {
          r.close();
          return undefined as unknown as Region;
        }
        r.close();
        throw new SharedMemoryError(
          label,
          `${label} is not a raingauge shared region (no header magic); pass zero: true to overwrite a file`,
        );
      }
      r.check();
      return r;
    } finally {
      if (lock !== undefined) sysClose(lock);
    }
  }

  private init(): void {
    const u = this.u32;
    u.fill(0);
    u[H_VERSION] = VERSION;
    u[H_KIND] = this.spec.kind;
    u[H_SLOT] = 64;
    u[H_HEADER] = pageSize;
    u[H_STRIPES] = this.spec.stripes;
    u[H_HWM] = 1;
    this.spec.params.forEach((v, i) => {
      u[H_PARAMS + i] = v;
    });
    u[H_MAGIC] = MAGIC;
    Atomics.store(u, H_READY, 1);
  }

  private check(): void {
    const u = this.u32;
    const what = KIND_NAMES[u[H_KIND]!] ?? `kind ${u[H_KIND]}`;
    if (u[H_VERSION] !== VERSION)
      this.fail(`has layout version ${u[H_VERSION]}, this raingauge reads version ${VERSION}`);
    if (u[H_KIND] !== this.spec.kind) this.fail(`holds a ${what} region, not a ${KIND_NAMES[this.spec.kind]} region`);
    if (u[H_HEADER] !== pageSize) this.fail(`was made with ${u[H_HEADER]}-byte pages (this system: ${pageSize})`);
    if (this.spec.adopt) return;
    if (u[H_STRIPES] !== this.spec.stripes)
      this.fail(`has ${u[H_STRIPES]} stripes, ${this.spec.stripes} were asked for`);
    this.spec.params.forEach((v, i) => {
      if (i < (this.spec.checkParams ?? this.spec.params.length) && u[H_PARAMS + i] !== v)
        this.fail(`has layout word ${i} = ${u[H_PARAMS + i]}, ${v} was asked for (different size/options)`);
    });
  }

  private fail(msg: string): never {
    this.close();
    throw new SharedMemoryError(this.label, `${this.label} ${msg}`);
  }

  /** Stripes recorded at creation. */
  get stripes(): number {
    return this.u32[H_STRIPES]!;
  }

  /** Layout words recorded at creation. */
  param(i: number): number {
    return this.u32[H_PARAMS + i]!;
  }

  /** Clear every data byte (the header stays). */
  zeroData(): void {
    new Uint8Array(this.mapping!.buffer, this.dataOffset).fill(0);
  }

  /** Bytes mapped. */
  get length(): number {
    return this.mapping?.length ?? 0;
  }

  /** Highest stripe index claimed so far, plus one (readers sum stripes [0, hwm)). */
  get stripeHwm(): number {
    return Atomics.load(this.u32, H_HWM);
  }

  /**
   * Claim a stripe for the calling thread: a free one, or one whose owner
   * thread is gone (its values are kept and added to). 0 when none is free.
   */
  claimStripe(): number {
    const n = this.spec.stripes;
    const me = BigInt(process.pid) | (BigInt(gettid()) << 32n);
    const base = OWNERS_OFFSET / 8;
    for (let pass = 0; pass < 2; pass++) {
      for (let s = 1; s < n; s++) {
        const cur = Atomics.load(this.u64, base + s);
        if (cur === 0n) {
          if (Atomics.compareExchange(this.u64, base + s, 0n, me) === 0n) return this.claimed(s);
        } else if (pass === 1) {
          const pid = Number(cur & 0xffffffffn);
          const tid = Number(cur >> 32n);
          if (!threadAlive(pid, tid) && Atomics.compareExchange(this.u64, base + s, cur, me) === cur)
            return this.claimed(s);
        }
      }
    }
    return 0;
  }

  private claimed(s: number): number {
    for (;;) {
      const h = Atomics.load(this.u32, H_HWM);
      if (h > s || Atomics.compareExchange(this.u32, H_HWM, h, s + 1) === h) return s;
    }
  }

  /** Give a stripe back (its values stay and are still summed). */
  releaseStripe(s: number): void {
    if (s > 0 && this.mapping) Atomics.store(this.u64, OWNERS_OFFSET / 8 + s, 0n);
  }

  /** Owner (pid, tid) of a stripe, or undefined when free. */
  stripeOwner(s: number): { pid: number; tid: number } | undefined {
    const v = Atomics.load(this.u64, OWNERS_OFFSET / 8 + s);
    return v === 0n ? undefined : { pid: Number(v & 0xffffffffn), tid: Number(v >> 32n) };
  }

  /** Map more bytes (the file grows; others keep their shorter mapping). */
  grow(bytes: number): void {
    const m = this.mapping!;
    if (bytes <= m.length) return;
    if (bytes > MAX_MAPPING_BYTES) {
      throw new InvalidArgumentError(
        `cannot grow ${this.label} to ${bytes} bytes: at most ${MAX_MAPPING_BYTES} (4 GiB) can be mapped`,
        bytes,
      );
    }
    if (fstatSync(this.fd).size < bytes) ftruncateSync(this.fd, bytes);
    const n = mapShared(this.fd, bytes, { readOnly: this.readOnly });
    this.mapping = n;
    this.handle.mapping = n;
    this.u32 = new Uint32Array(n.buffer);
    this.f64 = new Float64Array(n.buffer);
    this.u64 = new BigUint64Array(n.buffer);
    unmapShared(m);
  }

  /** Unmap and close; the views become empty. Idempotent. */
  close(): void {
    if (!this.mapping) return;
    const m = this.mapping;
    this.mapping = null;
    this.handle.mapping = null;
    this.u32 = new Uint32Array(0);
    this.f64 = new Float64Array(0);
    this.u64 = new BigUint64Array(0);
    finalizer.unregister(this);
    unmapShared(m);
    try {
      closeSync(this.fd);
    } catch {}
  }
}
