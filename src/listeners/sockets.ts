/**
 * The NETLINK_SOCK_DIAG sockets kept open for listener statistics: one for
 * asynchronous calls (they queue on it), one for synchronous calls (so a
 * script's sync call never collides with an async call in flight). Opened on
 * first use, reused by every call (opening one per call and leaving it to the
 * garbage collector leaks descriptors), closed at process exit: they live in
 * sock_diag's one registry of shared sockets (`sharedSockDiagSocket`).
 *
 * Both read dumps the netlink layer's default way (see `NetlinkSocket` in
 * src/netlink/socket.ts and docs/netlink.md): the async one reads datagrams
 * the kernel has already queued in place, and decodes them, in slices of at
 * most 2 ms shared with every other netlink call of the thread, between
 * which the event loop runs.
 * @module
 */
import type { NetlinkSocket } from '../netlink/index.js';
import { closeSharedSockDiagSockets, sharedSockDiagSocket } from '../sockdiag/index.js';

/** The socket shared by asynchronous listener-statistics calls (sliced in-place reads, the netlink default). */
export function sharedListenerAsyncSocket(): NetlinkSocket {
  return sharedSockDiagSocket('listeners');
}

/** The socket shared by synchronous listener-statistics calls. */
export function sharedListenerSyncSocket(): NetlinkSocket {
  return sharedSockDiagSocket('listeners-sync');
}

/**
 * Close the NETLINK_SOCK_DIAG sockets raingauge keeps open for listener
 * statistics (they are closed at process exit anyway; the next call reopens them).
 */
export function closeListenerStatsSockets(): void {
  closeSharedSockDiagSockets(['listeners', 'listeners-sync']);
}
