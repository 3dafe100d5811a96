/**
 * INET sock_diag (TCP, UDP, UDP-Lite, RAW over IPv4 and IPv6): the
 * `struct inet_diag_msg` decoder with its extension attributes, and the
 * high-level `inetSockets` / `inetSocketStream` / `inetSocketsSync`.
 * @module
 */
import { DecodeError } from '../errors.js';
import { NLM_F_DUMP } from '../netlink/constants.js';
import { NetlinkAttributeCursor, readCString } from '../netlink/message.js';
import type { NetlinkDumpOptions, NetlinkSocket } from '../netlink/socket.js';
import { readU64LE } from '../util/bytes.js';
import { formatInetAddress, type InetFamily } from './address.js';
import type { InetDiagFilter } from './bytecode.js';
import {
  AF_INET,
  AF_INET6,
  INET_DIAG_BBRINFO,
  INET_DIAG_CGROUP_ID,
  INET_DIAG_CLASS_ID,
  INET_DIAG_CONG,
  INET_DIAG_DCTCPINFO,
  INET_DIAG_INFO,
  INET_DIAG_MARK,
  INET_DIAG_MEMINFO,
  INET_DIAG_MSG,
  INET_DIAG_PROTOCOL,
  INET_DIAG_SHUTDOWN,
  INET_DIAG_SKMEMINFO,
  INET_DIAG_SKV6ONLY,
  INET_DIAG_SOCKOPT,
  INET_DIAG_TCLASS,
  INET_DIAG_TIMER_NAMES,
  INET_DIAG_TOS,
  INET_DIAG_ULP_INFO,
  INET_DIAG_VEGASINFO,
  type InetDiagExtension,
  IPPROTO,
  SOCK_DIAG_BY_FAMILY,
  TCPDIAG_GETSOCK,
  TcpState,
  tcpStateName,
} from './constants.js';
import {
  encodeInetDiagRequest,
  encodeTcpDiagLegacyRequest,
  type InetProtocol,
  inetProtocolNumber,
  type StateSelection,
  statesToMask,
} from './request.js';
import { dumpSendOptions, mapSockDiagError, type SockDiagOptions, sockDiagSocket, yieldSliced } from './shared.js';
import { decodeTcpInfo, type TcpInfo } from './tcpinfo.js';

/** `struct inet_diag_meminfo` (INET_DIAG_MEMINFO). */
export interface InetDiagMemInfo {
  /** `idiag_rmem`: bytes in the receive queue (sk_rmem_alloc). */
  rmemBytes: number;
  /** `idiag_wmem`: bytes queued for sending (sk_wmem_queued). */
  wmemBytes: number;
  /** `idiag_fmem`: forward-allocated bytes (sk_forward_alloc). */
  fmemBytes: number;
  /** `idiag_tmem`: bytes in transmit (sk_wmem_alloc). */
  tmemBytes: number;
}

/**
 * The `sk_meminfo` array (INET_DIAG_SKMEMINFO, UNIX_DIAG_MEMINFO;
 * include/uapi/linux/sock_diag.h SK_MEMINFO_*), decoded by its length.
 */
export interface SkMemInfo {
  /** SK_MEMINFO_RMEM_ALLOC: bytes allocated to the receive queue. */
  rmemAllocBytes?: number;
  /** SK_MEMINFO_RCVBUF: receive buffer size (SO_RCVBUF). */
  rcvbufBytes?: number;
  /** SK_MEMINFO_WMEM_ALLOC: bytes allocated to the send queue in flight. */
  wmemAllocBytes?: number;
  /** SK_MEMINFO_SNDBUF: send buffer size (SO_SNDBUF). */
  sndbufBytes?: number;
  /** SK_MEMINFO_FWD_ALLOC: forward-allocated bytes. */
  fwdAllocBytes?: number;
  /** SK_MEMINFO_WMEM_QUEUED: bytes queued for sending. */
  wmemQueuedBytes?: number;
  /** SK_MEMINFO_OPTMEM: option memory (bytes). */
  optmemBytes?: number;
  /** SK_MEMINFO_BACKLOG: bytes in the socket backlog. */
  backlogBytes?: number;
  /** SK_MEMINFO_DROPS: packets dropped (sk_drops). */
  drops?: number;
}

