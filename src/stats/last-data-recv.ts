/**
 * raindrops' `Aggregate::LastDataRecv` for Node servers: how long the first
 * bytes of each connection waited in the kernel before the application
 * accepted it, from `tcp_info.tcpi_last_data_recv` (milliseconds since the
 * last data segment arrived, in jiffies granularity) read right after
 * accept, into a (shared) aggregate.
 *
 * With TCP_DEFER_ACCEPT (raindrops' default 60 s) the kernel hands a
 * connection to accept() only once data has arrived, so the figure measures
 * the application's accept latency for real requests, not idle connects.
 * @module
 */
import type { Server } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import { descriptorOf, getsockopt, getsockoptInt, IPPROTO_TCP, setsockoptInt, TCP_INFO } from '../sys/index.js';
import { SharedAggregate } from './shared-aggregate.js';

/** TCP_DEFER_ACCEPT socket option (include/uapi/linux/tcp.h). */
export const TCP_DEFER_ACCEPT = 9;
/** Byte offset of `tcpi_last_data_recv` in `struct tcp_info`. */
const LAST_DATA_RECV_OFFSET = 52;

/** Anything samples can be added to: an {@link Aggregate}, a {@link SharedAggregate}, an array. */
export interface SampleSink {
  add(v: number): void;
}

/** Options of {@link recordLastDataRecv}. */
export interface LastDataRecvOptions {
  /** Where samples go (default: the application-wide `SharedAggregate` named `last_data_recv`). */
  aggregate?: SampleSink;
  /** TCP_DEFER_ACCEPT in seconds on every listening socket (default 60, as raindrops); `false` leaves it alone. */
  deferAcceptSeconds?: number | false;
}

/** A running recorder. */
export interface LastDataRecvRecorder {
  /** The sink the samples go to. */
  readonly aggregate: SampleSink;
  /** Connections recorded by this process. */
  readonly recorded: number;
  /**
   * Per server, the TCP_DEFER_ACCEPT value the kernel reports after setting it
   * (rounded up to its retransmission steps: 60 reads back as 63), or
   * undefined when this process has no listening descriptor (a cluster worker
   * under round-robin scheduling: the primary holds it).
   */
  deferAccept(server: Server): number | undefined;
  /** Stop recording (the socket option stays). */
  stop(): void;
}

let defaultAggregate: SharedAggregate | undefined;
/** The application-wide shared aggregate LastDataRecv uses by default (name `last_data_recv`). */
export function defaultLastDataRecvAggregate(): SharedAggregate {
  defaultAggregate ??= new SharedAggregate({ name: 'last_data_recv' });
  return defaultAggregate;
}

const info = Buffer.alloc(LAST_DATA_RECV_OFFSET + 4);

/**
 * `tcpi_last_data_recv` (ms) of a connected TCP socket, or undefined when it
 * has no descriptor (closed already) or is not TCP.
 */
export function lastDataRecvMs(socket: unknown): number | undefined {
  let fd: number;
  try {
    fd = descriptorOf(socket);
  } catch {
    return undefined;
  }
  try {
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, info) < LAST_DATA_RECV_OFFSET + 4) return undefined;
  } catch {
    return undefined;
  }
  return info.readUInt32LE(LAST_DATA_RECV_OFFSET);
}

/**
 * Record `tcpi_last_data_recv` for every connection accepted by `servers`
 * (net, http or https servers, listening or not yet) and set
 * TCP_DEFER_ACCEPT on their listening sockets. Cluster workers sharing one
 * listener all record into the same shared aggregate by default.
 */
export function recordLastDataRecv(
  servers: Server | readonly Server[],
  opts: LastDataRecvOptions = {},
): LastDataRecvRecorder {
  const list = Array.isArray(servers) ? [...servers] : [servers as Server];
  for (const s of list) {
    if (!s || typeof (s as Server).on !== 'function' || typeof (s as Server).address !== 'function') {
      throw new InvalidArgumentError('recordLastDataRecv needs net.Server / http.Server / https.Server instances', s);
    }
  }
  const defer = opts.deferAcceptSeconds ?? 60;
  if (defer !== false && (!Number.isInteger(defer) || defer < 0)) {
    throw new InvalidArgumentError(`deferAcceptSeconds must be a non-negative integer or false, got ${defer}`, defer);
  }
  const sink = opts.aggregate ?? defaultLastDataRecvAggregate();
  if (typeof sink.add !== 'function') throw new InvalidArgumentError('aggregate must have an add(v) method', sink);
  const deferRead = new Map<Server, number | undefined>();
  let recorded = 0;
  const onConnection = (socket: unknown): void => {
    const v = lastDataRecvMs(socket);
    if (v === undefined) return;
    sink.add(v);
    recorded++;
  };
  const applyDefer = (s: Server): void => {
    let fd: number | undefined;
    try {
      fd = descriptorOf(s);
    } catch {
      fd = undefined;
    }
    if (fd === undefined || defer === false) {
      deferRead.set(s, undefined);
      return;
    }
    setsockoptInt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, defer);
    deferRead.set(s, getsockoptInt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT));
  };
  const onListening = new Map<Server, () => void>();
  for (const s of list) {
    s.prependListener('connection', onConnection);
    if (s.listening) applyDefer(s);
    const l = () => applyDefer(s);
    onListening.set(s, l);
    s.on('listening', l);
  }
  return {
    aggregate: sink,
    get recorded() {
      return recorded;
    },
    deferAccept: (s) => deferRead.get(s),
    stop() {
      for (const s of list) {
        s.off('connection', onConnection);
        const l = onListening.get(s);
        if (l) s.off('listening', l);
      }
    },
  };
}
