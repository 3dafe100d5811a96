/**
 * sock_diag constants (include/uapi/linux/{sock_diag,inet_diag,unix_diag}.h,
 * include/net/tcp_states.h) and the raw offsets of `struct inet_diag_msg`.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';

/** `SOCK_DIAG_BY_FAMILY`: the netlink message type of every sock_diag request (one family per request). */
export const SOCK_DIAG_BY_FAMILY = 20;
/** `TCPDIAG_GETSOCK`: the legacy inet_diag request type (TCP only; dumps IPv4 and IPv6 in one walk). */
export const TCPDIAG_GETSOCK = 18;

/**
 * TCP states (include/net/tcp_states.h). UNIX sock_diag uses the same numbers.
 * `BOUND_INACTIVE` (13, `TCP_BOUND_INACTIVE`, Linux 6.8+) is a request bit
 * more than a state: with bit 13 in the state mask (an `'all'` mask has it)
 * inet_diag also walks the bind hash and lists sockets that are bound to a
 * port but neither listen nor connect; their records say CLOSE (7), the
 * state the kernel holds them in.
 */
export const TcpState = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
  NEW_SYN_RECV: 12,
  BOUND_INACTIVE: 13,
} as const;

/** The highest TCP state number raingauge knows (`TCP_BOUND_INACTIVE`, Linux 6.8+). */
export const TCP_MAX_STATE = 13;

/** `TCP_ESTABLISHED` (1): also a connected UNIX socket in unix_diag. */
export const TCP_ESTABLISHED = TcpState.ESTABLISHED;
/** `TCP_LISTEN` (10): also a listening UNIX socket in unix_diag. */
export const TCP_LISTEN = TcpState.LISTEN;
/** `TCPF_ESTABLISHED` = `1 << TCP_ESTABLISHED`, its bit in an `idiag_states` / `udiag_states` mask. */
export const TCPF_ESTABLISHED = 1 << TCP_ESTABLISHED;
/** `TCPF_LISTEN` = `1 << TCP_LISTEN`. */
export const TCPF_LISTEN = 1 << TCP_LISTEN;

/**
 * Address families as sock_diag messages carry them (`idiag_family`,
 * `sdiag_family`), from the system-call layer where they are defined.
 */
export { AF_INET, AF_INET6, AF_UNIX } from '../sys/index.js';

/** A TCP state name (`ESTABLISHED`, `LISTEN` …). */
export type TcpStateName = keyof typeof TcpState;

const STATE_NAMES: string[] = [];
for (const [k, v] of Object.entries(TcpState)) STATE_NAMES[v] = k;

/** The name of a TCP state number (`LISTEN` for 10); `UNKNOWN(n)` for numbers the kernel does not define. */
export function tcpStateName(n: number): string {
  return STATE_NAMES[n] ?? `UNKNOWN(${n})`;
}

/** Every TCP state (the `states` mask the kernel accepts as "all"). */
export const ALL_STATES_MASK = 0xffffffff;

/**
 * The `idiag_states` / `udiag_states` bitmask for the given states
 * (`1 << state`), given as numbers or names.
 * @throws {InvalidArgumentError} for an unknown state.
 */
export function stateMask(...states: (number | string)[]): number {
  let m = 0;
  for (const s of states) {
    const n = typeof s === 'string' ? (TcpState as Record<string, number>)[s.toUpperCase()] : s;
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > TCP_MAX_STATE) {
      throw new InvalidArgumentError(
        `unknown TCP state ${JSON.stringify(s)} (expected 1-${TCP_MAX_STATE} or a name such as LISTEN)`,
        s,
      );
    }
    m |= 1 << n;
  }
  return m >>> 0;
}

/** Attributes of inet_diag replies (`enum { INET_DIAG_NONE, … }`). The first 8 can be requested in `idiag_ext`. */
export const INET_DIAG_MEMINFO = 1;
export const INET_DIAG_INFO = 2;
export const INET_DIAG_VEGASINFO = 3;
export const INET_DIAG_CONG = 4;
export const INET_DIAG_TOS = 5;
export const INET_DIAG_TCLASS = 6;
export const INET_DIAG_SKMEMINFO = 7;
export const INET_DIAG_SHUTDOWN = 8;
export const INET_DIAG_DCTCPINFO = 9;
export const INET_DIAG_PROTOCOL = 10;
export const INET_DIAG_SKV6ONLY = 11;
export const INET_DIAG_LOCALS = 12;
export const INET_DIAG_PEERS = 13;
export const INET_DIAG_PAD = 14;
export const INET_DIAG_MARK = 15;
export const INET_DIAG_BBRINFO = 16;
export const INET_DIAG_CLASS_ID = 17;
export const INET_DIAG_MD5SIG = 18;
export const INET_DIAG_ULP_INFO = 19;
export const INET_DIAG_SK_BPF_STORAGES = 20;
export const INET_DIAG_CGROUP_ID = 21;
export const INET_DIAG_SOCKOPT = 22;

/** Request attribute carrying the filter program (`INET_DIAG_REQ_BYTECODE`). */
export const INET_DIAG_REQ_BYTECODE = 1;

