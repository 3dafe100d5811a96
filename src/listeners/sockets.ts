/**
 * The NETLINK_SOCK_DIAG sockets kept open for listener statistics: one for
 * asynchronous calls (they queue on it), one for synchronous calls (so a
 * script's sync call never collides with an async call in flight). Opened on
 * first use, reused by every call (opening one per call and leaving it to the
 * garbage collector leaks descriptors), closed at process exit.
 *
 * The asynchronous socket reads through a {@link SlicedNetlinkTransport}: a
 * dump datagram is already waiting when the next read is made (the kernel
 * builds it inside the previous read), so reading it in place costs no more
 * than the kernel's work, while a round trip through a worker thread per
 * datagram (~330 of them for 100 000 connections) would add tens of
 * milliseconds of CPU. Reads run back to back for at most a few milliseconds,
 * then yield to the event loop.
 * @module
 */
import { KernelNetlinkTransport, NETLINK_SOCK_DIAG, NetlinkSocket, type NetlinkTransport } from '../netlink/index.js';
import { MSG_DONTWAIT } from '../sys/index.js';

/**
 * A {@link NetlinkTransport} over a kernel netlink socket whose `recvAsync`
 * reads in place what is already queued (MSG_DONTWAIT) and only waits on a
 * worker thread when nothing is; after `sliceMs` of back-to-back reads it
 * yields to the event loop (`setImmediate`) before the next one. The event
 * loop is thus never held for more than `sliceMs` plus one datagram's work.
 */
export class SlicedNetlinkTransport implements NetlinkTransport {
  private readonly inner: KernelNetlinkTransport;
  /** When the current slice of back-to-back in-place reads began. */
  private sliceStart = 0;
  /** Set by a setImmediate queued when the slice began: true once the event loop has turned since. */
  private turned = true;

  constructor(
    protocol: number,
    private readonly sliceMs = 3,
  ) {
    this.inner = new KernelNetlinkTransport(protocol);
  }

  get portId(): number {
    return this.inner.portId;
  }

  send(buf: Buffer, len: number): void {
    this.inner.send(buf, len);
  }

  recv(buf: Buffer, len: number, flags: number): number {
    return this.inner.recv(buf, len, flags);
  }

  private startSlice(): void {
    this.sliceStart = performance.now();
    this.turned = false;
    setImmediate(() => {
      this.turned = true;
    });
  }

  async recvAsync(buf: Buffer, len: number, flags: number): Promise<number> {
    // The budget spans calls: a caller awaiting one call after another
    // (everything resolved in microtasks) still lets the event loop run every sliceMs.
    if (this.turned) this.startSlice();
    else if (performance.now() - this.sliceStart > this.sliceMs) {
      await new Promise<void>((r) => setImmediate(r));
      this.startSlice();
    }
    const n = this.inner.recv(buf, len, flags | MSG_DONTWAIT);
    if (n >= 0 || flags & MSG_DONTWAIT) return n;
    return this.inner.recvAsync(buf, len, flags);
  }

  pollAsync(timeoutMs: number): Promise<boolean> {
    return this.inner.pollAsync(timeoutMs);
  }

  setReceiveBufferSize(bytes: number): void {
    this.inner.setReceiveBufferSize(bytes);
  }

  getReceiveBufferSize(): number {
    return this.inner.getReceiveBufferSize();
  }

  close(): void {
    this.inner.close();
  }
}

let asyncSocket: NetlinkSocket | undefined;
let syncSocket: NetlinkSocket | undefined;
let exitHookInstalled = false;

function installExitHook(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', closeListenerStatsSockets);
  }
}

/** The socket shared by asynchronous listener-statistics calls (sliced in-place reads). */
export function sharedListenerAsyncSocket(): NetlinkSocket {
  if (!asyncSocket || asyncSocket.isClosed) {
    const t = new SlicedNetlinkTransport(NETLINK_SOCK_DIAG);
    try {
      asyncSocket = new NetlinkSocket(t, NETLINK_SOCK_DIAG);
    } catch (e) {
      t.close();
      throw e;
    }
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
