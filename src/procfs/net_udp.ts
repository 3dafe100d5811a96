/**
 * `/proc/net/udp` and `/proc/net/udp6`: UDP sockets of the reader's network namespace.
 *
 * Go procfs: `FS.NetUDP()`, `FS.NetUDP6()`, `FS.NetUDPSummary()`, `FS.NetUDP6Summary()`,
 * `NetUDP`, `NetUDPSummary`.
 * @module
 */
import {
  type NetIPSocketLine,
  type NetIPSocketSummary,
  parseNetIPSocket,
  parseNetIPSocketSummary,
} from './net_ip_socket.js';

/** Rows of `/proc/net/udp{,6}` without the header (Go procfs: `NetUDP`); rows carry `drops`. */
export type NetUDP = NetIPSocketLine[];
/** Totals of `/proc/net/udp{,6}` with the sum of `drops` (Go procfs: `NetUDPSummary`). */
export type NetUDPSummary = NetIPSocketSummary;

/** Parse the text of `/proc/net/udp` or `/proc/net/udp6`. @throws ParseError */
export function parseNetUDP(text: string, file = '/proc/net/udp'): NetUDP {
  return parseNetIPSocket(text, file, { udp: true });
}

/** Queue totals and socket count of `/proc/net/udp{,6}`. @throws ParseError */
export function parseNetUDPSummary(text: string, file = '/proc/net/udp'): NetUDPSummary {
  return parseNetIPSocketSummary(text, file, { udp: true });
}
