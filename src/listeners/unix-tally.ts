/**
 * The aggregation behind UNIX listener statistics, as pure code over the raw
 * bytes of `unix_diag_msg` records and their attributes
 * (`include/uapi/linux/unix_diag.h`), plus the `/proc/net/unix` fallback.
 *
 * A listener is identified by the file it is bound to (`UNIX_DIAG_VFS`:
 * device and inode of the socket file) when it has one, otherwise by its
 * name (abstract sockets). Accepted connections share the listener's address,
 * so they carry the same name and VFS identity.
 *
 * @module
 */
import { DecodeError, ParseError } from '../errors.js';
import {
  TCP_ESTABLISHED,
  TCP_LISTEN,
  UNIX_DIAG_MSG_SIZE,
  UNIX_DIAG_NAME,
  UNIX_DIAG_RQLEN,
  UNIX_DIAG_VFS,
} from '../sockdiag/constants.js';
import { kernelDevToUserDev as kernelDev, unixNameText } from '../sockdiag/unix.js';
import type { ListenerStats } from './types.js';

const UNIX_MSG_SIZE = UNIX_DIAG_MSG_SIZE;

/** One UNIX socket as far as listener statistics need it. */
export interface UnixSocketRecord {
  /** `TCP_LISTEN` (10) or `TCP_ESTABLISHED` (1) (sock_diag uses TCP state numbers for UNIX sockets). */
  state: number;
  /** Socket inode (`udiag_ino`). */
  inode: number;
  /** The bound name as the kernel holds it (a path, or `\0`+bytes for an abstract name), trailing NUL bytes removed. */
  name: Buffer | undefined;
  /** The socket file's inode and device (`UNIX_DIAG_VFS`: `udiag_vfs_ino`, `udiag_vfs_dev` in kernel `dev_t` encoding, MAJOR << 20 | MINOR). */
  vfsIno: number | undefined;
  vfsDev: number | undefined;
  /** `UNIX_DIAG_RQLEN`: for a listener, pending connections and backlog. */
  rqueue: number | undefined;
  wqueue: number | undefined;
}

/**
 * Decode the fields listener statistics need from one `unix_diag_msg` with
 * its attributes at `[off, off+len)`.
 * @throws {DecodeError} on a truncated message or attribute.
 */
export function decodeUnixListenerRecord(buf: Buffer, off: number, len: number): UnixSocketRecord {
  if (len < UNIX_MSG_SIZE || off + len > buf.length) {
    throw new DecodeError('unix_diag_msg', off, `${len} bytes, expected at least ${UNIX_MSG_SIZE}`);
  }
  const r: UnixSocketRecord = {
    state: buf[off + 2]!,
    inode: buf.readUInt32LE(off + 4),
    name: undefined,
    vfsIno: undefined,
    vfsDev: undefined,
    rqueue: undefined,
    wqueue: undefined,
  };
  const end = off + len;
  let p = off + UNIX_MSG_SIZE;
  while (p + 4 <= end) {
    const alen = buf.readUInt16LE(p);
    if (alen < 4 || p + alen > end) throw new DecodeError('unix_diag attribute', p, `bad length ${alen}`);
    const type = buf.readUInt16LE(p + 2) & 0x3fff;
    const d = p + 4;
    const dlen = alen - 4;
    if (type === UNIX_DIAG_NAME && dlen > 0) {
      // Trailing NULs are dropped: a path ends at its NUL, and programs that
      // bind an abstract name with the whole 108-byte sun_path (Node, libuv)
      // pad it with NULs.
      let n = dlen;
      while (n > 1 && buf[d + n - 1] === 0) n--;
      r.name = Buffer.from(buf.subarray(d, d + n));
    } else if (type === UNIX_DIAG_VFS && dlen >= 8) {
      r.vfsIno = buf.readUInt32LE(d);
      r.vfsDev = buf.readUInt32LE(d + 4);
    } else if (type === UNIX_DIAG_RQLEN && dlen >= 8) {
      r.rqueue = buf.readUInt32LE(d);
      r.wqueue = buf.readUInt32LE(d + 4);
    }
    p += (alen + 3) & ~3;
  }
  return r;
}

