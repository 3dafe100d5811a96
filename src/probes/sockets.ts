/**
 * Socket probes: the SystemTap socket tapset's probe points (`socket.send`,
 * `socket.receive`, `socket.create`, `socket.create.return`, `socket.close`)
 * plus `tcp.state`, `tcp.retransmit`, `tcp.reset` and `skb.drop`, built on
 * the kernel's static tracepoints in a private tracefs instance. See
 * docs/probes.md for the tapset → tracepoint mapping and what is undefined.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import {
  type EventFormat,
  requireTraceField,
  TRACE_FLAG_INTERRUPT_MASK,
  type TraceField,
  Tracefs,
  type TraceInstanceOptions,
  type TraceRecordDecoder,
  TraceSession,
  type TraceSessionOptions,
} from '../tracefs/index.js';
import { TaskResolver } from './resolve.js';
import { sockFamStr2Num, sockProtStr2Num } from './tables.js';

/** Probe names (tapset names for the socket ones). */
export const SOCKET_PROBE_NAMES = [
  'socket.send',
  'socket.receive',
  'socket.create',
  'socket.create.return',
  'socket.close',
  'tcp.state',
  'tcp.retransmit',
  'tcp.reset',
  'skb.drop',
] as const;

/** A probe name. */
export type SocketProbeName = (typeof SOCKET_PROBE_NAMES)[number];

/**
 * One probe hit. Tapset arguments the kernel's tracepoints do not provide are
 * `undefined` (see docs/probes.md): notably `state` (struct socket state) and
 * `flags` (struct socket flags) everywhere.
 */
export interface SocketProbeEvent {
  /** Probe name, e.g. `socket.send` (tapset `name`). */
  name: SocketProbeName;
  /** Trace clock time stamp, ns since boot (ring buffer time stamp). */
  timeNs: number;
  /** CPU the event was recorded on. */
  cpu: number;
  /** Process id (thread group id of `common_pid`, from /proc); undefined in interrupt context or when unknown. */
  pid: number | undefined;
  /** Thread id (`common_pid`); undefined in interrupt context. */
  tid: number | undefined;
  /** Command name of the thread; undefined in interrupt context or when unknown. */
  comm: string | undefined;
  /** The event ran in softirq/hardirq/NMI context (`common_flags`): not attributed to a process. */
  interrupt: boolean;
  /** Tapset `size`: bytes sent/received (`ret` of sock_*_length), or the negative errno when `success` is 0. */
  size?: number;
  /** Tapset `protocol` (`sk->sk_protocol`; 0 for UNIX; 6 TCP; 17 UDP). See {@link sockProtNum2Str}. */
  protocol?: number;
  /** Tapset `family` (`sk->sk_family`). See {@link sockFamNum2Str}. */
  family?: number;
  /** Tapset `state` (struct socket state): no tracepoint carries it — always undefined here. */
  state?: number;
  /** Tapset `flags` (struct socket flags): no tracepoint carries it — always undefined here. */
  flags?: number;
  /** Tapset `type`: from socket(2) arguments, or inferred for TCP (STREAM) / UDP (DGRAM); else undefined. */
  type?: number;
  /** Tapset `success`: 1 when the call returned ≥ 0. */
  success?: 0 | 1;
  /** Tapset `requester`: 0 = user (socket(2)); 1 = kernel (only seen with kprobes, not available here). */
  requester?: 0 | 1;
  /** Tapset `err`: the negative errno, 0 on success. */
  err?: number;
  /** `MSG_*` flags of the receive (`flags` of sock_recv_length; always 0 on the send side). */
  msgFlags?: number;
  /** Descriptor returned by socket(2) (`socket.create.return`) or closed (`socket.close` of non-TCP sockets). */
  fd?: number;
  /** Kernel address of the `struct sock` (`sk`/`skaddr`), a stable key for a connection while it lives. */
  sock?: bigint;
  /** Local address (dotted IPv4 or IPv6 text), when the tracepoint carries it. */
  saddr?: string;
  /** Remote address. */
  daddr?: string;
  /** Local port (host order). */
  sport?: number;
  /** Remote port (host order). */
  dport?: number;
  /** TCP state before (`tcp.state`, `oldstate`) — see {@link tcpStateNum2Str}. */
  oldState?: number;
  /** TCP state after (`tcp.state`, `newstate`), or the socket's TCP state (`tcp.retransmit`, `tcp.reset`). */
  newState?: number;
  /** `tcp.reset`: `send` (tcp_send_reset) or `receive` (tcp_receive_reset). */
  direction?: 'send' | 'receive';
  /** `skb.drop` drop reason / `tcp.reset` reset reason name from the format's print fmt (e.g. `NO_SOCKET`). */
  reason?: string;
  /** Numeric reason (`enum skb_drop_reason` / `enum sk_rst_reason`). */
  reasonCode?: number;
  /** `skb.drop`: ethertype of the packet (`skb->protocol`, 0x800 IPv4, 0x86dd IPv6). */
  ethertype?: number;
  /** `skb.drop`: kernel code address that freed the packet. */
  location?: bigint;
}

