/**
 * `/proc/net/unix`: Unix domain sockets of the reader's network namespace (kernel `unix_seq_show`).
 *
 * Go procfs: `FS.NetUNIX() *NetUNIX`, `NetUNIXLine`, `NetUNIXFlags/Type/State` with `String()`
 * (here {@link netUNIXFlagsString}, {@link netUNIXTypeString}, {@link netUNIXStateString}).
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, hex, lines, uint } from './system_util.js';

/** One socket (Go procfs: `NetUNIXLine`). RefCount, Protocol, Flags, Type and St are hex in the file. */
export interface NetUNIXLine {
  /** Kernel address of the socket as printed (`Num`, hashed by `%pK`, usually zeros for non-root). */
  kernelPtr: string;
  /** Reference count (`RefCount`). */
  refCount: number;
  /** Protocol (`Protocol`, always 0). */
  protocol: number;
  /** Socket flags (`Flags`): `0x10000` (`__SO_ACCEPTCON`) means listening. */
  flags: number;
  /** Socket type (`Type`): 1 stream, 2 dgram, 5 seqpacket. */
  type: number;
  /** Socket state (`St`): 1 unconnected, 2 connecting, 3 connected, 4 disconnecting. */
  state: number;
  /** Socket inode (`Inode`, decimal): matches `socket:[N]` under `/proc/<pid>/fd`. */
  inode: number;
  /** Bound path (`Path`); abstract names start with `@`. Absent for unbound sockets. */
  path?: string;
}

/** `/proc/net/unix` parsed (Go procfs: `NetUNIX`). */
export interface NetUNIX {
  /** One entry per socket. */
  rows: NetUNIXLine[];
}

/** `__SO_ACCEPTCON`: the socket is listening. */
export const NET_UNIX_FLAG_LISTEN = 0x10000;

/** Go procfs `NetUNIXFlags.String()`: `"listen"` or `"default"`. */
export function netUNIXFlagsString(flags: number): string {
  return flags & NET_UNIX_FLAG_LISTEN ? 'listen' : 'default';
}

/** Go procfs `NetUNIXType.String()`: `"stream"`, `"dgram"`, `"seqpacket"` or `"unknown"`. */
export function netUNIXTypeString(type: number): string {
  return type === 1 ? 'stream' : type === 2 ? 'dgram' : type === 5 ? 'seqpacket' : 'unknown';
}

/** Go procfs `NetUNIXState.String()`: `"unconnected"`, `"connecting"`, `"connected"`, `"disconnected"` or `"unknown"`. */
export function netUNIXStateString(state: number): string {
  return ['unknown', 'unconnected', 'connecting', 'connected', 'disconnected'][state] ?? 'unknown';
}

const ROW = /^\s*([0-9A-Fa-f]+):\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?: (.*))?$/;

/**
 * Parse the text of `/proc/net/unix`. The path is everything after the inode column (paths
 * may contain spaces).
 * @throws ParseError on a missing header or a malformed row.
 */
export function parseNetUNIX(text: string, file = '/proc/net/unix'): NetUNIX {
  const ls = lines(text);
  if (!ls[0]?.startsWith('Num')) fail(firstLineAt(ls, file), 'missing the "Num RefCount …" header');
  const rows: NetUNIXLine[] = [];
  for (const w of rowsAt(ls, file)) {
    const t = w.text;
    const m = ROW.exec(t);
    if (!m) fail(w, 'expected "Num: RefCount Protocol Flags Type St Inode [Path]"');
    const row: NetUNIXLine = {
      kernelPtr: m[1]!,
      refCount: hex(m[2], w, 'RefCount'),
      protocol: hex(m[3], w, 'Protocol'),
      flags: hex(m[4], w, 'Flags'),
      type: hex(m[5], w, 'Type'),
      state: hex(m[6], w, 'St'),
      inode: uint(m[7], w, 'Inode'),
    };
    if (m[8] !== undefined && m[8] !== '') row.path = m[8];
    rows.push(row);
  }
  return { rows };
}
