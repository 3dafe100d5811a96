/**
 * The NETLINK_SOCK_DIAG sockets kept open for listener statistics: one for
 * asynchronous calls (they queue on it), one for synchronous calls (so a
 * script's sync call never collides with an async call in flight). Opened on
 * first use, reused by every call (opening one per call and leaving it to the
 * garbage collector leaks descriptors), closed at process exit.
 * @module
 */
import { NETLINK_SOCK_DIAG, NetlinkSocket } from '../netlink/index.js';

let asyncSocket: NetlinkSocket | undefined;
let syncSocket: NetlinkSocket | undefined;
let exitHookInstalled = false;

function openDiagSocket(): NetlinkSocket {
  const s = NetlinkSocket.open(NETLINK_SOCK_DIAG);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', closeListenerStatsSockets);
  }
  return s;
}

/** The socket shared by asynchronous listener-statistics calls. */
export function sharedListenerAsyncSocket(): NetlinkSocket {
  if (!asyncSocket || asyncSocket.isClosed) asyncSocket = openDiagSocket();
  return asyncSocket;
}

/** The socket shared by synchronous listener-statistics calls. */
export function sharedListenerSyncSocket(): NetlinkSocket {
  if (!syncSocket || syncSocket.isClosed) syncSocket = openDiagSocket();
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
