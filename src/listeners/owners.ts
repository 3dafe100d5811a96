/**
 * Which processes hold a socket: every `/proc/<pid>/fd/<n>` is a symbolic
 * link whose target reads `socket:[<inode>]` for a socket, the same inode
 * sock_diag reports (`idiag_inode`, `udiag_ino`).
 *
 * Reading another user's descriptor table needs ptrace read access
 * (`PTRACE_MODE_READ_FSCREDS`: same uid, or root / CAP_SYS_PTRACE); such
 * processes are counted as unreadable so callers can say the answer may be
 * incomplete. The cost is one `readlink` per open descriptor on the system,
 * which is why owners are only looked up when asked for.
 *
 * @module
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ListenerOwner } from './types.js';

/** Result of an owner scan. */
export interface SocketOwnerScan {
  /** Socket inode → processes holding it, sorted by pid. */
  readonly owners: Map<number, ListenerOwner[]>;
  /** Processes whose descriptor table could not be read (permission denied). */
  readonly unreadablePids: number;
}

const SOCKET_PREFIX = 'socket:[';

/** Parse a `/proc/<pid>/fd` link target; returns the socket inode or -1 when it is not a socket. */
export function socketInodeOfLink(target: string): number {
  if (!target.startsWith(SOCKET_PREFIX) || !target.endsWith(']')) return -1;
  const n = Number(target.slice(SOCKET_PREFIX.length, -1));
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

function listPids(procRoot: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      const pid = Number(name);
      if (Number.isSafeInteger(pid)) pids.push(pid);
    }
  }
  return pids;
}

function commandOf(procRoot: string, pid: number): string | undefined {
  try {
    return readFileSync(`${procRoot}/${pid}/comm`, 'utf8').replace(/\n$/, '');
  } catch {
    return undefined;
  }
}

