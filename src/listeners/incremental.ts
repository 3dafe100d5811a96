/**
 * Incremental TCP listener counts, kept by the kernel: one walk seeds them, a
 * program on `inet_sock_set_state` keeps them, a read costs microseconds at
 * any table size.
 *
 * - A `bpf_iter_tcp` iterator walks this network namespace's TCP sockets
 *   once and records every ESTABLISHED one.
 * - A `tp_btf` program on `sock:inet_sock_set_state` records sockets entering
 *   ESTABLISHED and forgets them when they leave it, in every namespace (the
 *   read keeps only this process's).
 * - Both insert into one hash keyed by the `struct sock` address with
 *   `BPF_NOEXIST` and count only an insert that succeeded (the delete only a
 *   delete that succeeded), so a socket seen by both the walk and the program
 *   is counted once: the seeding does not race with the live updates.
 * - Counts are kept per (netns, family, local address, local port): a read
 *   walks the few keys of that map, plus the cheap LISTEN-only sock_diag
 *   dump for `queued` and `backlog` (the kernel walks only its listening hash).
 *
 * `active` follows raindrops' definition (ESTABLISHED with the listener's
 * local address, or its port on a wildcard listener when no exact listener
 * exists), with one approximation: connections still in the accept queue are
 * ESTABLISHED too, so `active = max(0, established − queued)`; a queued
 * connection whose peer already closed (CLOSE_WAIT) makes it one too low
 * until accepted. Falls back to sock_diag ({@link tcpListenerStatsSync}) when
 * BPF is not permitted, with the reason in `fallbackReason`.
 * @module
 */
import {
  attachTracing,
  BPF_ATTACH_TYPE,
  BPF_F_NO_PREALLOC,
  BPF_PROG_TYPE,
  BpfAssembler,
  BpfKeyValueMap,
  type BpfLink,
  type BpfProgram,
  type BpfReg,
  codec,
  createLink,
  detectBpfCapabilities,
  loadProgram,
  R0,
  R1,
  R2,
  R3,
  R4,
  R6,
  R7,
  R8,
  R10,
  runIterator,
  vmlinuxBtf,
} from '../bpf/index.js';
import { parseTcpListenerAddress } from './address.js';
import { type TcpListenerStatsOptions, tcpListenerStatsSync } from './tcp.js';
import type { ListenerStats } from './types.js';

const TCP_ESTABLISHED = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO_TCP = 6;
const BPF_NOEXIST = 1;

/** Count key: net u64 @0, family u16 @8, port u16 @10, pad u32 @12, address[16] @16. */
const KEY_BYTES = 32;
// stack layout (offsets from r10)
const S_KEY = -32;
const S_SK = -40;
const S_ZERO = -48;
const S_ONE = -56;

/** Options of {@link IncrementalListenerCounts.open}. */
export interface IncrementalListenerOptions extends TcpListenerStatsOptions {
  /** Most ESTABLISHED sockets tracked at once (default 1 048 576; entries are allocated on demand). */
  maxConnections?: number;
  /** Do not try BPF; use sock_diag (for comparison and tests). */
  forceSockDiag?: boolean;
}

interface Offsets {
  net: number;
  family: number;
  state: number;
  num: number;
  rcvSaddr: number;
  v6RcvSaddr: number;
}

function offsets(struct: 'sock' | 'sock_common'): Offsets {
  const b = vmlinuxBtf();
  return {
    net: b.offsetOf(struct, 'skc_net'),
    family: b.offsetOf(struct, 'skc_family'),
    state: b.offsetOf(struct, 'skc_state'),
    num: b.offsetOf(struct, 'skc_num'),
    rcvSaddr: b.offsetOf(struct, 'skc_rcv_saddr'),
    v6RcvSaddr: b.offsetOf(struct, 'skc_v6_rcv_saddr'),
  };
}

/**
 * Emit: `counts[key on the stack] += delta`, creating the key at `delta`
 * when absent (create races resolved by a second lookup); then goto `next`.
 */
