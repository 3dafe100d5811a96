/**
 * UNIX sock_diag: the `struct unix_diag_msg` decoder with its attributes, and
 * the high-level `unixSockets` / `unixSocketStream` / `unixSocketsSync`.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { DecodeError } from '../errors.js';
import { NLM_F_DUMP } from '../netlink/constants.js';
import { NetlinkAttributeCursor } from '../netlink/message.js';
import { readU64LE } from '../util/bytes.js';
import {
  SOCK_DIAG_BY_FAMILY,
  TCP_LISTEN,
  tcpStateName,
  UNIX_DIAG_ICONS,
  UNIX_DIAG_MEMINFO,
  UNIX_DIAG_MSG_SIZE,
  UNIX_DIAG_NAME,
  UNIX_DIAG_PEER,
  UNIX_DIAG_RQLEN,
  UNIX_DIAG_SHUTDOWN,
  UNIX_DIAG_UID,
  UNIX_DIAG_VFS,
  type UnixDiagShow,
} from './constants.js';
import { decodeSkMemInfo, type SkMemInfo } from './inet.js';
import { encodeUnixDiagRequest, type StateSelection } from './request.js';
import { dumpSendOptions, mapSockDiagError, type SockDiagOptions, sockDiagSocket, yieldSliced } from './shared.js';

/** UNIX socket type names by `udiag_type` (SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5). */
export type UnixSocketType = 'stream' | 'dgram' | 'seqpacket';

/** One UNIX socket as unix_diag reports it. */
export interface UnixSocket {
  /** `udiag_type`. */
  type: UnixSocketType;
  /** `udiag_state` (TCP numbering: 10 LISTEN, 1 ESTABLISHED connected, 7 CLOSE unconnected, 2 SYN_SENT connecting). */
  state: number;
  /** Name of `udiag_state`. */
  stateName: string;
  /** `udiag_ino`: the socket inode (`socket:[inode]`). */
  inode: number;
  /** `udiag_cookie`: the kernel's socket cookie (u64 as bigint). */
  cookie: bigint;
  /**
   * UNIX_DIAG_NAME as text ({@link unixNameText} of {@link name}): a
   * filesystem path as bound, or for an abstract name `@name`: the leading
   * NUL shown as '@' (as ss does; so are NULs inside the name) and trailing
   * NUL padding removed (libuv, and so Node, binds abstract names with the
   * full `sockaddr_un` length). Bytes that are not valid UTF-8 appear as
   * `\xNN`, so two different names never get the same text. Absent for
   * unnamed sockets (most client ends).
   */
  path?: string;
  /**
   * UNIX_DIAG_NAME, the raw bytes: a path up to its NUL, or an abstract name
   * with its leading NUL and without trailing NUL padding. Names need not be
   * UTF-8; `fs` calls accept this Buffer as a path.
   */
  name?: Buffer;
  /** True when the name is abstract (starts with a NUL byte). */
  abstract?: boolean;
  /**
   * UNIX_DIAG_VFS: the socket file of a path name. `dev` is its device in
   * the user-space encoding `stat(2)` returns (equal to `fs.statSync(path).dev`);
   * the kernel sends `udiag_vfs_dev` in its internal `dev_t` encoding
   * (MAJOR << 20 | MINOR), kept as `kernelDev`. `inode` is `udiag_vfs_ino`.
   */
  vfs?: { dev: number; inode: number; kernelDev: number };
  /** UNIX_DIAG_PEER: inode of the peer socket (0 while the peer is a not-yet-accepted embryo). */
  peerInode?: number;
  /** UNIX_DIAG_ICONS (listeners): for each connection waiting in the accept queue, the inode of the connecting (client) socket. */
  pendingInodes?: number[];
  /**
   * UNIX_DIAG_RQLEN `udiag_rqueue`: for a LISTEN socket the number of connections
   * waiting to be accepted; otherwise bytes in the receive queue.
   */
  receiveQueue?: number;
  /** UNIX_DIAG_RQLEN `udiag_wqueue` for non-listeners: bytes in the send queue (not yet read by the peer). */
  sendQueue?: number;
  /** UNIX_DIAG_RQLEN `udiag_wqueue` for a LISTEN socket: the maximum backlog. */
  backlog?: number;
  /** UNIX_DIAG_MEMINFO: the `sk_meminfo` array. */
  memInfo?: SkMemInfo;
  /** UNIX_DIAG_SHUTDOWN: shutdown bits (1 receive side, 2 send side). */
  shutdown?: number;
  /** UNIX_DIAG_UID: the owner's uid. */
  uid?: number;
}

const TYPES: Record<number, UnixSocketType> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };

/** The attribute cursor reused by every decode (decoding is synchronous). */
const cursor = new NetlinkAttributeCursor();

