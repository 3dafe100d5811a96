/**
 * `/proc/net/sockstat` and `/proc/net/sockstat6`: socket counts per protocol
 * (kernel `sockstat_seq_show`, `sockstat6_seq_show`).
 *
 * Go procfs: `FS.NetSockstat()`, `FS.NetSockstat6()`, `NetSockstat`, `NetSockstatProtocol`.
 * @module
 */
import { fail, fields, lines, pairs, record, sint, type Where } from './system_util.js';

/** One protocol line, e.g. `TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 60` (Go procfs: `NetSockstatProtocol`). */
export interface NetSockstatProtocol {
  /** Protocol name as printed (`TCP`, `UDP`, `UDPLITE`, `RAW`, `FRAG`, `TCP6`, …). */
  protocol: string;
  /** Sockets in use (`inuse`). */
  inUse: number;
  /** Orphaned TCP sockets (`orphan`; TCP only). */
  orphan?: number;
  /** TCP sockets in TIME_WAIT (`tw`; TCP only). */
  tw?: number;
  /** Allocated TCP sockets (`alloc`; TCP only). */
  alloc?: number;
  /** Memory charged to the protocol, in pages (`mem`; TCP, UDP). */
  mem?: number;
  /** `mem` × page size, in bytes (set when the page size is known, as node_exporter's `mem_bytes`). */
  memBytes?: number;
  /** Memory of IP fragment queues, in bytes (`memory`; FRAG only). */
  memory?: number;
  /** Keys this parser does not know, by name. */
  other?: Record<string, number>;
}

/** `/proc/net/sockstat{,6}` parsed (Go procfs: `NetSockstat`). */
export interface NetSockstat {
  /** Sockets in use across all families (`sockets: used`; absent in sockstat6). */
  used?: number;
  /** One entry per protocol line, in file order. */
  protocols: NetSockstatProtocol[];
}

const KNOWN = new Set(['inuse', 'orphan', 'tw', 'alloc', 'mem', 'memory']);

/**
 * Parse the text of `/proc/net/sockstat` or `/proc/net/sockstat6`.
 * @param pageSize bytes per page; when given, `memBytes` is set from `mem`.
 * @throws ParseError on a line that is not `NAME: key value …` or lacks `inuse`.
 */
export function parseNetSockstat(text: string, file = '/proc/net/sockstat', pageSize?: number): NetSockstat {
  const out: NetSockstat = { protocols: [] };
  lines(text).forEach((text, i) => {
    const w: Where = { file, line: i + 1, text };
    const f = fields(text);
    if (f.length === 0) return;
    if (!f[0]!.endsWith(':') || f[0]!.length < 2) fail(w, 'expected "NAME: key value …"');
    const name = f[0]!.slice(0, -1);
    const kv = pairs(f.slice(1), w);
    if (name === 'sockets') {
      const used = kv.find(([k]) => k === 'used');
      if (!used) fail(w, 'sockets line without "used"');
      out.used = sint(used[1], w, 'used');
      return;
    }
    const p: Partial<NetSockstatProtocol> & { protocol: string } = { protocol: name };
    for (const [k, v] of kv) {
      const n = sint(v, w, k);
      if (k === 'inuse') p.inUse = n;
      else if (KNOWN.has(k)) (p as Record<string, unknown>)[k] = n;
      else {
        p.other ??= record();
        p.other[k] = n;
      }
    }
    if (p.inUse === undefined) fail(w, `${name} line without "inuse"`);
    if (p.mem !== undefined && pageSize !== undefined) p.memBytes = p.mem * pageSize;
    out.protocols.push(p as NetSockstatProtocol);
  });
  return out;
}

/** Find a protocol's line by name (`'TCP'`, `'UDP6'`, …), or `undefined`. */
export function netSockstatProtocol(s: NetSockstat, protocol: string): NetSockstatProtocol | undefined {
  return s.protocols.find((p) => p.protocol === protocol);
}
