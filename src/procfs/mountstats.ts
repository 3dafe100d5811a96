/**
 * `/proc/<pid>/mountstats` (kernel `show_vfsstat` + NFS `nfs_show_stats`):
 * one `device … mounted on … with fstype …` line per mount, followed for NFS
 * mounts by indented statistics (opts, age, events, bytes, xprt, per-op).
 *
 * Go procfs: `Mount`, `MountStats`, `MountStatsNFS`, `NFSBytesStats`,
 * `NFSEventsStats`, `NFSOperationStats`, `NFSTransportStats`, `Proc.MountStats()`.
 * NFS counters are bigint (u64 byte and RPC counters).
 * @module
 */

import { parseMountOptions } from './mountinfo.js';
import { type ProcWhere, procFail, procLines, pU64, unescapeOctal } from './proc_util.js';

/** NFS byte counters (`bytes:` line, struct nfs_iostats). */
export interface NFSBytesStats {
  read: bigint;
  write: bigint;
  directRead: bigint;
  directWrite: bigint;
  readTotal: bigint;
  writeTotal: bigint;
  readPages: bigint;
  writePages: bigint;
}

/** NFS event counters (`events:` line), in kernel order. */
export interface NFSEventsStats {
  inodeRevalidate: bigint;
  dnodeRevalidate: bigint;
  dataInvalidate: bigint;
  attributeInvalidate: bigint;
  vfsOpen: bigint;
  vfsLookup: bigint;
  vfsAccess: bigint;
  vfsUpdatePage: bigint;
  vfsReadPage: bigint;
  vfsReadPages: bigint;
  vfsWritePage: bigint;
  vfsWritePages: bigint;
  vfsGetdents: bigint;
  vfsSetattr: bigint;
  vfsFlush: bigint;
  vfsFsync: bigint;
  vfsLock: bigint;
  vfsFileRelease: bigint;
  congestionWait: bigint;
  truncation: bigint;
  writeExtension: bigint;
  sillyRename: bigint;
  shortRead: bigint;
  shortWrite: bigint;
  jukeboxDelay: bigint;
  pnfsRead: bigint;
  pnfsWrite: bigint;
}

/** One per-op statistics line (`READ: …`). Times in milliseconds. */
export interface NFSOperationStats {
  operation: string;
  requests: bigint;
  transmissions: bigint;
  majorTimeouts: bigint;
  bytesSent: bigint;
  bytesReceived: bigint;
  cumulativeQueueMilliseconds: bigint;
  cumulativeTotalResponseMilliseconds: bigint;
  cumulativeTotalRequestMilliseconds: bigint;
  /** Operations completed with an error (statvers 1.1, kernel 4.17+); absent on older kernels. */
  errors?: bigint;
}

/** The `xprt:` line (RPC transport). Fields a transport does not print are 0n for udp (as Go procfs does) or absent. */
export interface NFSTransportStats {
  /** `tcp`, `udp`, `rdma`… */
  protocol: string;
  port: bigint;
  bind: bigint;
  connect: bigint;
  /** Jiffies spent waiting for connections. */
  connectIdleTime: bigint;
  idleTimeSeconds: bigint;
  sends: bigint;
  receives: bigint;
  badTransactionIDs: bigint;
  cumulativeActiveRequests: bigint;
  cumulativeBacklog: bigint;
  maximumRPCSlotsUsed?: bigint;
  cumulativeSendingQueue?: bigint;
  cumulativePendingQueue?: bigint;
  /** Extra numbers a newer kernel or another transport prints. */
  extra: bigint[];
}

/** Statistics of an NFS (v3/v4) mount. */
export interface MountStatsNFS {
  /** `statvers=` value, e.g. `1.1`. */
  statVersion: string;
  /** `opts:` mount options. */
  opts: Record<string, string>;
  /** `age:` seconds since the mount. */
  ageSeconds?: number;
  bytes?: NFSBytesStats;
  events?: NFSEventsStats;
  operations: NFSOperationStats[];
  transport: NFSTransportStats[];
  /** Other indented `key: value` lines (caps, sec, nfsv4, fsc…), raw. */
  other: Record<string, string>;
}

/** One mount of `/proc/<pid>/mountstats`. */
export interface Mount {
  /** Device name (`device X`). */
  device: string;
  /** Mount point (`mounted on Y`). */
  mount: string;
  /** Filesystem type (`with fstype Z`). */
  type: string;
  /** NFS statistics, present for nfs/nfs4 mounts that print them. */
  stats?: MountStatsNFS;
}

const EVENT_KEYS: (keyof NFSEventsStats)[] = [
  'inodeRevalidate',
  'dnodeRevalidate',
  'dataInvalidate',
  'attributeInvalidate',
  'vfsOpen',
  'vfsLookup',
  'vfsAccess',
  'vfsUpdatePage',
  'vfsReadPage',
  'vfsReadPages',
  'vfsWritePage',
  'vfsWritePages',
  'vfsGetdents',
  'vfsSetattr',
  'vfsFlush',
  'vfsFsync',
  'vfsLock',
  'vfsFileRelease',
  'congestionWait',
  'truncation',
  'writeExtension',
  'sillyRename',
  'shortRead',
  'shortWrite',
  'jukeboxDelay',
  'pnfsRead',
  'pnfsWrite',
];
const BYTES_KEYS: (keyof NFSBytesStats)[] = [
  'read',
  'write',
  'directRead',
  'directWrite',
  'readTotal',
  'writeTotal',
  'readPages',
  'writePages',
];