function emitAddCount(
  a: BpfAssembler,
  counts: BpfKeyValueMap<Buffer, bigint>,
  delta: 1 | -1,
  p: string,
  next: string,
): void {
  a.ldMap(R1, counts)
    .mov64Reg(R2, R10)
    .add64(R2, S_KEY)
    .call('map_lookup_elem')
    .jeq(R0, 0, `${p}init`)
    .mov64(R1, delta)
    .atomicAdd64(R0, 0, R1)
    .ja(next)
    .label(`${p}init`);
  if (delta < 0) {
    a.ja(next);
    return;
  }
  a.st(8, R10, S_ONE, 1)
    .ldMap(R1, counts)
    .mov64Reg(R2, R10)
    .add64(R2, S_KEY)
    .mov64Reg(R3, R10)
    .add64(R3, S_ONE)
    .mov64(R4, BPF_NOEXIST)
    .call('map_update_elem')
    .jeq(R0, 0, next)
    // another CPU created the key first: add to it
    .ldMap(R1, counts)
    .mov64Reg(R2, R10)
    .add64(R2, S_KEY)
    .call('map_lookup_elem')
    .jeq(R0, 0, next)
    .mov64(R1, 1)
    .atomicAdd64(R0, 0, R1)
    .ja(next);
}

/** Emit: zero the address of the stack key, turning it into the per-port total key. */
function emitPortKey(a: BpfAssembler): void {
  a.st(8, R10, S_KEY + 16, 0).st(8, R10, S_KEY + 24, 0);
}

/**
 * Emit: build the count key of the socket in `sk` on the stack, insert
 * sk → key into `socks` with BPF_NOEXIST, and on success add 1 to the exact
 * key and to the per-port total (address zeroed: no ESTABLISHED socket has
 * local address 0). Clobbers r0–r5, r7, r8; `sk` must be callee-saved (r6).
 */
function emitTrack(
  a: BpfAssembler,
  sk: BpfReg,
  o: Offsets,
  socks: BpfKeyValueMap<bigint, Buffer>,
  counts: BpfKeyValueMap<Buffer, bigint>,
  out: string,
  p: string,
): void {
  a.ldx(8, R7, sk, o.net)
    .stx(8, R10, S_KEY, R7)
    .ldx(2, R7, sk, o.family)
    .stx(2, R10, S_KEY + 8, R7)
    .ldx(2, R8, sk, o.num)
    .stx(2, R10, S_KEY + 10, R8)
    .st(4, R10, S_KEY + 12, 0)
    .st(8, R10, S_KEY + 16, 0)
    .st(8, R10, S_KEY + 24, 0)
    .jne(R7, AF_INET, `${p}v6`)
    .ldx(4, R8, sk, o.rcvSaddr)
    .stx(4, R10, S_KEY + 16, R8)
    .ja(`${p}ins`)
    .label(`${p}v6`)
    .jne(R7, AF_INET6, out)
    .ldx(8, R8, sk, o.v6RcvSaddr)
    .stx(8, R10, S_KEY + 16, R8)
    .ldx(8, R8, sk, o.v6RcvSaddr + 8)
    .stx(8, R10, S_KEY + 24, R8)
    .label(`${p}ins`)
    .stx(8, R10, S_SK, sk)
    .ldMap(R1, socks)
    .mov64Reg(R2, R10)
    .add64(R2, S_SK)
    .mov64Reg(R3, R10)
    .add64(R3, S_KEY)
    .mov64(R4, BPF_NOEXIST)
    .call('map_update_elem')
    .jne(R0, 0, out); // already tracked (or the map is full)
  emitAddCount(a, counts, 1, `${p}x_`, `${p}port`);
  a.label(`${p}port`);
  emitPortKey(a);
  emitAddCount(a, counts, 1, `${p}p_`, out);
}

/** A raindrops-style listener count source kept up to date by the kernel. */
export class IncrementalListenerCounts {
  /** 'bpf' when kernel-kept, 'sock_diag' when falling back. */
  readonly mode: 'bpf' | 'sock_diag';
  /** Why BPF is not used (stated once, here), when `mode` is 'sock_diag'. */
  readonly fallbackReason: string | undefined;
  private readonly options: IncrementalListenerOptions;
  private socks: BpfKeyValueMap<bigint, Buffer> | undefined;
  private counts: BpfKeyValueMap<Buffer, bigint> | undefined;
  private ownNet: BpfKeyValueMap<number, bigint> | undefined;
  private readonly progs: BpfProgram[] = [];
  private readonly links: BpfLink[] = [];
  private net = 0n;
  private closed = false;

  private constructor(options: IncrementalListenerOptions, reason: string | undefined) {
    this.options = options;
    this.mode = reason === undefined ? 'bpf' : 'sock_diag';
    this.fallbackReason = reason;
  }

