/**
 * Number ↔ name helpers of the SystemTap socket tapset (`sock_prot_num2str`,
 * `sock_fam_num2str`, `sock_state_num2str`, `sock_type_num2str`,
 * `sock_flags_num2str`, `msg_flags_num2str` and the reverse lookups), with
 * the same tables and the same "UNDEF" / -1 answers for unknown values.
 * @module
 */

/**
 * Protocol names: the alias column of `/etc/protocols` (IANA numbers), as the
 * tapset uses; plus MPTCP (262, Linux `IPPROTO_MPTCP`, newer than the tapset).
 */
const PROTOCOLS: ReadonlyArray<readonly [number, string]> = [
  [0, 'IP'],
  [1, 'ICMP'],
  [2, 'IGMP'],
  [3, 'GGP'],
  [4, 'IP-ENCAP'],
  [5, 'ST'],
  [6, 'TCP'],
  [8, 'EGP'],
  [9, 'IGP'],
  [12, 'PUP'],
  [17, 'UDP'],
  [20, 'HMP'],
  [22, 'XNS-IDP'],
  [27, 'RDP'],
  [29, 'ISO-TP4'],
  [33, 'DCCP'],
  [36, 'XTP'],
  [37, 'DDP'],
  [38, 'IDPR-CMTP'],
  [41, 'IPv6'],
  [43, 'IPv6-Route'],
  [44, 'IPv6-Frag'],
  [45, 'IDRP'],
  [46, 'RSVP'],
  [47, 'GRE'],
  [50, 'IPSEC-ESP'],
  [51, 'IPSEC-AH'],
  [57, 'SKIP'],
  [58, 'IPv6-ICMP'],
  [59, 'IPv6-NoNxt'],
  [60, 'IPv6-Opts'],
  [73, 'RSPF'],
  [81, 'VMTP'],
  [88, 'EIGRP'],
  [89, 'OSPFIGP'],
  [93, 'AX.25'],
  [94, 'IPIP'],
  [97, 'ETHERIP'],
  [98, 'ENCAP'],
  [103, 'PIM'],
  [108, 'IPCOMP'],
  [112, 'VRRP'],
  [115, 'L2TP'],
  [124, 'ISIS'],
  [132, 'SCTP'],
  [133, 'FC'],
  [135, 'Mobility-Header'],
  [136, 'UDPLite'],
  [137, 'MPLS-in-IP'],
  [262, 'MPTCP'],
];

/** Address families of the tapset table (include/linux/socket.h). 21, 27–29 are not in it. */
const FAMILIES_TAPSET: ReadonlyArray<readonly [number, string]> = [
  [0, 'UNSPEC'],
  [1, 'LOCAL'],
  [2, 'INET'],
  [3, 'AX25'],
  [4, 'IPX'],
  [5, 'APPLETALK'],
  [6, 'NETROM'],
  [7, 'BRIDGE'],
  [8, 'ATMPVC'],
  [9, 'X25'],
  [10, 'INET6'],
  [11, 'ROSE'],
  [12, 'DECNET'],
  [13, 'NETBEUI'],
  [14, 'SECURITY'],
  [15, 'KEY'],
  [16, 'NETLINK'],
  [17, 'PACKET'],
  [18, 'ASH'],
  [19, 'ECONET'],
  [20, 'ATMSVC'],
  [22, 'SNA'],
  [23, 'IRDA'],
  [24, 'PPPOX'],
  [25, 'WANPIPE'],
  [26, 'LLC'],
  [30, 'TIPC'],
  [31, 'BLUETOOTH'],
  [32, 'IUCV'],
  [33, 'RXRPC'],
];

