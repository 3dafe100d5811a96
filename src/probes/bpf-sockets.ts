/**
 * The BPF backend of {@link socketProbes}: `tp_btf` programs on
 * `sock:sock_send_length` and `sock:sock_recv_length` (the same tracepoints
 * the tracefs backend uses), which read `struct sock` and `struct socket`
 * through BTF offsets to fill the tapset arguments tracefs lacks (`state`,
 * `flags`, `type` for every family), filter in the kernel (pid/tgid with
 * forks followed, exact comm, family, protocol, local or remote port), and
 * either stream one 64-byte record per event through a ring buffer (a record
 * that finds the ring full is counted in a per-CPU `lost` counter, never
 * dropped silently) or aggregate in the kernel (summary mode: per process and
 * connection calls, bytes, errors and a log2 size histogram, read once per
 * interval).
 * @module
 */

import {
  attachTracing,
  BPF_ATTACH_TYPE,
  BPF_F_NO_PREALLOC,
  BPF_MAP_TYPE,
  BPF_NOEXIST,
  BPF_PROG_TYPE,
  BpfAssembler,
  BpfKeyValueMap,
  type BpfLink,
  BpfPerCpuArray,
  type BpfProgram,
  BpfProgramRefusedError,
  BpfRingBuffer,
  codec,
  createMapFd,
  detectBpfCapabilities,
  loadProgram,
  possibleCpuCount,
  R0,
  R1,
  R2,
  R3,
  R4,
  R6,
  R7,
  R8,
  R9,
  R10,
  sumBigints,
  vmlinuxBtf,
} from '../bpf/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { TraceSession, TraceSessionStats } from '../tracefs/index.js';
import {
  normalizeProbeName,
  parseFamilies,
  parseProtocols,
  type SocketProbeEvent,
  type SocketProbeFilter,
  type SocketProbePlan,
  type SocketProbesOptions,
  socketProbes,
} from './sockets.js';

/** Filters of the BPF backend: those of {@link SocketProbeFilter} plus ports. */
export interface BpfSocketProbeFilter extends SocketProbeFilter {
  /**
   * Only sockets whose local (`skc_num`) or remote (`skc_dport`) port is one
   * of these (host order). A `sendto()` on an unconnected datagram socket has
   * no remote port on the socket: it matches by its local port only.
   */
  port?: number | readonly number[];
}

