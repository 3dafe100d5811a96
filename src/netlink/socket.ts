/**
 * A netlink socket that executes requests and collects replies and dumps.
 *
 * The kernel side is hidden behind the small {@link NetlinkTransport}
 * interface (as in mdlayher/netlink), so the protocol logic — sequence and
 * port-id matching, NLMSG_ERROR / NLMSG_DONE handling, truncation, overruns —
 * is tested with a fake transport as well as the real kernel.
 *
 * @module
 */
import { DecodeError, InvalidArgumentError, NotSupportedError, PermissionError, SysCallError } from '../errors.js';
import * as sys from '../sys/index.js';
import {
  NETLINK_CAP_ACK,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
} from './constants.js';
import {
  NetlinkError,
  NetlinkOverrunError,
  NetlinkSocketStateError,
  NetlinkTimeoutError,
  NetlinkTruncatedError,
} from './errors.js';
import {
  alignNetlink,
  decodeExtAck,
  decodeNetlinkError,
  forEachNetlinkMessage,
  type NetlinkMessage,
  writeNetlinkHeader,
} from './message.js';
import { defaultEventLoopSlicer, type EventLoopSlicer } from './slicer.js';

/** `SO_RCVTIMEO` (x86_64 / arm64 value of SO_RCVTIMEO_OLD, `struct timeval`). */
const SO_RCVTIMEO = 20;

/**
 * The operating-system side of a netlink socket. {@link NetlinkSocket.open}
 * uses the kernel; tests may pass a fake.
 */
export interface NetlinkTransport {
  /** The socket's netlink port id (`nl_pid` from getsockname). */
  readonly portId: number;
  /** Send one datagram (the first `len` bytes of `buf`) to the kernel. */
  send(buf: Buffer, len: number): void;
  /** {@link send} off the main thread (optional: when absent, async requests send synchronously). */
  sendAsync?(buf: Buffer, len: number): Promise<void>;
  /**
   * Receive one datagram into `buf[0..len)`. With MSG_TRUNC in `flags` returns
   * the datagram's real length. Returns -1 when nothing arrived within the
   * transport's wait slice (or at once with MSG_DONTWAIT). Throws
   * {@link SysCallError} (ENOBUFS on overrun).
   */
  recv(buf: Buffer, len: number, flags: number): number;
  /** {@link recv} off the main thread. */
  recvAsync(buf: Buffer, len: number, flags: number): Promise<number>;
  /** Wait up to `timeoutMs` for readability off the main thread. */
  pollAsync(timeoutMs: number): Promise<boolean>;
  /** Set the kernel receive buffer (SO_RCVBUFFORCE when permitted, else SO_RCVBUF). */
  setReceiveBufferSize(bytes: number): void;
  /** The kernel receive buffer as getsockopt(SO_RCVBUF) reports it (twice the requested value). */
  getReceiveBufferSize(): number;
  /** Release the descriptor. */
  close(): void;
}

/** What provides a netlink protocol, for the "not available" message. */
const PROTOCOL_HINTS: Record<number, string> = {
  0: 'NETLINK_ROUTE is part of CONFIG_NET',
  4: 'NETLINK_SOCK_DIAG needs CONFIG_SOCK_DIAG (modprobe sock_diag)',
  16: 'NETLINK_GENERIC is part of CONFIG_NET',
};

/** How long one blocking recv may wait before the socket re-checks its state and timeout. */
const WAIT_SLICE_MS = 500;

/** A {@link NetlinkTransport} over a real `AF_NETLINK` socket. */
export class KernelNetlinkTransport implements NetlinkTransport {
  readonly fd: number;
  readonly portId: number;

