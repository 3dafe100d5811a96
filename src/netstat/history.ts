/**
 * An nstat-style history file: the last sample of the counters, so that
 * successive `raingauge netstat --delta` runs show what changed since the
 * previous run (like nstat's `~/.nstat` / `$NSTAT_HISTORY`).
 *
 * One file per user and network namespace:
 * `${XDG_RUNTIME_DIR or os.tmpdir()}/raingauge-netstat.<uid>.<netns inode>.json`
 * (the inode of `/proc/<pid or self>/ns/net`), or the path in
 * `$RAINGAUGE_NETSTAT_HISTORY`. Written atomically (temporary file +
 * rename) with mode 0600; a file owned by another user is never read.
 * @module
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { errnoNameOf, InvalidArgumentError, NotFoundError, ParseError, PermissionError } from '../errors.js';
import { netstatFsError as mapFsError } from './fserr.js';
import { type CounterValue, type NetCounterSet, parseCounterValue } from './parse.js';

/** What the history file holds. */
export interface NetstatHistory {
  /** Format version (1). */
  version: 1;
  /** The network namespace inode the sample belongs to (`/proc/<pid>/ns/net`). */
  netns: string;
  /** When the sample was taken, ms since the epoch. */
  timeMs: number;
  /** The counters. */
  counters: NetCounterSet;
}

/**
 * The inode number of a network namespace, from the `/proc/<pid>/ns/net`
 * link (`net:[4026531840]` → `"4026531840"`). Default: this process's.
 * Another user's process needs root or CAP_SYS_PTRACE.
 */
export function netnsInode(opts: { pid?: number; procMountPoint?: string } = {}): string {
  const p = join(opts.procMountPoint ?? '/proc', opts.pid === undefined ? 'self' : String(opts.pid), 'ns', 'net');
  let link: string;
  try {
    link = readlinkSync(p);
  } catch (err) {
    mapFsError(err, p);
  }
  const m = /^net:\[(\d+)\]$/.exec(link);
  if (!m) throw new ParseError(p, 'expected a link of the form net:[inode]', { text: link });
  return m[1]!;
}

/**
 * Path of the history file for a network namespace: `$RAINGAUGE_NETSTAT_HISTORY`
 * if set, otherwise `raingauge-netstat.<uid>.<netns>.json` in
 * `$XDG_RUNTIME_DIR` (or the OS temporary directory).
 */
export function netstatHistoryPath(netns: string, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.RAINGAUGE_NETSTAT_HISTORY;
  if (explicit) return explicit;
  const dir = env.XDG_RUNTIME_DIR || tmpdir();
  const uid = process.getuid?.() ?? 0;
  return join(dir, `raingauge-netstat.${uid}.${netns}.json`);
}

function encode(h: NetstatHistory): string {
  return JSON.stringify(h, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * Parse the text of a history file. Throws {@link ParseError} naming `file`
 * when it is not a valid history (bigints are stored as decimal strings).
 */
export function parseNetstatHistory(text: string, file = 'netstat history'): NetstatHistory {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ParseError(file, 'not JSON (delete the file to start a new history)', { text, cause: err });
  }
  const bad = (why: string): never => {
    throw new ParseError(file, `${why} (delete the file to start a new history)`, { text });
  };
  if (typeof raw !== 'object' || raw === null) return bad('not an object');
  const o = raw as Record<string, unknown>;
  if (o.version !== 1) return bad('unknown version');
  if (typeof o.netns !== 'string') return bad('netns missing');
  if (typeof o.timeMs !== 'number' || !Number.isFinite(o.timeMs)) return bad('timeMs missing');
  if (typeof o.counters !== 'object' || o.counters === null || Array.isArray(o.counters))
    return bad('counters missing');
  const counters: NetCounterSet = {};
  const NAME = /^[A-Za-z0-9_]*$/;
  for (const [proto, sec] of Object.entries(o.counters as Record<string, unknown>)) {
    if (!NAME.test(proto) || proto === '__proto__') return bad(`invalid section name ${JSON.stringify(proto)}`);
    if (typeof sec !== 'object' || sec === null || Array.isArray(sec)) return bad(`section ${proto} is not an object`);
    const out: Record<string, CounterValue> = {};
    for (const [name, v] of Object.entries(sec as Record<string, unknown>)) {
      if (name === '' || !NAME.test(name) || name === '__proto__')
        return bad(`invalid counter name ${JSON.stringify(name)}`);
      let val: CounterValue | undefined;
      if (typeof v === 'number' && Number.isSafeInteger(v)) val = v;
      else if (typeof v === 'string') val = parseCounterValue(v);
      if (val === undefined) return bad(`value of ${proto} ${name} is not an integer`);
      out[name] = val;
    }
    counters[proto] = out;
  }
  return { version: 1, netns: o.netns, timeMs: o.timeMs, counters };
}

/**
 * Load the history at `path`. Returns `undefined` when there is none (or it
 * is owned by another user). Throws {@link ParseError} when it is corrupt.
 */
export function loadNetstatHistory(path: string): NetstatHistory | undefined {
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw historyIsDirectory(path);
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) return undefined;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = errnoNameOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    mapFsError(err, path);
  }
  return parseNetstatHistory(text, path);
}

function historyIsDirectory(path: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `the netstat history ${path} is a directory: set RAINGAUGE_NETSTAT_HISTORY to a file path (e.g. ${join(path, 'raingauge-netstat.json')})`,
    path,
  );
}

/**
 * Write the history atomically (temporary file with mode 0600, then rename).
 * @throws {NotFoundError} when the file's directory does not exist.
 * @throws {InvalidArgumentError} when `path` is a directory.
 * @throws {PermissionError} when the directory is not writable.
 */
export function saveNetstatHistory(path: string, h: NetstatHistory): void {
  const tmp = `${path}.${process.pid}.tmp`;
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // no file yet
  }
  if (isDir) throw historyIsDirectory(path);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, encode(h));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    const code = errnoNameOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NotFoundError(
        dirname(path),
        `cannot write the netstat history ${path}: the directory ${dirname(path)} does not exist (create it, or set RAINGAUGE_NETSTAT_HISTORY to a file in an existing directory)`,
        { cause: err },
      );
    }
    if (code === 'EISDIR') throw historyIsDirectory(path);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new PermissionError(
        `cannot write the netstat history ${path} (set RAINGAUGE_NETSTAT_HISTORY to a writable path)`,
        {
          path,
          cause: err,
        },
      );
    }
    mapFsError(err, path);
  }
}

/** Delete the history at `path` (no error when there is none). */
export function resetNetstatHistory(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    const code = errnoNameOf(err);
    if (code === 'EISDIR') throw historyIsDirectory(path);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') mapFsError(err, path);
  }
}