  /**
   * Set up (BPF when permitted: load, attach, seed with one walk) or fall back.
   * The walk runs in this process's network namespace.
   */
  static open(options: IncrementalListenerOptions = {}): IncrementalListenerCounts {
    if (options.forceSockDiag) return new IncrementalListenerCounts(options, 'sock_diag requested');
    const caps = detectBpfCapabilities();
    const why = !caps.tpBtf.available
      ? `tp_btf: ${caps.tpBtf.reason}`
      : !caps.iterTcp.available
        ? `bpf_iter_tcp: ${caps.iterTcp.reason}`
        : undefined;
    if (why) return new IncrementalListenerCounts(options, why);
    const self = new IncrementalListenerCounts(options, undefined);
    try {
      self.setUp();
    } catch (e) {
      self.close();
      throw e;
    }
    return self;
  }

  private setUp(): void {
    const btf = vmlinuxBtf();
    const max = this.options.maxConnections ?? 1 << 20;
    this.socks = BpfKeyValueMap.hash('rg_lst_socks', codec.u64, codec.bytes(KEY_BYTES), max, BPF_F_NO_PREALLOC);
    this.counts = BpfKeyValueMap.hash('rg_lst_counts', codec.bytes(KEY_BYTES), codec.u64, 65536, BPF_F_NO_PREALLOC);
    this.ownNet = BpfKeyValueMap.array('rg_lst_net', codec.u64, 1);
    const socks = this.socks;
    const counts = this.counts;

    // tp_btf inet_sock_set_state(const struct sock *sk, int oldstate, int newstate)
    const so = offsets('sock');
    const protoOff = btf.offsetOf('sock', 'sk_protocol');
    const args = btf.tracepointArgs('inet_sock_set_state').map((p) => p.name);
    const iSk = 8 * Math.max(0, args.indexOf('sk'));
    const iOld = 8 * (args.indexOf('oldstate') < 0 ? 1 : args.indexOf('oldstate'));
    const iNew = 8 * (args.indexOf('newstate') < 0 ? 2 : args.indexOf('newstate'));
    const t = new BpfAssembler()
      .ldx(8, R6, R1, iSk)
      .ldx(4, R7, R1, iOld)
      .ldx(4, R8, R1, iNew)
      .jeq(R6, 0, 'out')
      .ldx(2, R0, R6, protoOff)
      .jne(R0, IPPROTO_TCP, 'out')
      .jeq(R8, TCP_ESTABLISHED, 'add')
      .jne(R7, TCP_ESTABLISHED, 'out')
      // left ESTABLISHED: forget the socket, decrement its key
      .stx(8, R10, S_SK, R6)
      .ldMap(R1, socks)
      .mov64Reg(R2, R10)
      .add64(R2, S_SK)
      .call('map_lookup_elem')
      .jeq(R0, 0, 'out')
      .ldx(8, R1, R0, 0)
      .stx(8, R10, S_KEY, R1)
      .ldx(8, R1, R0, 8)
      .stx(8, R10, S_KEY + 8, R1)
      .ldx(8, R1, R0, 16)
      .stx(8, R10, S_KEY + 16, R1)
      .ldx(8, R1, R0, 24)
      .stx(8, R10, S_KEY + 24, R1)
      .ldMap(R1, socks)
      .mov64Reg(R2, R10)
      .add64(R2, S_SK)
      .call('map_delete_elem')
      .jne(R0, 0, 'out'); // deleted by another CPU: it decremented
    emitAddCount(t, counts, -1, 'dx_', 'dport');
    t.label('dport');
    emitPortKey(t);
    emitAddCount(t, counts, -1, 'dp_', 'out');
    t.label('add');
    emitTrack(t, R6, so, socks, counts, 'out', 't_');
    t.label('out').mov64(R0, 0).exit();
    const tp = loadProgram({
      name: 'rg_lst_state',
      type: BPF_PROG_TYPE.TRACING,
      insns: t.assemble(),
      expectedAttachType: BPF_ATTACH_TYPE.TRACE_RAW_TP,
      attachBtfId: btf.tracepointId('inet_sock_set_state'),
    });
    this.progs.push(tp);
    this.links.push(attachTracing(tp));

    // iterator over bpf_iter__tcp { meta, sk_common, uid }: seed ESTABLISHED sockets, record our netns
    const co = offsets('sock_common');
    const skCommonOff = btf.offsetOf('bpf_iter__tcp', 'sk_common');
    const metaOff = btf.offsetOf('bpf_iter__tcp', 'meta');
    const seqNumOff = btf.offsetOf('bpf_iter_meta', 'seq_num');
    const nsproxyOff = btf.offsetOf('task_struct', 'nsproxy');
    const netNsOff = btf.offsetOf('nsproxy', 'net_ns');
    const ownNet = this.ownNet;
    const it = new BpfAssembler()
      .ldx(8, R6, R1, skCommonOff)
      .ldx(8, R7, R1, metaOff)
      .ldx(8, R7, R7, seqNumOff)
      .jne(R7, 0, 'walk')
      // first call: ownNet[0] = current->nsproxy->net_ns
      .call('get_current_task_btf')
      .ldx(8, R0, R0, nsproxyOff)
      .jeq(R0, 0, 'walk')
      .ldx(8, R0, R0, netNsOff)
      .stx(8, R10, S_ONE, R0)
      .st(4, R10, S_ZERO, 0)
      .ldMap(R1, ownNet)
      .mov64Reg(R2, R10)
      .add64(R2, S_ZERO)
      .mov64Reg(R3, R10)
      .add64(R3, S_ONE)
      .mov64(R4, 0)
      .call('map_update_elem')
      .label('walk')
      .jeq(R6, 0, 'out')
      .ldx(1, R0, R6, co.state)
      .jne(R0, TCP_ESTABLISHED, 'out');
    emitTrack(it, R6, co, socks, counts, 'out', 'i_');
    it.label('out').mov64(R0, 0).exit();
    const ip = loadProgram({
      name: 'rg_lst_seed',
      type: BPF_PROG_TYPE.TRACING,
      insns: it.assemble(),
      expectedAttachType: BPF_ATTACH_TYPE.TRACE_ITER,
      attachBtfId: btf.funcId('bpf_iter_tcp'),
    });
    this.progs.push(ip);
    const link = createLink(ip, BPF_ATTACH_TYPE.TRACE_ITER);
    this.links.push(link);
    runIterator(link);
    this.net = ownNet.get(0) ?? 0n;
  }