/** Families newer than the tapset (include/linux/socket.h of Linux 6.x), where it answers UNDEF. */
const FAMILIES_NEWER: ReadonlyArray<readonly [number, string]> = [
  [21, 'RDS'],
  [27, 'IB'],
  [28, 'MPLS'],
  [29, 'CAN'],
  [34, 'ISDN'],
  [35, 'PHONET'],
  [36, 'IEEE802154'],
  [37, 'CAIF'],
  [38, 'ALG'],
  [39, 'NFC'],
  [40, 'VSOCK'],
  [41, 'KCM'],
  [42, 'QIPCRTR'],
  [43, 'SMC'],
  [44, 'XDP'],
  [45, 'MCTP'],
];

/** `struct socket` states (`socket_state`, include/uapi/linux/net.h). */
const STATES: ReadonlyArray<readonly [number, string]> = [
  [0, 'FREE'],
  [1, 'UNCONNECTED'],
  [2, 'CONNECTING'],
  [3, 'CONNECTED'],
  [4, 'DISCONNECTING'],
];

/** Socket types (`enum sock_type`). */
const TYPES: ReadonlyArray<readonly [number, string]> = [
  [1, 'STREAM'],
  [2, 'DGRAM'],
  [3, 'RAW'],
  [4, 'RDM'],
  [5, 'SEQPACKET'],
  [6, 'DCCP'],
  [10, 'PACKET'],
];

/** `struct socket` flags bits (SOCK_ASYNC_NOSPACE …), in tapset order. */
const SOCK_FLAG_BITS: ReadonlyArray<readonly [number, string]> = [
  [1 << 0, 'ASYNC_NOSPACE'],
  [1 << 1, 'ASYNC_WAITDATA'],
  [1 << 2, 'NOSPACE'],
  [1 << 3, 'PASSCRED'],
  [1 << 4, 'PASSSEC'],
];

/** `MSG_*` flags (include/linux/socket.h), in tapset order; TRYHARD is DONTROUTE's other name. */
const MSG_FLAG_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'OOB'],
  [0x2, 'PEEK'],
  [0x4, 'DONTROUTE'],
  [0x4, 'TRYHARD'],
  [0x8, 'CTRUNC'],
  [0x10, 'PROBE'],
  [0x20, 'TRUNC'],
  [0x40, 'DONTWAIT'],
  [0x80, 'EOR'],
  [0x100, 'WAITALL'],
  [0x200, 'FIN'],
  [0x400, 'SYN'],
  [0x800, 'CONFIRM'],
  [0x1000, 'RST'],
  [0x2000, 'ERRQUEUE'],
  [0x4000, 'NOSIGNAL'],
  [0x8000, 'MORE'],
];

/** TCP states (include/net/tcp_states.h), as `inet_sock_set_state` prints them without the `TCP_` prefix. */
const TCP_STATES: ReadonlyArray<readonly [number, string]> = [
  [1, 'ESTABLISHED'],
  [2, 'SYN_SENT'],
  [3, 'SYN_RECV'],
  [4, 'FIN_WAIT1'],
  [5, 'FIN_WAIT2'],
  [6, 'TIME_WAIT'],
  [7, 'CLOSE'],
  [8, 'CLOSE_WAIT'],
  [9, 'LAST_ACK'],
  [10, 'LISTEN'],
  [11, 'CLOSING'],
  [12, 'NEW_SYN_RECV'],
];

function num2str(table: ReadonlyArray<readonly [number, string]>): (n: number) => string {
  const m = new Map<number, string>();
  for (const [n, s] of table) if (!m.has(n)) m.set(n, s);
  return (n) => m.get(n) ?? 'UNDEF';
}

function str2num(table: ReadonlyArray<readonly [number, string]>): (s: string) => number {
  const m = new Map<string, number>();
  for (const [n, s] of table) if (!m.has(s.toUpperCase())) m.set(s.toUpperCase(), n);
  return (s) => m.get(String(s).trim().toUpperCase()) ?? -1;
}

const famAll = [...FAMILIES_TAPSET, ...FAMILIES_NEWER].sort((a, b) => a[0] - b[0]);
const famNum2StrAll = num2str(famAll);
const famNum2StrTapset = num2str(FAMILIES_TAPSET);