/** The `xprt:` counters after the connection ones, the same for every transport. */
const XPRT_COUNTER_KEYS: (keyof NFSTransportStats)[] = [
  'sends',
  'receives',
  'badTransactionIDs',
  'cumulativeActiveRequests',
  'cumulativeBacklog',
  'maximumRPCSlotsUsed',
  'cumulativeSendingQueue',
  'cumulativePendingQueue',
];
/** `xprt: udp`: no connection, so no connect, connect-idle or idle-time counters. */
const XPRT_UDP_KEYS: (keyof NFSTransportStats)[] = ['port', 'bind', ...XPRT_COUNTER_KEYS];
/** `xprt: tcp` (and any other transport than udp): port, bind, then the connection counters. */
const XPRT_KEYS: (keyof NFSTransportStats)[] = [
  'port',
  'bind',
  'connect',
  'connectIdleTime',
  'idleTimeSeconds',
  ...XPRT_COUNTER_KEYS,
];

function nums(s: string, where: ProcWhere): bigint[] {
  const t = s.trim();
  return t === '' ? [] : t.split(/\s+/).map((x) => pU64(x, where, 'counter'));
}

/** The first `keys.length` counters of a `bytes:` or `events:` line, by name (extra trailing ones are ignored). */
function namedCounters<K extends string>(
  s: string,
  where: ProcWhere,
  what: string,
  keys: readonly K[],
): Record<K, bigint> {
  const v = nums(s, where);
  if (v.length < keys.length) procFail(where, `${what}: expected ${keys.length} numbers, got ${v.length}`);
  return Object.fromEntries(keys.map((k, j) => [k, v[j]!])) as Record<K, bigint>;
}

function transport(s: string, where: ProcWhere): NFSTransportStats {
  const f = s.trim().split(/\s+/);
  const protocol = f[0]!;
  const v = nums(f.slice(1).join(' '), where);
  const names = protocol === 'udp' ? XPRT_UDP_KEYS : XPRT_KEYS;
  const minimum = protocol === 'udp' ? 7 : 10;
  if (v.length < minimum) procFail(where, `xprt ${protocol}: expected at least ${minimum} numbers, got ${v.length}`);
  const out = {
    protocol,
    connect: 0n,
    connectIdleTime: 0n,
    idleTimeSeconds: 0n,
    extra: [],
  } as unknown as NFSTransportStats;
  const w = out as unknown as Record<string, unknown>;
  v.forEach((x, i) => {
    if (i < names.length) w[names[i]!] = x;
    else out.extra.push(x);
  });
  return out;
}

/** Parse `/proc/<pid>/mountstats`. @throws {ParseError} */
export function parseMountStats(text: string, file = '/proc/<pid>/mountstats'): Mount[] {
  const out: Mount[] = [];
  const ls = procLines(text);
  let nfs: MountStatsNFS | undefined;
  let inOps = false;
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    if (line.startsWith('device ')) {
      const m = /^device (.+) mounted on (.+) with fstype (\S+)(?: statvers=(\S+))?$/.exec(line);
      if (!m) procFail(where, 'expected "device X mounted on Y with fstype Z"');
      const mount: Mount = { device: unescapeOctal(m[1]!), mount: unescapeOctal(m[2]!), type: m[3]! };
      nfs = undefined;
      inOps = false;
      if (m[4] !== undefined) {
        nfs = { statVersion: m[4], opts: {}, operations: [], transport: [], other: {} };
        mount.stats = nfs;
      }
      out.push(mount);
      continue;
    }
    if (line.trim() === '') continue;
    if (!nfs) procFail(where, 'statistics line outside an NFS mount');
    const t = line.trim();
    if (t === 'per-op statistics') {
      inOps = true;
      continue;
    }
    const c = t.indexOf(':');
    if (c <= 0) procFail(where, 'expected "key: values"');
    const key = t.slice(0, c);
    const val = t.slice(c + 1);
    if (inOps) {
      const v = nums(val, where);
      if (v.length < 8) procFail(where, `per-op ${key}: expected at least 8 numbers, got ${v.length}`);
      const op: NFSOperationStats = {
        operation: key,
        requests: v[0]!,
        transmissions: v[1]!,
        majorTimeouts: v[2]!,
        bytesSent: v[3]!,
        bytesReceived: v[4]!,
        cumulativeQueueMilliseconds: v[5]!,
        cumulativeTotalResponseMilliseconds: v[6]!,
        cumulativeTotalRequestMilliseconds: v[7]!,
      };
      if (v.length > 8) op.errors = v[8]!;
      nfs.operations.push(op);
      continue;
    }
    switch (key) {
      case 'opts':
        nfs.opts = parseMountOptions(val.trim());
        break;
      case 'age': {
        const a = pU64(val.trim(), where, 'age');
        nfs.ageSeconds = Number(a);
        break;
      }
      case 'bytes':
        nfs.bytes = namedCounters(val, where, key, BYTES_KEYS);
        break;
      case 'events':
        nfs.events = namedCounters(val, where, key, EVENT_KEYS);
        break;
      case 'xprt':
        nfs.transport.push(transport(val, where));
        break;
      default:
        if (key !== '__proto__' && key !== 'constructor') nfs.other[key] = val.trim();
    }
  }
  return out;
}