/** Read a process's descriptor list; null when unreadable for lack of permission, [] when gone. */
function listFds(procRoot: string, pid: number): string[] | null {
  try {
    return readdirSync(`${procRoot}/${pid}/fd`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? null : [];
  }
}

/** Per-process state of a scan: the command is read once, on the first match. */
interface PidScan {
  pid: number;
  command: string | undefined;
  seen: Set<number> | undefined;
}

/** Where a socket was found: the process, its command, and the descriptor number. */
interface OwnerHit extends ListenerOwner {
  readonly fd: string;
}

function checkFd(
  procRoot: string,
  ps: PidScan,
  fd: string,
  inodes: ReadonlySet<number>,
  owners: Map<number, OwnerHit[]>,
): void {
  let target: string;
  try {
    target = readlinkSync(`${procRoot}/${ps.pid}/fd/${fd}`);
  } catch {
    return; // closed meanwhile, or the process exited
  }
  const ino = socketInodeOfLink(target);
  if (ino < 0 || !inodes.has(ino)) return;
  ps.seen ??= new Set();
  if (ps.seen.has(ino)) return;
  ps.seen.add(ino);
  ps.command ??= commandOf(procRoot, ps.pid) ?? '?';
  let list = owners.get(ino);
  if (!list) {
    list = [];
    owners.set(ino, list);
  }
  list.push({ pid: ps.pid, command: ps.command, fd });
}

function finish(hits: Map<number, OwnerHit[]>, unreadablePids: number): SocketOwnerScan {
  const owners = new Map<number, ListenerOwner[]>();
  for (const [ino, l] of hits) {
    owners.set(
      ino,
      l.map((h) => ({ pid: h.pid, command: h.command })).sort((a, b) => a.pid - b.pid),
    );
  }
  return { owners, unreadablePids };
}

/**
 * Find the processes holding the sockets with the given inodes, synchronously.
 * @param procRoot where procfs is mounted (default `/proc`).
 */
export function findSocketOwnersSync(inodes: Iterable<number>, procRoot = '/proc'): SocketOwnerScan {
  const r = scanSync(new Set(inodes), procRoot);
  return finish(r.hits, r.unreadable);
}

function scanSync(want: ReadonlySet<number>, procRoot: string): { hits: Map<number, OwnerHit[]>; unreadable: number } {
  const hits = new Map<number, OwnerHit[]>();
  let unreadable = 0;
  if (want.size === 0) return { hits, unreadable };
  for (const pid of listPids(procRoot)) {
    const fds = listFds(procRoot, pid);
    if (fds === null) {
      unreadable++;
      continue;
    }
    const ps: PidScan = { pid, command: undefined, seen: undefined };
    for (const fd of fds) checkFd(procRoot, ps, fd, want, hits);
  }
  return { hits, unreadable };
}

/**
 * Like {@link findSocketOwnersSync}, in slices of at most `sliceMs`
 * milliseconds separated by `setImmediate`, so that scanning a system with
 * hundreds of thousands of descriptors never blocks the event loop for long.
 */
export async function findSocketOwners(
  inodes: Iterable<number>,
  procRoot = '/proc',
  sliceMs = 4,
): Promise<SocketOwnerScan> {
  const r = await scanAsync(new Set(inodes), procRoot, sliceMs);
  return finish(r.hits, r.unreadable);
}

async function scanAsync(
  want: ReadonlySet<number>,
  procRoot: string,
  sliceMs: number,
): Promise<{ hits: Map<number, OwnerHit[]>; unreadable: number }> {
  const hits = new Map<number, OwnerHit[]>();
  let unreadable = 0;
  if (want.size === 0) return { hits, unreadable };
  let t0 = performance.now();
  let n = 0;
  const pause = async () => {
    if (++n % 64 === 0 && performance.now() - t0 > sliceMs) {
      await new Promise<void>((r) => setImmediate(r));
      t0 = performance.now();
    }
  };
  for (const pid of listPids(procRoot)) {
    const fds = listFds(procRoot, pid);
    if (fds === null) {
      unreadable++;
      continue;
    }
    const ps: PidScan = { pid, command: undefined, seen: undefined };
    for (const fd of fds) {
      checkFd(procRoot, ps, fd, want, hits);
      await pause();
    }
    await pause();
  }
  return { hits, unreadable };
}

/**
 * Owner lookups for repeated sampling (`raingauge listen --interval`): the
 * first lookup scans every `/proc/<pid>/fd`; later ones only re-read the
 * descriptors where each socket was found (one `readlink` per holder) as long
 * as they still point to it and no new socket is asked for. A full scan is
 * redone when something moved, when a socket was not cached, and at least
 * every `maxAgeMs` (to notice processes that started sharing a listener).
 */
export class SocketOwnerCache {
  private readonly where = new Map<number, { hits: OwnerHit[]; at: number }>();
  private unreadable = 0;
  /** Full scans done so far (for tests and diagnostics). */
  fullScans = 0;

  constructor(
    readonly procRoot = '/proc',
    readonly maxAgeMs = 30_000,
  ) {}

  /** Owners of the sockets with these inodes (like {@link findSocketOwners}). */
  async lookup(inodes: Iterable<number>): Promise<SocketOwnerScan> {
    const want = new Set(inodes);
    if (!this.fresh(want)) {
      const r = await scanAsync(want, this.procRoot, 4);
      this.store(want, r.hits, r.unreadable);
    }
    return this.answer(want);
  }

  /** Synchronous {@link lookup}. */
  lookupSync(inodes: Iterable<number>): SocketOwnerScan {
    const want = new Set(inodes);
    if (!this.fresh(want)) {
      const r = scanSync(want, this.procRoot);
      this.store(want, r.hits, r.unreadable);
    }
    return this.answer(want);
  }

  private fresh(want: ReadonlySet<number>): boolean {
    const now = performance.now();
    for (const ino of want) {
      const e = this.where.get(ino);
      if (!e || now - e.at > this.maxAgeMs) return false;
      for (const h of e.hits) {
        let target: string;
        try {
          target = readlinkSync(`${this.procRoot}/${h.pid}/fd/${h.fd}`);
        } catch {
          return false;
        }
        if (socketInodeOfLink(target) !== ino) return false;
      }
    }
    return true;
  }

  private store(want: ReadonlySet<number>, hits: Map<number, OwnerHit[]>, unreadable: number): void {
    const at = performance.now();
    for (const ino of want) this.where.set(ino, { hits: hits.get(ino) ?? [], at });
    // forget sockets not asked for in a while (closed listeners)
    for (const [ino, e] of this.where) if (at - e.at > 2 * this.maxAgeMs) this.where.delete(ino);
    this.unreadable = unreadable;
    this.fullScans++;
  }

  private answer(want: ReadonlySet<number>): SocketOwnerScan {
    const hits = new Map<number, OwnerHit[]>();
    for (const ino of want) {
      const e = this.where.get(ino);
      if (e && e.hits.length > 0) hits.set(ino, e.hits);
    }
    return finish(hits, this.unreadable);
  }
}

/** The processes holding any of `inodes` according to `scan`, once each, by pid. */
export function ownersOf(inodes: readonly number[], scan: SocketOwnerScan): ListenerOwner[] {
  const seen = new Map<number, ListenerOwner>();
  for (const ino of inodes) for (const o of scan.owners.get(ino) ?? []) seen.set(o.pid, o);
  return [...seen.values()].sort((a, b) => a.pid - b.pid);
}
