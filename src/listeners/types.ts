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
 * One listening socket of a listener key: a key has several when processes
 * share the port with SO_REUSEPORT (each socket has its own accept queue, and
 * the kernel spreads new connections over them by hash, so one member can be
 * full while the group as a whole has room).
 */
export interface ListenerMember {
  /** Socket inode (`idiag_inode` / `udiag_ino`; `socket:[inode]` in `/proc/<pid>/fd`). */
  inode: number;
  /** Connections waiting in this socket's accept queue (`idiag_rqueue` = `sk_ack_backlog`; UNIX: `UNIX_DIAG_RQLEN` `udiag_rqueue`). */
  queued: number;
  /** This socket's accept-queue limit (`idiag_wqueue` = `sk_max_ack_backlog`; UNIX: `udiag_wqueue`). */
  backlog: number;
  /** With `{ owners: true }`: the processes holding this socket, by pid. */
  owners?: ListenerOwner[];
}

/**
 * How full a listener's accept queue is, judged by its fullest member (an
 * SO_REUSEPORT group overflows as soon as one member does): see
 * {@link listenerUsage}.
 */
export interface ListenerUsage {
  /** `100 × queued / backlog` of the fullest member (a backlog of 0 counts as 1); undefined when the backlog is unknown. */
  percent: number | undefined;
  /** The fullest member has `queued > 0` and `queued ≥ backlog`: the kernel drops new connections once `queued > backlog`. */
  full: boolean;
  /** The fullest member (undefined when the stats carry no members). */
  member: ListenerMember | undefined;
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
  /** Maximum accept-queue length (`listen()` backlog; 0 after `listen(fd, 0)`). Also 0 when unknown: see {@link backlogUnknown}. */
  backlog: number;
  /** Number of listening sockets summed into this entry (more than 1 for an SO_REUSEPORT group). */
  sockets: number;
  /**
   * Present when several sockets were summed into this entry (an
   * SO_REUSEPORT group): each of them, in the kernel's order, with its own
   * queue and limit. The group's fill level is that of its fullest member
   * (`listenerUsage`), not `queued / backlog` of the sums. Absent for a
   * single socket (its numbers are the entry's own) and from the
   * `/proc/net/unix` fallback.
   */
  members?: ListenerMember[];
  /**
   * True when the backlog is not known (the `/proc/net/unix` fallback, which
   * has no backlog): `backlog` is then 0 without meaning it. A backlog of 0
   * from the kernel (`listen(fd, 0)`) leaves this absent.
   */
  backlogUnknown?: true;
  /**
   * Set when the numbers are those of another listener than the key asked
   * for: e.g. `127.0.0.1:80` was asked and only `0.0.0.0:80` (or a dual-stack
   * `[::]:80`) listens, so the entry describes `matchedKey` (`0.0.0.0:80`),
   * the listener that receives connections to the asked address.
   */
  matchedKey?: string;
  /**
   * UNIX listeners: the bound name's raw bytes (`UNIX_DIAG_NAME`; a leading
   * NUL for an abstract name). The map key is its text form, where bytes
   * that are not UTF-8 appear as `\xNN`; this Buffer is the name itself
   * (usable as an `fs` path).
   */
  name?: Buffer;
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
