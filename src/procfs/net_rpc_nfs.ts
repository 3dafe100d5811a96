/**
 * `/proc/net/rpc/nfs` (NFS client) and `/proc/net/rpc/nfsd` (NFS server): RPC and NFS operation
 * counters (net/sunrpc/stats.c `rpc_proc_show`/`svc_seq_show`, fs/nfsd/stats.c `nfsd_show`). Each
 * line is a key followed by numbers; the `procN` lines start with the number of operations that
 * follow. Lines and columns newer kernels add are kept in `lines`, never refused.
 *
 * Go procfs (nfs package): `FS.ClientRPCStats()`, `FS.ServerRPCStats()`.
 * @module
 */
import { fail, fields, float, lines, record, type Where } from './system_util.js';

/** `net`: transport counters (Go procfs: `Network`). */
export interface NFSNetwork {
  /** Packets received (`netcnt`). */
  netCount: number;
  /** UDP packets (`netudpcnt`). */
  udpCount: number;
  /** TCP packets (`nettcpcnt`). */
  tcpCount: number;
  /** TCP connections accepted (server) or made (client) (`nettcpconn`). */
  tcpConnect: number;
}

/** One `procN` line: the NFS version's operation counts in the kernel's order (Go procfs: `V2Stats`, `V3Stats` …). */
export interface NFSProcedureCounts {
  /** Operation counts, index = procedure number of that NFS version (0 = NULL). */
  counts: number[];
}

/** Parsed `/proc/net/rpc/nfs` (Go procfs: `ClientRPCStats`). */
export interface NFSClientRPCStats {
  /** `net` line. */
  network?: NFSNetwork;
  /** `rpc` line: calls made, retransmissions, credential refreshes (Go procfs: `ClientRPC`). */
  clientRPC?: { rpcCount: number; retransmissions: number; authRefreshes: number };
  /** `procN` lines by NFS version (`2`, `3`, `4`). */
  procedures: Record<string, NFSProcedureCounts>;
  /** Every line by its key, as numbers (floats kept as floats), for keys newer kernels add. */
  lines: Record<string, number[]>;
}

/** Parsed `/proc/net/rpc/nfsd` (Go procfs: `ServerRPCStats`). */
export interface NFSServerRPCStats {
  /** `rc`: reply cache hits, misses, uncached (Go procfs: `ReplyCache`). */
  replyCache?: { hits: number; misses: number; noCache: number };
  /** `fh`: stale file handles and the (always zero) lookup counters (Go procfs: `FileHandles`). */
  fileHandles?: { stale: number; totalLookups: number; anonLookups: number; dirNoCache: number; nodirNoCache: number };
  /** `io`: bytes read and written (Go procfs: `InputOutput`). */
  inputOutput?: { read: number; write: number };
  /** `th`: server threads, and the count of times all were busy (0 since 4.x) (Go procfs: `Threads`). */
  threads?: { threads: number; fullCount: number };
  /** `net` line. */
  network?: NFSNetwork;
  /** `rpc`: calls, bad calls, bad format, bad auth, bad client (Go procfs: `ServerRPC`). */
  serverRPC?: { rpcCount: number; badCount: number; badFmt: number; badAuth: number; badcInt: number };
  /** `procN` lines by NFS version (`2`, `3`, `4`). */
  procedures: Record<string, NFSProcedureCounts>;
  /** `proc4ops`: NFSv4 operation counts, index = operation number (Go procfs: `V4Ops`). */
  v4Ops?: number[];
  /** Every line by its key, as numbers, for keys newer kernels add (`wdeleg_getattr` …). */
  lines: Record<string, number[]>;
}

function parseLines(text: string, file: string): { byKey: Record<string, number[]>; at: Record<string, Where> } {
  const byKey: Record<string, number[]> = record();
  const at: Record<string, Where> = record();
  lines(text).forEach((t, i) => {
    if (t.trim() === '') return;
    const w: Where = { file, line: i + 1, text: t };
    const f = fields(t);
    const key = f[0]!;
    if (!/^[a-z][a-z0-9_]*$/.test(key)) fail(w, `unexpected key ${JSON.stringify(key)}`);
    if (key in byKey) fail(w, `${key} repeated`);
    byKey[key] = f.slice(1).map((v) => {
      const n = float(v, w, key);
      if (!Number.isFinite(n) || n < 0 || n > Number.MAX_SAFE_INTEGER) fail(w, `${key}: ${v} out of range`);
      return n;
    });
    at[key] = w;
  });
  return { byKey, at };
}