/** Filters, applied in the kernel (event filters and `set_event_pid`). */
export interface SocketProbeFilter {
  /** Only these processes (and their children unless `followForks` is false). */
  pid?: number | readonly number[];
  /** Follow children of `pid` (default true). */
  followForks?: boolean;
  /** Command name; `*`, `?` and `[...]` make it a glob (`node*`). */
  comm?: string;
  /** Address families: numbers or names (`inet`, `inet6`, `unix`/`local`). */
  family?: number | string | readonly (number | string)[];
  /** Protocols: numbers or names (`tcp`, `udp`, `ip` = 0 as UNIX sockets report). */
  protocol?: number | string | readonly (number | string)[];
}

/** Options of {@link socketProbes}. */
export interface SocketProbesOptions extends TraceSessionOptions, TraceInstanceOptions {
  /** Probes to enable (default `socket.send` and `socket.receive`). Short names (`send`, `close`) are accepted. */
  probes?: readonly string[];
  filter?: SocketProbeFilter;
  /** A tracefs to use (default: found/mounted). */
  tracefs?: Tracefs;
}

const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_UDPLITE = 136;
const IPPROTO_MPTCP = 262;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_TYPE_MASK = 0xf;
const TCP_CLOSE = 7;

/** Accept `send`, `socket.send`, `state` → `tcp.state`, `drop` → `skb.drop`. */
export function normalizeProbeName(p: string): SocketProbeName {
  const s = p.trim().toLowerCase();
  const alias: Record<string, SocketProbeName> = {
    send: 'socket.send',
    receive: 'socket.receive',
    recv: 'socket.receive',
    create: 'socket.create',
    'create.return': 'socket.create.return',
    close: 'socket.close',
    state: 'tcp.state',
    retransmit: 'tcp.retransmit',
    reset: 'tcp.reset',
    drop: 'skb.drop',
  };
  const n = (alias[s] ?? s) as SocketProbeName;
  if (!(SOCKET_PROBE_NAMES as readonly string[]).includes(n)) {
    throw new InvalidArgumentError(`unknown probe ${JSON.stringify(p)}; known: ${SOCKET_PROBE_NAMES.join(', ')}`, p);
  }
  return n;
}

function toList<T>(v: T | readonly T[] | undefined): T[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? [...(v as T[])] : [v as T];
}

/** Resolve family names/numbers. @throws {InvalidArgumentError} for unknown names. */
export function parseFamilies(v: SocketProbeFilter['family']): number[] | undefined {
  return toList(v)?.map((f) => {
    const n = typeof f === 'number' ? f : /^\d+$/.test(f) ? Number(f) : sockFamStr2Num(f.replace(/^AF_/i, ''));
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
      throw new InvalidArgumentError(`unknown address family ${JSON.stringify(f)} (try inet, inet6, unix)`, f);
    }
    return n;
  });
}

/** Resolve protocol names/numbers. @throws {InvalidArgumentError} for unknown names. */
export function parseProtocols(v: SocketProbeFilter['protocol']): number[] | undefined {
  return toList(v)?.map((p) => {
    const n = typeof p === 'number' ? p : /^\d+$/.test(p) ? Number(p) : sockProtStr2Num(p.replace(/^IPPROTO_/i, ''));
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
      throw new InvalidArgumentError(`unknown protocol ${JSON.stringify(p)} (try tcp, udp, or a number)`, p);
    }
    return n;
  });
}

function orClause(field: string, values: readonly number[]): string {
  return values.length === 1 ? `${field} == ${values[0]}` : `(${values.map((v) => `${field} == ${v}`).join(' || ')})`;
}