/** Tapset `sock_prot_num2str`: protocol number → name (`6` → `TCP`), `UNDEF` when unknown. */
export const sockProtNum2Str: (protocol: number) => string = num2str(PROTOCOLS);
/** Tapset `sock_prot_str2num`: name → protocol number (case-insensitive), -1 when unknown. */
export const sockProtStr2Num: (name: string) => number = str2num(PROTOCOLS);

/**
 * Tapset `sock_fam_num2str`: family → name (`2` → `INET`), `UNDEF` when
 * unknown. Families newer than the tapset (VSOCK 40, XDP 44 …) are named
 * too unless `tapsetOnly` is true.
 */
export function sockFamNum2Str(family: number, tapsetOnly = false): string {
  return tapsetOnly ? famNum2StrTapset(family) : famNum2StrAll(family);
}
/** Tapset `sock_fam_str2num`: name → family (`UNIX` is accepted for LOCAL), -1 when unknown. */
export function sockFamStr2Num(name: string): number {
  const s = String(name).trim().toUpperCase();
  if (s === 'UNIX' || s === 'FILE') return 1;
  return famStr2Num(s);
}
const famStr2Num = str2num(famAll);

/** Tapset `sock_state_num2str`: `struct socket` state → name (`3` → `CONNECTED`), `UNDEF` when unknown. */
export const sockStateNum2Str: (state: number) => string = num2str(STATES);
/** Tapset `sock_state_str2num`, -1 when unknown. */
export const sockStateStr2Num: (name: string) => number = str2num(STATES);

/** Tapset `sock_type_num2str`: socket type → name (`1` → `STREAM`), `UNDEF` when unknown. */
export const sockTypeNum2Str: (type: number) => string = num2str(TYPES);
/** Tapset `sock_type_str2num`, -1 when unknown. */
export const sockTypeStr2Num: (name: string) => number = str2num(TYPES);

/** TCP state number → name (`1` → `ESTABLISHED`), `UNDEF` when unknown. */
export const tcpStateNum2Str: (state: number) => string = num2str(TCP_STATES);
/** TCP state name (with or without `TCP_`) → number, -1 when unknown. */
export function tcpStateStr2Num(name: string): number {
  return tcpStr2Num(String(name).replace(/^TCP_/i, ''));
}
const tcpStr2Num = str2num(TCP_STATES);

function flags2str(table: ReadonlyArray<readonly [number, string]>, flags: number): string {
  const parts: string[] = [];
  for (const [bit, name] of table) if ((flags & bit) !== 0) parts.push(name);
  return parts.join('|');
}

function str2flags(table: ReadonlyArray<readonly [number, string]>, text: string): number {
  let v = 0;
  for (const part of String(text).split('|')) {
    const p = part.trim().toUpperCase();
    if (p === '') continue;
    const hit = table.find(([, n]) => n === p);
    if (!hit) return -1;
    v |= hit[0];
  }
  return v >>> 0;
}

/** Tapset `sock_flags_num2str`: socket flag bits → `NOSPACE|PASSCRED` (empty string for 0). */
export function sockFlagsNum2Str(flags: number): string {
  return flags2str(SOCK_FLAG_BITS, flags);
}
/** Reverse of {@link sockFlagsNum2Str}: `NOSPACE|PASSCRED` → bits; -1 when a name is unknown. */
export function sockFlagsStr2Num(text: string): number {
  return str2flags(SOCK_FLAG_BITS, text);
}

/** Tapset `msg_flags_num2str`: `MSG_*` bits → `PEEK|DONTWAIT` (4 gives `DONTROUTE|TRYHARD`, as the tapset). */
export function msgFlagsNum2Str(flags: number): string {
  return flags2str(MSG_FLAG_BITS, flags);
}
/** Reverse of {@link msgFlagsNum2Str}: `PEEK|DONTWAIT` → bits; -1 when a name is unknown. */
export function msgFlagsStr2Num(text: string): number {
  return str2flags(MSG_FLAG_BITS, text);
}