function need(v: number[], n: number, w: Where, key: string): number[] {
  if (v.length < n) fail(w, `${key}: expected at least ${n} values, found ${v.length}`);
  return v;
}

function procedures(byKey: Record<string, number[]>, at: Record<string, Where>): Record<string, NFSProcedureCounts> {
  const out: Record<string, NFSProcedureCounts> = record();
  for (const [k, v] of Object.entries(byKey)) {
    const m = /^proc(\d+)$/.exec(k);
    if (!m) continue;
    const w = at[k]!;
    if (v.length === 0 || v.length - 1 !== v[0]) {
      fail(w, `${k}: the first value (${v[0]}) must count the operations that follow (${v.length - 1})`);
    }
    out[m[1]!] = { counts: v.slice(1) };
  }
  return out;
}

function network(byKey: Record<string, number[]>, at: Record<string, Where>): NFSNetwork | undefined {
  const v = byKey.net;
  if (v === undefined) return undefined;
  need(v, 4, at.net!, 'net');
  return { netCount: v[0]!, udpCount: v[1]!, tcpCount: v[2]!, tcpConnect: v[3]! };
}

/**
 * Parse the text of `/proc/net/rpc/nfs`.
 * @throws ParseError on a malformed line, a `procN` line whose count does not match, or a short `net`/`rpc` line.
 */
export function parseNFSClientRPCStats(text: string, file = '/proc/net/rpc/nfs'): NFSClientRPCStats {
  const { byKey, at } = parseLines(text, file);
  const out: NFSClientRPCStats = { procedures: procedures(byKey, at), lines: byKey };
  const net = network(byKey, at);
  if (net) out.network = net;
  if (byKey.rpc) {
    const v = need(byKey.rpc, 3, at.rpc!, 'rpc');
    out.clientRPC = { rpcCount: v[0]!, retransmissions: v[1]!, authRefreshes: v[2]! };
  }
  return out;
}

/**
 * Parse the text of `/proc/net/rpc/nfsd`.
 * @throws ParseError as {@link parseNFSClientRPCStats}, or a `proc4ops` line whose count does not match.
 */
export function parseNFSServerRPCStats(text: string, file = '/proc/net/rpc/nfsd'): NFSServerRPCStats {
  const { byKey, at } = parseLines(text, file);
  const out: NFSServerRPCStats = { procedures: procedures(byKey, at), lines: byKey };
  if (byKey.rc) {
    const v = need(byKey.rc, 3, at.rc!, 'rc');
    out.replyCache = { hits: v[0]!, misses: v[1]!, noCache: v[2]! };
  }
  if (byKey.fh) {
    const v = need(byKey.fh, 5, at.fh!, 'fh');
    out.fileHandles = { stale: v[0]!, totalLookups: v[1]!, anonLookups: v[2]!, dirNoCache: v[3]!, nodirNoCache: v[4]! };
  }
  if (byKey.io) {
    const v = need(byKey.io, 2, at.io!, 'io');
    out.inputOutput = { read: v[0]!, write: v[1]! };
  }
  if (byKey.th) {
    const v = need(byKey.th, 2, at.th!, 'th');
    out.threads = { threads: v[0]!, fullCount: v[1]! };
  }
  const net = network(byKey, at);
  if (net) out.network = net;
  if (byKey.rpc) {
    const v = need(byKey.rpc, 5, at.rpc!, 'rpc');
    out.serverRPC = { rpcCount: v[0]!, badCount: v[1]!, badFmt: v[2]!, badAuth: v[3]!, badcInt: v[4]! };
  }
  const ops = byKey.proc4ops;
  if (ops) {
    if (ops.length === 0 || ops.length - 1 !== ops[0]) {
      fail(at.proc4ops!, `proc4ops: the first value (${ops[0]}) must count the operations that follow`);
    }
    out.v4Ops = ops.slice(1);
  }
  return out;
}