/** Options of {@link bpfSocketProbes}. */
export interface BpfSocketProbesOptions {
  /** `socket.send` and/or `socket.receive` (default both). */
  probes?: readonly ('socket.send' | 'socket.receive')[];
  filter?: BpfSocketProbeFilter;
  /** Ring buffer bytes (default 4 MiB; a power of two). */
  ringBytes?: number;
  /** Poll period of the ring, ms (default 50). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/** One entry of the kernel-aggregated summary. */
export interface BpfSocketSummaryEntry {
  /** `socket.send` or `socket.receive`. */
  name: 'socket.send' | 'socket.receive';
  /** Thread group id (`bpf_get_current_pid_tgid() >> 32`). */
  pid: number;
  /** `struct sock` address (as in the streamed events; reused after the socket is freed). */
  sock: bigint;
  /** Socket cookie (`bpf_get_socket_cookie`): the connection, unique per boot. */
  cookie: bigint;
  family: number;
  protocol: number;
  /** `sk->sk_type`. */
  type: number;
  /** Local port (`skc_num`), remote port (`ntohs(skc_dport)`). */
  sport: number;
  dport: number;
  /** Calls (tracepoint hits). */
  calls: number;
  /** Bytes (sum of non-negative `ret`). */
  bytes: number;
  /** Calls that returned a negative errno. */
  errors: number;
  /** `sizeLog2Histogram[i]`: calls with `2^i ≤ size < 2^(i+1)` (0 in bucket 0; bucket 15 is ≥ 32 KiB). */
  sizeLog2Histogram: number[];
}

const KIND_SEND = 1;
const KIND_RECV = 2;
const RECORD_BYTES = 64;
const HIST_BUCKETS = 16;
const VALUE_BYTES = 40 + 8 * HIST_BUCKETS + 8;
const STATE_NONE = 0xff;

interface Layout {
  family: number;
  num: number;
  dport: number;
  protocol: number;
  type: number;
  skSocket: number;
  sockState: number;
  sockFlags: number;
  taskTgid: number;
}

function layout(): Layout {
  const b = vmlinuxBtf();
  return {
    family: b.offsetOf('sock', 'skc_family'),
    num: b.offsetOf('sock', 'skc_num'),
    dport: b.offsetOf('sock', 'skc_dport'),
    protocol: b.offsetOf('sock', 'sk_protocol'),
    type: b.offsetOf('sock', 'sk_type'),
    skSocket: b.offsetOf('sock', 'sk_socket'),
    sockState: b.offsetOf('socket', 'state'),
    sockFlags: b.offsetOf('socket', 'flags'),
    taskTgid: b.offsetOf('task_struct', 'tgid'),
  };
}

function toList<T>(v: T | readonly T[] | undefined): T[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? [...(v as T[])] : [v as T];
}

/** Emit `if (reg not in values) goto out`. */
function emitIn(a: BpfAssembler, reg: typeof R1, values: readonly number[], out: string, p: string): void {
  for (const v of values) a.jeq(reg, v, `${p}ok`);
  a.ja(out).label(`${p}ok`);
}

/** Pieces shared by the stream and summary programs. */
interface Maps {
  pids?: BpfKeyValueMap<number, number>;
  rb?: BpfRingBuffer;
  lost?: BpfPerCpuArray<bigint>;
  agg?: BpfKeyValueMap<Buffer, Buffer>;
  zero?: BpfKeyValueMap<number, Buffer>;
}

/**
 * Build the program for one tracepoint: prologue (r6 = ctx, r7 = sk, r8 =
 * pid_tgid), kernel filters, then the stream or summary body.
 */
function buildProgram(kind: number, L: Layout, filter: BpfSocketProbeFilter, maps: Maps): Buffer {
  const fams = parseFamilies(filter.family);
  const prots = parseProtocols(filter.protocol);
  const ports = toList(filter.port);
  const a = new BpfAssembler()
    .mov64Reg(R6, R1)
    .ldx(8, R7, R6, 0)
    .jeq(R7, 0, 'out')
    .call('get_current_pid_tgid')
    .mov64Reg(R8, R0);
  if (maps.pids) {
    a.mov64Reg(R1, R8)
      .rsh64(R1, 32)
      .stx(4, R10, -4, R1)
      .ldMap(R1, maps.pids)
      .mov64Reg(R2, R10)
      .add64(R2, -4)
      .call('map_lookup_elem')
      .jeq(R0, 0, 'out');
  }
  if (fams) {
    a.ldx(2, R1, R7, L.family);
    emitIn(a, R1, fams, 'out', 'fam');
  }
  if (prots) {
    a.ldx(2, R1, R7, L.protocol);
    emitIn(a, R1, prots, 'out', 'prot');
  }
  if (ports) {
    a.ldx(2, R1, R7, L.num);
    for (const p of ports) a.jeq(R1, p, 'portok');
    a.ldx(2, R1, R7, L.dport).be(R1, 16);
    for (const p of ports) a.jeq(R1, p, 'portok');
    a.ja('out').label('portok');
  }
  if (filter.comm !== undefined && !/[*?[]/.test(filter.comm)) {
    const want = Buffer.alloc(16);
    want.write(filter.comm.slice(0, 15), 'latin1');
    a.mov64Reg(R1, R10)
      .add64(R1, -24)
      .mov64(R2, 16)
      .call('get_current_comm')
      .ldx(8, R1, R10, -24)
      .ld64(R2, want.readBigUInt64LE(0))
      .jmpReg('jne', R1, R2, 'out')
      .ldx(8, R1, R10, -16)
      .ld64(R2, want.readBigUInt64LE(8))
      .jmpReg('jne', R1, R2, 'out');
  }
  if (maps.rb) emitStream(a, kind, L, maps);
  else emitSummary(a, kind, L, maps);
  a.label('out').mov64(R0, 0).exit();
  return a.assemble();
}

/**
 * Record layout (64 bytes): timeNs u64 @0, pid_tgid u64 @8, sk u64 @16,
 * ret s32 @24, msg flags u32 @28, family u16 @32, protocol u16 @34, type u16
 * @36, kind u8 @38, socket state u8 @39 (0xff: no struct socket), socket
 * flags u32 @40, sport u16 @44, dport u16 @46, comm[16] @48.
 */
function emitStream(a: BpfAssembler, kind: number, L: Layout, maps: Maps): void {
  a.ldMap(R1, maps.rb!)
    .mov64(R2, RECORD_BYTES)
    .mov64(R3, 0)
    .call('ringbuf_reserve')
    .jne(R0, 0, 'have')
    // ring full: count the loss
    .st(4, R10, -4, 0)
    .ldMap(R1, maps.lost!)
    .mov64Reg(R2, R10)
    .add64(R2, -4)
    .call('map_lookup_elem')
    .jeq(R0, 0, 'out')
    .mov64(R1, 1)
    .atomicAdd64(R0, 0, R1)
    .ja('out')
    .label('have')
    .mov64Reg(R9, R0)
    .call('ktime_get_ns')
    .stx(8, R9, 0, R0)
    .stx(8, R9, 8, R8)
    .stx(8, R9, 16, R7)
    .ldx(8, R1, R6, 8)
    .stx(4, R9, 24, R1)
    .ldx(8, R1, R6, 16)
    .stx(4, R9, 28, R1)
    .ldx(2, R1, R7, L.family)
    .stx(2, R9, 32, R1)
    .ldx(2, R1, R7, L.protocol)
    .stx(2, R9, 34, R1)
    .ldx(2, R1, R7, L.type)
    .stx(2, R9, 36, R1)
    .st(1, R9, 38, kind)
    .st(1, R9, 39, STATE_NONE)
    .st(4, R9, 40, 0)
    .ldx(8, R2, R7, L.skSocket)
    .jeq(R2, 0, 'nosock')
    .ldx(4, R1, R2, L.sockState)
    .stx(1, R9, 39, R1)
    .ldx(8, R1, R2, L.sockFlags)
    .stx(4, R9, 40, R1)
    .label('nosock')
    .ldx(2, R1, R7, L.num)
    .stx(2, R9, 44, R1)
    .ldx(2, R1, R7, L.dport)
    .be(R1, 16)
    .stx(2, R9, 46, R1)
    .mov64Reg(R1, R9)
    .add64(R1, 48)
    .mov64(R2, 16)
    .call('get_current_comm')
    .mov64Reg(R1, R9)
    .mov64(R2, 0)
    .call('ringbuf_submit')
    .ja('out');
}

/**
 * Summary: key (tgid u32 @0, kind u32 @4, socket cookie u64 @8); value
 * calls u64 @0, bytes @8, errors @16, family u16 @24, protocol @26, type @28,
 * sport u16 @32, dport @34, histogram u64[16] @40, sk address u64 @168.
 */
function emitSummary(a: BpfAssembler, kind: number, L: Layout, maps: Maps): void {
  a.mov64Reg(R1, R8)
    .rsh64(R1, 32)
    .stx(4, R10, -40, R1)
    .st(4, R10, -36, kind)
    // the socket cookie, not the address: a freed struct sock's address is soon reused by a new socket
    .mov64Reg(R1, R7)
    .call('get_socket_cookie')
    .stx(8, R10, -32, R0)
    .ldMap(R1, maps.agg!)
    .mov64Reg(R2, R10)
    .add64(R2, -40)
    .call('map_lookup_elem')
    .jne(R0, 0, 'found')
    // first event of this key: insert the zero value (from the zero array), look up again
    .st(4, R10, -44, 0)
    .ldMap(R1, maps.zero!)
    .mov64Reg(R2, R10)
    .add64(R2, -44)
    .call('map_lookup_elem')
    .jeq(R0, 0, 'out')
    .mov64Reg(R3, R0)
    .ldMap(R1, maps.agg!)
    .mov64Reg(R2, R10)
    .add64(R2, -40)
    .mov64(R4, BPF_NOEXIST)
    .call('map_update_elem')
    .ldMap(R1, maps.agg!)
    .mov64Reg(R2, R10)
    .add64(R2, -40)
    .call('map_lookup_elem')
    .jeq(R0, 0, 'out')
    .ldx(2, R1, R7, L.family)
    .stx(2, R0, 24, R1)
    .ldx(2, R1, R7, L.protocol)
    .stx(2, R0, 26, R1)
    .ldx(2, R1, R7, L.type)
    .stx(2, R0, 28, R1)
    .ldx(2, R1, R7, L.num)
    .stx(2, R0, 32, R1)
    .ldx(2, R1, R7, L.dport)
    .be(R1, 16)
    .stx(2, R0, 34, R1)
    .stx(8, R0, 168, R7)
    .label('found')
    // this CPU's value (per-CPU hash): plain read-modify-write, no locked instructions
    .mov64Reg(R9, R0)
    .ldx(8, R1, R9, 0)
    .add64(R1, 1)
    .stx(8, R9, 0, R1)
    .ldx(8, R1, R6, 8)
    .lsh64(R1, 32)
    .alu64('arsh', R1, 32) // sign-extend ret
    .jmp('jsge', R1, 0, 'ok')
    .ldx(8, R1, R9, 16)
    .add64(R1, 1)
    .stx(8, R9, 16, R1)
    .mov64(R1, 0)
    .ja('hist')
    .label('ok')
    .ldx(8, R2, R9, 8)
    .add64Reg(R2, R1)
    .stx(8, R9, 8, R2)
    .label('hist')
    // r2 = floor(log2(r1)), 0 for 0 and 1, clamped to 15
    .mov64(R2, 0)
    .jmp('jlt', R1, 1 << 8, 'h4')
    .rsh64(R1, 8)
    .add64(R2, 8)
    .label('h4')
    .jmp('jlt', R1, 1 << 4, 'h2')
    .rsh64(R1, 4)
    .add64(R2, 4)
    .label('h2')
    .jmp('jlt', R1, 1 << 2, 'h1')
    .rsh64(R1, 2)
    .add64(R2, 2)
    .label('h1')
    .jmp('jlt', R1, 2, 'h0')
    .add64(R2, 1)
    .label('h0')
    .jmp('jle', R2, HIST_BUCKETS - 1, 'hok')
    .mov64(R2, HIST_BUCKETS - 1)
    .label('hok')
    .lsh64(R2, 3)
    .add64Reg(R9, R2)
    .ldx(8, R1, R9, 40)
    .add64(R1, 1)
    .stx(8, R9, 40, R1)
    .ja('out');
}

/** Emit the fork follower: child tgid joins `pids` when the parent's is in it. */
function buildForkProgram(L: Layout, pids: BpfKeyValueMap<number, number>): Buffer {
  return new BpfAssembler()
    .ldx(8, R6, R1, 0) // parent task
    .ldx(8, R7, R1, 8) // child task
    .ldx(4, R1, R6, L.taskTgid)
    .stx(4, R10, -4, R1)
    .ldMap(R1, pids)
    .mov64Reg(R2, R10)
    .add64(R2, -4)
    .call('map_lookup_elem')
    .jeq(R0, 0, 'out')
    .ldx(4, R1, R7, L.taskTgid)
    .stx(4, R10, -8, R1)
    .st(4, R10, -12, 1)
    .ldMap(R1, pids)
    .mov64Reg(R2, R10)
    .add64(R2, -8)
    .mov64Reg(R3, R10)
    .add64(R3, -12)
    .mov64(R4, 0)
    .call('map_update_elem')
    .label('out')
    .mov64(R0, 0)
    .exit()
    .assemble();
}

/** Why the BPF backend cannot be used here, or undefined when it can. */
export function bpfSocketProbesUnavailable(): string | undefined {
  const caps = detectBpfCapabilities();
  if (!caps.tpBtf.available) return `BPF tp_btf programs are not available: ${caps.tpBtf.reason}`;
  return undefined;
}

/** Set-up shared by the streaming session and the summary. */
class BpfSocketProgramSet {
  readonly maps: Maps = {};
  private readonly progs: BpfProgram[] = [];
  private readonly links: BpfLink[] = [];
  private readonly owned: { close(): void }[] = [];

  constructor(mode: 'stream' | 'summary', options: BpfSocketProbesOptions) {
    const probes = options.probes ?? ['socket.send', 'socket.receive'];
    if (probes.length === 0) throw new InvalidArgumentError('no probes given', probes);
    const filter = options.filter ?? {};
    const L = layout();
    const btf = vmlinuxBtf();
    try {
      const pids = toList(filter.pid);
      if (pids) {
        this.maps.pids = this.own(BpfKeyValueMap.hash('rg_sp_pids', codec.u32, codec.u32, 65536));
        for (const p of pids) this.maps.pids.set(p, 1);
        if (filter.followForks ?? true) {
          this.attach('rg_sp_fork', buildForkProgram(L, this.maps.pids), btf.tracepointId('sched_process_fork'));
        }
      }
      if (mode === 'stream') {
        this.maps.rb = this.own(new BpfRingBuffer('rg_sp_ring', options.ringBytes ?? 4 * 1024 * 1024));
        this.maps.lost = this.own(new BpfPerCpuArray('rg_sp_lost', codec.u64, 1));
      } else {
        this.maps.agg = this.own(
          new BpfKeyValueMap(
            createMapFd({
              type: BPF_MAP_TYPE.PERCPU_HASH,
              keySize: 16,
              valueSize: VALUE_BYTES,
              maxEntries: 65536,
              flags: BPF_F_NO_PREALLOC,
              name: 'rg_sp_agg',
            }),
            'rg_sp_agg',
            65536,
            codec.bytes(16),
            codec.bytes(VALUE_BYTES * possibleCpuCount()),
          ),
        );
        this.maps.zero = this.own(BpfKeyValueMap.array('rg_sp_zero', codec.bytes(VALUE_BYTES), 1));
      }
      for (const p of probes) {
        const send = p === 'socket.send';
        const tp = send ? 'sock_send_length' : 'sock_recv_length';
        this.attach(
          send ? 'rg_sp_send' : 'rg_sp_recv',
          buildProgram(send ? KIND_SEND : KIND_RECV, L, filter, this.maps),
          btf.tracepointId(tp),
        );
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private own<T extends { close(): void }>(x: T): T {
    this.owned.push(x);
    return x;
  }

  private attach(name: string, insns: Buffer, btfId: number): void {
    const p = loadProgram({
      name,
      type: BPF_PROG_TYPE.TRACING,
      insns,
      expectedAttachType: BPF_ATTACH_TYPE.TRACE_RAW_TP,
      attachBtfId: btfId,
    });
    this.progs.push(p);
    this.links.push(attachTracing(p));
  }

  close(): void {
    for (const l of this.links.splice(0)) l.close();
    for (const p of this.progs.splice(0)) p.close();
    for (const o of this.owned.splice(0)) o.close();
  }
}

/**
 * A streaming BPF socket-probe session: async-iterable events, `batches()`,
 * `stats()` with the ring's loss count, `close()`; the shape of the tracefs
 * backend's {@link TraceSession} where callers touch it.
 */
export class BpfSocketProbeSession implements AsyncIterable<SocketProbeEvent> {
  /** Which backend produced the events. */
  readonly backend: 'bpf' = 'bpf';
  private readonly set: BpfSocketProgramSet;
  private readonly intervalMs: number;
  private readonly commGlob: RegExp | undefined;
  private queue: SocketProbeEvent[] = [];
  private delivered = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => this.close();
  private finalLost = 0;

  constructor(options: BpfSocketProbesOptions = {}) {
    this.set = new BpfSocketProgramSet('stream', options);
    this.intervalMs = options.intervalMs ?? 50;
    const comm = options.filter?.comm;
    if (comm !== undefined && /[*?[]/.test(comm)) {
      const re = comm
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.');
      this.commGlob = new RegExp(`^${re}$`);
    }
    this.signal = options.signal;
    if (this.signal?.aborted) this.close();
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Drain the ring into the queue; returns the events decoded. */
  pump(): number {
    const rb = this.set.maps.rb;
    if (this.closed || !rb) return 0;
    const before = this.queue.length;
    rb.drain((d, o) => {
      const kind = d[o + 38];
      const stateRaw = d[o + 39]!;
      const ret = d.readInt32LE(o + 24);
      const family = d.readUInt16LE(o + 32);
      const end = d.indexOf(0, o + 48);
      const comm = d.toString('latin1', o + 48, end < 0 || end > o + 64 ? o + 64 : end);
      if (this.commGlob && !this.commGlob.test(comm)) return;
      this.queue.push({
        name: kind === KIND_SEND ? 'socket.send' : 'socket.receive',
        timeNs: Number(d.readBigUInt64LE(o)),
        cpu: -1,
        pid: d.readUInt32LE(o + 12),
        tid: d.readUInt32LE(o + 8),
        comm,
        interrupt: false,
        size: ret,
        protocol: d.readUInt16LE(o + 34),
        family,
        state: stateRaw === STATE_NONE ? undefined : stateRaw,
        flags: stateRaw === STATE_NONE ? undefined : d.readUInt32LE(o + 40),
        type: d.readUInt16LE(o + 36),
        success: ret >= 0 ? 1 : 0,
        err: Math.min(ret, 0),
        msgFlags: d.readInt32LE(o + 28),
        sock: d.readBigUInt64LE(o + 16),
        sport: d.readUInt16LE(o + 44),
        dport: d.readUInt16LE(o + 46),
      });
    });
    return this.queue.length - before;
  }

  private lost(): number {
    const l = this.set.maps.lost;
    return l && !this.closed ? Number(sumBigints(l.getPerCpu(0))) : this.finalLost;
  }

  /** Wait for the next non-empty batch (undefined once closed and drained). */
  async nextBatch(max = 4096): Promise<SocketProbeEvent[] | undefined> {
    for (;;) {
      if (this.queue.length === 0) this.pump();
      if (this.queue.length > 0) {
        const batch = this.queue.splice(0, max);
        this.delivered += batch.length;
        return batch;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.intervalMs);
      });
      this.wake = undefined;
    }
  }

  /** Batches until closed. */
  async *batches(max = 4096): AsyncGenerator<SocketProbeEvent[], void, undefined> {
    try {
      for (;;) {
        const b = await this.nextBatch(max);
        if (!b) return;
        yield b;
      }
    } finally {
      this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SocketProbeEvent, void, undefined> {
    for await (const b of this.batches()) yield* b;
  }

  /** Counters: events delivered, records lost because the ring was full. */
  stats(): TraceSessionStats {
    return { events: this.delivered, lost: this.lost(), badPages: 0, lastError: undefined, perCpu: [] };
  }

  /** Detach the programs and free the maps (a final drain first). */
  close(): void {
    if (this.closed) return;
    this.pump();
    this.finalLost = this.lost();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.set.close();
    this.wake?.();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** Stream socket.send / socket.receive through BPF. @throws {PermissionError}, {@link BpfVerifierError}. */
export function bpfSocketProbes(options: BpfSocketProbesOptions = {}): BpfSocketProbeSession {
  return new BpfSocketProbeSession(options);
}

/**
 * Kernel-aggregated socket summary: programs add into a hash per (process,
 * probe, connection); {@link read} walks it (once per interval, not per event).
 */
export class BpfSocketSummary {
  private readonly set: BpfSocketProgramSet;
  private closed = false;
  constructor(options: Omit<BpfSocketProbesOptions, 'ringBytes' | 'intervalMs' | 'signal'> = {}) {
    const comm = options.filter?.comm;
    if (comm !== undefined && /[*?[]/.test(comm)) {
      throw new InvalidArgumentError('the kernel summary filters comm exactly: give a name without * ? [', comm);
    }
    this.set = new BpfSocketProgramSet('summary', options);
  }

  /** Current totals, one entry per (process, probe, connection). */
  read(): BpfSocketSummaryEntry[] {
    const agg = this.set.maps.agg;
    if (!agg || this.closed) return [];
    const cpus = possibleCpuCount();
    return agg.entries().map(([k, v]) => {
      const u64 = (off: number) => {
        let sum = 0;
        for (let c = 0; c < cpus; c++) sum += Number(v.readBigUInt64LE(c * VALUE_BYTES + off));
        return sum;
      };
      // the CPU that created the entry wrote the socket's identity
      let first = 0;
      for (let c = 0; c < cpus; c++) {
        if (v.readBigUInt64LE(c * VALUE_BYTES + 168) !== 0n) {
          first = c * VALUE_BYTES;
          break;
        }
      }
      return {
        name: k.readUInt32LE(4) === KIND_SEND ? 'socket.send' : 'socket.receive',
        pid: k.readUInt32LE(0),
        sock: v.readBigUInt64LE(first + 168),
        cookie: k.readBigUInt64LE(8),
        calls: u64(0),
        bytes: u64(8),
        errors: u64(16),
        family: v.readUInt16LE(first + 24),
        protocol: v.readUInt16LE(first + 26),
        type: v.readUInt16LE(first + 28),
        sport: v.readUInt16LE(first + 32),
        dport: v.readUInt16LE(first + 34),
        sizeLog2Histogram: Array.from({ length: HIST_BUCKETS }, (_, i) => u64(40 + 8 * i)),
      };
    });
  }

  /** Detach and free. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.set.close();
  }
}

/** Which backend {@link openSocketProbes} chose, and why not BPF when it did not. */
export interface SocketProbeBackendChoice {
  backend: 'bpf' | 'tracefs';
  /** Why BPF was not used (stated once), when `backend` is 'tracefs' and BPF was allowed to be tried. */
  fallbackReason: string | undefined;
}

/** Options of {@link openSocketProbes}: those of {@link socketProbes} plus the backend choice and port filter. */
export interface OpenSocketProbesOptions extends SocketProbesOptions {
  /** `auto` (default): BPF when permitted and the probes are send/receive, else tracefs. */
  backend?: 'auto' | 'bpf' | 'tracefs';
  filter?: BpfSocketProbeFilter;
  /** BPF ring bytes (default 4 MiB). */
  ringBytes?: number;
}

/** A session of either backend: events, batches, stats, close. */
export type SocketProbeSession = (
  | (TraceSession<SocketProbeEvent> & { plan: SocketProbePlan })
  | BpfSocketProbeSession
) &
  SocketProbeBackendChoice;

const BPF_PROBES = new Set(['socket.send', 'socket.receive']);

/**
 * Open socket probes on the best backend: BPF (`tp_btf`, fills `state`,
 * `flags`, `type`, filters in the kernel, counts ring loss) when permitted
 * and every probe asked for is `socket.send`/`socket.receive`; otherwise the
 * tracefs backend ({@link socketProbes}) with `fallbackReason` saying why.
 * `backend: 'bpf'` throws instead of falling back.
 * @throws {InvalidArgumentError} for a port filter without BPF, bad probe names or filters.
 */
export function openSocketProbes(options: OpenSocketProbesOptions = {}): SocketProbeSession {
  const want = options.backend ?? 'auto';
  const probes = [...new Set((options.probes ?? ['socket.send', 'socket.receive']).map(normalizeProbeName))];
  let reason: string | undefined;
  if (want === 'tracefs') reason = 'tracefs backend requested';
  else if (!probes.every((p) => BPF_PROBES.has(p))) {
    reason = `the BPF backend has socket.send and socket.receive only (asked: ${probes.join(', ')})`;
  } else reason = bpfSocketProbesUnavailable();
  if (reason === undefined) {
    const s = bpfSocketProbes({
      probes: probes as ('socket.send' | 'socket.receive')[],
      filter: options.filter,
      ringBytes: options.ringBytes,
      intervalMs: options.intervalMs,
      signal: options.signal,
    }) as BpfSocketProbeSession & SocketProbeBackendChoice;
    s.fallbackReason = undefined;
    return s;
  }
  if (want === 'bpf') throw new BpfProgramRefusedError('tp_btf socket probes', reason);
  if (options.filter?.port !== undefined) {
    throw new InvalidArgumentError(
      `a port filter needs the BPF backend, which is not used: ${reason}`,
      options.filter.port,
    );
  }
  const s = socketProbes(options) as TraceSession<SocketProbeEvent> & {
    plan: SocketProbePlan;
  } & SocketProbeBackendChoice;
  (s as { backend: string }).backend = 'tracefs';
  s.fallbackReason = reason;
  return s;
}
