/**
 * Typed errors of the netlink layer.
 * @module
 */
import { RaingaugeError, SysCallError } from '../errors.js';
import { errno, errnoName } from '../sys/index.js';

/**
 * The kernel answered a netlink request with an error (NLMSG_ERROR with a
 * negative errno, or NLMSG_DONE carrying one at the end of a dump).
 * `request` describes what was asked (e.g. `SOCK_DIAG_BY_FAMILY inet tcp`),
 * `extAck` is the kernel's extended-ACK text when it gave one.
 */
export class NetlinkError extends SysCallError {
  /** Description of the request that failed, as given by the caller. */
  readonly request: string;
  /** The kernel's extended-ACK message (`NLMSGERR_ATTR_MSG`), if any. */
  readonly extAck: string | undefined;
  /** The extended-ACK offset of the offending attribute in the request (`NLMSGERR_ATTR_OFFS`), if any. */
  readonly extAckOffset: number | undefined;
  constructor(errno: number, request: string, extAck?: string, extAckOffset?: number) {
    const name = errnoName(errno);
    super('netlink', errno, name, request);
    this.message = `netlink request ${request} failed: ${name} (${errno})${extAck ? `: ${extAck}` : ''}`;
    this.request = request;
    this.extAck = extAck;
    this.extAckOffset = extAckOffset;
  }
}

/**
 * ENOBUFS: the socket's receive buffer overflowed and the kernel dropped
 * messages (multicast events, or a reply that did not fit). The socket stays
 * usable; enlarge it with `setReceiveBufferSize()` or read faster.
 */
export class NetlinkOverrunError extends NetlinkError {
  constructor(request: string) {
    super(
      errno.ENOBUFS,
      request,
      'receive buffer overflowed, messages were lost (enlarge it with setReceiveBufferSize())',
    );
  }
}

/** No reply arrived within the socket's reply timeout. */
export class NetlinkTimeoutError extends RaingaugeError {
  readonly request: string;
  readonly timeoutMs: number;
  constructor(request: string, timeoutMs: number) {
    super(`netlink request ${request}: no reply from the kernel within ${timeoutMs} ms`, 'ERR_RAINGAUGE_TIMEOUT');
    this.request = request;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A reply datagram was larger than the receive buffer and its tail was lost.
 * The socket has grown its buffer and switched to peeking before each read,
 * so repeating the request succeeds.
 */
export class NetlinkTruncatedError extends RaingaugeError {
  readonly request: string;
  readonly datagramBytes: number;
  constructor(request: string, datagramBytes: number, bufferBytes: number) {
    super(
      `netlink request ${request}: a ${datagramBytes}-byte reply did not fit the ${bufferBytes}-byte receive buffer and was truncated; the buffer has been enlarged, repeat the request`,
      'ERR_RAINGAUGE_TRUNCATED',
    );
    this.request = request;
    this.datagramBytes = datagramBytes;
  }
}

/** The socket is closed, or a synchronous call was made while an asynchronous one is in flight. */
export class NetlinkSocketStateError extends RaingaugeError {
  constructor(message: string) {
    super(message, 'ERR_RAINGAUGE_NETLINK_STATE');
  }
}