/** `struct tcpvegas_info` (INET_DIAG_VEGASINFO). */
export interface VegasInfo {
  /** `tcpv_enabled`. */
  enabled: number;
  /** `tcpv_rttcnt`: RTT samples in the current window. */
  rttCount: number;
  /** `tcpv_rtt`: RTT (µs). */
  rttMicros: number;
  /** `tcpv_minrtt`: minimum RTT (µs). */
  minRttMicros: number;
}

/** `struct tcp_dctcp_info` (INET_DIAG_DCTCPINFO). */
export interface DctcpInfo {
  /** `dctcp_enabled`. */
  enabled: number;
  /** `dctcp_ce_state`. */
  ceState: number;
  /** `dctcp_alpha`: the DCTCP alpha (scaled by 1024). */
  alpha: number;
  /** `dctcp_ab_ecn`: bytes acked with ECE in the current window. */
  ackedBytesEcn: number;
  /** `dctcp_ab_tot`: bytes acked in the current window. */
  ackedBytesTotal: number;
}

/** `struct tcp_bbr_info` (INET_DIAG_BBRINFO). */
export interface BbrInfo {
  /** `bbr_bw_lo | bbr_bw_hi << 32`: max-filtered bandwidth estimate (bytes/s). */
  bandwidthBytesPerSec: bigint;
  /** `bbr_min_rtt`: min-filtered RTT (µs). */
  minRttMicros: number;
  /** `bbr_pacing_gain / 256`: the pacing gain as a ratio. */
  pacingGain: number;
  /** `bbr_cwnd_gain / 256`: the cwnd gain as a ratio. */
  cwndGain: number;
}

/** One INET socket as sock_diag reports it (`struct inet_diag_msg` + attributes). */
export interface InetSocket {
  /** `idiag_family`. */
  family: InetFamily;
  /** `idiag_state`: TCP state number (UDP: 7 CLOSE unconnected, 1 ESTABLISHED connected). */
  state: number;
  /** Name of `idiag_state`. */
  stateName: string;
  /** `idiag_timer`: pending timer (0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe). */
  timer: number;
  /** Name of `idiag_timer`. */
  timerName: string;
  /** `idiag_retrans`: retransmissions of the pending timer (or probes). */
  retransmits: number;
  /** `id.idiag_src`: local address (text, RFC 5952 for IPv6). */
  localAddress: string;
  /** `id.idiag_sport`: local port. */
  localPort: number;
  /** `id.idiag_dst`: remote address. */
  remoteAddress: string;
  /** `id.idiag_dport`: remote port. */
  remotePort: number;
  /** `id.idiag_if`: bound interface index (0 = any). */
  interfaceIndex: number;
  /** `id.idiag_cookie`: the kernel's socket cookie (stable for the socket's life; u64 as bigint). */
  cookie: bigint;
  /** `idiag_expires`: time until the pending timer fires (ms). */
  expiresMs: number;
  /**
   * `idiag_rqueue`: for LISTEN, the accept-queue length (connections waiting for accept());
   * otherwise bytes in the receive queue.
   */
  receiveQueue: number;
  /** `idiag_wqueue`: for LISTEN, the maximum backlog; otherwise bytes in the send queue. */
  sendQueue: number;
  /** `idiag_uid`: owner uid. */
  uid: number;
  /** `idiag_inode`: socket inode (`socket:[inode]`; 0 for a connection still in the accept queue, and for TIME_WAIT). */
  inode: number;
  /** INET_DIAG_INFO: `struct tcp_info` (TCP, with the `info` extension). */
  tcpInfo?: TcpInfo;
  /** INET_DIAG_MEMINFO. */
  memInfo?: InetDiagMemInfo;
  /** INET_DIAG_SKMEMINFO. */
  skMemInfo?: SkMemInfo;
  /** INET_DIAG_CONG: congestion control algorithm name. */
  congestion?: string;
  /** INET_DIAG_TOS: IPv4 TOS byte. */
  tos?: number;
  /** INET_DIAG_TCLASS: IPv6 traffic class. */
  tclass?: number;
  /** INET_DIAG_CLASS_ID: net_cls class id, or `sk_priority` when none is set (sent only with the `tclass` extension, for every family). */
  classId?: number;
  /** INET_DIAG_SHUTDOWN: shutdown bits (1 = receive side shut down, 2 = send side). */
  shutdown?: number;
  /** INET_DIAG_SKV6ONLY: IPV6_V6ONLY. */
  v6Only?: boolean;
  /** INET_DIAG_MARK: SO_MARK (reported only to CAP_NET_ADMIN). */
  mark?: number;
  /** INET_DIAG_PROTOCOL: the IP protocol number. */
  protocol?: number;
  /** INET_DIAG_CGROUP_ID: cgroup v2 id (u64 as bigint). */
  cgroupId?: bigint;
  /** INET_DIAG_ULP_INFO / INET_ULP_INFO_NAME: the upper-layer protocol (`tls`, `mptcp`). */
  ulpName?: string;
  /** INET_DIAG_SOCKOPT: the two bytes of `struct inet_diag_sockopt` (bit 0 recverr, 1 is_icsk, 2 freebind, 3 hdrincl, 4 mc_loop, 5 transparent, 6 mc_all, 7 nodefrag; bit 8 bind_address_no_port, 9 recverr_rfc4884, 10 defer_connect). */
  sockoptFlags?: number;
  /** INET_DIAG_VEGASINFO. */
  vegasInfo?: VegasInfo;
  /** INET_DIAG_DCTCPINFO. */
  dctcpInfo?: DctcpInfo;
  /** INET_DIAG_BBRINFO. */
  bbrInfo?: BbrInfo;
}

