/**
 * `struct tcp_info` (include/uapi/linux/tcp.h, Linux 6.18 layout, 280 bytes):
 * the decoder for INET_DIAG_INFO attributes and getsockopt(TCP_INFO), and
 * {@link tcpInfo} for a socket this process holds.
 *
 * The struct only ever grew at its end, so it is decoded by the length the
 * kernel returned: a field that lies beyond that length is absent
 * (`undefined`), never zero. Fields are named in lowerCamelCase with their
 * unit (`rttMicros`, `lastDataRecvMs`, `pacingRateBytesPerSec`); every doc
 * comment names the `tcpi_*` member and its offset.
 *
 * @module
 */
import { DecodeError, InvalidArgumentError, SysCallError } from '../errors.js';
import * as sys from '../sys/index.js';
import { readU64LE } from '../util/bytes.js';
import { tcpStateName } from './constants.js';

/** `tcpi_ca_state` names (`enum tcp_ca_state`). */
export const TCP_CA_STATE_NAMES = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'] as const;

/** Size of `struct tcp_info` in Linux 6.18 (the largest this decoder knows). */
export const TCP_INFO_SIZE = 280;

/** `tcpi_options` bits (TCPI_OPT_*), split out. */
export interface TcpInfoOptions {
  /** TCPI_OPT_TIMESTAMPS (1): TCP timestamps negotiated. */
  timestamps: boolean;
  /** TCPI_OPT_SACK (2): selective ACK negotiated. */
  sack: boolean;
  /** TCPI_OPT_WSCALE (4): window scaling negotiated (see sndWscale/rcvWscale). */
  windowScale: boolean;
  /** TCPI_OPT_ECN (8): ECN negotiated. */
  ecn: boolean;
  /** TCPI_OPT_ECN_SEEN (16): at least one ECT segment received. */
  ecnSeen: boolean;
  /** TCPI_OPT_SYN_DATA (32): SYN-ACK acknowledged data in the SYN (TCP Fast Open). */
  synData: boolean;
  /** TCPI_OPT_USEC_TS (64): microsecond timestamps in use. */
  usecTimestamps: boolean;
  /** TCPI_OPT_TFO_CHILD (128): a child socket created by TCP Fast Open. */
  tfoChild: boolean;
}

/**
 * The 256 possible {@link TcpInfoOptions}, built once and frozen: every
 * decoded `tcp_info` shares the one for its bits (a dump of 100 000 sockets
 * allocates no options object).
 */
const TCPI_OPTIONS: readonly Readonly<TcpInfoOptions>[] = Array.from({ length: 256 }, (_, o) =>
  Object.freeze({
    timestamps: (o & 1) !== 0,
    sack: (o & 2) !== 0,
    windowScale: (o & 4) !== 0,
    ecn: (o & 8) !== 0,
    ecnSeen: (o & 16) !== 0,
    synData: (o & 32) !== 0,
    usecTimestamps: (o & 64) !== 0,
    tfoChild: (o & 128) !== 0,
  }),
);