/**
 * Convert a kernel `dev_t` (as in `UNIX_DIAG_VFS` `udiag_vfs_dev`: MAJOR << 20 | MINOR,
 * include/linux/kdev_t.h) to the user-space encoding `stat(2)` returns
 * (glibc `makedev`, what Node's `fs.Stats.dev` holds): MKDEV(254, 0) =
 * 266338304 becomes 65024.
 */
export function kernelDevToUserDev(kdev: number): number {
  const major = kdev >>> 20;
  const minor = kdev & 0xfffff;
  return (minor & 0xff) + major * 256 + (minor & ~0xff) * 4096;
}

/**
 * The bytes of a UNIX_DIAG_NAME value as the kernel holds them: a path up to
 * its first NUL, or an abstract name (leading NUL) without its trailing NUL
 * padding. Returns a subarray (no copy).
 */
export function unixNameBytes(buf: Buffer, off: number, len: number): Buffer {
  if (len > 0 && buf[off] === 0) {
    let e = off + len;
    while (e > off + 1 && buf[e - 1] === 0) e--;
    return buf.subarray(off, e);
  }
  let e = off;
  while (e < off + len && buf[e] !== 0) e++;
  return buf.subarray(off, e);
}

/**
 * The text form of a UNIX socket name (raw bytes as from {@link unixNameBytes}):
 * a path as is; an abstract name as `@` followed by the name, NULs inside it
 * shown as `@` (as `ss` and raindrops print them). Valid UTF-8 is decoded;
 * any byte that is not part of a valid UTF-8 sequence becomes `\xNN` (two
 * hex digits), so the text is lossless for every name a program can bind
 * (a name that itself contains a backslash followed by `x` and two hex
 * digits is the only ambiguity, and lookups try both readings).
 */
export function unixNameText(name: Buffer): string {
  if (name.length > 0 && name[0] === 0) return `@${bytesText(name.subarray(1)).replaceAll('\0', '@')}`;
  return bytesText(name);
}