/** Decode an `sk_meminfo` u32 array. */
export function decodeSkMemInfo(buf: Buffer, off: number, len: number): SkMemInfo {
  if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > buf.length) {
    throw new DecodeError('sk_meminfo', off, `range ${off}+${len} is outside the buffer (${buf.length} bytes)`);
  }
  if (len >= 36) {
    return {
      rmemAllocBytes: buf.readUInt32LE(off),
      rcvbufBytes: buf.readUInt32LE(off + 4),
      wmemAllocBytes: buf.readUInt32LE(off + 8),
      sndbufBytes: buf.readUInt32LE(off + 12),
      fwdAllocBytes: buf.readUInt32LE(off + 16),
      wmemQueuedBytes: buf.readUInt32LE(off + 20),
      optmemBytes: buf.readUInt32LE(off + 24),
      backlogBytes: buf.readUInt32LE(off + 28),
      drops: buf.readUInt32LE(off + 32),
    };
  }
  const m: SkMemInfo = {};
  for (let i = 0; i < SK_MEMINFO_NAMES.length && 4 * i + 4 <= len; i++)
    m[SK_MEMINFO_NAMES[i]!] = buf.readUInt32LE(off + 4 * i);
  return m;
}

const SK_MEMINFO_NAMES = [
  'rmemAllocBytes',
  'rcvbufBytes',
  'wmemAllocBytes',
  'sndbufBytes',
  'fwdAllocBytes',
  'wmemQueuedBytes',
  'optmemBytes',
  'backlogBytes',
  'drops',
] as const;

/**
 * The congestion algorithm names seen so far: a host runs one or two
 * (`cubic`, `bbr`), so a dump shares their strings instead of building one
 * per socket. Bounded (cleared when full); compared byte by byte, no allocation.
 */
const congestionNames: string[] = [];

function congestionName(buf: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  const n = end - off;
  next: for (const name of congestionNames) {
    if (name.length !== n) continue;
    for (let i = 0; i < n; i++) if (name.charCodeAt(i) !== buf[off + i]) continue next;
    return name;
  }
  const name = readCString(buf, off, len);
  if (name.length === n) {
    // plain ASCII (one char per byte): comparable as above
    if (congestionNames.length >= 16) congestionNames.length = 0;
    congestionNames.push(name);
  }
  return name;
}