  /**
   * Open `socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, protocol)`, bind it to
   * port 0 (the kernel picks the port id), turn on extended ACKs and capped
   * ACKs where supported, and bound each blocking recv to `WAIT_SLICE_MS` (500 ms).
   */
  constructor(protocol: number) {
    let fd: number;
    try {
      fd = sys.socket(sys.AF_NETLINK, sys.SOCK_RAW, protocol);
    } catch (e) {
      if (e instanceof SysCallError && (e.errnoName === 'EPROTONOSUPPORT' || e.errnoName === 'EAFNOSUPPORT')) {
        const hint = PROTOCOL_HINTS[protocol] ?? 'check the kernel config or load its module';
        throw new NotSupportedError(
          `netlink protocol ${protocol}`,
          `netlink protocol ${protocol} is not available on this kernel (${e.errnoName}): ${hint}`,
          { cause: e },
        );
      }
      throw e;
    }
    try {
      sys.bind(fd, sys.sockaddrNl(0, 0));
      const addr = Buffer.alloc(12);
      sys.getsockname(fd, addr);
      this.portId = addr.readUInt32LE(4);
      for (const opt of [sys.NETLINK_EXT_ACK, NETLINK_CAP_ACK]) {
        try {
          sys.setsockoptInt(fd, sys.SOL_NETLINK, opt, 1);
        } catch {
          // older kernels: no extended ACK text, full request echoed; both are handled
        }
      }
      const tv = Buffer.alloc(16);
      tv.writeBigInt64LE(BigInt(Math.floor(WAIT_SLICE_MS / 1000)), 0);
      tv.writeBigInt64LE(BigInt((WAIT_SLICE_MS % 1000) * 1000), 8);
      sys.setsockopt(fd, sys.SOL_SOCKET, SO_RCVTIMEO, tv);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    this.fd = fd;
  }

  send(buf: Buffer, len: number): void {
    sys.send(this.fd, buf, len, 0);
  }

  async sendAsync(buf: Buffer, len: number): Promise<void> {
    await sys.sendAsync(this.fd, buf, len, 0);
  }

  recv(buf: Buffer, len: number, flags: number): number {
    try {
      return sys.recv(this.fd, buf, len, flags);
    } catch (e) {
      if (e instanceof SysCallError && e.errnoName === 'EAGAIN') return -1;
      throw e;
    }
  }

  async recvAsync(buf: Buffer, len: number, flags: number): Promise<number> {
    try {
      return await sys.recvAsync(this.fd, buf, len, flags);
    } catch (e) {
      if (e instanceof SysCallError && e.errnoName === 'EAGAIN') return -1;
      throw e;
    }
  }

  async pollAsync(timeoutMs: number): Promise<boolean> {
    const [r] = await sys.pollAsync([this.fd], timeoutMs);
    return (r ?? 0) !== 0;
  }

  setReceiveBufferSize(bytes: number): void {
    try {
      sys.setsockoptInt(this.fd, sys.SOL_SOCKET, sys.SO_RCVBUFFORCE, bytes);
    } catch (e) {
      if (!(e instanceof PermissionError) && !(e instanceof SysCallError && e.errnoName === 'EPERM')) throw e;
      sys.setsockoptInt(this.fd, sys.SOL_SOCKET, sys.SO_RCVBUF, bytes);
    }
  }

  getReceiveBufferSize(): number {
    return sys.getsockoptInt(this.fd, sys.SOL_SOCKET, sys.SO_RCVBUF);
  }

  close(): void {
    sys.close(this.fd);
  }
}

/** Options of {@link NetlinkSocket.open}. */
export interface NetlinkSocketOptions {
  /**
   * Size of the user-space receive buffer, reused for every read (default 1 MiB).
   * Below 64 KiB the socket peeks at each datagram's size first (MSG_PEEK|MSG_TRUNC)
   * and grows the buffer, at the cost of a second system call per datagram.
   */
  recvBufferBytes?: number;
  /** Kernel receive buffer size to set (SO_RCVBUFFORCE as root, else SO_RCVBUF, capped by net.core.rmem_max). */
  rcvbuf?: number;
  /** Longest wait for the next datagram of a reply before {@link NetlinkTimeoutError} (default 30 000 ms). */
  replyTimeoutMs?: number;
  /**
   * How asynchronous calls read the reply datagrams:
   *
   * - `'sliced'` (default): a datagram the kernel has already queued is read
   *   in place (`MSG_DONTWAIT`). During a dump that is almost always the case
   *   (the kernel builds the next datagram inside the previous read), so this
   *   costs no more than the kernel's own work, where a worker-thread round
   *   trip costs ~50 µs of CPU per datagram. Reads run in the {@link slicer}'s
   *   slices, between which the event loop turns. A read waits on a libuv
   *   worker thread only when nothing is queued yet; and once one in-place
   *   read of an operation took ≥ 1 ms (the kernel walking many sockets that
   *   a filter rejects to fill a datagram), the rest of that operation is
   *   read on a worker thread.
   * - `'worker'`: every datagram is read on a libuv worker thread.
   *
   * Either way the messages are handed to the callback in the slicer's
   * slices (a slice can end between two messages of a datagram).
   */
  asyncReads?: 'sliced' | 'worker';
  /**
   * The main-thread budget of asynchronous calls (default
   * {@link defaultEventLoopSlicer}, 2 ms slices, shared by every socket of
   * this thread).
   */
  slicer?: EventLoopSlicer;
}

/** Per-call options of {@link NetlinkSocket.dump} and {@link NetlinkSocket.dumpBatches}. */
export interface NetlinkDumpOptions {
  /**
   * Where the request is sent (default `'worker'`). The kernel builds the
   * first part of a dump inside send(): with a filter that rejects most
   * sockets that can be a walk of the whole table, so by default it runs on
   * a libuv worker thread (one round trip, ~50 µs). `'inPlace'` sends on the
   * main thread (within the slicer's budget) for requests known to be cheap
   * to start: no filter (the first datagram fills after a few hundred
   * sockets), or a small table such as the listening hash.
   */
  send?: 'worker' | 'inPlace';
}

/** Callback of {@link NetlinkSocket.dump}: one message, valid only during the call. */
export type NetlinkDumpCallback = (
  buf: Buffer,
  type: number,
  payloadOffset: number,
  payloadLength: number,
  flags: number,
) => void;

interface Op {
  seq: number;
  dump: boolean;
  description: string;
  deliver: NetlinkDumpCallback;
  done: boolean;
  count: number;
  error: unknown;
  /** The rest of this operation's datagrams are read on a worker thread (its in-place reads proved slow). */
  offThread: boolean;
  /** Consecutive slow in-place reads so far. */
  slowReads: number;
}

const DEFAULT_RECV_BUFFER = 1 << 20;
const STOPPED = new Error('dump stopped by the consumer');
const PEEK_BELOW = 64 * 1024;
const MAX_DATAGRAM_BATCH = 256;
/**
 * In-place reads this long, {@link SLOW_READS_TO_MOVE} times in a row, mean the
 * kernel walks far to fill each datagram: read the rest on a worker. One slow
 * read alone is not enough (a busy machine deschedules us now and then, and a
 * worker round trip per datagram costs ~50 µs of CPU).
 */
const SLOW_READ_MS = 2;
const SLOW_READS_TO_MOVE = 2;
/** Messages handed out between two looks at the clock. */
const CLOCK_EVERY = 8;

/**
 * A netlink socket: sends requests with its own sequence numbers and collects
 * the reply or the whole multi-part dump.
 *
 * - Replies are matched by sequence number and port id; anything else (stale
 *   replies of an abandoned request, multicast events) is skipped and counted
 *   in {@link droppedMessages}.
 * - NLMSG_ERROR with a negative errno, and NLMSG_DONE carrying one, become
 *   {@link NetlinkError} with the kernel's extended-ACK text.
 * - A non-dump request always carries NLM_F_ACK so the end of the reply is
 *   known (the kernel ends it with an ACK); a dump ends with NLMSG_DONE.
 * - Asynchronous calls queue (one promise chain): replies never mix. A
 *   synchronous call while an asynchronous one is in flight throws
 *   {@link NetlinkSocketStateError}.
 * - Asynchronous calls share the event loop through an
 *   {@link EventLoopSlicer}: reads of queued datagrams (in place, see
 *   {@link NetlinkSocketOptions.asyncReads}) and the delivery of messages run
 *   in slices of a few milliseconds, between which the event loop turns.
 * - When a callback throws or a reply fails mid-dump, the rest of the dump is
 *   still read and discarded, so the socket stays usable. After a
 *   {@link NetlinkTimeoutError} the socket is closed (the kernel may still be
 *   dumping into it).
 */
export class NetlinkSocket {
  /** The netlink protocol (NETLINK_SOCK_DIAG, NETLINK_GENERIC …). */
  readonly protocol: number;
  /** Messages received that belonged to no request of ours (skipped). */
  droppedMessages = 0;
  private readonly t: NetlinkTransport;
  private buf: Buffer;
  private sendBuf = Buffer.alloc(4096);
  private sendLen = 0;
  private peek: boolean;
  private seq: number;
  private queue: Promise<unknown> = Promise.resolve();
  private inflight = 0;
  private closed = false;
  private released = false;
  private pendingOverrun: NetlinkOverrunError | undefined;
  private readonly replyTimeoutMs: number;
  private readonly sliced: boolean;
  /** The main-thread budget of this socket's asynchronous calls. */
  readonly slicer: EventLoopSlicer;

