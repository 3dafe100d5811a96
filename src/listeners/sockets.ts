/**
 * The NETLINK_SOCK_DIAG sockets kept open for listener statistics: one for
 * asynchronous calls (they queue on it), one for synchronous calls (so a
 * script's sync call never collides with an async call in flight). Opened on
 * first use, reused by every call (opening one per call and leaving it to the
 * garbage collector leaks descriptors), closed at process exit.
 *
 * Both read dumps the netlink layer's default way (see `NetlinkSocket` in
 * src/netlink/socket.ts and docs/netlink.md): the async one reads datagrams
 * the kernel has already queued in place, and decodes them, in slices of at
 * most 2 ms shared with every other netlink call of the thread, between
 * which the event loop runs.
 * @module
 */
import { NETLINK_SOCK_DIAG, NetlinkSocket } from '../netlink/index.js';

let asyncSocket: NetlinkSocket | undefined;
let syncSocket: NetlinkSocket | undefined;
let exitHookInstalled = false;

function installExitHook(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', closeListenerStatsSockets);
  }
}

/** The socket shared by asynchronous listener-statistics calls (sliced in-place reads, the netlink default). */
export function sharedListenerAsyncSocket(): NetlinkSocket {
  if (!asyncSocket || asyncSocket.isClosed) {
    asyncSocket = NetlinkSocket.open(NETLINK_SOCK_DIAG);
    installExitHook();
  }
  return asyncSocket;
}

/** The socket shared by synchronous listener-statistics calls. */
export function sharedListenerSyncSocket(): NetlinkSocket {
  if (!syncSocket || syncSocket.isClosed) {
    syncSocket = NetlinkSocket.open(NETLINK_SOCK_DIAG);
    installExitHook();
  }
  return syncSocket;
}

/**
 * Close the NETLINK_SOCK_DIAG sockets raingauge keeps open for listener
 * statistics (they are closed at process exit anyway; the next call reopens them).
 */
export function closeListenerStatsSockets(): void {
  asyncSocket?.close();
  syncSocket?.close();
  asyncSocket = undefined;
  syncSocket = undefined;
}