/** The attribute cursor reused by every decode (decoding is synchronous, so one suffices). */
const cursor = new NetlinkAttributeCursor();

/**
 * Decode one inet_diag reply payload (`buf[offset..offset+length)`):
 * `struct inet_diag_msg` (72 bytes) followed by attributes.
 * @throws {DecodeError} on a short message, an unknown family or a malformed attribute.
 */
export function decodeInetDiagMessage(buf: Buffer, offset: number, length: number): InetSocket {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > buf.length
  ) {
    throw new DecodeError(
      'inet_diag_msg',
      offset,
      `range ${offset}+${length} is outside the buffer (${buf.length} bytes)`,
    );
  }
  if (length < INET_DIAG_MSG.size) throw new DecodeError('inet_diag_msg', offset, `${length} bytes, needs 72`);
  const fam = buf[offset]!;
  if (fam !== AF_INET && fam !== AF_INET6) throw new DecodeError('inet_diag_msg', offset, `unknown family ${fam}`);
  const family: InetFamily = fam === AF_INET ? 'inet' : 'inet6';
  const state = buf[offset + 1]!;
  const timer = buf[offset + 2]!;
  const s: InetSocket = {
    family,
    state,
    stateName: tcpStateName(state),
    timer,
    timerName: INET_DIAG_TIMER_NAMES[timer] ?? `unknown(${timer})`,
    retransmits: buf[offset + 3]!,
    localAddress: formatInetAddress(buf, offset + INET_DIAG_MSG.src, family),
    localPort: buf.readUInt16BE(offset + INET_DIAG_MSG.sport),
    remoteAddress: formatInetAddress(buf, offset + INET_DIAG_MSG.dst, family),
    remotePort: buf.readUInt16BE(offset + INET_DIAG_MSG.dport),
    interfaceIndex: buf.readUInt32LE(offset + INET_DIAG_MSG.if),
    cookie: readU64LE(buf, offset + INET_DIAG_MSG.cookie),
    expiresMs: buf.readUInt32LE(offset + INET_DIAG_MSG.expires),
    receiveQueue: buf.readUInt32LE(offset + INET_DIAG_MSG.rqueue),
    sendQueue: buf.readUInt32LE(offset + INET_DIAG_MSG.wqueue),
    uid: buf.readUInt32LE(offset + INET_DIAG_MSG.uid),
    inode: buf.readUInt32LE(offset + INET_DIAG_MSG.inode),
  };
  const ad = cursor.reset(buf, offset + INET_DIAG_MSG.size, offset + length);
  while (ad.next()) {
    const off = ad.offset;
    switch (ad.type) {
      case INET_DIAG_INFO:
        // UDP sockets have no tcp_info; only TCP fills this attribute
        s.tcpInfo = decodeTcpInfo(buf, off, ad.length);
        break;
      case INET_DIAG_MEMINFO:
        if (ad.has(16, 'INET_DIAG_MEMINFO')) {
          s.memInfo = {
            rmemBytes: buf.readUInt32LE(off),
            wmemBytes: buf.readUInt32LE(off + 4),
            fmemBytes: buf.readUInt32LE(off + 8),
            tmemBytes: buf.readUInt32LE(off + 12),
          };
        }
        break;
      case INET_DIAG_SKMEMINFO:
        s.skMemInfo = decodeSkMemInfo(buf, off, ad.length);
        break;
      case INET_DIAG_CONG:
        s.congestion = congestionName(buf, off, ad.length);
        break;
      case INET_DIAG_TOS:
        s.tos = ad.u8('INET_DIAG_TOS');
        break;
      case INET_DIAG_TCLASS:
        s.tclass = ad.u8('INET_DIAG_TCLASS');
        break;
      case INET_DIAG_CLASS_ID:
        s.classId = ad.u32('INET_DIAG_CLASS_ID');
        break;
      case INET_DIAG_SHUTDOWN:
        s.shutdown = ad.u8('INET_DIAG_SHUTDOWN');
        break;
      case INET_DIAG_SKV6ONLY:
        s.v6Only = ad.u8('INET_DIAG_SKV6ONLY') !== 0;
        break;
      case INET_DIAG_MARK:
        s.mark = ad.u32('INET_DIAG_MARK');
        break;
      case INET_DIAG_PROTOCOL:
        s.protocol = ad.u8('INET_DIAG_PROTOCOL');
        break;
      case INET_DIAG_CGROUP_ID:
        s.cgroupId = ad.u64('INET_DIAG_CGROUP_ID');
        break;
      case INET_DIAG_SOCKOPT:
        s.sockoptFlags = ad.u16('INET_DIAG_SOCKOPT');
        break;
      case INET_DIAG_ULP_INFO: {
        const ulp = ad.nested();
        while (ulp.next()) if (ulp.type === 1) s.ulpName = ulp.string(); // INET_ULP_INFO_NAME
        ad.adopt(ulp);
        break;
      }
      case INET_DIAG_VEGASINFO:
        if (ad.has(16, 'INET_DIAG_VEGASINFO')) {
          s.vegasInfo = {
            enabled: buf.readUInt32LE(off),
            rttCount: buf.readUInt32LE(off + 4),
            rttMicros: buf.readUInt32LE(off + 8),
            minRttMicros: buf.readUInt32LE(off + 12),
          };
        }
        break;
      case INET_DIAG_DCTCPINFO:
        if (ad.has(16, 'INET_DIAG_DCTCPINFO')) {
          s.dctcpInfo = {
            enabled: buf.readUInt16LE(off),
            ceState: buf.readUInt16LE(off + 2),
            alpha: buf.readUInt32LE(off + 4),
            ackedBytesEcn: buf.readUInt32LE(off + 8),
            ackedBytesTotal: buf.readUInt32LE(off + 12),
          };
        }
        break;
      case INET_DIAG_BBRINFO:
        if (ad.has(20, 'INET_DIAG_BBRINFO')) {
          s.bbrInfo = {
            bandwidthBytesPerSec: (BigInt(buf.readUInt32LE(off + 4)) << 32n) | BigInt(buf.readUInt32LE(off)),
            minRttMicros: buf.readUInt32LE(off + 8),
            pacingGain: buf.readUInt32LE(off + 12) / 256,
            cwndGain: buf.readUInt32LE(off + 16) / 256,
          };
        }
        break;
    }
  }
  ad.check();
  return s;
}

