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

function checkFd(
  procRoot: string,
  ps: PidScan,
  fd: string,
  inodes: ReadonlySet<number>,
  owners: Map<number, ListenerOwner[]>,
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
  list.push({ pid: ps.pid, command: ps.command });
}

function finish(owners: Map<number, ListenerOwner[]>, unreadablePids: number): SocketOwnerScan {
  for (const l of owners.values()) l.sort((a, b) => a.pid - b.pid);
  return { owners, unreadablePids };
}

/**
 * Find the processes holding the sockets with the given inodes, synchronously.
 * @param procRoot where procfs is mounted (default `/proc`).
 */
export function findSocketOwnersSync(inodes: Iterable<number>, procRoot = '/proc'): SocketOwnerScan {
  const want = new Set(inodes);
  const owners = new Map<number, ListenerOwner[]>();
  let unreadable = 0;
  if (want.size === 0) return { owners, unreadablePids: 0 };
  for (const pid of listPids(procRoot)) {
    const fds = listFds(procRoot, pid);
    if (fds === null) {
      unreadable++;
      continue;
    }
    const ps: PidScan = { pid, command: undefined, seen: undefined };
    for (const fd of fds) checkFd(procRoot, ps, fd, want, owners);
  }
  return finish(owners, unreadable);
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
  const want = new Set(inodes);
  const owners = new Map<number, ListenerOwner[]>();
  let unreadable = 0;
  if (want.size === 0) return { owners, unreadablePids: 0 };
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
      checkFd(procRoot, ps, fd, want, owners);
      await pause();
    }
    await pause();
  }
  return finish(owners, unreadable);
}
