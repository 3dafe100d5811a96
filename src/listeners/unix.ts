/**
 * UNIX-socket listener statistics (raindrops' `unix_listener_stats`), from
 * unix sock_diag (`SOCK_DIAG_BY_FAMILY` with `AF_UNIX`, `net/unix/diag.c`)
 * instead of parsing `/proc/net/unix`; the file is only read when the kernel
 * has no unix_diag.
 *
 * @module
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError, NotSupportedError } from '../errors.js';
import { NetlinkError, type NetlinkSocket, NLM_F_REQUEST } from '../netlink/index.js';
import {
  encodeUnixDiagRequest,
  SOCK_DIAG_BY_FAMILY,
  TCPF_ESTABLISHED,
  TCPF_LISTEN,
  unixNameFromText,
  unixNameText,
} from '../sockdiag/index.js';
import { findSocketOwners, findSocketOwnersSync, ownersOf, type SocketOwnerScan } from './owners.js';
import { sharedListenerAsyncSocket, sharedListenerSyncSocket } from './sockets.js';
import type { ListenerStats, ListenerStatsOptions } from './types.js';
import {
  type ProcNetUnixEntry,
  parseProcNetUnix,
  type UnixListenerQuery,
  UnixListenerTally,
  unixStatsFromProcNetUnix,
} from './unix-tally.js';

const { errno } = constants;
/** `sun_path` is 108 bytes; an abstract name uses all but the leading NUL. */
const MAX_ABSTRACT_BYTES = 107;
const SO_ACCEPTCON = 0x10000;

/** Options of {@link unixListenerStats}. */
export interface UnixListenerStatsOptions extends ListenerStatsOptions {
  /** The NETLINK_SOCK_DIAG socket to use (default: the one raingauge keeps open). */
  socket?: NetlinkSocket;
  /**
   * Where to read from: `'auto'` (default) unix sock_diag, falling back to
   * `/proc/net/unix` when the kernel has no unix_diag; `'sock_diag'` or
   * `'proc'` to force one.
   */
  source?: 'auto' | 'sock_diag' | 'proc';
}

/** What {@link unixListenerStats} accepts: one path or several, as text or raw bytes (Buffer). */
export type UnixListenerPaths = string | Buffer | readonly (string | Buffer)[];

/** A malformed UNIX listener path or abstract name (`value` holds it as given). */
export class InvalidListenerPathError extends InvalidArgumentError {
  constructor(value: string, reason: string) {
    super(`invalid UNIX listener path ${JSON.stringify(value)}: ${reason}`, value);
  }
}

/**
 * Turn an asked-for path into a query: `@name` is an abstract name; anything
 * else is a filesystem path, identified by the socket file it leads to
 * (symbolic links followed) and, failing that, by name. A path whose bytes
 * are not UTF-8 can be given as a Buffer (as `fs.readdirSync(dir, { encoding:
 * 'buffer' })` returns it; its key is then its text form with `\xNN`
 * escapes) or as that text form (the key a dump reports).
 * @throws {InvalidListenerPathError} for an empty path, a NUL byte, or an abstract name over 107 bytes.
 */
export function unixListenerQuery(path: string | Buffer): UnixListenerQuery {
  if (Buffer.isBuffer(path)) return bufferQuery(path);
  if (typeof path !== 'string' || path === '') {
    throw new InvalidListenerPathError(
      String(path),
      'expected a socket path like /run/app.sock or an abstract name like @app',
    );
  }
  const raw = unixNameFromText(path);
  if (path.startsWith('@')) {
    const name = trimAbstract(raw ?? Buffer.concat([Buffer.from([0]), Buffer.from(path.slice(1), 'utf8')]));
    if (name.length - 1 > MAX_ABSTRACT_BYTES) {
      throw new InvalidListenerPathError(path, `an abstract name holds at most ${MAX_ABSTRACT_BYTES} bytes`);
    }
    const names = [name];
    if (raw) names.push(trimAbstract(Buffer.concat([Buffer.from([0]), Buffer.from(path.slice(1), 'utf8')])));
    return { key: path, names };
  }
  if (path.includes('\0')) throw new InvalidListenerPathError(path, 'a path cannot contain a NUL byte');
  const q = fileQuery(path, path);
  if (!raw) return q;
  // the text form of a non-UTF-8 name: its bytes first, the literal text second
  const viaBytes = fileQuery(path, raw);
  return {
    key: path,
    dev: viaBytes.dev ?? q.dev,
    ino: viaBytes.dev === undefined ? q.ino : viaBytes.ino,
    names: [...viaBytes.names, ...q.names],
  };
}

function trimAbstract(name: Buffer): Buffer {
  let n = name.length;
  while (n > 1 && name[n - 1] === 0) n--;
  return name.subarray(0, n);
}

