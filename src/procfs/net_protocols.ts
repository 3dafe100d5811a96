/**
 * `/proc/net/protocols`: registered socket protocols with their memory use and the operations they
 * implement (kernel `proto_seq_show`).
 *
 * Go procfs: `FS.NetProtocols() NetProtocolStats`, `NetProtocolStatLine`, `NetProtocolCapabilities`.
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, lines, record, sint, uint, type Where } from './system_util.js';

/** Which `struct proto` operations the protocol implements (Go procfs: `NetProtocolCapabilities`). */
export interface NetProtocolCapabilities {
  /** `cl`: close. */ close: boolean;
  /** `co`: connect. */ connect: boolean;
  /** `di`: disconnect. */ disconnect: boolean;
  /** `ac`: accept. */ accept: boolean;
  /** `io`: ioctl. */ ioCtl: boolean;
  /** `in`: init. */ init: boolean;
  /** `de`: destroy. */ destroy: boolean;
  /** `sh`: shutdown. */ shutdown: boolean;
  /** `ss`: setsockopt. */ setSockOpt: boolean;
  /** `gs`: getsockopt. */ getSockOpt: boolean;
  /** `se`: sendmsg. */ sendMsg: boolean;
  /** `re`: recvmsg. */ recvMsg: boolean;
  /** `sp`: sendpage (removed in Linux 6.5; absent then). */ sendPage?: boolean;
  /** `bi`: bind. */ bind: boolean;
  /** `br`: backlog_rcv. */ backlogRcv: boolean;
  /** `ha`: hash. */ hash: boolean;
  /** `uh`: unhash. */ unHash: boolean;
  /** `gp`: get_port. */ getPort: boolean;
  /** `em`: enter_memory_pressure. */ enterMemoryPressure: boolean;
  /** Columns this parser does not know, by their two-letter header. */
  other?: Record<string, boolean>;
}

/** One protocol (Go procfs: `NetProtocolStatLine`). */
export interface NetProtocolStatLine {
  /** Protocol name (`protocol`). */
  name: string;
  /** Size of the protocol's socket structure, in bytes (`size`, e.g. `sizeof(struct tcp_sock)`). */
  size: number;
  /** Sockets in use (`sockets`; -1 when the protocol does not count them). */
  sockets: number;
  /** Memory allocated, in pages (`memory`; -1 when not tracked). */
  memory: number;
  /** Memory pressure (`press`): 1 yes, 0 no, -1 not implemented (`NI`). */
  pressure: number;
  /** Maximum header size, in bytes (`maxhdr`). */
  maxHeader: number;
  /** Sockets are allocated from a dedicated slab cache (`slab`). */
  slab: boolean;
  /** Module implementing the protocol, or `kernel` (`module`). */
  moduleName: string;
  /** Implemented operations. */
  capabilities: NetProtocolCapabilities;
}

/** `/proc/net/protocols` parsed, by protocol name (Go procfs: `NetProtocolStats`). */
export type NetProtocolStats = Record<string, NetProtocolStatLine>;

const CAPS: Record<string, keyof NetProtocolCapabilities> = {
  cl: 'close',
  co: 'connect',
  di: 'disconnect',
  ac: 'accept',
  io: 'ioCtl',
  in: 'init',
  de: 'destroy',
  sh: 'shutdown',
  ss: 'setSockOpt',
  gs: 'getSockOpt',
  se: 'sendMsg',
  re: 'recvMsg',
  sp: 'sendPage',
  bi: 'bind',
  br: 'backlogRcv',
  ha: 'hash',
  uh: 'unHash',
  gp: 'getPort',
  em: 'enterMemoryPressure',
};

function yn(s: string | undefined, w: Where, what: string): boolean {
  if (s === 'y' || s === 'yes') return true;
  if (s === 'n' || s === 'no') return false;
  fail(w, `${what} must be y/n or yes/no, found ${JSON.stringify(s ?? '')}`);
}

/**
 * Parse the text of `/proc/net/protocols`. Capability columns are located by the header.
 * @throws ParseError on a missing header or a malformed row.
 */
export function parseNetProtocols(text: string, file = '/proc/net/protocols'): NetProtocolStats {
  const ls = lines(text);
  const head = fields(ls[0] ?? '');
  if (head[0] !== 'protocol' || head.length < 8) {
    fail(firstLineAt(ls, file), 'missing the "protocol size sockets …" header');
  }
  const caps = head.slice(8);
  const out: NetProtocolStats = record();
  for (const w of rowsAt(ls, file)) {
    const f = fields(w.text);
    if (f.length !== head.length) fail(w, `expected ${head.length} columns, found ${f.length}`);
    const press = f[4];
    if (press !== 'yes' && press !== 'no' && press !== 'NI') fail(w, `press must be yes, no or NI`);
    const c: Record<string, unknown> = {};
    caps.forEach((abbr, j) => {
      const v = yn(f[8 + j], w, abbr);
      const name = CAPS[abbr];
      if (name) c[name] = v;
      else {
        c.other ??= record<boolean>();
        (c.other as Record<string, boolean>)[abbr] = v;
      }
    });
    out[f[0]!] = {
      name: f[0]!,
      size: uint(f[1], w, 'size'),
      sockets: sint(f[2], w, 'sockets'),
      memory: sint(f[3], w, 'memory'),
      pressure: press === 'yes' ? 1 : press === 'no' ? 0 : -1,
      maxHeader: uint(f[5], w, 'maxhdr'),
      slab: yn(f[6], w, 'slab'),
      moduleName: f[7]!,
      capabilities: c as unknown as NetProtocolCapabilities,
    };
  }
  return out;
}
