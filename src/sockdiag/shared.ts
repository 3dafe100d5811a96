/**
 * The module-level NETLINK_SOCK_DIAG socket reused by default, and the
 * mapping of sock_diag failures to typed errors.
 * @module
 */
import { InvalidArgumentError, NotSupportedError } from '../errors.js';
import { NETLINK_SOCK_DIAG } from '../netlink/constants.js';
import { NetlinkError } from '../netlink/errors.js';
import { type NetlinkDumpOptions, NetlinkSocket } from '../netlink/socket.js';

let shared: NetlinkSocket | undefined;
let exitHook = false;

/**
 * The shared NETLINK_SOCK_DIAG socket, opened on first use and reused by
 * every sock_diag call that is not given its own socket. It is closed when
 * the process exits. It never keeps the event loop alive: it is not a libuv
 * handle, and reads only run while a call is in flight.
 */
export function sockDiagSocket(): NetlinkSocket {
  if (!shared || shared.isClosed) {
    shared = NetlinkSocket.open(NETLINK_SOCK_DIAG);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', closeSockDiagSocket);
    }
  }
  return shared;
}

/**
 * Where a dump request is sent. The kernel fills the first reply datagram
 * inside send(), and that can take milliseconds (a walk over many sockets a
 * filter or state selection rejects, or the start of a large unfiltered
 * dump), so requests are sent from a worker thread — except the ones known
 * to be cheap (`cheapToStart`: a TCP LISTEN-only dump walks just the
 * listening hash), sent in place.
 */
export function dumpSendOptions(cheapToStart: boolean): NetlinkDumpOptions {
  return cheapToStart ? IN_PLACE : WORKER;
}
const IN_PLACE: NetlinkDumpOptions = { send: 'inPlace' };
const WORKER: NetlinkDumpOptions = { send: 'worker' };

/**
 * Hand out `items` one by one, letting the event loop turn whenever the
 * socket's slicer says the slice is used up: the consumer's time per item
 * counts against the same main-thread budget as reading and decoding.
 */
export async function* yieldSliced<T>(sock: NetlinkSocket, items: readonly T[]): AsyncGenerator<T, void, undefined> {
  const slicer = sock.slicer;
  for (const item of items) {
    if (slicer.due()) await slicer.yield();
    yield item;
  }
}

/** Close the shared sock_diag socket (a later call opens a new one). */
export function closeSockDiagSocket(): void {
  shared?.close();
  shared = undefined;
}

/** Options accepted by every high-level sock_diag function. */
export interface SockDiagOptions {
  /** Use this NETLINK_SOCK_DIAG socket instead of the shared one. */
  socket?: NetlinkSocket;
}

/** The kernel rejected a filter program (EINVAL from inet_diag_bc_audit). */
export class InetDiagFilterError extends InvalidArgumentError {
  constructor(request: string, cause: unknown) {
    super(
      `the kernel rejected the inet_diag filter bytecode of ${request} (EINVAL): the program is malformed or uses a condition this kernel does not know`,
    );
    (this as { cause?: unknown }).cause = cause;
  }
}

/** Kernel module providing sock_diag for a protocol name. */
export function sockDiagModule(protocol: string): string {
  switch (protocol) {
    case 'tcp':
      return 'tcp_diag';
    case 'udp':
    case 'udplite':
      return 'udp_diag';
    case 'raw':
      return 'raw_diag';
    case 'unix':
      return 'unix_diag';
    default:
      return 'inet_diag';
  }
}

/**
 * Turn the errors that mean "sock_diag for this family/protocol is not
 * available" (ENOENT, EOPNOTSUPP, EPROTONOSUPPORT, EAFNOSUPPORT)
 * into {@link NotSupportedError} naming the module, and EINVAL with a filter
 * into {@link InetDiagFilterError}.
 */
export function mapSockDiagError(e: unknown, request: string, protocol: string, hasFilter: boolean): unknown {
  if (!(e instanceof NetlinkError)) return e;
  if (e.errnoName === 'EINVAL' && hasFilter) return new InetDiagFilterError(request, e);
  if (['ENOENT', 'EOPNOTSUPP', 'EPROTONOSUPPORT', 'EAFNOSUPPORT'].includes(e.errnoName)) {
    const mod = sockDiagModule(protocol);
    const mods = mod === 'unix_diag' || mod === 'inet_diag' ? mod : `inet_diag and ${mod}`;
    return new NotSupportedError(
      mod,
      `sock_diag for ${request} is not available on this kernel (${e.errnoName}): load ${mods} (modprobe ${mod}) or enable it in the kernel config`,
      { cause: e },
    );
  }
  return e;
}