/** Bytecode op codes (`enum { INET_DIAG_BC_NOP, … }`). */
export const INET_DIAG_BC_NOP = 0;
export const INET_DIAG_BC_JMP = 1;
export const INET_DIAG_BC_S_GE = 2;
export const INET_DIAG_BC_S_LE = 3;
export const INET_DIAG_BC_D_GE = 4;
export const INET_DIAG_BC_D_LE = 5;
export const INET_DIAG_BC_AUTO = 6;
export const INET_DIAG_BC_S_COND = 7;
export const INET_DIAG_BC_D_COND = 8;
export const INET_DIAG_BC_DEV_COND = 9;
export const INET_DIAG_BC_MARK_COND = 10;
export const INET_DIAG_BC_S_EQ = 11;
export const INET_DIAG_BC_D_EQ = 12;
export const INET_DIAG_BC_CGROUP_COND = 13;

/** Extensions that can be requested, by name → the reply attribute (bit `1 << (attr - 1)` of `idiag_ext`). */
export const INET_DIAG_EXTENSIONS = {
  /** INET_DIAG_MEMINFO: `struct inet_diag_meminfo`. */
  meminfo: INET_DIAG_MEMINFO,
  /** INET_DIAG_INFO: `struct tcp_info` (TCP) — see {@link decodeTcpInfo}. */
  info: INET_DIAG_INFO,
  /** INET_DIAG_VEGASINFO / DCTCPINFO / BBRINFO: the congestion algorithm's own info. */
  ccinfo: INET_DIAG_VEGASINFO,
  /** INET_DIAG_CONG: congestion control algorithm name. */
  cong: INET_DIAG_CONG,
  /** INET_DIAG_TOS: the IPv4 TOS byte (sent for IPv6 sockets too: a dual-stack socket uses it for IPv4 peers). */
  tos: INET_DIAG_TOS,
  /**
   * INET_DIAG_TCLASS (IPv6 traffic class, IPv6 sockets only) and
   * INET_DIAG_CLASS_ID (net_cls class id, else `sk_priority`; every family):
   * the kernel sends CLASS_ID only when this extension is asked for.
   */
  tclass: INET_DIAG_TCLASS,
  /** INET_DIAG_SKMEMINFO: `sk_meminfo` array (SK_MEMINFO_*). */
  skmeminfo: INET_DIAG_SKMEMINFO,
  /** INET_DIAG_SHUTDOWN: shutdown(2) state bits. */
  shutdown: INET_DIAG_SHUTDOWN,
} as const;

/** An extension name accepted in queries. */
export type InetDiagExtension = keyof typeof INET_DIAG_EXTENSIONS;

/** The `idiag_ext` byte for a list of extension names. */
export function inetDiagExtMask(extensions: readonly (InetDiagExtension | number)[] = []): number {
  let m = 0;
  for (const e of extensions) {
    const a = typeof e === 'number' ? e : INET_DIAG_EXTENSIONS[e];
    if (a === undefined || a < 1 || a > 8) {
      throw new InvalidArgumentError(
        `unknown inet_diag extension ${JSON.stringify(e)} (expected one of ${Object.keys(INET_DIAG_EXTENSIONS).join(', ')})`,
        e,
      );
    }
    m |= 1 << (a - 1);
  }
  return m;
}

/**
 * Byte offsets inside `struct inet_diag_msg` (the payload of each inet_diag
 * reply), for zero-copy readers. Ports (`sport`, `dport`) and addresses are
 * big-endian; every other field is host order. `size` is where attributes start.
 */
export const INET_DIAG_MSG = {
  family: 0,
  state: 1,
  timer: 2,
  retrans: 3,
  sport: 4,
  dport: 6,
  src: 8,
  dst: 24,
  if: 40,
  cookie: 44,
  expires: 52,
  rqueue: 56,
  wqueue: 60,
  uid: 64,
  inode: 68,
  size: 72,
} as const;

/** Size of `struct inet_diag_req_v2`. */
export const INET_DIAG_REQ_V2_SIZE = 56;
/** Size of the legacy `struct inet_diag_req`. */
export const INET_DIAG_REQ_SIZE = 60;
/** Size of `struct unix_diag_req`. */
export const UNIX_DIAG_REQ_SIZE = 24;
/** Size of `struct unix_diag_msg`. */
export const UNIX_DIAG_MSG_SIZE = 16;

/** `udiag_show` flags of a UNIX request. */
export const UDIAG_SHOW = {
  name: 0x1,
  vfs: 0x2,
  peer: 0x4,
  icons: 0x8,
  rqlen: 0x10,
  meminfo: 0x20,
  uid: 0x40,
} as const;

/** A `udiag_show` flag name. */
export type UnixDiagShow = keyof typeof UDIAG_SHOW;

/** UNIX reply attributes (`enum { UNIX_DIAG_NAME, … }`). */
export const UNIX_DIAG_NAME = 0;
export const UNIX_DIAG_VFS = 1;
export const UNIX_DIAG_PEER = 2;
export const UNIX_DIAG_ICONS = 3;
export const UNIX_DIAG_RQLEN = 4;
export const UNIX_DIAG_MEMINFO = 5;
export const UNIX_DIAG_SHUTDOWN = 6;
export const UNIX_DIAG_UID = 7;

/** IP protocol numbers used in inet_diag requests. */
export const IPPROTO = { tcp: 6, udp: 17, udplite: 136, raw: 255 } as const;

/** `idiag_timer` values: which timer is pending on the socket. */
export const INET_DIAG_TIMER_NAMES = ['none', 'retransmit', 'keepalive', 'time-wait', 'zero-window-probe'] as const;