  private readonly keyBuf = Buffer.alloc(KEY_BYTES);

  /** ESTABLISHED count of (family, address, port) in this namespace; a zero address gives the port's total. */
  private established(family: 4 | 6, address: Uint8Array, port: number): number {
    const k = this.keyBuf;
    k.fill(0);
    k.writeBigUInt64LE(this.net, 0);
    k.writeUInt16LE(family === 4 ? AF_INET : AF_INET6, 8);
    k.writeUInt16LE(port, 10);
    k.set(address, 16);
    const v = this.counts!.get(k);
    return v === undefined ? 0 : Math.max(0, Number(BigInt.asIntN(64, v)));
  }

  /**
   * Every listener's `active`, `queued` and `backlog` (raindrops' definitions,
   * see {@link ListenerStats}); `addrs` as in {@link tcpListenerStatsSync}.
   * Costs the LISTEN-only sock_diag dump plus one or two map lookups per listener.
   */
  read(addrs?: string | readonly string[] | null): Map<string, ListenerStats> {
    if (this.mode === 'sock_diag' || this.closed) return tcpListenerStatsSync(addrs, this.options);
    const all = tcpListenerStatsSync(null, { ...this.options, active: false });
    const parsed = [...all.keys()].map((key) => ({ key, a: parseTcpListenerAddress(key) }));
    const exact = new Map<string, number>();
    for (const { key, a } of parsed) {
      if (!a.addressBytes.every((x) => x === 0)) exact.set(key, this.established(a.family, a.addressBytes, a.port));
    }
    for (const { key, a } of parsed) {
      const s = all.get(key)!;
      let n = exact.get(key);
      if (n === undefined) {
        // wildcard: the port's total minus the connections exact listeners of that family and port take
        n = this.established(a.family, a.addressBytes, a.port);
        for (const o of parsed) {
          if (o.a.family === a.family && o.a.port === a.port && exact.has(o.key)) n -= exact.get(o.key)!;
        }
      }
      s.active = Math.max(0, n - s.queued);
    }
    if (addrs === undefined || addrs === null) return all;
    const asked = tcpListenerStatsSync(addrs, { ...this.options, active: false });
    for (const [key, s] of asked) s.active = all.get(s.matchedKey ?? key)?.active ?? 0;
    return asked;
  }

  /** Detach and free everything (also happens when the process dies: nothing is pinned). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.links.splice(0)) l.close();
    for (const p of this.progs.splice(0)) p.close();
    this.socks?.close();
    this.counts?.close();
    this.ownNet?.close();
  }
}