function bufferQuery(path: Buffer): UnixListenerQuery {
  if (path.length === 0) {
    throw new InvalidListenerPathError('', 'expected a socket path like /run/app.sock or an abstract name like @app');
  }
  const key = unixNameText(path);
  if (path[0] === 0) {
    const name = trimAbstract(path);
    if (name.length - 1 > MAX_ABSTRACT_BYTES) {
      throw new InvalidListenerPathError(key, `an abstract name holds at most ${MAX_ABSTRACT_BYTES} bytes`);
    }
    return { key, names: [name] };
  }
  if (path.includes(0)) throw new InvalidListenerPathError(key, 'a path cannot contain a NUL byte');
  return fileQuery(key, path);
}

/** A query for a filesystem path (text or raw bytes), keyed `key`. */
function fileQuery(key: string, path: string | Buffer): UnixListenerQuery {
  const asBytes = (p: string | Buffer) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
  const names: Buffer[] = [asBytes(path)];
  const add = (n: Buffer) => {
    if (!names.some((m) => m.equals(n))) names.push(n);
  };
  if (typeof path === 'string') add(Buffer.from(resolve(path), 'utf8'));
  else if (path[0] !== 0x2f) add(Buffer.concat([Buffer.from(`${process.cwd()}/`, 'utf8'), path]));
  let dev: number | undefined;
  let ino: number | undefined;
  try {
    const st = statSync(path);
    if (st.isSocket()) {
      dev = st.dev;
      ino = st.ino;
    }
    add(realpathSync(path, { encoding: 'buffer' }) as Buffer);
  } catch {
    // gone or unreachable: match by name only (an unlinked socket keeps its bound name)
  }
  return { key, dev, ino, names };
}

function parsePaths(paths: UnixListenerPaths | undefined | null): UnixListenerQuery[] | undefined {
  if (paths === undefined || paths === null) return undefined;
  const list = typeof paths === 'string' || Buffer.isBuffer(paths) ? [paths] : paths;
  if (!Array.isArray(list)) {
    throw new InvalidArgumentError('paths must be a string or an array of strings like "/run/app.sock"', paths);
  }
  return list.map(unixListenerQuery);
}

/** A unix_diag dump request for `states` asking for the name, the socket file and the queue lengths. */
function unixRequest(states: number): Buffer {
  return encodeUnixDiagRequest({ states, show: ['name', 'vfs', 'rqlen'] });
}

const REQ_ALL = unixRequest(TCPF_LISTEN | TCPF_ESTABLISHED);
const REQ_LISTEN = unixRequest(TCPF_LISTEN);
const DESC = 'SOCK_DIAG_BY_FAMILY (unix_diag_req AF_UNIX, states LISTEN|ESTABLISHED)';
const DESC_LISTEN = 'SOCK_DIAG_BY_FAMILY (unix_diag_req AF_UNIX, states LISTEN)';

function isMissingUnixDiag(e: unknown): boolean {
  return e instanceof NetlinkError && (e.errno === errno.ENOENT || e.errno === errno.EOPNOTSUPP);
}

function notSupported(cause: unknown, procError?: unknown): NotSupportedError {
  return new NotSupportedError(
    'unix_diag',
    `UNIX socket diagnostics are not available: load the unix_diag kernel module with "modprobe unix_diag" (as root)${
      procError ? `; the /proc/net/unix fallback failed too (${(procError as Error).message})` : ''
    }`,
    { cause },
  );
}

interface Result {
  stats: Map<string, ListenerStats>;
  /** Result key → listening socket inodes, for owners. */
  inodes: Map<string, number[]>;
}

function fromTally(tally: UnixListenerTally, queries: UnixListenerQuery[] | undefined): Result {
  const inodes = new Map<string, number[]>();
  if (!queries) {
    const stats = tally.allStats();
    for (const e of tally.entries.values()) inodes.set(e.key, [...(inodes.get(e.key) ?? []), ...e.inodes]);
    return { stats, inodes };
  }
  const { stats, matched } = tally.queryStats(queries);
  for (const [k, e] of matched) inodes.set(k, e.inodes);
  return { stats, inodes };
}

function fromProc(text: string, file: string, queries: UnixListenerQuery[] | undefined, active: boolean): Result {
  const rows = parseProcNetUnix(text, file);
  const wanted = queries ? new Map(queries.map((q) => [q.key, q.names.map((n) => unixNameText(n))])) : undefined;
  const stats = unixStatsFromProcNetUnix(rows, wanted);
  const shown = (r: ProcNetUnixEntry) => (r.path?.startsWith('@') ? r.path.replace(/(?<=.)@+$/, '') : r.path);
  const listenerInodes = (name: string) =>
    rows.filter((r) => shown(r) === name && r.flags & SO_ACCEPTCON).map((r) => r.inode);
  const inodes = new Map<string, number[]>();
  for (const key of stats.keys()) {
    const names = wanted?.get(key) ?? [key];
    inodes.set(key, names.flatMap(listenerInodes));
    if (!active) stats.get(key)!.active = 0;
  }
  return { stats, inodes };
}