function bytesText(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  let i = 0;
  let start = 0;
  while (i < b.length) {
    const n = utf8SequenceLength(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += `${b.toString('utf8', start, i)}\\x${b[i]!.toString(16).padStart(2, '0')}`;
    i++;
    start = i;
  }
  return out + b.toString('utf8', start, b.length);
}

/** Length of the valid UTF-8 sequence starting at `b[i]`, 0 when the byte there does not start one. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * The raw bytes a name text stands for: `\xNN` escapes (as {@link unixNameText}
 * writes them) turned back into bytes, `@` at the start into the abstract
 * NUL. Undefined when the text has no escape (its UTF-8 bytes are the name).
 */
export function unixNameFromText(text: string): Buffer | undefined {
  if (!/\\x[0-9a-f]{2}/.test(text)) return undefined;
  const parts: Buffer[] = [];
  let rest = text;
  if (rest.startsWith('@')) {
    parts.push(Buffer.from([0]));
    rest = rest.slice(1);
  }
  const re = /\\x([0-9a-f]{2})/g;
  let last = 0;
  for (let m = re.exec(rest); m !== null; m = re.exec(rest)) {
    parts.push(Buffer.from(rest.slice(last, m.index), 'utf8'), Buffer.from([Number.parseInt(m[1]!, 16)]));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(rest.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * Decode one unix_diag reply payload (`buf[offset..offset+length)`):
 * `struct unix_diag_msg` (16 bytes) followed by attributes.
 * @throws {DecodeError}
 */
export function decodeUnixDiagMessage(buf: Buffer, offset: number, length: number): UnixSocket {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > buf.length
  ) {
    throw new DecodeError(
      'unix_diag_msg',
      offset,
      `range ${offset}+${length} is outside the buffer (${buf.length} bytes)`,
    );
  }
  if (length < UNIX_DIAG_MSG_SIZE) throw new DecodeError('unix_diag_msg', offset, `${length} bytes, needs 16`);
  if (buf[offset] !== 1) throw new DecodeError('unix_diag_msg', offset, `family ${buf[offset]} is not AF_UNIX`);
  const t = buf[offset + 1]!;
  const type = TYPES[t];
  if (!type) throw new DecodeError('unix_diag_msg', offset + 1, `unknown socket type ${t}`);
  const state = buf[offset + 2]!;
  const s: UnixSocket = {
    type,
    state,
    stateName: tcpStateName(state),
    inode: buf.readUInt32LE(offset + 4),
    cookie: readU64LE(buf, offset + 8),
  };
  const ad = cursor.reset(buf, offset + UNIX_DIAG_MSG_SIZE, offset + length);
  while (ad.next()) {
    const off = ad.offset;
    const len = ad.length;
    switch (ad.type) {
      case UNIX_DIAG_NAME: {
        // libuv binds abstract names with the whole sockaddr length: the NUL padding is dropped
        const name = Buffer.from(unixNameBytes(buf, off, len));
        s.abstract = len > 0 && buf[off] === 0;
        s.name = name;
        s.path = unixNameText(name);
        break;
      }
      case UNIX_DIAG_VFS:
        if (ad.has(8, 'UNIX_DIAG_VFS')) {
          const kernelDev = buf.readUInt32LE(off + 4);
          s.vfs = { inode: buf.readUInt32LE(off), dev: kernelDevToUserDev(kernelDev), kernelDev };
        }
        break;
      case UNIX_DIAG_PEER:
        s.peerInode = ad.u32('UNIX_DIAG_PEER');
        break;
      case UNIX_DIAG_ICONS: {
        const list: number[] = [];
        for (let i = 0; i + 4 <= len; i += 4) list.push(buf.readUInt32LE(off + i));
        s.pendingInodes = list;
        break;
      }
      case UNIX_DIAG_RQLEN:
        if (ad.has(8, 'UNIX_DIAG_RQLEN')) {
          s.receiveQueue = buf.readUInt32LE(off);
          if (state === TCP_LISTEN) s.backlog = buf.readUInt32LE(off + 4);
          else s.sendQueue = buf.readUInt32LE(off + 4);
        }
        break;
      case UNIX_DIAG_MEMINFO:
        s.memInfo = decodeSkMemInfo(buf, off, len);
        break;
      case UNIX_DIAG_SHUTDOWN:
        s.shutdown = ad.u8('UNIX_DIAG_SHUTDOWN');
        break;
      case UNIX_DIAG_UID:
        s.uid = ad.u32('UNIX_DIAG_UID');
        break;
    }
  }
  ad.check();
  return s;
}

/** What to dump. */
export interface UnixSocketQuery {
  /** States (default all); `[TcpState.LISTEN]` for listeners only. */
  states?: StateSelection;
  /** Attributes to ask for (default all: name, vfs, peer, icons, rqlen, meminfo, uid). */
  show?: readonly UnixDiagShow[] | 'all' | number;
}

const DESC = 'SOCK_DIAG_BY_FAMILY unix';
const decodeMsg = (buf: Buffer, _type: number, off: number, len: number) => decodeUnixDiagMessage(buf, off, len);

/** From a worker thread: the kernel's walk to fill the first datagram runs inside send(). */
const SEND = dumpSendOptions(false);

/**
 * Dump UNIX sockets. The reply is read and decoded in slices of a few
 * milliseconds between which the event loop turns (see `NetlinkSocket.dump`).
 */
export async function unixSockets(query: UnixSocketQuery = {}, options: SockDiagOptions = {}): Promise<UnixSocket[]> {
  const sock = options.socket ?? sockDiagSocket();
  const out: UnixSocket[] = [];
  try {
    await sock.dump(
      SOCK_DIAG_BY_FAMILY,
      NLM_F_DUMP,
      encodeUnixDiagRequest(query),
      (b, t, o, l) => {
        out.push(decodeMsg(b, t, o, l));
      },
      DESC,
      SEND,
    );
  } catch (e) {
    throw mapSockDiagError(e, DESC, 'unix', false);
  }
  return out;
}

/** {@link unixSockets}, synchronously. */
export function unixSocketsSync(query: UnixSocketQuery = {}, options: SockDiagOptions = {}): UnixSocket[] {
  const sock = options.socket ?? sockDiagSocket();
  const out: UnixSocket[] = [];
  try {
    sock.dumpSync(
      SOCK_DIAG_BY_FAMILY,
      NLM_F_DUMP,
      encodeUnixDiagRequest(query),
      (b, t, o, l) => out.push(decodeMsg(b, t, o, l)),
      DESC,
    );
  } catch (e) {
    throw mapSockDiagError(e, DESC, 'unix', false);
  }
  return out;
}

/**
 * Iterate over UNIX sockets one kernel datagram at a time, with
 * back-pressure; like `inetSocketStream`, the consumer's work per socket
 * shares the socket's main-thread slices.
 */
export async function* unixSocketStream(
  query: UnixSocketQuery = {},
  options: SockDiagOptions = {},
): AsyncGenerator<UnixSocket, void, undefined> {
  const sock = options.socket ?? sockDiagSocket();
  try {
    for await (const batch of sock.dumpBatches(
      SOCK_DIAG_BY_FAMILY,
      NLM_F_DUMP,
      encodeUnixDiagRequest(query),
      decodeMsg,
      DESC,
      SEND,
    )) {
      yield* yieldSliced(sock, batch);
    }
  } catch (e) {
    throw mapSockDiagError(e, DESC, 'unix', false);
  }
}