/** True when the attributes in `[p, end)` hold a non-empty `UNIX_DIAG_NAME` (malformed ones: true, so the full decode reports them). */
function hasNonEmptyName(buf: Buffer, p: number, end: number): boolean {
  while (p + 4 <= end) {
    const alen = buf.readUInt16LE(p);
    if (alen < 4 || p + alen > end) return true;
    if ((buf.readUInt16LE(p + 2) & 0x3fff) === UNIX_DIAG_NAME) return alen > 4;
    p += (alen + 3) & ~3;
  }
  return false;
}

/**
 * Spell a UNIX socket name the way `ss` and raindrops do: a path as is, an
 * abstract name as `@` followed by the name (embedded NUL bytes also shown as
 * `@`); bytes that are not UTF-8 as `\xNN` (see `unixNameText` in sockdiag).
 */
export const unixNameKey = unixNameText;

/**
 * Convert a kernel `dev_t` (as in `UNIX_DIAG_VFS`: MAJOR << 20 | MINOR) to the
 * user-space encoding `stat(2)` returns (what Node's `fs.Stats.dev` holds).
 */
export const kernelDevToUserDev = kernelDev;

/** A UNIX listener as gathered from the dump. */
export interface UnixListenerEntry {
  /** The name as text (`unixNameText`): path or `@abstract`, non-UTF-8 bytes as `\xNN`. */
  readonly key: string;
  readonly name: Buffer;
  /** Socket-file identity (`stat` encoding of the device) when bound to a path. */
  readonly dev: number | undefined;
  readonly ino: number | undefined;
  queued: number;
  backlog: number;
  active: number;
  sockets: number;
  /** Socket inodes of the listening sockets (for owners). */
  readonly inodes: number[];
  /** Each listening socket's own queue, in the kernel's order. */
  readonly members: { inode: number; queued: number; backlog: number }[];
}

/** How an asked-for path is looked for among the listeners. */
export interface UnixListenerQuery {
  /** The key of the result: the path exactly as given. */
  readonly key: string;
  /** Socket-file identity from `stat()` of the path (following symlinks), when it exists. */
  readonly dev?: number | undefined;
  readonly ino?: number | undefined;
  /** Names to match exactly when no identity matched (the path as given, its absolute form, its real path, as raw bytes; `\0name` for `@name`). */
  readonly names: readonly Buffer[];
}

function identity(rec: { name: Buffer | undefined; vfsDev?: number | undefined; vfsIno?: number | undefined }): string {
  if (rec.vfsIno !== undefined && rec.vfsDev !== undefined) return `v${rec.vfsDev}:${rec.vfsIno}`;
  return `n${rec.name!.toString('latin1')}`;
}

/** Accumulates `unix_diag` records (LISTEN and ESTABLISHED) into listener statistics. */
export class UnixListenerTally {
  /** Listeners by identity (socket file, or name for abstract sockets). */
  readonly entries = new Map<string, UnixListenerEntry>();
  private readonly pendingActive = new Map<string, number>();

  /** Add one decoded record; unnamed sockets and other states are ignored. */
  add(rec: UnixSocketRecord): void {
    if (rec.name === undefined || rec.name.length === 0) return;
    const id = identity(rec);
    if (rec.state === TCP_LISTEN) {
      let e = this.entries.get(id);
      if (!e) {
        e = {
          key: unixNameKey(rec.name),
          name: rec.name,
          dev: rec.vfsDev === undefined ? undefined : kernelDevToUserDev(rec.vfsDev),
          ino: rec.vfsIno,
          queued: 0,
          backlog: 0,
          active: this.pendingActive.get(id) ?? 0,
          sockets: 0,
          inodes: [],
          members: [],
        };
        this.pendingActive.delete(id);
        this.entries.set(id, e);
      }
      e.queued += rec.rqueue ?? 0;
      e.backlog += rec.wqueue ?? 0;
      e.sockets++;
      e.inodes.push(rec.inode);
      e.members.push({ inode: rec.inode, queued: rec.rqueue ?? 0, backlog: rec.wqueue ?? 0 });
    } else if (rec.state === TCP_ESTABLISHED) {
      const e = this.entries.get(id);
      if (e) e.active++;
      else this.pendingActive.set(id, (this.pendingActive.get(id) ?? 0) + 1);
    }
  }

