/**
 * The module-level NETLINK_SOCK_DIAG socket reused by default, and the
 * mapping of sock_diag failures to typed errors.
 * @module
 */
import { InvalidArgumentError, NotSupportedError } from '../errors.js';
import { NETLINK_SOCK_DIAG } from '../netlink/constants.js';
import { NetlinkError } from '../netlink/errors.js';
import { type NetlinkDumpOptions, NetlinkSocket } from '../netlink/socket.js';

/**
 * The users of a process-wide NETLINK_SOCK_DIAG socket: `'sockdiag'` (the
 * sock_diag functions), `'listeners'` (async listener statistics, which queue
 * on it) and `'listeners-sync'` (sync listener statistics, so a script's sync
 * call never collides with an async call in flight).
 */
export type SockDiagSocketRole = 'sockdiag' | 'listeners' | 'listeners-sync';

/** The one registry of shared NETLINK_SOCK_DIAG sockets, with one exit hook for all of them. */
const registry = new Map<SockDiagSocketRole, NetlinkSocket>();
let exitHook = false;

/**
 * The shared NETLINK_SOCK_DIAG socket of `role`, opened on first use and
 * reused by every call of that role (opening one per call and leaving it to
 * the garbage collector leaks descriptors). Every shared socket is closed
 * when the process exits. They never keep the event loop alive: they are
 * not libuv handles, and reads only run while a call is in flight.
 */
export function sharedSockDiagSocket(role: SockDiagSocketRole): NetlinkSocket {
  let s = registry.get(role);
  if (!s || s.isClosed) {
    s = NetlinkSocket.open(NETLINK_SOCK_DIAG);
    registry.set(role, s);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => closeSharedSockDiagSockets());
    }
  }
  return s;
}

/** Close the shared sockets of the given roles (default: all); a later call opens new ones. */
export function closeSharedSockDiagSockets(roles?: readonly SockDiagSocketRole[]): void {
  for (const role of roles ?? [...registry.keys()]) {
    registry.get(role)?.close();
    registry.delete(role);
  }
}

/**
 * The shared NETLINK_SOCK_DIAG socket, opened on first use and reused by
 * every sock_diag call that is not given its own socket. It is closed when
 * the process exits. It never keeps the event loop alive: it is not a libuv
 * handle, and reads only run while a call is in flight.
 */
export function sockDiagSocket(): NetlinkSocket {
  return sharedSockDiagSocket('sockdiag');
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
  closeSharedSockDiagSockets(['sockdiag']);
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