  /** Open a kernel netlink socket for `protocol` (see {@link KernelNetlinkTransport}). */
  static open(protocol: number, options: NetlinkSocketOptions = {}): NetlinkSocket {
    const t = new KernelNetlinkTransport(protocol);
    try {
      if (options.rcvbuf !== undefined) t.setReceiveBufferSize(options.rcvbuf);
      return new NetlinkSocket(t, protocol, options);
    } catch (e) {
      t.close();
      throw e;
    }
  }

  /** Wrap an existing transport (tests pass a fake one). */
  constructor(transport: NetlinkTransport, protocol: number, options: NetlinkSocketOptions = {}) {
    const size = options.recvBufferBytes ?? DEFAULT_RECV_BUFFER;
    if (!Number.isInteger(size) || size < 64 || size > 1 << 30) {
      throw new InvalidArgumentError(`recvBufferBytes must be an integer between 64 and 2^30, got ${size}`, size);
    }
    this.t = transport;
    this.protocol = protocol;
    this.buf = Buffer.allocUnsafe(size);
    this.peek = size < PEEK_BELOW;
    this.seq = 1 + Math.floor(Math.random() * 0x7fffffff);
    this.replyTimeoutMs = options.replyTimeoutMs ?? 30_000;
    const reads = options.asyncReads ?? 'sliced';
    if (reads !== 'sliced' && reads !== 'worker') {
      throw new InvalidArgumentError(`asyncReads must be 'sliced' or 'worker', got ${JSON.stringify(reads)}`, reads);
    }
    this.sliced = reads === 'sliced';
    this.slicer = options.slicer ?? defaultEventLoopSlicer;
  }

