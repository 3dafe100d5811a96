import type { SocketOwnerCache } from './owners.js';

/**
 * Types shared by the TCP and UNIX listener statistics.
 * @module
 */

/** A process holding a listening socket open (found through `/proc/<pid>/fd/* -> socket:[inode]`). */
export interface ListenerOwner {
  /** Process id (in the PID namespace of the `/proc` that was read). */
  readonly pid: number;
  /** The process's command name: `/proc/<pid>/comm` (at most 15 characters, set by the kernel from the executable name or by `prctl(PR_SET_NAME)`). */
  readonly command: string;
}

/**
 * Statistics of one listener, with raindrops' definitions.
 *
 * For TCP the numbers come from `inet_diag_msg` (`include/uapi/linux/inet_diag.h`):
 * - `queued`: sum of `idiag_rqueue` of the LISTEN sockets with this key. For a
 *   listener the kernel reports `sk_ack_backlog` there: connections that
 *   finished the handshake and wait for `accept()`. Several sockets of an
 *   SO_REUSEPORT group with the same key are summed.
 * - `backlog`: sum of `idiag_wqueue` of the same sockets, which for a listener is
 *   `sk_max_ack_backlog`, the `listen()` backlog (capped by `net.core.somaxconn`).
 *   The kernel accepts one more than that before it starts dropping (`queued` can reach `backlog + 1`).
 * - `active`: ESTABLISHED sockets (`idiag_state == TCP_ESTABLISHED`) with
 *   `idiag_inode != 0` (accepted: a socket still in the accept queue has no
 *   inode yet) whose local address and port are this key, or whose exact
 *   local address has no listener and whose port is this wildcard listener's
 *   (`0.0.0.0:port` for IPv4, `[::]:port` for IPv6 including IPv4 clients of a
 *   dual-stack listener, seen as `::ffff:a.b.c.d`). CLOSE_WAIT and other states are not counted.
 *
 * For UNIX sockets the numbers come from unix sock_diag (`include/uapi/linux/unix_diag.h`):
 * `queued`/`backlog` are `UNIX_DIAG_RQLEN` of the listening socket
 * (`sk_receive_queue` length = pending connections, `sk_max_ack_backlog`),
 * `active` the ESTABLISHED sockets that carry the listener's bound name
 * (accepted connections, `UNIX_DIAG_NAME`/`UNIX_DIAG_VFS`).
 */
export interface ListenerStats {
  /** Accepted, not yet closed connections (0 when the call was made with `{ active: false }`). */
  active: number;
  /** Connections waiting in the accept queue. */
  queued: number;
  /** Maximum accept-queue length (`listen()` backlog). 0 when unknown (the `/proc/net/unix` fallback). */
  backlog: number;
  /** Number of listening sockets summed into this entry (more than 1 for an SO_REUSEPORT group). */
  sockets: number;
  /**
   * Set when the numbers are those of another listener than the key asked
   * for: e.g. `127.0.0.1:80` was asked and only `0.0.0.0:80` (or a dual-stack
   * `[::]:80`) listens, so the entry describes `matchedKey` (`0.0.0.0:80`),
   * the listener that receives connections to the asked address.
   */
  matchedKey?: string;
  /** With `{ owners: true }`: the processes holding the listening socket(s), by pid. */
  owners?: ListenerOwner[];
  /**
   * With `{ owners: true }`: false when some processes' descriptor tables
   * could not be read (other users' processes need root or CAP_SYS_PTRACE),
   * so `owners` may be missing holders.
   */
  ownersComplete?: boolean;
}

/** Options of {@link tcpListenerStats} and {@link unixListenerStats}. */
export interface ListenerStatsOptions {
  /**
   * Count active connections (default true). With false only LISTEN sockets
   * are dumped: the kernel walks the listening hash only, so the cost does not
   * grow with the number of established connections; `active` is then 0.
   */
  active?: boolean;
  /** Find the processes holding each listener (default false): scans `/proc/<pid>/fd`. */
  owners?: boolean;
  /** Where procfs is mounted (default `/proc`), for `owners` and the `/proc/net/unix` fallback. */
  procRoot?: string;
  /**
   * With `owners`: a {@link SocketOwnerCache} kept across calls, so repeated
   * sampling re-checks the known holders instead of rescanning every
   * `/proc/<pid>/fd` (its own `procRoot` applies).
   */
  ownerCache?: SocketOwnerCache;
}