  /**
   * Decode and add one `unix_diag_msg` at `[off, off+len)`. Unnamed sockets
   * (client ends, socketpairs: most of a busy system's UNIX sockets) are
   * skipped without decoding or allocating.
   */
  addMessage(buf: Buffer, off: number, len: number): void {
    if (len >= UNIX_MSG_SIZE && off + len <= buf.length) {
      const state = buf[off + 2];
      if (state !== TCP_LISTEN && state !== TCP_ESTABLISHED) return;
      if (state === TCP_ESTABLISHED && !hasNonEmptyName(buf, off + UNIX_MSG_SIZE, off + len)) return;
    }
    this.add(decodeUnixListenerRecord(buf, off, len));
  }

  /** Every listener keyed by its bound name; listeners sharing a name (a path re-bound after unlink) are summed. */
  allStats(): Map<string, ListenerStats> {
    const out = new Map<string, ListenerStats>();
    const firstId = new Map<string, string>();
    for (const [id, e] of this.entries) if (!firstId.has(e.key)) firstId.set(e.key, id);
    for (const e of this.entries.values()) {
      const s = out.get(e.key);
      if (s) {
        s.active += e.active;
        s.queued += e.queued;
        s.backlog += e.backlog;
        s.sockets += e.sockets;
        // listeners sharing a name (a path bound again after unlink): each socket is a member
        s.members = [...(s.members ?? membersOf(this.entries.get(firstId.get(e.key)!)!)), ...membersOf(e)];
      } else out.set(e.key, statsOf(e));
    }
    return out;
  }

  /** Find the listener an asked-for path designates: same socket file first, then same name. */
  find(q: UnixListenerQuery): UnixListenerEntry | undefined {
    if (q.ino !== undefined && q.dev !== undefined) {
      for (const e of this.entries.values()) if (e.ino === q.ino && e.dev === q.dev) return e;
    }
    for (const e of this.entries.values()) {
      for (const n of q.names) if (n.equals(e.name)) return e;
    }
    return undefined;
  }

  /** Statistics of asked-for paths, keyed exactly as asked; paths with no listener are left out. */
  queryStats(queries: readonly UnixListenerQuery[]): {
    stats: Map<string, ListenerStats>;
    matched: Map<string, UnixListenerEntry>;
  } {
    const stats = new Map<string, ListenerStats>();
    const matched = new Map<string, UnixListenerEntry>();
    for (const q of queries) {
      if (stats.has(q.key)) continue;
      const e = this.find(q);
      if (!e) continue;
      stats.set(q.key, statsOf(e));
      matched.set(q.key, e);
    }
    return { stats, matched };
  }
}

function membersOf(e: UnixListenerEntry): { inode: number; queued: number; backlog: number }[] {
  return e.members.map((m) => ({ inode: m.inode, queued: m.queued, backlog: m.backlog }));
}

function statsOf(e: UnixListenerEntry): ListenerStats {
  const s: ListenerStats = { active: e.active, queued: e.queued, backlog: e.backlog, sockets: e.sockets, name: e.name };
  if (e.members.length > 1) s.members = membersOf(e);
  return s;
}

/** One line of `/proc/net/unix` (`net/unix/af_unix.c`, `unix_seq_show`). */
export interface ProcNetUnixEntry {
  refCount: number;
  /** `__SO_ACCEPTCON` (0x10000) is set on listening sockets. */
  flags: number;
  /** SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5. */
  type: number;
  /** `socket_state`: 1 unconnected, 2 connecting (also: in a listener's accept queue), 3 connected. */
  st: number;
  inode: number;
  /** The bound name (`@` + name for abstract sockets), undefined when unbound. */
  path: string | undefined;
}

