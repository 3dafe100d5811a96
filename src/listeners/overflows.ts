/**
 * Listen-overflow diagnosis: watch `TcpExt ListenOverflows`, `ListenDrops`
 * and the SYN-cookie counters together with every TCP listener's accept
 * queue (`queued` / `backlog` from sock_diag, via this module's listener
 * statistics), and when connection attempts are dropped say which listeners
 * were full, which
 * processes own them, what limited their queue (`min(listen() backlog,
 * net.core.somaxconn)`) and what to change.
 *
 * {@link diagnoseListenOverflows} is pure (counters delta + listener
 * snapshot + sysctls → report); {@link watchListenOverflows} samples.
 * A feature: it reads the netstat source (TcpExt counters) and the listener
 * statistics of this module (see docs/design.md, layers).
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { counterDelta } from '../netstat/delta.js';
import type { CounterValue, NetCounterSet } from '../netstat/parse.js';
import { NetCounterReader } from '../netstat/read.js';
import { sleep } from '../util/time.js';
import type { ListenerMember, ListenerOwner, ListenerStats } from './types.js';
import { fullestMember, queueFull, queuePercent } from './usage.js';

/** The TcpExt counters the diagnosis watches. */
export const OVERFLOW_COUNTERS = [
  'ListenOverflows',
  'ListenDrops',
  'SyncookiesSent',
  'SyncookiesRecv',
  'SyncookiesFailed',
  'TCPReqQFullDrop',
  'TCPReqQFullDoCookies',
] as const;

/** Name of one watched TcpExt counter. */
export type OverflowCounterName = (typeof OVERFLOW_COUNTERS)[number];

/** One socket of a listener (an SO_REUSEPORT group has several) as the diagnosis needs it. */
export type ListenQueueMember = Pick<ListenerMember, 'inode' | 'queued' | 'backlog'> & {
  owners?: readonly ListenerOwner[];
  /** The largest `queued` of this socket seen during the interval. */
  queuedPeak?: number;
};

/** The listener fields the diagnosis needs (a subset of the listeners module's `ListenerStats`). */
export type ListenQueueStats = Pick<ListenerStats, 'queued' | 'backlog'> & {
  owners?: readonly ListenerOwner[];
  /** The largest `queued` seen during the interval (when sampled more often than the counters). */
  queuedPeak?: number;
  /** Each listening socket of the key (`ListenerStats.members`): a group is as full as its fullest member. */
  members?: readonly ListenQueueMember[];
};

/** The sysctls that bound listen queues, read from `/proc/sys` (undefined when unreadable). */
export interface ListenLimits {
  /** `net.core.somaxconn` (`/proc/sys/net/core/somaxconn`): the cap on every listen() backlog. */
  somaxconn?: number;
  /** `net.ipv4.tcp_max_syn_backlog`: with syncookies off, limits SYN-queue entries from unproven peers. */
  tcpMaxSynBacklog?: number;
  /** `net.ipv4.tcp_syncookies`: 0 off, 1 when a SYN queue overflows, 2 always. */
  tcpSyncookies?: number;
  /** `net.ipv4.tcp_abort_on_overflow`: 1 = reset instead of dropping the final ACK when the accept queue is full. */
  tcpAbortOnOverflow?: number;
}

function readIntFile(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, 'latin1').trim(), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Read the listen-queue sysctls of the caller's network namespace from
 * `<procMountPoint>/sys/net/...` (all are per network namespace).
 */