  /** The port id the kernel assigned (`nl_pid` of getsockname). */
  get portId(): number {
    return this.t.portId;
  }

  /** Sequence number of the most recent request. */
  get currentSeq(): number {
    return this.seq;
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Current size of the user-space receive buffer in bytes. */
  get recvBufferBytes(): number {
    return this.buf.length;
  }

  /**
   * Set the kernel's receive buffer for this socket: SO_RCVBUFFORCE when the
   * process has CAP_NET_ADMIN, else SO_RCVBUF (capped by net.core.rmem_max).
   */
  setReceiveBufferSize(bytes: number): void {
    this.checkOpen();
    this.t.setReceiveBufferSize(bytes);
  }

  /**
   * The kernel's receive buffer as getsockopt(SO_RCVBUF) reports it. Note the
   * kernel doubles the value given to setsockopt (to account for its
   * bookkeeping overhead), so this is twice what was set.
   */
  getReceiveBufferSize(): number {
    this.checkOpen();
    return this.t.getReceiveBufferSize();
  }

  /**
   * Send a request and collect every reply message (payloads copied out of
   * the shared buffer). A dump (`flags` containing NLM_F_ROOT/NLM_F_MATCH)
   * ends at NLMSG_DONE; otherwise NLM_F_ACK is added and the reply ends at the
   * ACK. NLM_F_REQUEST is always set.
   * @param description names the request in errors, e.g. `SOCK_DIAG_BY_FAMILY inet tcp`.
   * @throws {NetlinkError} when the kernel reports an error.
   */
  request(type: number, flags: number, payload: Buffer, description?: string): Promise<NetlinkMessage[]> {
    return this.enqueue(async () => {
      const out: NetlinkMessage[] = [];
      const op = await this.startAsync(type, flags, payload, description, collect(out, this));
      await this.runAsync(op);
      return out;
    });
  }

  /** {@link request}, synchronously (blocks the thread while the kernel answers). */
  requestSync(type: number, flags: number, payload: Buffer, description?: string): NetlinkMessage[] {
    this.checkSync();
    const out: NetlinkMessage[] = [];
    const op = this.start(type, flags, payload, description, collect(out, this));
    this.runSync(op);
    return out;
  }

  /**
   * Zero-copy streaming form of {@link request} for dumps: `onMessage` sees
   * each reply message inside the reused receive buffer (valid only during the
   * call). The datagrams are read as {@link NetlinkSocketOptions.asyncReads}
   * says (by default in place, in slices of the socket's
   * {@link EventLoopSlicer} between which the event loop turns), and the
   * messages are handed to `onMessage` in those slices too, so the event loop
   * is never held for more than a slice plus one message's work, however
   * large the dump. Resolves to the number of messages delivered.
   */
  dump(
    type: number,
    flags: number,
    payload: Buffer,
    onMessage: NetlinkDumpCallback,
    description?: string,
    options: NetlinkDumpOptions = {},
  ): Promise<number> {
    return this.enqueue(async () => {
      const op = await this.startAsync(type, flags | NLM_F_DUMP, payload, description, onMessage, options.send);
      await this.runAsync(op);
      return op.count;
    });
  }

  /**
   * Async-iterator form of {@link dump} with back-pressure: each datagram's
   * messages are passed through `map` (inside the reused buffer, so `map`
   * must copy what it keeps; in slices like {@link dump}) and yielded as one
   * batch (at most one datagram's messages); the next datagram is read only
   * when the consumer asks for more. The consumer's time between batches
   * counts against the same slice when it does not let the event loop turn.
   * Stopping early (`break`) reads and discards the rest of the dump so the
   * socket stays usable. The socket is held for the whole iteration (other
   * calls queue behind it).
   */
  async *dumpBatches<T>(
    type: number,
    flags: number,
    payload: Buffer,
    map: (buf: Buffer, type: number, payloadOffset: number, payloadLength: number, flags: number) => T,
    description?: string,
    options: NetlinkDumpOptions = {},
  ): AsyncGenerator<T[], number, undefined> {
    const unlock = await this.lock();
    let op: Op | undefined;
    try {
      this.checkOpen();
      let batch: T[] = [];
      op = await this.startAsync(
        type,
        flags | NLM_F_DUMP,
        payload,
        description,
        (b, t, o, l, f) => {
          batch.push(map(b, t, o, l, f));
        },
        options.send,
      );
      let waited = 0;
      while (!op.done) {
        const n = await this.nextDatagramAsync(op);
        if (n < 0) {
          waited += WAIT_SLICE_MS;
          if (waited >= this.replyTimeoutMs) this.timeout(op);
          continue;
        }
        waited = 0;
        await this.processAsync(op, n);
        if (batch.length > 0 && op.error === undefined) {
          const out = batch;
          batch = [];
          yield out;
        }
      }
      if (op.error !== undefined) throw op.error;
      return op.count;
    } finally {
      if (op && !op.done && !this.released) {
        // the consumer stopped early: read the rest so the kernel finishes the dump
        if (op.error === undefined) op.error = STOPPED;
        try {
          while (!op.done) {
            const n = await this.nextDatagramAsync(op);
            if (n < 0) break;
            this.process(op, n); // nothing is delivered any more: no need to slice
          }
        } catch {
          // the socket is unusable; the next call reports it
        }
      }
      unlock();
    }
  }

  /** {@link dump}, synchronously. */
  dumpSync(type: number, flags: number, payload: Buffer, onMessage: NetlinkDumpCallback, description?: string): number {
    this.checkSync();
    const op = this.start(type, flags | NLM_F_DUMP, payload, description, onMessage);
    this.runSync(op);
    return op.count;
  }

  /**
   * Wait up to `timeoutMs` (default: forever) for unsolicited messages
   * (multicast events such as taskstats exits) without blocking the event
   * loop, then read every datagram already queued (MSG_DONTWAIT). Resolves to
   * the messages (copied), or `[]` on timeout.
   * @throws {NetlinkOverrunError} once when the kernel dropped messages (ENOBUFS); the socket stays usable.
   */
  receive(timeoutMs?: number): Promise<NetlinkMessage[]> {
    return this.enqueue(async () => {
      if (this.pendingOverrun) {
        const e = this.pendingOverrun;
        this.pendingOverrun = undefined;
        throw e;
      }
      const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + Math.max(0, timeoutMs);
      for (;;) {
        if (this.closed) throw new NetlinkSocketStateError('netlink socket closed while waiting for messages');
        const left = deadline - Date.now();
        const ready = await this.t.pollAsync(Math.max(0, Math.min(WAIT_SLICE_MS, left)));
        if (this.closed) throw new NetlinkSocketStateError('netlink socket closed while waiting for messages');
        if (ready) break;
        if (left <= 0) return [];
      }
      const out: NetlinkMessage[] = [];
      for (let i = 0; i < MAX_DATAGRAM_BATCH; i++) {
        let n: number;
        try {
          n = this.recvDatagram('unsolicited messages', sys.MSG_DONTWAIT);
        } catch (e) {
          if (e instanceof NetlinkOverrunError && out.length > 0) {
            this.pendingOverrun = e; // reported by the next call, after these messages
            break;
          }
          throw e;
        }
        if (n < 0) break;
        const buf = this.buf;
        forEachNetlinkMessage(buf, n, (type, flags, seq, pid, off, len) => {
          out.push({ type, flags, seq, pid, payload: Buffer.from(buf.subarray(off, off + len)) });
        });
      }
      return out;
    });
  }

  /** Close the socket (idempotent). An asynchronous call in flight finishes first, then the descriptor is released. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inflight === 0) this.release();
  }

  // ------------------------------------------------------------------ internals

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.t.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new NetlinkSocketStateError('netlink socket is closed');
  }

  private checkSync(): void {
    this.checkOpen();
    if (this.inflight > 0) {
      throw new NetlinkSocketStateError(
        'synchronous netlink call while an asynchronous request is in flight on the same socket; await it first or use another socket',
      );
    }
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    try {
      this.checkOpen();
    } catch (e) {
      return Promise.reject(e);
    }
    this.inflight++;
    const p = this.queue.then(() => {
      this.checkOpen();
      return fn();
    });
    const settle = () => {
      this.inflight--;
      if (this.closed && this.inflight === 0) this.release();
    };
    this.queue = p.then(settle, settle);
    return p;
  }

  /** Take the socket for a multi-step operation; resolves to the function that releases it. */
  private lock(): Promise<() => void> {
    this.checkOpen();
    this.inflight++;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const prev = this.queue;
    this.queue = done;
    let unlocked = false;
    const unlock = () => {
      if (unlocked) return;
      unlocked = true;
      this.inflight--;
      if (this.closed && this.inflight === 0) this.release();
      resolveDone();
    };
    return prev.then(
      () => unlock,
      () => unlock,
    );
  }

  private nextSeq(): number {
    this.seq = this.seq >= 0xffffffff ? 1 : this.seq + 1;
    return this.seq;
  }

  private prepare(
    type: number,
    flags: number,
    payload: Buffer,
    description: string | undefined,
    deliver: NetlinkDumpCallback,
  ): Op {
    const dump = (flags & NLM_F_DUMP) !== 0;
    const seq = this.nextSeq();
    const len = NLMSG_HDRLEN + payload.length;
    if (this.sendBuf.length < len) this.sendBuf = Buffer.alloc(alignNetlink(len) * 2);
    writeNetlinkHeader(this.sendBuf, 0, len, {
      type,
      flags: flags | NLM_F_REQUEST | (dump ? 0 : NLM_F_ACK),
      seq,
      pid: 0,
    });
    payload.copy(this.sendBuf, NLMSG_HDRLEN);
    const op: Op = {
      seq,
      dump,
      description: description ?? `type ${type}`,
      deliver,
      done: false,
      count: 0,
      error: undefined,
      offThread: false,
      slowReads: 0,
    };
    this.sendLen = len;
    return op;
  }

  /** Build and send a request synchronously. */
  private start(
    type: number,
    flags: number,
    payload: Buffer,
    description: string | undefined,
    deliver: NetlinkDumpCallback,
  ): Op {
    const op = this.prepare(type, flags, payload, description, deliver);
    this.t.send(this.sendBuf, this.sendLen);
    return op;
  }

  /**
   * Build and send a request from a worker thread: the kernel starts a dump
   * inside send, and with a filter that rejects most sockets that first part
   * can be the whole table walk.
   */
  private async startAsync(
    type: number,
    flags: number,
    payload: Buffer,
    description: string | undefined,
    deliver: NetlinkDumpCallback,
    send: 'worker' | 'inPlace' = 'worker',
  ): Promise<Op> {
    if (send !== 'worker' && send !== 'inPlace') {
      throw new InvalidArgumentError(`send must be 'worker' or 'inPlace', got ${JSON.stringify(send)}`, send);
    }
    const op = this.prepare(type, flags, payload, description, deliver);
    if (send === 'worker' && this.t.sendAsync) {
      // (its wall time says nothing about the kernel's work: it includes the event loop's other callbacks)
      await this.t.sendAsync(this.sendBuf, this.sendLen);
    } else {
      if (this.slicer.due()) await this.slicer.yield();
      this.t.send(this.sendBuf, this.sendLen);
    }
    return op;
  }

  private runSync(op: Op): void {
    let waited = 0;
    while (!op.done) {
      const n = this.recvForOp(op);
      if (n < 0) {
        waited += WAIT_SLICE_MS;
        if (waited >= this.replyTimeoutMs) this.timeout(op);
        continue;
      }
      waited = 0;
      this.process(op, n);
    }
    if (op.error !== undefined) throw op.error;
  }

  private async runAsync(op: Op): Promise<void> {
    let waited = 0;
    while (!op.done) {
      const n = await this.nextDatagramAsync(op);
      if (n < 0) {
        waited += WAIT_SLICE_MS;
        if (waited >= this.replyTimeoutMs) this.timeout(op);
        continue;
      }
      waited = 0;
      await this.processAsync(op, n);
    }
    if (op.error !== undefined) throw op.error;
  }

  /**
   * The next datagram of `op` for an asynchronous call: read in place when
   * one is queued (sliced mode, within the slicer's budget), else on a worker
   * thread. Returns its length, 0 (nothing to process) or -1 (nothing within
   * the wait slice).
   */
  private async nextDatagramAsync(op: Op): Promise<number> {
    if (this.sliced && !op.offThread) {
      if (this.slicer.due()) await this.slicer.yield();
      const t0 = performance.now();
      const n = this.recvForOp(op, sys.MSG_DONTWAIT);
      if (performance.now() - t0 < SLOW_READ_MS) op.slowReads = 0;
      else if (++op.slowReads >= SLOW_READS_TO_MOVE) op.offThread = true;
      if (n >= 0) return n;
    }
    return this.recvForOpAsync(op);
  }

  /** Hand the messages of one datagram to `op` in the slicer's slices. */
  private async processAsync(op: Op, n: number): Promise<void> {
    for (let off = this.process(op, n, 0, this.slicer); off >= 0; off = this.process(op, n, off, this.slicer)) {
      await this.slicer.yield();
    }
  }

  private timeout(op: Op): never {
    this.closed = true;
    if (this.inflight <= 1) this.release();
    throw new NetlinkTimeoutError(op.description, this.replyTimeoutMs);
  }

  /**
   * Read the next datagram of `op`. During a dump an overrun (ENOBUFS: some
   * other message was dropped; dump parts themselves are flow-controlled and
   * never dropped) fails the operation but not the read loop: the rest of
   * the dump is still read and discarded so the kernel finishes it. Returns 0
   * to mean "nothing to process, keep reading".
   */
  private recvForOp(op: Op, flags = 0): number {
    try {
      return this.recvDatagram(op.description, flags);
    } catch (e) {
      return this.recoverable(op, e);
    }
  }

  private async recvForOpAsync(op: Op): Promise<number> {
    try {
      return await this.recvDatagramAsync(op.description);
    } catch (e) {
      return this.recoverable(op, e);
    }
  }

  private recoverable(op: Op, e: unknown): number {
    if (e instanceof NetlinkOverrunError && op.dump) {
      if (op.error === undefined) op.error = e;
      return 0;
    }
    throw e;
  }

  /** Read one datagram into `this.buf`; returns its length or -1 (nothing within the wait slice). */
  private recvDatagram(description: string, flags: number): number {
    try {
      if (this.peek) {
        const n = this.t.recv(this.buf, this.buf.length, flags | sys.MSG_PEEK | sys.MSG_TRUNC);
        if (n < 0) return n;
        if (n > this.buf.length) {
          this.grow(n);
          return this.t.recv(this.buf, this.buf.length, sys.MSG_TRUNC | sys.MSG_DONTWAIT);
        }
        this.t.recv(this.buf, 0, sys.MSG_TRUNC | sys.MSG_DONTWAIT);
        return n;
      }
      const n = this.t.recv(this.buf, this.buf.length, flags | sys.MSG_TRUNC);
      return this.checkTruncated(n, description);
    } catch (e) {
      throw this.mapRecvError(e, description);
    }
  }

  private async recvDatagramAsync(description: string): Promise<number> {
    try {
      if (this.peek) {
        const n = await this.t.recvAsync(this.buf, this.buf.length, sys.MSG_PEEK | sys.MSG_TRUNC);
        if (n < 0) return n;
        if (n > this.buf.length) {
          this.grow(n);
          return await this.t.recvAsync(this.buf, this.buf.length, sys.MSG_TRUNC | sys.MSG_DONTWAIT);
        }
        // the peek already copied the whole datagram: consume it without copying again
        await this.t.recvAsync(this.buf, 0, sys.MSG_TRUNC | sys.MSG_DONTWAIT);
        return n;
      }
      const n = await this.t.recvAsync(this.buf, this.buf.length, sys.MSG_TRUNC);
      return this.checkTruncated(n, description);
    } catch (e) {
      throw this.mapRecvError(e, description);
    }
  }

  private checkTruncated(n: number, description: string): number {
    if (n <= this.buf.length) return n;
    const had = this.buf.length;
    this.grow(n);
    this.peek = true;
    throw new NetlinkTruncatedError(description, n, had);
  }

  private grow(n: number): void {
    this.buf = Buffer.allocUnsafe(alignNetlink(Math.max(n, this.buf.length * 2)));
  }

  private mapRecvError(e: unknown, description: string): unknown {
    if (e instanceof SysCallError && e.errnoName === 'ENOBUFS' && !(e instanceof NetlinkError)) {
      return new NetlinkOverrunError(description);
    }
    return e;
  }

  /**
   * Process the messages of the datagram in `this.buf[0..n)` for `op`,
   * starting at byte `start`. With a `slicer`, stops between two messages
   * when its slice is used up and returns the offset to resume at; returns -1
   * once the datagram is done (or the operation ended).
   * @throws {DecodeError} on a malformed datagram (as {@link forEachNetlinkMessage}).
   */
  private process(op: Op, n: number, start = 0, slicer?: EventLoopSlicer): number {
    const buf = this.buf;
    if (!Number.isInteger(n) || n < 0 || n > buf.length) {
      throw new DecodeError('nlmsghdr', 0, `length ${n} is outside the buffer (${buf.length} bytes)`);
    }
    let off = start;
    let steps = 0;
    while (off < n) {
      if (slicer !== undefined && ++steps % CLOCK_EVERY === 0 && slicer.due()) return off;
      const left = n - off;
      if (left < NLMSG_HDRLEN) {
        if (left < 4 && buf.readUIntLE(off, left) === 0) break; // alignment padding
        throw new DecodeError('nlmsghdr', off, `${left} trailing bytes, a header needs ${NLMSG_HDRLEN}`);
      }
      const len = buf.readUInt32LE(off);
      if (len < NLMSG_HDRLEN) throw new DecodeError('nlmsghdr', off, `nlmsg_len ${len} is shorter than the header`);
      if (len > left) throw new DecodeError('nlmsghdr', off, `nlmsg_len ${len} exceeds the ${left} bytes left`);
      if (!this.processMessage(op, buf, off, len)) break;
      off += alignNetlink(len);
    }
    return -1;
  }

  /** Process one message (header at `buf[at]`, `len` bytes); false when the operation ended. */
  private processMessage(op: Op, buf: Buffer, at: number, msgLen: number): boolean {
    const type = buf.readUInt16LE(at + 4);
    const flags = buf.readUInt16LE(at + 6);
    const seq = buf.readUInt32LE(at + 8);
    const pid = buf.readUInt32LE(at + 12);
    const off = at + NLMSG_HDRLEN;
    const len = msgLen - NLMSG_HDRLEN;
    if (seq !== op.seq || pid !== this.t.portId) {
      this.droppedMessages++;
      return true;
    }
    if (type === NLMSG_NOOP) return true;
    if (type === NLMSG_ERROR) {
      const e = decodeNetlinkError(buf.subarray(off, off + len), flags);
      if (e.errno !== 0 && op.error === undefined) {
        op.error = new NetlinkError(e.errno, op.description, e.extAckMessage, e.extAckOffset);
      }
      op.done = true;
      return false;
    }
    if (type === NLMSG_DONE) {
      if (len >= 4) {
        const err = buf.readInt32LE(off);
        if (err < 0 && op.error === undefined) {
          const ext: { extAckMessage?: string; extAckOffset?: number } = {};
          if (flags & NLM_F_ACK_TLVS) decodeExtAck(buf, off + 4, off + len, ext);
          op.error = new NetlinkError(-err, op.description, ext.extAckMessage, ext.extAckOffset);
        }
      }
      if (op.dump || op.error !== undefined) {
        op.done = true;
        return false;
      }
      return true; // a multi-part reply to a non-dump request: the ACK follows
    }
    if (type === NLMSG_OVERRUN) {
      if (op.error === undefined) op.error = new NetlinkOverrunError(op.description);
      return true;
    }
    op.count++;
    if (op.error !== undefined) return true; // draining after a failure
    try {
      op.deliver(buf, type, off, len, flags);
    } catch (e) {
      op.error = e;
    }
    return true;
  }
}

/** A dump callback that copies each message of the current request into `out`. */
function collect(
  out: NetlinkMessage[],
  sock: { readonly portId: number; readonly currentSeq: number },
): NetlinkDumpCallback {
  return (buf, type, off, len, flags) => {
    out.push({
      type,
      flags,
      seq: sock.currentSeq,
      pid: sock.portId,
      payload: Buffer.from(buf.subarray(off, off + len)),
    });
  };
}