/** What to dump. */
export interface InetSocketQuery {
  /**
   * Address family (default 'all'). For TCP, 'all' is one legacy
   * TCPDIAG_GETSOCK request: both families from one kernel walk. For other
   * protocols, 'all' means one request per family.
   */
  family?: InetFamily | 'all';
  /** Protocol (default tcp). */
  protocol?: InetProtocol;
  /** States (default all). `[TcpState.LISTEN]` alone skips the established hash (cost ∝ listeners). */
  states?: StateSelection;
  /** Extensions to ask for: info, meminfo, skmeminfo, cong, tos, tclass, shutdown, ccinfo. */
  extensions?: readonly InetDiagExtension[];
  /** A filter the kernel runs per socket (or precompiled bytecode). */
  filter?: InetDiagFilter | Buffer;
}

interface PlannedRequest {
  type: number;
  payload: Buffer;
  description: string;
  protocolName: string;
  /** Sent in place (the first datagram fills at once) or from a worker thread (a long walk may come first). */
  send: NetlinkDumpOptions;
}

function protocolName(p: InetProtocol | undefined): string {
  if (p === undefined) return 'tcp';
  if (typeof p === 'string') return p;
  return ({ 6: 'tcp', 17: 'udp', 136: 'udplite', 255: 'raw' } as Record<number, string>)[p] ?? `protocol ${p}`;
}