/** A decoded `struct tcp_info`. Optional fields are absent when the kernel's struct was shorter. */
export interface TcpInfo {
  /** How many bytes of `struct tcp_info` the kernel returned (248 on 6.7–6.17, 280 on 6.18). */
  lengthBytes: number;
  /** `tcpi_state` (offset 0, u8): TCP state number (TcpState). */
  state: number;
  /** Name of `tcpi_state` (`ESTABLISHED`, `LISTEN` …). */
  stateName: string;
  /** `tcpi_ca_state` (offset 1, u8): congestion-avoidance state (0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss). */
  caState: number;
  /** Name of `tcpi_ca_state`. */
  caStateName: string;
  /** `tcpi_retransmits` (offset 2, u8): consecutive retransmissions of the current segment (RTO backoffs in progress). */
  retransmits: number;
  /** `tcpi_probes` (offset 3, u8): unanswered zero-window / keepalive probes. */
  probes: number;
  /** `tcpi_backoff` (offset 4, u8): RTO exponential backoff count. */
  backoff: number;
  /** `tcpi_options` (offset 5, u8): the raw TCPI_OPT_* bits. */
  optionsRaw: number;
  /** `tcpi_options` split into flags (a frozen object shared by every record with the same bits). */
  options: Readonly<TcpInfoOptions>;
  /** `tcpi_snd_wscale` (offset 6, low 4 bits): peer's window-scale shift. */
  sndWscale: number;
  /** `tcpi_rcv_wscale` (offset 6, high 4 bits): our window-scale shift. */
  rcvWscale: number;
  /** `tcpi_delivery_rate_app_limited` (offset 7, bit 0): the last delivery-rate sample was application-limited. */
  deliveryRateAppLimited: boolean;
  /** `tcpi_fastopen_client_fail` (offset 7, bits 1-2): why TCP Fast Open failed on the client (0 unspecified, 1 no cookie sent, 2 data not acked, 3 SYN-ACK without cookie). */
  fastopenClientFail: number;
  /** For a LISTEN socket: connections waiting in the accept queue (`tcpi_unacked` alias, `sk_ack_backlog`). */
  acceptQueueLength?: number;
  /** For a LISTEN socket: the maximum accept-queue length (`tcpi_sacked` alias, `sk_max_ack_backlog`). */
  acceptQueueBacklog?: number;
  /** `tcpi_rto` (offset 8, u32): retransmission timeout (µs). */
  rtoMicros?: number;
  /** `tcpi_ato` (offset 12, u32): delayed-ACK timeout (µs). */
  atoMicros?: number;
  /** `tcpi_snd_mss` (offset 16, u32): sender maximum segment size (bytes). */
  sndMssBytes?: number;
  /** `tcpi_rcv_mss` (offset 20, u32): estimated peer maximum segment size (bytes). */
  rcvMssBytes?: number;
  /** `tcpi_unacked` (offset 24, u32): packets sent and not yet acknowledged (on a LISTEN socket: the accept-queue length, see acceptQueueLength). */
  unackedPackets?: number;
  /** `tcpi_sacked` (offset 28, u32): packets selectively acknowledged (on a LISTEN socket: the backlog, see acceptQueueBacklog). */
  sackedPackets?: number;
  /** `tcpi_lost` (offset 32, u32): packets considered lost. */
  lostPackets?: number;
  /** `tcpi_retrans` (offset 36, u32): packets retransmitted and not yet acknowledged. */
  retransPackets?: number;
  /** `tcpi_fackets` (offset 40, u32): forward-acknowledged packets (always 0 since Linux 4.15). */
  facketsPackets?: number;
  /** `tcpi_last_data_sent` (offset 44, u32): time since the last data was sent (ms). */
  lastDataSentMs?: number;
  /** `tcpi_last_ack_sent` (offset 48, u32): time since the last ACK was sent (ms; not maintained by Linux, always 0). */
  lastAckSentMs?: number;
  /** `tcpi_last_data_recv` (offset 52, u32): time since the last data was received (ms). */
  lastDataRecvMs?: number;
  /** `tcpi_last_ack_recv` (offset 56, u32): time since the last ACK was received (ms). */
  lastAckRecvMs?: number;
  /** `tcpi_pmtu` (offset 60, u32): path MTU (bytes). */
  pmtuBytes?: number;
  /** `tcpi_rcv_ssthresh` (offset 64, u32): receive-window clamp / slow-start threshold (bytes). */
  rcvSsthreshBytes?: number;
  /** `tcpi_rtt` (offset 68, u32): smoothed round-trip time (µs). */
  rttMicros?: number;
  /** `tcpi_rttvar` (offset 72, u32): round-trip time mean deviation (µs). */
  rttVarMicros?: number;
  /** `tcpi_snd_ssthresh` (offset 76, u32): sender slow-start threshold (packets; 2147483647 = infinite). */
  sndSsthreshPackets?: number;
  /** `tcpi_snd_cwnd` (offset 80, u32): congestion window (packets). */
  sndCwndPackets?: number;
  /** `tcpi_advmss` (offset 84, u32): advertised MSS (bytes). */
  advmssBytes?: number;
  /** `tcpi_reordering` (offset 88, u32): reordering metric (packets). */
  reorderingPackets?: number;
  /** `tcpi_rcv_rtt` (offset 92, u32): receiver-side RTT estimate (µs). */
  rcvRttMicros?: number;
  /** `tcpi_rcv_space` (offset 96, u32): receive-buffer auto-tuning space (bytes). */
  rcvSpaceBytes?: number;
  /** `tcpi_total_retrans` (offset 100, u32): total packets retransmitted over the connection's life. */
  totalRetransPackets?: number;
  /** `tcpi_pacing_rate` (offset 104, u64): current pacing rate (bytes/s; 2^64-1 = unlimited). u64 as bigint (can exceed 2^53). */
  pacingRateBytesPerSec?: bigint;
  /** `tcpi_max_pacing_rate` (offset 112, u64): SO_MAX_PACING_RATE (bytes/s; 2^64-1 = unlimited). u64 as bigint (can exceed 2^53). */
  maxPacingRateBytesPerSec?: bigint;
  /** `tcpi_bytes_acked` (offset 120, u64): bytes acknowledged by the peer (RFC 4898 tcpEStatsAppHCThruOctetsAcked). u64 as bigint (can exceed 2^53). */
  bytesAcked?: bigint;
  /** `tcpi_bytes_received` (offset 128, u64): bytes received in order (RFC 4898 tcpEStatsAppHCThruOctetsReceived). u64 as bigint (can exceed 2^53). */
  bytesReceived?: bigint;
  /** `tcpi_segs_out` (offset 136, u32): segments sent, including retransmissions (RFC 4898 tcpEStatsPerfSegsOut). */
  segsOut?: number;
  /** `tcpi_segs_in` (offset 140, u32): segments received (RFC 4898 tcpEStatsPerfSegsIn). */
  segsIn?: number;
  /** `tcpi_notsent_bytes` (offset 144, u32): bytes in the send queue not yet sent. */
  notsentBytes?: number;
  /** `tcpi_min_rtt` (offset 148, u32): minimum RTT seen (µs, windowed). */
  minRttMicros?: number;
  /** `tcpi_data_segs_in` (offset 152, u32): segments received carrying data (RFC 4898 tcpEStatsDataSegsIn). */
  dataSegsIn?: number;
  /** `tcpi_data_segs_out` (offset 156, u32): segments sent carrying data (RFC 4898 tcpEStatsDataSegsOut). */
  dataSegsOut?: number;
  /** `tcpi_delivery_rate` (offset 160, u64): most recent delivery-rate sample (bytes/s). u64 as bigint (can exceed 2^53). */
  deliveryRateBytesPerSec?: bigint;
  /** `tcpi_busy_time` (offset 168, u64): time busy sending data (µs). u64 as bigint (can exceed 2^53). */
  busyTimeMicros?: bigint;
  /** `tcpi_rwnd_limited` (offset 176, u64): time limited by the peer's receive window (µs). u64 as bigint (can exceed 2^53). */
  rwndLimitedMicros?: bigint;
  /** `tcpi_sndbuf_limited` (offset 184, u64): time limited by the send buffer (µs). u64 as bigint (can exceed 2^53). */
  sndbufLimitedMicros?: bigint;
  /** `tcpi_delivered` (offset 192, u32): packets delivered, including retransmissions. */
  deliveredPackets?: number;
  /** `tcpi_delivered_ce` (offset 196, u32): packets delivered with an ECN CE mark echoed. */
  deliveredCePackets?: number;
  /** `tcpi_bytes_sent` (offset 200, u64): bytes sent, including retransmissions (RFC 4898 tcpEStatsPerfHCDataOctetsOut). u64 as bigint (can exceed 2^53). */
  bytesSent?: bigint;
  /** `tcpi_bytes_retrans` (offset 208, u64): bytes retransmitted (RFC 4898 tcpEStatsPerfOctetsRetrans). u64 as bigint (can exceed 2^53). */
  bytesRetrans?: bigint;
  /** `tcpi_dsack_dups` (offset 216, u32): duplicate segments reported by DSACK (RFC 4898 tcpEStatsStackDSACKDups). */
  dsackDups?: number;
  /** `tcpi_reord_seen` (offset 220, u32): reordering events seen. */
  reordSeen?: number;
  /** `tcpi_rcv_ooopack` (offset 224, u32): out-of-order packets received. */
  rcvOooPackets?: number;
  /** `tcpi_snd_wnd` (offset 228, u32): peer's advertised receive window after scaling (bytes). */
  sndWndBytes?: number;
  /** `tcpi_rcv_wnd` (offset 232, u32): local advertised receive window after scaling (bytes). */
  rcvWndBytes?: number;
  /** `tcpi_rehash` (offset 236, u32): PLB- or timeout-triggered rehash attempts. */
  rehash?: number;
  /** `tcpi_total_rto` (offset 240, u16): RTO timeouts, including SYN/SYN-ACK and recurring ones. */
  totalRto?: number;
  /** `tcpi_total_rto_recoveries` (offset 242, u16): RTO recoveries, including an unfinished one. */
  totalRtoRecoveries?: number;
  /** `tcpi_total_rto_time` (offset 244, u32): time spent in RTO recoveries (ms), including an unfinished one. */
  totalRtoTimeMs?: number;
  /** `tcpi_received_ce` (offset 248, u32): segments received with an ECN CE mark. */
  receivedCePackets?: number;
  /** `tcpi_delivered_e1_bytes` (offset 252, u32): Accurate ECN: bytes delivered with ECT(1) (low 32 bits, wraps). */
  deliveredE1Bytes?: number;
  /** `tcpi_delivered_e0_bytes` (offset 256, u32): Accurate ECN: bytes delivered with ECT(0) (low 32 bits, wraps). */
  deliveredE0Bytes?: number;
  /** `tcpi_delivered_ce_bytes` (offset 260, u32): Accurate ECN: bytes delivered with CE (low 32 bits, wraps). */
  deliveredCeBytes?: number;
  /** `tcpi_received_e1_bytes` (offset 264, u32): Accurate ECN: bytes received with ECT(1) (low 32 bits, wraps). */
  receivedE1Bytes?: number;
  /** `tcpi_received_e0_bytes` (offset 268, u32): Accurate ECN: bytes received with ECT(0) (low 32 bits, wraps). */
  receivedE0Bytes?: number;
  /** `tcpi_received_ce_bytes` (offset 272, u32): Accurate ECN: bytes received with CE (low 32 bits, wraps). */
  receivedCeBytes?: number;
  /** `tcpi_accecn_fail_mode` (offset 276, u16): Accurate ECN failure bits (TCP_ACCECN_{ACE,OPT}_FAIL_{SEND,RECV}: 1, 2, 4, 8). */
  accecnFailMode?: number;
  /** `tcpi_accecn_opt_seen` (offset 278, u16): Accurate ECN option seen: 0 not seen, 1 empty, 2 counters, 3 failed. */
  accecnOptSeen?: number;
}