export function readListenLimits(procMountPoint = '/proc'): ListenLimits {
  const p = (...parts: string[]) => join(procMountPoint, 'sys', 'net', ...parts);
  const out: ListenLimits = {};
  const set = (k: keyof ListenLimits, v: number | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('somaxconn', readIntFile(p('core', 'somaxconn')));
  set('tcpMaxSynBacklog', readIntFile(p('ipv4', 'tcp_max_syn_backlog')));
  set('tcpSyncookies', readIntFile(p('ipv4', 'tcp_syncookies')));
  set('tcpAbortOnOverflow', readIntFile(p('ipv4', 'tcp_abort_on_overflow')));
  return out;
}

/** One listener in a report. */
export interface ListenerFinding {
  /** Listener key as the listeners module prints it, e.g. `0.0.0.0:8080`, `[::]:443`. */
  key: string;
  /** Connections waiting in the accept queue (`sk_ack_backlog`) at the last sample. */
  queued: number;
  /** The largest `queued` seen during the interval (equals `queued` when sampled once). */
  queuedPeak: number;
  /** The queue's limit (`sk_max_ack_backlog` = min(listen() backlog, somaxconn)). */
  backlog: number;
  /** True when `queuedPeak > 0` and `queuedPeak ≥ backlog` (the kernel drops new connections once `queued > backlog`). */
  full: boolean;
  /**
   * What set the limit: `somaxconn` when `backlog` equals net.core.somaxconn
   * (the application asked for at least that much and was capped), otherwise
   * `listen-backlog` (the application's own listen() argument); `unknown`
   * when somaxconn could not be read.
   */
  limitedBy: 'somaxconn' | 'listen-backlog' | 'unknown';
  /** Processes holding the listening socket, when known. */
  owners?: ListenerOwner[];
  /** For an SO_REUSEPORT group: how many listening sockets share the key (absent for a single socket). */
  sockets?: number;
  /**
   * For an SO_REUSEPORT group (more than one socket): its fullest member.
   * `full`, `limitedBy` and the ranking of the finding come from it, since
   * the kernel drops a connection when the member it hashed to is full.
   */
  member?: MemberFinding;
}

/** One socket of an SO_REUSEPORT group in a report. */
export interface MemberFinding {
  /** Socket inode (`socket:[inode]` in `/proc/<pid>/fd`). */
  inode: number;
  /** Connections in this socket's accept queue at the last sample. */
  queued: number;
  /** The largest `queued` of this socket seen during the interval. */
  queuedPeak: number;
  /** This socket's limit (`sk_max_ack_backlog`). */
  backlog: number;
  /** True when `queuedPeak > 0` and `queuedPeak ≥ backlog`. */
  full: boolean;
  /** Processes holding this socket, when known. */
  owners?: ListenerOwner[];
}

/** The outcome of one sampling interval. */
export interface OverflowReport {
  /** When the newer sample was taken (ms since the epoch). */
  timeMs: number;
  /** Seconds between the two samples. */
  seconds: number;
  /** Increase of each watched TcpExt counter over the interval (0 when the kernel does not print it). */
  counters: Record<OverflowCounterName, CounterValue>;
  /** True when ListenOverflows, ListenDrops, SyncookiesSent or TCPReqQFull* grew. */
  dropped: boolean;
  /** Listeners whose accept queue was full when sampled. */
  full: ListenerFinding[];
  /** The fullest listeners (by queued/backlog, at most 5, including full ones). */
  busiest: ListenerFinding[];
  /** The sysctls in force. */
  limits: ListenLimits;
  /** What to change, in plain words (empty when nothing was dropped). */
  advice: string[];
}

function isPositive(v: CounterValue): boolean {
  return typeof v === 'bigint' ? v > 0n : v > 0;
}

function limitOf(backlog: number, limits: ListenLimits): ListenerFinding['limitedBy'] {
  return limits.somaxconn === undefined ? 'unknown' : backlog >= limits.somaxconn ? 'somaxconn' : 'listen-backlog';
}

function finding(key: string, s: ListenQueueStats, limits: ListenLimits): ListenerFinding {
  const peak = Math.max(s.queuedPeak ?? s.queued, s.queued);
  const members = s.members ?? [];
  const f: ListenerFinding = {
    key,
    queued: s.queued,
    queuedPeak: peak,
    backlog: s.backlog,
    full: queueFull(peak, s.backlog),
    limitedBy: limitOf(s.backlog, limits),
  };
  if (s.owners !== undefined) f.owners = [...s.owners];
  if (members.length > 1) {
    const withPeaks = members.map((m) => ({ m, queuedPeak: Math.max(m.queuedPeak ?? m.queued, m.queued) }));
    const top = fullestMember(withPeaks.map((x) => ({ ...x, queued: x.queuedPeak, backlog: x.m.backlog })))!;
    const m: MemberFinding = {
      inode: top.m.inode,
      queued: top.m.queued,
      queuedPeak: top.queuedPeak,
      backlog: top.m.backlog,
      full: queueFull(top.queuedPeak, top.m.backlog),
    };
    if (top.m.owners !== undefined) m.owners = [...top.m.owners];
    f.sockets = members.length;
    f.member = m;
    f.full = m.full;
    f.limitedBy = limitOf(m.backlog, limits);
  }
  return f;
}

/** How full a finding is (its fullest member's for a group), for ranking. */
function fillRatio(f: ListenerFinding): number {
  const q = f.member ? f.member.queuedPeak : f.queuedPeak;
  return q > 0 ? queuePercent(q, f.member ? f.member.backlog : f.backlog) : 0;
}

/**
 * Who a finding is about, in plain words: `key (owners)`, and for an
 * SO_REUSEPORT group `key, member socket:[inode] (owners) with 3/2 queued of
 * a group of 2`.
 */
export function describeOverflowFinding(f: ListenerFinding): string {
  if (!f.member) return `${f.key} (${formatOverflowOwners(f)})`;
  const m = f.member;
  return `${f.key}, member socket:[${m.inode}] (${formatOverflowOwners(m)}) with ${m.queuedPeak}/${m.backlog} queued, of an SO_REUSEPORT group of ${f.sockets} sockets (${f.queuedPeak}/${f.backlog} in all)`;
}

/** `pid/command, …` of a finding's owners, or a hint when unknown. */
export function formatOverflowOwners(f: Pick<ListenerFinding, 'owners'>): string {
  if (f.owners === undefined) return 'owner unknown';
  if (f.owners.length === 0) return 'owner not found (needs root to see other users’ processes)';
  return f.owners.map((o) => `${o.pid}/${o.command}`).join(', ');
}

/**
 * Diagnose one interval (pure): `delta` holds the increase of the TcpExt
 * counters (any object with `TcpExt: { ListenOverflows, … }`), `listeners`
 * the accept queues at the end of the interval (with `queuedPeak` when they
 * were sampled within it), `limits` the sysctls.
 */
export function diagnoseListenOverflows(input: {
  delta: NetCounterSet;
  listeners: ReadonlyMap<string, ListenQueueStats>;
  limits: ListenLimits;
  seconds: number;
  timeMs?: number;
}): OverflowReport {
  const tcpExt = input.delta.TcpExt ?? {};
  const counters = {} as Record<OverflowCounterName, CounterValue>;
  for (const n of OVERFLOW_COUNTERS) counters[n] = tcpExt[n] ?? 0;
  const dropped =
    isPositive(counters.ListenOverflows) ||
    isPositive(counters.ListenDrops) ||
    isPositive(counters.SyncookiesSent) ||
    isPositive(counters.TCPReqQFullDrop) ||
    isPositive(counters.TCPReqQFullDoCookies);
  const all: ListenerFinding[] = [];
  for (const [key, s] of input.listeners) all.push(finding(key, s, input.limits));
  const full = all.filter((f) => f.full);
  const busiest = all
    .filter((f) => f.queuedPeak > 0)
    .sort((a, b) => fillRatio(b) - fillRatio(a) || b.queuedPeak - a.queuedPeak)
    .slice(0, 5);
  const advice = dropped ? adviceFor(counters, full, busiest, input.limits) : [];
  return {
    timeMs: input.timeMs ?? Date.now(),
    seconds: input.seconds,
    counters,
    dropped,
    full,
    busiest,
    limits: input.limits,
    advice,
  };
}

function adviceFor(
  c: Record<OverflowCounterName, CounterValue>,
  full: ListenerFinding[],
  busiest: ListenerFinding[],
  limits: ListenLimits,
): string[] {
  const out: string[] = [];
  const somax = limits.somaxconn;
  for (const f of full) {
    const who = describeOverflowFinding(f);
    const limit = f.member ? f.member.backlog : f.backlog;
    if (f.limitedBy === 'somaxconn') {
      out.push(
        `${who}: its accept queue is capped at ${limit} by net.core.somaxconn (${somax}); the application asked for at least that much. Raise net.core.somaxconn (sysctl -w net.core.somaxconn=${nextSize(limit)}) and keep the application's listen() backlog at least as large.`,
      );
    } else {
      out.push(
        `${who}: its accept queue limit ${limit} is the listen() backlog the application passed${
          somax !== undefined ? ` (net.core.somaxconn allows up to ${somax})` : ''
        }. Raise the backlog in the application (Node.js: server.listen({ port, backlog: ${nextSize(limit)} }); the default is 511)${
          somax !== undefined && nextSize(limit) > somax ? ' and net.core.somaxconn' : ''
        }.`,
      );
    }
    if (f.member) {
      out.push(
        `${f.key} is an SO_REUSEPORT group: the kernel hashes each connection to one member and drops it when that member is full, whatever room the others have (${f.queuedPeak}/${f.backlog} in all). Give every member the same backlog, and make the slow member's process accept faster.`,
      );
    }
  }
  if (isPositive(c.ListenOverflows)) {
    if (full.length === 0) {
      const top = busiest[0];
      out.push(
        `No listener was full at the moment of sampling: the queue filled and drained between samples (bursts).${
          top !== undefined
            ? top.member
              ? ` The fullest listener was ${describeOverflowFinding(top)}.`
              : ` The fullest listener was ${top.key} with ${top.queuedPeak}/${top.backlog} at most (${formatOverflowOwners(top)}).`
            : ''
        } Sample more often (--interval 0.1) to catch it.`,
      );
    }
    out.push(
      'A full accept queue means the process does not call accept() as fast as connections arrive: add workers (Node.js cluster / more processes behind SO_REUSEPORT), keep the event loop free of long synchronous work, or scale out. A bigger queue only absorbs bursts.',
    );
  }
  if (isPositive(c.SyncookiesSent) || isPositive(c.TCPReqQFullDoCookies) || isPositive(c.TCPReqQFullDrop)) {
    out.push(
      `A SYN (request) queue overflowed: a burst of new connections or a SYN flood. On current kernels its limit is the same min(backlog, somaxconn) as the accept queue, so raising those raises it too. ${
        limits.tcpSyncookies === 0
          ? `net.ipv4.tcp_syncookies is 0, so the SYNs were dropped (TCPReqQFullDrop); set it to 1, and note net.ipv4.tcp_max_syn_backlog (${limits.tcpMaxSynBacklog ?? '?'}) also limits unproven peers.`
          : 'SYN cookies answered them (SyncookiesSent); connections still succeed but lose TCP options such as window scaling on old kernels.'
      }`,
    );
  }
  const other = diff(c.ListenDrops, c.ListenOverflows);
  if (other > 0 && !isPositive(c.TCPReqQFullDrop)) {
    out.push(
      `${other} drop(s) were not accept-queue overflows (ListenDrops − ListenOverflows): failures to allocate memory for a request or child socket, SYNs to broadcast/multicast addresses, or ICMP errors during handshakes.`,
    );
  }
  if (limits.tcpAbortOnOverflow === 1) {
    out.push(
      'net.ipv4.tcp_abort_on_overflow is 1: clients get a reset instead of retrying when the accept queue is full.',
    );
  }
  return out;
}

function diff(a: CounterValue, b: CounterValue): number {
  return Number(BigInt(a) - BigInt(b));
}

function nextSize(n: number): number {
  let s = 128;
  while (s <= n) s *= 2;
  return Math.max(s, 1024);
}

/** Members of the latest sample with each socket's peak over the interval so far (matched by inode). */
function memberPeaks(
  now: readonly ListenQueueMember[],
  had: readonly ListenQueueMember[] | undefined,
): ListenQueueMember[] {
  const before = new Map((had ?? []).map((m) => [m.inode, m]));
  return now.map((m) => {
    const b = before.get(m.inode);
    const out: ListenQueueMember = {
      inode: m.inode,
      queued: m.queued,
      backlog: m.backlog,
      queuedPeak: Math.max(m.queued, m.queuedPeak ?? 0, b?.queuedPeak ?? 0),
    };
    const owners = m.owners ?? b?.owners;
    if (owners !== undefined) out.owners = owners;
    return out;
  });
}

/**
 * A source of listener accept-queue statistics, e.g.
 * `() => tcpListenerStats(undefined, { active: false, owners: true })` from
 * this module (a parameter, so the diagnosis can be fed a snapshot taken
 * elsewhere, e.g. in another network namespace, or a fixture).
 */
export type ListenerSource = () =>
  | Promise<ReadonlyMap<string, ListenQueueStats>>
  | ReadonlyMap<string, ListenQueueStats>;

/** Options of {@link watchListenOverflows}. */
export interface WatchOverflowOptions {
  /** Milliseconds between samples (default 1000). */
  intervalMs?: number;
  /** Stop after this many reports (default: until `signal` aborts). */
  count?: number;
  /** Stops the watch. */
  signal?: AbortSignal;
  /**
   * Where the listener queues come from, sampled every `listenerSampleMs`
   * (keep it cheap), e.g. `() => tcpListenerStats(undefined, { active: false })`.
   */
  listeners: ListenerSource;
  /**
   * Called once per interval with drops to name the owning processes, e.g.
   * `() => tcpListenerStats(undefined, { active: false, owners: true })`.
   * Without it, owners come from `listeners` if it returns them.
   */
  owners?: ListenerSource;
  /**
   * Milliseconds between listener samples within an interval (default
   * min(100, intervalMs)); each report carries the peak queue of each listener.
   */
  listenerSampleMs?: number;
  /** procfs mount point for the counters and sysctls (default `/proc`). */
  procMountPoint?: string;
}

/**
 * Sample the counters and listener queues every `intervalMs` and yield one
 * {@link OverflowReport} per interval (of the caller's network namespace).
 */
export async function* watchListenOverflows(opts: WatchOverflowOptions): AsyncGenerator<OverflowReport> {
  const intervalMs = opts.intervalMs ?? 1000;
  const sampleMs = Math.max(1, Math.min(opts.listenerSampleMs ?? 100, intervalMs));
  const reader = new NetCounterReader({ procMountPoint: opts.procMountPoint });
  try {
    let prev = reader.read();
    let prevT = performance.now();
    let n = 0;
    while (!opts.signal?.aborted && (opts.count === undefined || n < opts.count)) {
      const peaks = new Map<string, ListenQueueStats & { queuedPeak: number }>();
      const due = prevT + intervalMs;
      for (;;) {
        const left = due - performance.now();
        await sleep(Math.max(0, Math.min(sampleMs, left)), opts.signal);
        if (opts.signal?.aborted) break;
        for (const [key, st] of await opts.listeners()) {
          const had = peaks.get(key);
          const e: ListenQueueStats & { queuedPeak: number } = {
            queued: st.queued,
            backlog: st.backlog,
            queuedPeak: Math.max(st.queued, had?.queuedPeak ?? 0),
          };
          const owners = st.owners ?? had?.owners;
          if (owners !== undefined) e.owners = owners;
          if (st.members !== undefined) e.members = memberPeaks(st.members, had?.members);
          peaks.set(key, e);
        }
        if (performance.now() >= due) break;
      }
      if (opts.signal?.aborted) break;
      const next = reader.read();
      const t = performance.now();
      const seconds = (t - prevT) / 1000;
      const d = counterDelta({ TcpExt: prev.TcpExt ?? {} }, { TcpExt: next.TcpExt ?? {} }, seconds);
      const delta: NetCounterSet = { TcpExt: {} };
      for (const [k, v] of Object.entries(d.TcpExt ?? {})) delta.TcpExt![k] = v.delta;
      const limits = readListenLimits(opts.procMountPoint);
      let report = diagnoseListenOverflows({ delta, listeners: peaks, limits, seconds });
      if (report.dropped && opts.owners !== undefined) {
        const withOwners = await opts.owners();
        for (const [key, e] of peaks) {
          const w = withOwners.get(key);
          if (w?.owners !== undefined) e.owners = w.owners;
          if (e.members !== undefined && w?.members !== undefined) {
            const byInode = new Map(w.members.map((m) => [m.inode, m.owners]));
            e.members = e.members.map((m) => {
              const o = byInode.get(m.inode);
              return o === undefined ? m : { ...m, owners: o };
            });
          }
        }
        report = diagnoseListenOverflows({ delta, listeners: peaks, limits, seconds, timeMs: report.timeMs });
      }
      yield report;
      prev = next;
      prevT = t;
      n++;
    }
  } finally {
    reader.close();
  }
}