/** The netlink requests (type, payload, description) a query needs. */
export function planInetDiagRequests(query: InetSocketQuery = {}): PlannedRequest[] {
  const proto = inetProtocolNumber(query.protocol);
  const name = protocolName(query.protocol);
  const family = query.family ?? 'all';
  // TCP LISTEN only without a filter: the kernel walks just the listening hash (~0.05 ms); anything else
  // may walk far before the first datagram is full (measured: 3-5 ms for an unfiltered tcp_info dump of
  // 10 000 sockets), so it is sent from a worker thread
  const mask = statesToMask(query.states);
  const cheap = query.filter === undefined && proto === IPPROTO.tcp && mask === 1 << TcpState.LISTEN;
  const send = dumpSendOptions(cheap);
  if (family === 'all' && proto === 6) {
    return [
      {
        type: TCPDIAG_GETSOCK,
        payload: encodeTcpDiagLegacyRequest(query),
        description: 'TCPDIAG_GETSOCK (inet+inet6 tcp)',
        protocolName: name,
        send,
      },
    ];
  }
  const fams: InetFamily[] = family === 'all' ? ['inet', 'inet6'] : [family];
  return fams.map((f) => ({
    type: SOCK_DIAG_BY_FAMILY,
    payload: encodeInetDiagRequest({ ...query, family: f, protocol: proto }),
    description: `SOCK_DIAG_BY_FAMILY ${f} ${name}`,
    protocolName: name,
    send,
  }));
}

const decodeMsg = (buf: Buffer, _type: number, off: number, len: number) => decodeInetDiagMessage(buf, off, len);

/**
 * Dump INET sockets (see {@link InetSocketQuery}). The reply is read and
 * decoded in slices of a few milliseconds between which the event loop turns
 * (see {@link NetlinkSocket.dump}), so a table of any size never holds the
 * event loop for long.
 */
export async function inetSockets(query: InetSocketQuery = {}, options: SockDiagOptions = {}): Promise<InetSocket[]> {
  const sock = options.socket ?? sockDiagSocket();
  const out: InetSocket[] = [];
  for (const r of planInetDiagRequests(query)) {
    try {
      const push = (b: Buffer, t: number, o: number, l: number) => {
        out.push(decodeMsg(b, t, o, l));
      };
      await sock.dump(r.type, NLM_F_DUMP, r.payload, push, r.description, r.send);
    } catch (e) {
      throw mapSockDiagError(e, r.description, r.protocolName, query.filter !== undefined);
    }
  }
  return out;
}

/** {@link inetSockets}, synchronously (blocks while the kernel walks its tables). */
export function inetSocketsSync(query: InetSocketQuery = {}, options: SockDiagOptions = {}): InetSocket[] {
  const sock = options.socket ?? sockDiagSocket();
  const out: InetSocket[] = [];
  for (const r of planInetDiagRequests(query)) {
    try {
      sock.dumpSync(r.type, NLM_F_DUMP, r.payload, (b, t, o, l) => out.push(decodeMsg(b, t, o, l)), r.description);
    } catch (e) {
      throw mapSockDiagError(e, r.description, r.protocolName, query.filter !== undefined);
    }
  }
  return out;
}

/**
 * Iterate over INET sockets as the kernel delivers them, one datagram
 * (about 32 KiB, a few hundred sockets) at a time with back-pressure: memory
 * stays bounded however large the table. Reading, decoding and the
 * consumer's own work per socket share the slices of the socket's
 * `EventLoopSlicer`: when a slice is used up the event loop turns
 * before the next socket is handed out. Breaking out early finishes the
 * dump in the background of the same socket.
 */
export async function* inetSocketStream(
  query: InetSocketQuery = {},
  options: SockDiagOptions = {},
): AsyncGenerator<InetSocket, void, undefined> {
  const sock: NetlinkSocket = options.socket ?? sockDiagSocket();
  for (const r of planInetDiagRequests(query)) {
    try {
      for await (const batch of sock.dumpBatches(r.type, NLM_F_DUMP, r.payload, decodeMsg, r.description, r.send)) {
        yield* yieldSliced(sock, batch);
      }
    } catch (e) {
      throw mapSockDiagError(e, r.description, r.protocolName, query.filter !== undefined);
    }
  }
}