/** [field, offset, size] of every fixed-position numeric field after the first 8 bytes. */
const FIELDS: readonly (readonly [keyof TcpInfo, number, 1 | 2 | 4 | 8])[] = [
  ['rtoMicros', 8, 4],
  ['atoMicros', 12, 4],
  ['sndMssBytes', 16, 4],
  ['rcvMssBytes', 20, 4],
  ['unackedPackets', 24, 4],
  ['sackedPackets', 28, 4],
  ['lostPackets', 32, 4],
  ['retransPackets', 36, 4],
  ['facketsPackets', 40, 4],
  ['lastDataSentMs', 44, 4],
  ['lastAckSentMs', 48, 4],
  ['lastDataRecvMs', 52, 4],
  ['lastAckRecvMs', 56, 4],
  ['pmtuBytes', 60, 4],
  ['rcvSsthreshBytes', 64, 4],
  ['rttMicros', 68, 4],
  ['rttVarMicros', 72, 4],
  ['sndSsthreshPackets', 76, 4],
  ['sndCwndPackets', 80, 4],
  ['advmssBytes', 84, 4],
  ['reorderingPackets', 88, 4],
  ['rcvRttMicros', 92, 4],
  ['rcvSpaceBytes', 96, 4],
  ['totalRetransPackets', 100, 4],
  ['pacingRateBytesPerSec', 104, 8],
  ['maxPacingRateBytesPerSec', 112, 8],
  ['bytesAcked', 120, 8],
  ['bytesReceived', 128, 8],
  ['segsOut', 136, 4],
  ['segsIn', 140, 4],
  ['notsentBytes', 144, 4],
  ['minRttMicros', 148, 4],
  ['dataSegsIn', 152, 4],
  ['dataSegsOut', 156, 4],
  ['deliveryRateBytesPerSec', 160, 8],
  ['busyTimeMicros', 168, 8],
  ['rwndLimitedMicros', 176, 8],
  ['sndbufLimitedMicros', 184, 8],
  ['deliveredPackets', 192, 4],
  ['deliveredCePackets', 196, 4],
  ['bytesSent', 200, 8],
  ['bytesRetrans', 208, 8],
  ['dsackDups', 216, 4],
  ['reordSeen', 220, 4],
  ['rcvOooPackets', 224, 4],
  ['sndWndBytes', 228, 4],
  ['rcvWndBytes', 232, 4],
  ['rehash', 236, 4],
  ['totalRto', 240, 2],
  ['totalRtoRecoveries', 242, 2],
  ['totalRtoTimeMs', 244, 4],
  ['receivedCePackets', 248, 4],
  ['deliveredE1Bytes', 252, 4],
  ['deliveredE0Bytes', 256, 4],
  ['deliveredCeBytes', 260, 4],
  ['receivedE1Bytes', 264, 4],
  ['receivedE0Bytes', 268, 4],
  ['receivedCeBytes', 272, 4],
  ['accecnFailMode', 276, 2],
  ['accecnOptSeen', 278, 2],
];