function attachOwners(r: Result, scan: SocketOwnerScan): void {
  for (const [key, s] of r.stats) {
    s.owners = ownersOf(r.inodes.get(key) ?? [], scan);
    s.ownersComplete = scan.unreadablePids === 0;
    for (const m of s.members ?? []) m.owners = ownersOf([m.inode], scan);
  }
}

function allInodes(r: Result): number[] {
  return [...r.inodes.values()].flat();
}

/**
 * Statistics of UNIX-socket listeners (stream and seqpacket), with raindrops'
 * definitions (see {@link ListenerStats}).
 *
 * - Without `paths`: every listener in the caller's network namespace, keyed
 *   by its bound name (`/run/app.sock`, or `@name` for an abstract socket).
 * - With `paths`: those, keyed exactly as given. A path is matched by the
 *   socket file it leads to (symbolic links are followed, so a symlink to a
 *   socket finds it), then by name; `@name` is an abstract name. Paths with
 *   no listener are left out.
 *
 * `queued`/`backlog` come from `UNIX_DIAG_RQLEN` of the listener; `active`
 * counts the accepted (ESTABLISHED) sockets that carry its name. With
 * `{ active: false }` only listening sockets are dumped.
 *
 * @throws {InvalidListenerPathError} for a malformed path.
 * @throws {NotSupportedError} when neither unix_diag nor `/proc/net/unix` is available (`modprobe unix_diag`).
 */
export async function unixListenerStats(
  paths?: UnixListenerPaths | null,
  options: UnixListenerStatsOptions = {},
): Promise<Map<string, ListenerStats>> {
  const queries = parsePaths(paths);
  const active = options.active !== false;
  const procFile = `${options.procRoot ?? '/proc'}/net/unix`;
  let r: Result;
  const viaProc = async (cause?: unknown): Promise<Result> => {
    let text: string;
    try {
      text = await readFile(procFile, 'utf8');
    } catch (e) {
      throw notSupported(cause ?? e, e);
    }
    return fromProc(text, procFile, queries, active);
  };
  if (options.source === 'proc') r = await viaProc();
  else {
    const tally = new UnixListenerTally();
    try {
      await (options.socket ?? sharedListenerAsyncSocket()).dump(
        SOCK_DIAG_BY_FAMILY,
        NLM_F_REQUEST,
        active ? REQ_ALL : REQ_LISTEN,
        (buf, _t, off, len) => tally.addMessage(buf, off, len),
        active ? DESC : DESC_LISTEN,
      );
      r = fromTally(tally, queries);
    } catch (e) {
      if (!isMissingUnixDiag(e)) throw e;
      if (options.source === 'sock_diag') throw notSupported(e);
      r = await viaProc(e);
    }
  }
  if (options.owners) {
    const inodes = allInodes(r);
    const scan = options.ownerCache
      ? await options.ownerCache.lookup(inodes)
      : await findSocketOwners(inodes, options.procRoot);
    attachOwners(r, scan);
  }
  return r.stats;
}

/** {@link unixListenerStats}, synchronously (for scripts). */
export function unixListenerStatsSync(
  paths?: UnixListenerPaths | null,
  options: UnixListenerStatsOptions = {},
): Map<string, ListenerStats> {
  const queries = parsePaths(paths);
  const active = options.active !== false;
  const procFile = `${options.procRoot ?? '/proc'}/net/unix`;
  const viaProc = (cause?: unknown): Result => {
    let text: string;
    try {
      text = readFileSync(procFile, 'utf8');
    } catch (e) {
      throw notSupported(cause ?? e, e);
    }
    return fromProc(text, procFile, queries, active);
  };
  let r: Result;
  if (options.source === 'proc') r = viaProc();
  else {
    const tally = new UnixListenerTally();
    try {
      (options.socket ?? sharedListenerSyncSocket()).dumpSync(
        SOCK_DIAG_BY_FAMILY,
        NLM_F_REQUEST,
        active ? REQ_ALL : REQ_LISTEN,
        (buf, _t, off, len) => tally.addMessage(buf, off, len),
        active ? DESC : DESC_LISTEN,
      );
      r = fromTally(tally, queries);
    } catch (e) {
      if (!isMissingUnixDiag(e)) throw e;
      if (options.source === 'sock_diag') throw notSupported(e);
      r = viaProc(e);
    }
  }
  if (options.owners) {
    const inodes = allInodes(r);
    const scan = options.ownerCache
      ? options.ownerCache.lookupSync(inodes)
      : findSocketOwnersSync(inodes, options.procRoot);
    attachOwners(r, scan);
  }
  return r.stats;
}
