/**
 * `/proc/net/ip_vs_stats` and `/proc/net/ip_vs`: IP Virtual Server (kernel load balancer) totals and
 * the virtual → real server table (module `ip_vs`).
 *
 * Go procfs: `FS.IPVSStats() IPVSStats`, `FS.IPVSBackendStatus() []IPVSBackendStatus`.
 * @module
 */
import { fail, fields, formatIPv6, hex, hexBig, lines, uint, type Where } from './system_util.js';

/**
 * Totals since the module loaded (Go procfs: `IPVSStats`). All five are u64 in the kernel and printed in
 * hex; byte and packet counts of a busy balancer pass 2^53, so every field is a `bigint`.
 */
export interface IPVSStats {
  /** Connections scheduled (`Total Conns`). */
  connections: bigint;
  /** Incoming packets (`Incoming Packets`). */
  incomingPackets: bigint;
  /** Outgoing packets (`Outgoing Packets`). */
  outgoingPackets: bigint;
  /** Incoming bytes (`Incoming Bytes`). */
  incomingBytes: bigint;
  /** Outgoing bytes (`Outgoing Bytes`). */
  outgoingBytes: bigint;
}

/** One (virtual, real) server pair (Go procfs: `IPVSBackendStatus`). */
export interface IPVSBackendStatus {
  /** Virtual service address; absent for firewall-mark (`FWM`) services. */
  localAddress?: string;
  /** Virtual service port; absent for `FWM` services. */
  localPort?: number;
  /** Firewall mark of an `FWM` service, as printed (hex); absent otherwise. */
  localMark?: string;
  /** Real server address. */
  remoteAddress: string;
  /** Real server port. */
  remotePort: number;
  /** Transport: `TCP`, `UDP`, `SCTP` or `FWM`. */
  proto: string;
  /** Forwarding method (`Masq`, `Local`, `Tunnel`, `Route`). Not in Go procfs. */
  forward: string;
  /** Active connections (`ActiveConn`). */
  activeConn: number;
  /** Inactive connections (`InActConn`). */
  inactConn: number;
  /** Weight (`Weight`). */
  weight: number;
}

/**
 * Parse the text of `/proc/net/ip_vs_stats` (the first row of numbers, after the two header lines).
 * @throws ParseError on a missing or malformed row.
 */
export function parseIPVSStats(text: string, file = '/proc/net/ip_vs_stats'): IPVSStats {
  const ls = lines(text);
  const w: Where = { file, line: 3, text: ls[2] ?? '' };
  if (ls.length < 3) fail(w, 'expected two header lines and a row of totals');
  const f = fields(ls[2]!);
  if (f.length !== 5) fail(w, `expected 5 hex totals, found ${f.length}`);
  return {
    connections: hexBig(f[0], w, 'Conns'),
    incomingPackets: hexBig(f[1], w, 'Incoming Packets'),
    outgoingPackets: hexBig(f[2], w, 'Outgoing Packets'),
    incomingBytes: hexBig(f[3], w, 'Incoming Bytes'),
    outgoingBytes: hexBig(f[4], w, 'Outgoing Bytes'),
  };
}

/** `C0A80016:0CEA` (network-order hex IPv4) or `[2620:0000:…:0001]:0050` → address and port. */
function addrPort(s: string | undefined, w: Where, what: string): [string, number] {
  if (s === undefined) fail(w, `missing ${what}`);
  let m = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{1,4})$/.exec(s);
  if (m) {
    const v = hex(m[1], w, what);
    return [[v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.'), hex(m[2], w, `${what} port`)];
  }
  m = /^\[([0-9A-Fa-f:]+)\]:([0-9A-Fa-f]{1,4})$/.exec(s);
  if (m) {
    const groups = m[1]!.split(':');
    if (groups.length !== 8 || groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) fail(w, `bad IPv6 ${what}`);
    const b = new Uint8Array(16);
    groups.forEach((g, i) => {
      const v = Number.parseInt(g, 16);
      b[2 * i] = v >> 8;
      b[2 * i + 1] = v & 255;
    });
    return [formatIPv6(b), hex(m[2], w, `${what} port`)];
  }
  fail(w, `${what} is not ADDR:PORT: ${JSON.stringify(s)}`);
}

/**
 * Parse the text of `/proc/net/ip_vs` into one entry per real server.
 * @throws ParseError on a real-server line before any service line, or a malformed line.
 */
export function parseIPVSBackendStatus(text: string, file = '/proc/net/ip_vs'): IPVSBackendStatus[] {
  const ls = lines(text);
  const out: IPVSBackendStatus[] = [];
  let svc: Pick<IPVSBackendStatus, 'proto' | 'localAddress' | 'localPort' | 'localMark'> | undefined;
  for (let i = 0; i < ls.length; i++) {
    const t = ls[i]!;
    const w: Where = { file, line: i + 1, text: t };
    const f = fields(t);
    if (f.length === 0) continue;
    if (
      i < 3 &&
      (t.startsWith('IP Virtual Server') || f[0] === 'Prot' || (f[0] === '->' && f[1] === 'RemoteAddress:Port'))
    ) {
      continue;
    }
    if (f[0] === 'TCP' || f[0] === 'UDP' || f[0] === 'SCTP') {
      if (f.length < 3) fail(w, 'service line needs PROTO ADDR:PORT SCHEDULER');
      const [a, p] = addrPort(f[1], w, 'LocalAddress');
      svc = { proto: f[0], localAddress: a, localPort: p };
    } else if (f[0] === 'FWM') {
      if (f.length < 3 || !/^[0-9A-Fa-f]+$/.test(f[1]!)) fail(w, 'FWM line needs FWM MARK SCHEDULER');
      svc = { proto: 'FWM', localMark: f[1]! };
    } else if (f[0] === '->') {
      if (!svc) fail(w, 'real server line before any service line');
      if (f.length !== 6) fail(w, `real server line needs 6 columns, found ${f.length}`);
      const [ra, rp] = addrPort(f[1], w, 'RemoteAddress');
      out.push({
        ...svc,
        remoteAddress: ra,
        remotePort: rp,
        forward: f[2]!,
        weight: uint(f[3], w, 'Weight'),
        activeConn: uint(f[4], w, 'ActiveConn'),
        inactConn: uint(f[5], w, 'InActConn'),
      });
    } else {
      fail(w, `unexpected line kind ${JSON.stringify(f[0])}`);
    }
  }
  return out;
}