/**
 * Decode `struct tcp_info` from `buf[offset..offset+length)` — the bytes the
 * kernel returned (an INET_DIAG_INFO attribute value or a getsockopt result).
 * Needs at least the first 8 bytes; every later field is present only when
 * the length covers it.
 * @throws {DecodeError} when fewer than 8 bytes are given.
 */
export function decodeTcpInfo(buf: Buffer, offset = 0, length = buf.length - offset): TcpInfo {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > buf.length
  ) {
    throw new DecodeError('tcp_info', offset, `range ${offset}+${length} is outside the buffer (${buf.length} bytes)`);
  }
  if (length < 8) throw new DecodeError('tcp_info', offset, `${length} bytes, needs at least 8`);
  const o = buf[offset + 5]!;
  const w = buf[offset + 6]!;
  const b7 = buf[offset + 7]!;
  const state = buf[offset]!;
  const ca = buf[offset + 1]!;
  let info: TcpInfo;
  if (length >= TCP_INFO_SIZE) {
    // fast path (the whole 6.18 struct): one object literal, one stable shape
    const p = offset;
    info = {
      lengthBytes: length,
      state,
      stateName: tcpStateName(state),
      caState: ca,
      caStateName: TCP_CA_STATE_NAMES[ca] ?? `UNKNOWN(${ca})`,
      retransmits: buf[offset + 2]!,
      probes: buf[offset + 3]!,
      backoff: buf[offset + 4]!,
      optionsRaw: o,
      options: TCPI_OPTIONS[o]!,
      sndWscale: w & 0xf,
      rcvWscale: w >> 4,
      deliveryRateAppLimited: (b7 & 1) !== 0,
      fastopenClientFail: (b7 >> 1) & 3,

      rtoMicros: buf.readUInt32LE(p + 8),
      atoMicros: buf.readUInt32LE(p + 12),
      sndMssBytes: buf.readUInt32LE(p + 16),
      rcvMssBytes: buf.readUInt32LE(p + 20),
      unackedPackets: buf.readUInt32LE(p + 24),
      sackedPackets: buf.readUInt32LE(p + 28),
      lostPackets: buf.readUInt32LE(p + 32),
      retransPackets: buf.readUInt32LE(p + 36),
      facketsPackets: buf.readUInt32LE(p + 40),
      lastDataSentMs: buf.readUInt32LE(p + 44),
      lastAckSentMs: buf.readUInt32LE(p + 48),
      lastDataRecvMs: buf.readUInt32LE(p + 52),
      lastAckRecvMs: buf.readUInt32LE(p + 56),
      pmtuBytes: buf.readUInt32LE(p + 60),
      rcvSsthreshBytes: buf.readUInt32LE(p + 64),
      rttMicros: buf.readUInt32LE(p + 68),
      rttVarMicros: buf.readUInt32LE(p + 72),
      sndSsthreshPackets: buf.readUInt32LE(p + 76),
      sndCwndPackets: buf.readUInt32LE(p + 80),
      advmssBytes: buf.readUInt32LE(p + 84),
      reorderingPackets: buf.readUInt32LE(p + 88),
      rcvRttMicros: buf.readUInt32LE(p + 92),
      rcvSpaceBytes: buf.readUInt32LE(p + 96),
      totalRetransPackets: buf.readUInt32LE(p + 100),
      pacingRateBytesPerSec: readU64LE(buf, p + 104),
      maxPacingRateBytesPerSec: readU64LE(buf, p + 112),
      bytesAcked: readU64LE(buf, p + 120),
      bytesReceived: readU64LE(buf, p + 128),
      segsOut: buf.readUInt32LE(p + 136),
      segsIn: buf.readUInt32LE(p + 140),
      notsentBytes: buf.readUInt32LE(p + 144),
      minRttMicros: buf.readUInt32LE(p + 148),
      dataSegsIn: buf.readUInt32LE(p + 152),
      dataSegsOut: buf.readUInt32LE(p + 156),
      deliveryRateBytesPerSec: readU64LE(buf, p + 160),
      busyTimeMicros: readU64LE(buf, p + 168),
      rwndLimitedMicros: readU64LE(buf, p + 176),
      sndbufLimitedMicros: readU64LE(buf, p + 184),
      deliveredPackets: buf.readUInt32LE(p + 192),
      deliveredCePackets: buf.readUInt32LE(p + 196),
      bytesSent: readU64LE(buf, p + 200),
      bytesRetrans: readU64LE(buf, p + 208),
      dsackDups: buf.readUInt32LE(p + 216),
      reordSeen: buf.readUInt32LE(p + 220),
      rcvOooPackets: buf.readUInt32LE(p + 224),
      sndWndBytes: buf.readUInt32LE(p + 228),
      rcvWndBytes: buf.readUInt32LE(p + 232),
      rehash: buf.readUInt32LE(p + 236),
      totalRto: buf.readUInt16LE(p + 240),
      totalRtoRecoveries: buf.readUInt16LE(p + 242),
      totalRtoTimeMs: buf.readUInt32LE(p + 244),
      receivedCePackets: buf.readUInt32LE(p + 248),
      deliveredE1Bytes: buf.readUInt32LE(p + 252),
      deliveredE0Bytes: buf.readUInt32LE(p + 256),
      deliveredCeBytes: buf.readUInt32LE(p + 260),
      receivedE1Bytes: buf.readUInt32LE(p + 264),
      receivedE0Bytes: buf.readUInt32LE(p + 268),
      receivedCeBytes: buf.readUInt32LE(p + 272),
      accecnFailMode: buf.readUInt16LE(p + 276),
      accecnOptSeen: buf.readUInt16LE(p + 278),
    };
  } else {
    info = {
      lengthBytes: length,
      state,
      stateName: tcpStateName(state),
      caState: ca,
      caStateName: TCP_CA_STATE_NAMES[ca] ?? `UNKNOWN(${ca})`,
      retransmits: buf[offset + 2]!,
      probes: buf[offset + 3]!,
      backoff: buf[offset + 4]!,
      optionsRaw: o,
      options: TCPI_OPTIONS[o]!,
      sndWscale: w & 0xf,
      rcvWscale: w >> 4,
      deliveryRateAppLimited: (b7 & 1) !== 0,
      fastopenClientFail: (b7 >> 1) & 3,
    };
    const rec = info as unknown as Record<string, number | bigint>;
    for (const [name, off, size] of FIELDS) {
      if (off + size > length) break;
      const q = offset + off;
      rec[name] =
        size === 4 ? buf.readUInt32LE(q) : size === 8 ? readU64LE(buf, q) : size === 2 ? buf.readUInt16LE(q) : buf[q]!;
    }
  }
  if (state === 10) {
    if (info.unackedPackets !== undefined) info.acceptQueueLength = info.unackedPackets;
    if (info.sackedPackets !== undefined) info.acceptQueueBacklog = info.sackedPackets;
  }
  return info;
}