function commClause(comm: string): string {
  if (/["\\]/.test(comm)) throw new InvalidArgumentError(`comm must not contain quotes or backslashes`, comm);
  return /[*?[]/.test(comm) ? `comm ~ "${comm}"` : `comm == "${comm}"`;
}

function inferType(family: number, protocol: number): number | undefined {
  if (family !== AF_INET && family !== AF_INET6) return undefined;
  if (protocol === IPPROTO_TCP || protocol === IPPROTO_MPTCP) return SOCK_STREAM;
  if (protocol === IPPROTO_UDP || protocol === IPPROTO_UDPLITE) return SOCK_DGRAM;
  return undefined;
}

/** IPv4 text from 4 bytes. */
function ip4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** IPv6 text (RFC 5952 compressed, IPv4-mapped shown dotted) from 16 bytes. */
function ip6(b: Buffer, o: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!);
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${ip4(b, o + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const part = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return part(w);
  return `${part(w.slice(0, bestStart))}::${part(w.slice(bestStart + bestLen))}`;
}

interface Ctx {
  cpu: number;
  ts: number;
  flags: number;
  tid: number;
  /** Filled by identify(). */
  pid: number | undefined;
  tidOut: number | undefined;
  comm: string | undefined;
  interrupt: boolean;
}

type Handler = (page: Buffer, start: number, len: number, ctx: Ctx, emit: (e: SocketProbeEvent) => void) => void;

function off(f: EventFormat, name: string, sizes?: number[]): number {
  return requireTraceField(f, name, sizes).offset;
}
function optField(f: EventFormat, name: string): TraceField | undefined {
  return f.byName.get(name);
}

/** The tracepoints each probe needs. */
function tracepointsFor(probe: SocketProbeName): string[] {
  switch (probe) {
    case 'socket.send':
      return ['sock:sock_send_length'];
    case 'socket.receive':
      return ['sock:sock_recv_length'];
    case 'socket.create':
    case 'socket.create.return':
      return ['syscalls:sys_enter_socket', 'syscalls:sys_exit_socket'];
    case 'socket.close':
      return [
        'tcp:tcp_destroy_sock',
        'syscalls:sys_enter_socket',
        'syscalls:sys_exit_socket',
        'syscalls:sys_enter_close',
      ];
    case 'tcp.state':
      return ['sock:inet_sock_set_state'];
    case 'tcp.retransmit':
      return ['tcp:tcp_retransmit_skb'];
    case 'tcp.reset':
      return ['tcp:tcp_send_reset', 'tcp:tcp_receive_reset'];
    case 'skb.drop':
      return ['skb:kfree_skb'];
  }
}

/** What {@link socketProbes} set up (for inspection and tests). */
export interface SocketProbePlan {
  probes: SocketProbeName[];
  /** tracepoint → kernel filter ('' = none). */
  tracepoints: Map<string, string>;
  /** Housekeeping tracepoints (process exit/exec for the pid/comm cache). */
  housekeeping: string[];
  /** Filters that could not be applied in the kernel and are applied to decoded events. */
  userSpaceChecks: string[];
  /**
   * The kernel has kprobe events (`kprobe_events`). raingauge's probes use
   * tracepoints on every kernel; the kprobe variants of the tapset probes are
   * not implemented (see docs/probes.md), this only reports the capability.
   */
  kprobesAvailable: boolean;
}

/** Per-thread socket() arguments waiting for the exit event, and known socket descriptors. */
interface CreateState {
  pending: Map<number, { family: number; type: number; protocol: number }>;
  /** `${pid}:${fd}` → socket() arguments. */
  fds: Map<string, { family: number; type: number; protocol: number }>;
  /** fd number → how many entries of `fds` use it (a cheap pre-check for every close(2)). */
  fdNumbers: Map<number, number>;
}

/** Decide tracepoints and kernel filters for a probe set. Pure except for the format lookups. */
export function planSocketProbes(tfs: Tracefs, options: SocketProbesOptions): SocketProbePlan {
  const probes = [...new Set((options.probes ?? ['socket.send', 'socket.receive']).map(normalizeProbeName))];
  if (probes.length === 0) throw new InvalidArgumentError('no probes given', options.probes);
  const filter = options.filter ?? {};
  const fams = parseFamilies(filter.family);
  const prots = parseProtocols(filter.protocol);
  const comm = filter.comm !== undefined ? commClause(filter.comm) : undefined;
  const tcpWanted = !prots || prots.includes(IPPROTO_TCP);
  const inetWanted = !fams || fams.includes(AF_INET) || fams.includes(AF_INET6);
  const tracepoints = new Map<string, string>();
  const userSpaceChecks: string[] = [];
  const add = (tp: string, clauses: (string | undefined)[]) => {
    const c = clauses.filter((x): x is string => !!x);
    const prev = tracepoints.get(tp);
    const text = c.length === 0 ? '' : c.join(' && ');
    if (prev !== undefined && prev !== text) {
      // two probes share a tracepoint with different filters: keep the union (no filter)
      tracepoints.set(tp, '');
    } else tracepoints.set(tp, text);
  };
  const famClause = fams ? orClause('family', fams) : undefined;
  const protClause = prots ? orClause('protocol', prots) : undefined;
  for (const p of probes) {
    switch (p) {
      case 'socket.send':
      case 'socket.receive':
        add(tracepointsFor(p)[0]!, [famClause, protClause, comm]);
        break;
      case 'socket.create':
      case 'socket.create.return':
        add('syscalls:sys_enter_socket', [famClause, protClause, comm]);
        add('syscalls:sys_exit_socket', [comm]);
        break;
      case 'socket.close':
        if (tcpWanted && inetWanted) add('tcp:tcp_destroy_sock', [famClause, comm]);
        add('syscalls:sys_enter_socket', [famClause, protClause, comm]);
        add('syscalls:sys_exit_socket', [comm]);
        add('syscalls:sys_enter_close', [comm]);
        break;
      case 'tcp.state':
        if (inetWanted) add('sock:inet_sock_set_state', [famClause, protClause, comm]);
        break;
      case 'tcp.retransmit':
        if (tcpWanted && inetWanted) add('tcp:tcp_retransmit_skb', [famClause, comm]);
        break;
      case 'tcp.reset':
        if (tcpWanted && inetWanted) {
          add('tcp:tcp_send_reset', [comm]);
          add('tcp:tcp_receive_reset', [famClause, comm]);
          if (fams) userSpaceChecks.push('tcp.reset (sent): family, from the sockaddr in the event');
        }
        break;
      case 'skb.drop': {
        if (prots) {
          throw new InvalidArgumentError(
            'skb.drop cannot be filtered by protocol (kfree_skb carries only the ethertype); filter by family instead',
            filter.protocol,
          );
        }
        const eth = fams?.flatMap((f) => (f === AF_INET ? [0x800] : f === AF_INET6 ? [0x86dd] : f === 1 ? [0] : []));
        if (fams && eth?.length === 0) break;
        add('skb:kfree_skb', [eth ? orClause('protocol', eth) : undefined, comm]);
        break;
      }
    }
  }
  for (const tp of tracepoints.keys()) tfs.format(tp); // TracepointMissingError with the kernel version
  const housekeeping = ['sched:sched_process_exit', 'sched:sched_process_exec'].filter((e) => tfs.hasEvent(e));
  return { probes, tracepoints, housekeeping, userSpaceChecks, kprobesAvailable: tfs.kprobesAvailable() };
}

/**
 * Trace socket activity. Returns an async iterable of {@link SocketProbeEvent}
 * plus `stats()` (events, lost, per CPU); the private instance is removed
 * when the loop ends (break/return/throw), on `close()`, when `signal`
 * aborts and at process exit.
 *
 * ```ts
 * const probes = socketProbes({ probes: ['socket.send', 'socket.receive'], filter: { pid: 1234, family: 'inet' } });
 * for await (const e of probes) console.log(e.name, e.size, sockFamNum2Str(e.family!));
 * ```
 * Needs root (or CAP_SYS_ADMIN/CAP_PERFMON with tracefs access).
 * `socket.create`, `socket.create.return` and `socket.close` enable `syscalls:*`
 * events, which put every task's system calls on the kernel's slow path while
 * they are on.
 * @throws {TracepointMissingError} naming a missing tracepoint and the kernel that added it;
 *   {@link TraceFilterError}; {@link PermissionError}; {@link InvalidArgumentError} for bad probe names/filters.
 */
export function socketProbes(options: SocketProbesOptions = {}): TraceSession<SocketProbeEvent> & {
  plan: SocketProbePlan;
} {
  const tfs = options.tracefs ?? Tracefs.open();
  const plan = planSocketProbes(tfs, options);
  const inst = tfs.createInstance(options);
  try {
    const filter = options.filter ?? {};
    try {
      inst.setOption('record-tgid', true); // saved_tgids: pid of threads that exited before we read their events
    } catch {
      // older kernels: no per-instance record-tgid
    }
    const pids = toList(filter.pid);
    if (pids) inst.setEventPids(pids, filter.followForks ?? true);
    for (const [tp, f] of plan.tracepoints) if (f) inst.setFilter(tp, f);
    const decoder = createSocketProbeDecoder(tfs, plan, options.filter);
    for (const tp of plan.housekeeping) inst.enable(tp);
    for (const tp of plan.tracepoints.keys()) inst.enable(tp);
    const session = new TraceSession<SocketProbeEvent>(inst, decoder, options) as TraceSession<SocketProbeEvent> & {
      plan: SocketProbePlan;
    };
    session.plan = plan;
    return session;
  } catch (err) {
    inst.close();
    throw err;
  }
}

/**
 * The record decoder behind {@link socketProbes}: turns raw records of the
 * planned tracepoints into {@link SocketProbeEvent}s (pairing socket() enter
 * and exit per thread, tracking descriptors for `socket.close`). Usable on
 * captured pages. `resolveTasks: false` leaves `pid`/`comm` undefined instead
 * of reading /proc.
 */
export function createSocketProbeDecoder(
  tfs: Tracefs,
  plan: SocketProbePlan,
  filter: SocketProbeFilter = {},
  options: { resolveTasks?: boolean } = {},
): TraceRecordDecoder<SocketProbeEvent> {
  const resolver = options.resolveTasks === false ? undefined : new TaskResolver({ tracefsRoot: tfs.root });
  // handlers indexed by event id; every handler reads fixed offsets, so records
  // shorter than the format's fields are skipped (need[id])
  const table: (Handler | undefined)[] = [];
  const need: number[] = [];
  const handlers = {
    set(id: number, h: Handler): void {
      const f = formatsById.get(id);
      need[id] = f ? Math.max(...f.fields.map((x) => x.offset + x.size)) : 8;
      table[id] = h;
    },
  };
  const formatsById = new Map<number, EventFormat>();
  for (const tp of [...plan.tracepoints.keys(), ...plan.housekeeping]) {
    const f = tfs.format(tp);
    formatsById.set(f.id, f);
  }
  const want = new Set(plan.probes);
  const fams = parseFamilies(filter.family);
  const create: CreateState = { pending: new Map(), fds: new Map(), fdNumbers: new Map() };

  /** Fill `c.pid`, `c.tidOut`, `c.comm`, `c.interrupt` for the current record. */
  const identify = (c: Ctx): void => {
    c.interrupt = (c.flags & TRACE_FLAG_INTERRUPT_MASK) !== 0;
    if (c.interrupt || c.tid === 0) {
      c.pid = undefined;
      c.tidOut = undefined;
      c.comm = undefined;
    } else if (!resolver) {
      c.pid = undefined;
      c.tidOut = c.tid;
      c.comm = undefined;
    } else {
      // consecutive records mostly come from the same thread: skip the map lookup
      if (c.tid !== lastTid || c.ts > lastValidUntil) {
        const id = resolver.resolve(c.tid, c.ts);
        lastTid = c.tid;
        lastPid = id.pid;
        lastComm = id.comm;
        lastValidUntil = resolver.validUntil(c.tid);
      }
      c.pid = lastPid;
      c.tidOut = c.tid;
      c.comm = lastComm;
    }
  };
  let lastTid = -1;
  let lastPid: number | undefined;
  let lastComm: string | undefined;
  let lastValidUntil = 0;
  /** Kernel socket addresses repeat: reuse their bigint instead of allocating one per event. */
  const sockCache = new Map<number, { hi: number; v: bigint }>();
  const readSock = (b: Buffer, o: number): bigint => {
    const lo = b.readUInt32LE(o);
    const hi = b.readUInt32LE(o + 4);
    const hit = sockCache.get(lo);
    if (hit !== undefined && hit.hi === hi) return hit.v;
    const v = b.readBigUInt64LE(o);
    if (sockCache.size > 4096) sockCache.clear();
    sockCache.set(lo, { hi, v });
    return v;
  };
  const base = (name: SocketProbeName, c: Ctx): SocketProbeEvent => {
    identify(c);
    return { name, timeNs: c.ts, cpu: c.cpu, pid: c.pid, tid: c.tidOut, comm: c.comm, interrupt: c.interrupt };
  };
  const sockLength = (tp: string, name: SocketProbeName) => {
    const f = tfs.format(tp);
    const oSk = off(f, 'sk', [8]);
    const oFam = off(f, 'family', [2]);
    const oProt = off(f, 'protocol', [2]);
    const oRet = off(f, 'ret', [4]);
    const oFlags = off(f, 'flags', [4]);
    handlers.set(f.id, (b, s, _l, c, emit) => {
      identify(c);
      const ret = b.readInt32LE(s + oRet);
      const family = b.readUInt16LE(s + oFam);
      const protocol = b.readUInt16LE(s + oProt);
      // one object literal with every field: a single hidden class on the hot path
      emit({
        name,
        timeNs: c.ts,
        cpu: c.cpu,
        pid: c.pid,
        tid: c.tidOut,
        comm: c.comm,
        interrupt: c.interrupt,
        size: ret,
        protocol,
        family,
        type: inferType(family, protocol),
        success: ret >= 0 ? 1 : 0,
        err: Math.min(ret, 0),
        msgFlags: b.readInt32LE(s + oFlags),
        sock: readSock(b, s + oSk),
      });
    });
  };
  if (want.has('socket.send')) sockLength('sock:sock_send_length', 'socket.send');
  if (want.has('socket.receive')) sockLength('sock:sock_recv_length', 'socket.receive');

  const tps = plan.tracepoints;
  if (tps.has('syscalls:sys_enter_socket')) {
    const fe = tfs.format('syscalls:sys_enter_socket');
    const fx = tfs.format('syscalls:sys_exit_socket');
    const oFam = requireTraceField(fe, 'family');
    const oType = requireTraceField(fe, 'type');
    const oProt = requireTraceField(fe, 'protocol');
    const oRet = off(fx, 'ret', [8, 4]);
    const retSize = requireTraceField(fx, 'ret').size;
    const wantCreate = want.has('socket.create');
    const wantReturn = want.has('socket.create.return');
    handlers.set(fe.id, (b, s, _l, c, emit) => {
      const family = b.readInt32LE(s + oFam.offset);
      const type = b.readInt32LE(s + oType.offset) & SOCK_TYPE_MASK;
      const protocol = b.readInt32LE(s + oProt.offset);
      create.pending.set(c.tid, { family, type, protocol });
      if (create.pending.size > 100000) create.pending.clear();
      if (wantCreate) {
        const e = base('socket.create', c);
        e.family = family;
        e.type = type;
        e.protocol = protocol;
        e.requester = 0;
        emit(e);
      }
    });
    handlers.set(fx.id, (b, s, _l, c, emit) => {
      const args = create.pending.get(c.tid);
      if (!args) return; // the enter was filtered out (family/protocol) or happened before tracing
      create.pending.delete(c.tid);
      const ret = retSize === 8 ? Number(b.readBigInt64LE(s + oRet)) : b.readInt32LE(s + oRet);
      const e = base('socket.create.return', c);
      if (ret >= 0) {
        const key = `${e.pid ?? `t${c.tid}`}:${ret}`;
        if (!create.fds.has(key)) create.fdNumbers.set(ret, (create.fdNumbers.get(ret) ?? 0) + 1);
        create.fds.set(key, args);
      }
      if (wantReturn) {
        e.family = args.family;
        e.type = args.type;
        e.protocol = args.protocol;
        e.requester = 0;
        e.err = Math.min(ret, 0);
        e.success = ret >= 0 ? 1 : 0;
        if (ret >= 0) e.fd = ret;
        emit(e);
      }
    });
  }
  if (tps.has('syscalls:sys_enter_close')) {
    const f = tfs.format('syscalls:sys_enter_close');
    const oFd = off(f, 'fd');
    handlers.set(f.id, (b, s, _l, c, emit) => {
      const fd = b.readInt32LE(s + oFd);
      const uses = create.fdNumbers.get(fd);
      if (!uses) return; // no socket() returned this number: not a socket we know
      const e = base('socket.close', c);
      const key = `${e.pid ?? `t${c.tid}`}:${fd}`;
      const args = create.fds.get(key);
      if (!args) return; // not a socket we saw created
      create.fds.delete(key);
      if (uses <= 1) create.fdNumbers.delete(fd);
      else create.fdNumbers.set(fd, uses - 1);
      const isTcp =
        (args.family === AF_INET || args.family === AF_INET6) &&
        args.type === SOCK_STREAM &&
        (args.protocol === 0 || args.protocol === IPPROTO_TCP);
      if (isTcp && tps.has('tcp:tcp_destroy_sock')) return; // reported by tcp_destroy_sock
      e.family = args.family;
      e.type = args.type;
      e.protocol = args.protocol;
      e.fd = fd;
      emit(e);
    });
  }

  /** addresses from the saddr/daddr/_v6 arrays of TCP tracepoints */
  const addrReader = (f: EventFormat) => {
    const oS4 = off(f, 'saddr', [4]);
    const oD4 = off(f, 'daddr', [4]);
    const oS6 = off(f, 'saddr_v6', [16]);
    const oD6 = off(f, 'daddr_v6', [16]);
    const oSp = off(f, 'sport', [2]);
    const oDp = off(f, 'dport', [2]);
    const oFam = off(f, 'family', [2]);
    return (b: Buffer, s: number, e: SocketProbeEvent) => {
      const family = b.readUInt16LE(s + oFam);
      e.family = family;
      e.sport = b.readUInt16LE(s + oSp);
      e.dport = b.readUInt16LE(s + oDp);
      if (family === AF_INET6) {
        e.saddr = ip6(b, s + oS6);
        e.daddr = ip6(b, s + oD6);
      } else {
        e.saddr = ip4(b, s + oS4);
        e.daddr = ip4(b, s + oD4);
      }
    };
  };

  if (tps.has('tcp:tcp_destroy_sock')) {
    const f = tfs.format('tcp:tcp_destroy_sock');
    const addr = addrReader(f);
    const oSk = off(f, 'skaddr', [8]);
    handlers.set(f.id, (b, s, _l, c, emit) => {
      const e = base('socket.close', c);
      addr(b, s, e);
      e.protocol = IPPROTO_TCP;
      e.type = SOCK_STREAM;
      e.sock = readSock(b, s + oSk);
      e.newState = TCP_CLOSE;
      emit(e);
    });
  }
  if (tps.has('sock:inet_sock_set_state')) {
    const f = tfs.format('sock:inet_sock_set_state');
    const addr = addrReader(f);
    const oSk = off(f, 'skaddr', [8]);
    const oOld = off(f, 'oldstate', [4]);
    const oNew = off(f, 'newstate', [4]);
    const oProt = off(f, 'protocol', [2]);
    handlers.set(f.id, (b, s, _l, c, emit) => {
      const e = base('tcp.state', c);
      addr(b, s, e);
      e.protocol = b.readUInt16LE(s + oProt);
      e.type = inferType(e.family!, e.protocol);
      e.sock = readSock(b, s + oSk);
      e.oldState = b.readInt32LE(s + oOld);
      e.newState = b.readInt32LE(s + oNew);
      emit(e);
    });
  }
  if (tps.has('tcp:tcp_retransmit_skb')) {
    const f = tfs.format('tcp:tcp_retransmit_skb');
    const addr = addrReader(f);
    const oSk = off(f, 'skaddr', [8]);
    const oState = off(f, 'state', [4]);
    const fErr = optField(f, 'err');
    handlers.set(f.id, (b, s, _l, c, emit) => {
      const e = base('tcp.retransmit', c);
      addr(b, s, e);
      e.protocol = IPPROTO_TCP;
      e.type = SOCK_STREAM;
      e.sock = readSock(b, s + oSk);
      e.newState = b.readInt32LE(s + oState);
      if (fErr) {
        e.err = b.readInt32LE(s + fErr.offset);
        e.success = e.err >= 0 ? 1 : 0;
      }
      emit(e);
    });
  }
  if (tps.has('tcp:tcp_receive_reset')) {
    const f = tfs.format('tcp:tcp_receive_reset');
    const addr = addrReader(f);
    const oSk = off(f, 'skaddr', [8]);
    handlers.set(f.id, (b, s, _l, c, emit) => {
      const e = base('tcp.reset', c);
      addr(b, s, e);
      e.direction = 'receive';
      e.protocol = IPPROTO_TCP;
      e.type = SOCK_STREAM;
      e.sock = readSock(b, s + oSk);
      emit(e);
    });
  }
  if (tps.has('tcp:tcp_send_reset')) {
    const f = tfs.format('tcp:tcp_send_reset');
    const oSk = off(f, 'skaddr', [8]);
    const fState = optField(f, 'state');
    const fReason = optField(f, 'reason');
    const reasons = f.symbols.get('reason');
    const fS = requireTraceField(f, 'saddr');
    const fD = requireTraceField(f, 'daddr');
    handlers.set(f.id, (b, s, _l, c, emit) => {
      const e = base('tcp.reset', c);
      e.direction = 'send';
      e.protocol = IPPROTO_TCP;
      e.type = SOCK_STREAM;
      e.sock = readSock(b, s + oSk);
      if (fState) e.newState = b.readInt32LE(s + fState.offset) || undefined;
      if (fReason) {
        e.reasonCode = b.readUInt32LE(s + fReason.offset);
        e.reason = reasons?.get(e.reasonCode);
      }
      if (fS.size >= 28) {
        // struct sockaddr_in / sockaddr_in6 (port in network order)
        const fam = b.readUInt16LE(s + fS.offset);
        e.family = fam;
        if (fam === AF_INET || fam === AF_INET6) {
          e.sport = b.readUInt16BE(s + fS.offset + 2);
          e.dport = b.readUInt16BE(s + fD.offset + 2);
          e.saddr = fam === AF_INET ? ip4(b, s + fS.offset + 4) : ip6(b, s + fS.offset + 8);
          e.daddr = fam === AF_INET ? ip4(b, s + fD.offset + 4) : ip6(b, s + fD.offset + 8);
        }
      }
      if (fams && e.family !== undefined && !fams.includes(e.family)) return;
      emit(e);
    });
  }
  if (tps.has('skb:kfree_skb')) {
    const f = tfs.format('skb:kfree_skb');
    const oLoc = off(f, 'location', [8]);
    const oProt = off(f, 'protocol', [2]);
    const fReason = optField(f, 'reason');
    const fRx = optField(f, 'rx_sk');
    const reasons = f.symbols.get('reason');
    handlers.set(f.id, (b, s, _l, c, emit) => {
      const e = base('skb.drop', c);
      e.ethertype = b.readUInt16LE(s + oProt);
      e.family = e.ethertype === 0x800 ? AF_INET : e.ethertype === 0x86dd ? AF_INET6 : undefined;
      e.location = b.readBigUInt64LE(s + oLoc);
      if (fRx) {
        const sk = b.readBigUInt64LE(s + fRx.offset);
        if (sk !== 0n) e.sock = sk;
      }
      if (fReason) {
        e.reasonCode = b.readUInt32LE(s + fReason.offset);
        e.reason = reasons?.get(e.reasonCode);
      }
      emit(e);
    });
  }
  // housekeeping: keep the tid → pid/comm cache right
  if (plan.housekeeping.includes('sched:sched_process_exit')) {
    const f = tfs.format('sched:sched_process_exit');
    const oPid = off(f, 'pid', [4]);
    handlers.set(f.id, (b, s, _l, c) => {
      const tid = b.readInt32LE(s + oPid);
      resolver?.exited(tid, c.ts);
      if (tid === lastTid) lastTid = -1;
      create.pending.delete(tid);
    });
  }
  if (plan.housekeeping.includes('sched:sched_process_exec')) {
    const f = tfs.format('sched:sched_process_exec');
    const oPid = off(f, 'pid', [4]);
    handlers.set(f.id, (b, s) => {
      const tid = b.readInt32LE(s + oPid);
      resolver?.execed(tid, undefined);
      if (tid === lastTid) lastTid = -1;
    });
  }

  const ctx: Ctx = {
    cpu: 0,
    ts: 0,
    flags: 0,
    tid: 0,
    pid: undefined,
    tidOut: undefined,
    comm: undefined,
    interrupt: false,
  };
  return (cpu, page, start, len, ts, emit) => {
    if (len < 8) return;
    const id = page.readUInt16LE(start);
    const h = table[id];
    if (h === undefined || len < need[id]!) return;
    ctx.cpu = cpu;
    ctx.ts = ts;
    ctx.flags = page[start + 2]!;
    ctx.tid = page.readInt32LE(start + 4);
    h(page, start, len, ctx, emit);
  };
}