const SO_ACCEPTCON = 0x10000;

/**
 * Parse `/proc/net/unix`. The header line is checked; every other line must be
 * `Num: RefCount Protocol Flags Type St Inode [Path]` in hex/decimal as the kernel prints it.
 * Paths containing spaces or newlines cannot be told apart reliably in this format (one reason sock_diag is preferred).
 * @throws {ParseError} naming the line that did not parse.
 */
export function parseProcNetUnix(text: string, file = '/proc/net/unix'): ProcNetUnixEntry[] {
  const lines = text.split('\n');
  if (!/^Num\s+RefCount\s+Protocol\s+Flags\s+Type\s+St\s+Inode/.test(lines[0] ?? '')) {
    throw new ParseError(file, 'missing the "Num RefCount Protocol Flags Type St Inode Path" header', {
      line: 1,
      text: lines[0] ?? '',
    });
  }
  const out: ProcNetUnixEntry[] = [];
  const re =
    /^[0-9a-f]+: ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{2}) +(\d+)(?: (.*))?$/;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const m = re.exec(line);
    if (!m) throw new ParseError(file, 'unexpected line format', { line: i + 1, text: line });
    const inode = Number(m[6]);
    if (!Number.isSafeInteger(inode)) throw new ParseError(file, 'bad inode', { line: i + 1, text: line });
    out.push({
      refCount: Number.parseInt(m[1]!, 16),
      flags: Number.parseInt(m[3]!, 16),
      type: Number.parseInt(m[4]!, 16),
      st: Number.parseInt(m[5]!, 16),
      inode,
      path: m[7] === undefined || m[7] === '' ? undefined : m[7],
    });
  }
  return out;
}

/**
 * Listener statistics from parsed `/proc/net/unix` (the fallback for kernels
 * without unix_diag), with raindrops' reading of that file: per bound path, a
 * row with `__SO_ACCEPTCON` is the listener, rows in state 2 (connecting) are
 * queued, rows in state 3 (connected) with flags 0 are active. The backlog is
 * not in that file: `backlog` is 0.
 *
 * `wanted` maps each result key (a path exactly as asked) to the names it may
 * appear under in the file (as given, absolute, real path; `@name` for an
 * abstract socket), tried in order; without it every listener is returned.
 */
export function unixStatsFromProcNetUnix(
  entries: readonly ProcNetUnixEntry[],
  wanted?: ReadonlyMap<string, readonly string[]>,
): Map<string, ListenerStats> {
  const byPath = new Map<string, ListenerStats & { listening: boolean }>();
  for (const e of entries) {
    if (e.path === undefined) continue;
    // abstract names padded with NULs (shown as "@") are keyed without the padding, as from sock_diag
    const path = e.path.startsWith('@') ? e.path.replace(/(?<=.)@+$/, '') : e.path;
    let s = byPath.get(path);
    if (!s) {
      s = { active: 0, queued: 0, backlog: 0, sockets: 0, listening: false };
      byPath.set(path, s);
    }
    if (e.flags & SO_ACCEPTCON) {
      s.listening = true;
      s.sockets++;
    } else if (e.st === 2) s.queued++;
    else if (e.st === 3 && e.flags === 0) s.active++;
  }
  const out = new Map<string, ListenerStats>();
  const strip = (s: ListenerStats & { listening: boolean }): ListenerStats => ({
    active: s.active,
    queued: s.queued,
    backlog: s.backlog,
    sockets: s.sockets,
    backlogUnknown: true,
  });
  if (wanted) {
    for (const [key, names] of wanted) {
      for (const name of names) {
        const s = byPath.get(name);
        if (s?.listening && !out.has(key)) out.set(key, strip(s));
      }
    }
  } else {
    for (const [path, s] of byPath) if (s.listening) out.set(path, strip(s));
  }
  return out;
}