/** The TCP socket is not TCP (or not a socket): getsockopt(IPPROTO_TCP, TCP_INFO) was refused. */
export class NotATcpSocketError extends InvalidArgumentError {
  constructor(what: string, cause?: unknown) {
    super(`tcpInfo: ${what} is not a TCP socket`, what);
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

let tcpInfoBuf = Buffer.alloc(512);

/**
 * getsockopt(fd, IPPROTO_TCP, TCP_INFO) for a Node `net.Socket`, the
 * listening socket of a `net.Server`, or a raw descriptor, decoded with
 * {@link decodeTcpInfo} (into a buffer reused across calls). For a LISTEN
 * socket `acceptQueueLength` and `acceptQueueBacklog` are set.
 * @throws {NotATcpSocketError} for a descriptor that is not a TCP socket or an object without one.
 */
export function tcpInfo(x: unknown): TcpInfo {
  let fd: number;
  try {
    fd = sys.descriptorOf(x);
  } catch (e) {
    throw new NotATcpSocketError(describe(x), e);
  }
  let n: number;
  try {
    n = sys.getsockopt(fd, sys.IPPROTO_TCP, sys.TCP_INFO, tcpInfoBuf);
  } catch (e) {
    if (
      e instanceof SysCallError &&
      ['EOPNOTSUPP', 'ENOPROTOOPT', 'ENOTSOCK', 'EBADF', 'EINVAL', 'ENOTSUP'].includes(e.errnoName)
    ) {
      throw new NotATcpSocketError(`descriptor ${fd} (${e.errnoName})`, e);
    }
    throw e;
  }
  const info = decodeTcpInfo(tcpInfoBuf, 0, n);
  if (n >= tcpInfoBuf.length) tcpInfoBuf = Buffer.alloc(tcpInfoBuf.length * 2); // a future, longer struct
  return info;
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'number') return `descriptor ${x}`;
  return (x as object).constructor?.name ?? typeof x;
}
