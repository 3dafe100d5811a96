/**
 * `/proc/net/tcp` and `/proc/net/tcp6`: TCP sockets of the reader's network namespace.
 *
 * Go procfs: `FS.NetTCP()`, `FS.NetTCP6()`, `FS.NetTCPSummary()`, `FS.NetTCP6Summary()`,
 * `NetTCP`, `NetTCPSummary`. For many sockets prefer netlink sock_diag (src/sockdiag): it is
 * faster and consistent, where a large /proc/net/tcp read can repeat or skip rows.
 * @module
 */
import {
  type NetIPSocketLine,
  type NetIPSocketSummary,
  parseNetIPSocket,
  parseNetIPSocketSummary,
} from './net_ip_socket.js';

/** Rows of `/proc/net/tcp{,6}` without the header (Go procfs: `NetTCP`). */
export type NetTCP = NetIPSocketLine[];
/** Totals of `/proc/net/tcp{,6}` (Go procfs: `NetTCPSummary`). */
export type NetTCPSummary = NetIPSocketSummary;

/** TCP state numbers as in `st` (kernel `enum tcp_state`). */
export const NET_TCP_STATES: Readonly<Record<number, string>> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW_SYN_RECV',
};

/** Parse the text of `/proc/net/tcp` or `/proc/net/tcp6`. @throws ParseError */
export function parseNetTCP(text: string, file = '/proc/net/tcp'): NetTCP {
  return parseNetIPSocket(text, file);
}

/** Queue totals and socket count of `/proc/net/tcp{,6}`. @throws ParseError */
export function parseNetTCPSummary(text: string, file = '/proc/net/tcp'): NetTCPSummary {
  return parseNetIPSocketSummary(text, file);
}
