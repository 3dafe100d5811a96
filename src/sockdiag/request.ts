/**
 * Pure encoders of sock_diag requests: `struct inet_diag_req_v2`, the legacy
 * `struct inet_diag_req` (TCPDIAG_GETSOCK) and `struct unix_diag_req`.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { encodeNetlinkAttributes } from '../netlink/message.js';
import { compileInetDiagFilter, type InetDiagFilter } from './bytecode.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  ALL_STATES_MASK,
  INET_DIAG_REQ_BYTECODE,
  INET_DIAG_REQ_SIZE,
  INET_DIAG_REQ_V2_SIZE,
  type InetDiagExtension,
  IPPROTO,
  inetDiagExtMask,
  stateMask,
  type TcpStateName,
  UDIAG_SHOW,
  UNIX_DIAG_REQ_SIZE,
  type UnixDiagShow,
} from './constants.js';

/** Which states to dump: a list (numbers or names), `'all'`, or a raw `1 << state` bitmask. */
export type StateSelection = readonly (number | TcpStateName)[] | 'all' | number;

/** An inet protocol by name or number. */
export type InetProtocol = 'tcp' | 'udp' | 'udplite' | 'raw' | number;

/** The `idiag_states` mask for a {@link StateSelection} (default: all). */
export function statesToMask(states: StateSelection | undefined): number {
  if (states === undefined || states === 'all') return ALL_STATES_MASK;
  if (typeof states === 'number') {
    if (!Number.isInteger(states) || states < 0 || states > 0xffffffff) {
      throw new InvalidArgumentError(`states mask must be a u32, got ${states}`, states);
    }
    return states >>> 0;
  }
  if (!Array.isArray(states)) throw new InvalidArgumentError('states must be an array, "all" or a bitmask', states);
  return stateMask(...states);
}

/** The IP protocol number of `protocol`. */
export function inetProtocolNumber(protocol: InetProtocol | undefined): number {
  if (protocol === undefined) return IPPROTO.tcp;
  if (typeof protocol === 'number') {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) {
      throw new InvalidArgumentError(`protocol must be 0-255, got ${protocol}`, protocol);
    }
    return protocol;
  }
  const n = (IPPROTO as Record<string, number>)[protocol];
  if (n === undefined)
    throw new InvalidArgumentError(`unknown protocol ${JSON.stringify(protocol)} (tcp, udp, udplite, raw)`, protocol);
  return n;
}

function bytecodeAttr(filter: InetDiagFilter | Buffer | undefined): Buffer {
  if (filter === undefined) return Buffer.alloc(0);
  const prog = Buffer.isBuffer(filter) ? filter : compileInetDiagFilter(filter);
  if (prog.length === 0) return Buffer.alloc(0);
  return encodeNetlinkAttributes([{ type: INET_DIAG_REQ_BYTECODE, value: prog }]);
}

/** Fields of an inet_diag request. */
export interface InetDiagRequestFields {
  /** Address family. */
  family: 'inet' | 'inet6';
  /** Transport protocol (default tcp). */
  protocol?: InetProtocol;
  /** States to dump (default all). */
  states?: StateSelection;
  /** Extensions to ask for (`idiag_ext`). */
  extensions?: readonly (InetDiagExtension | number)[];
  /** A filter expression or precompiled bytecode (INET_DIAG_REQ_BYTECODE). */
  filter?: InetDiagFilter | Buffer;
  /** For `raw`: the raw protocol (`sdiag_raw_protocol`, in the pad byte); default 0. */
  rawProtocol?: number;
}

/**
 * Encode `struct inet_diag_req_v2` (56 bytes: family, protocol, ext, pad,
 * states, inet_diag_sockid zeroed = dump everything) followed by the
 * INET_DIAG_REQ_BYTECODE attribute when a filter is given. Send it as
 * SOCK_DIAG_BY_FAMILY with NLM_F_DUMP.
 */
export function encodeInetDiagRequest(req: InetDiagRequestFields): Buffer {
  const b = Buffer.alloc(INET_DIAG_REQ_V2_SIZE);
  if (req.family !== 'inet' && req.family !== 'inet6') {
    throw new InvalidArgumentError(`family must be 'inet' or 'inet6', got ${JSON.stringify(req.family)}`, req.family);
  }
  b[0] = req.family === 'inet' ? AF_INET : AF_INET6;
  b[1] = inetProtocolNumber(req.protocol);
  b[2] = inetDiagExtMask(req.extensions);
  b[3] = req.rawProtocol ?? 0;
  b.writeUInt32LE(statesToMask(req.states), 4);
  return Buffer.concat([b, bytecodeAttr(req.filter)]);
}

/**
 * Encode the legacy `struct inet_diag_req` (60 bytes: family 0, src_len,
 * dst_len, ext, id, states, dbs) for TCPDIAG_GETSOCK with NLM_F_DUMP. The
 * kernel (inet_diag_dump_compat) ignores the family and walks IPv4 and IPv6
 * in one pass: both families from one request. TCP only.
 */
export function encodeTcpDiagLegacyRequest(req: {
  states?: StateSelection;
  extensions?: readonly (InetDiagExtension | number)[];
  filter?: InetDiagFilter | Buffer;
}): Buffer {
  const b = Buffer.alloc(INET_DIAG_REQ_SIZE);
  b[3] = inetDiagExtMask(req.extensions);
  b.writeUInt32LE(statesToMask(req.states), 52);
  return Buffer.concat([b, bytecodeAttr(req.filter)]);
}

/**
 * Encode `struct unix_diag_req` (24 bytes). `show` selects the attributes
 * (names or a raw UDIAG_SHOW_* mask; default all). `inode` + `cookie` select one
 * socket (send without NLM_F_DUMP); by default every socket is dumped.
 */
export function encodeUnixDiagRequest(
  req: {
    states?: StateSelection;
    show?: readonly UnixDiagShow[] | 'all' | number;
    inode?: number;
    cookie?: bigint;
  } = {},
): Buffer {
  const b = Buffer.alloc(UNIX_DIAG_REQ_SIZE);
  b[0] = AF_UNIX;
  b.writeUInt32LE(statesToMask(req.states), 4);
  b.writeUInt32LE(req.inode ?? 0, 8);
  let show = 0;
  if (req.show === undefined || req.show === 'all') show = 0x7f;
  else if (typeof req.show === 'number') show = req.show;
  else
    for (const s of req.show) {
      const f = UDIAG_SHOW[s];
      if (f === undefined) {
        throw new InvalidArgumentError(
          `unknown unix_diag show flag ${JSON.stringify(s)} (${Object.keys(UDIAG_SHOW).join(', ')})`,
          s,
        );
      }
      show |= f;
    }
  b.writeUInt32LE(show >>> 0, 12);
  const cookie = req.cookie ?? 0xffffffffffffffffn; // INET_DIAG_NOCOOKIE in both halves
  b.writeBigUInt64LE(cookie, 16);
  return b;
}
