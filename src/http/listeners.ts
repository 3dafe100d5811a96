/**
 * Which listeners the middleware reports, and their numbers: the servers it
 * is mounted on (learnt from each request's `req.socket.server`, or given to
 * the server hook), or an explicit list; numbers from
 * {@link tcpListenerStats} / {@link unixListenerStats}.
 * @module
 */
import type { AddressInfo, Server } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import { parseTcpListenerAddress } from '../listeners/address.js';
import { tcpListenerStats } from '../listeners/tcp.js';
import { unixListenerQuery, unixListenerStats } from '../listeners/unix.js';

/** The address family label of a listener, as in the exporter's `family` label. */
export type ListenerFamily = 'inet' | 'inet6' | 'unix';

/** One listener line pair of the stats endpoint. */
export interface HttpListenerRow {
  /** The address exactly as raindrops prints it: `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:80`, `/run/app.sock`. */
  listener: string;
  family: ListenerFamily;
  /** Accepted, open connections (ESTABLISHED sockets with an inode: `inet_diag_msg.idiag_state`/`idiag_inode`; unix_diag for UNIX). */
  active: number;
  /** Connections waiting for `accept()`: `idiag_rqueue` of the LISTEN socket (`sk_ack_backlog`), `UNIX_DIAG_RQLEN` for UNIX. */
  queued: number;
  /** The `listen()` backlog: `idiag_wqueue` of the LISTEN socket (`sk_max_ack_backlog`); 0 when unknown or absent. */
  backlog: number;
}

/** TCP keys and UNIX paths to report, in order. */
export interface ListenerTargets {
  tcp: string[];
  unix: string[];
}

/**
 * Split an explicit listener list into TCP addresses (canonical keys) and
 * UNIX paths (`/…`, `./…` or `@abstract`), validating each now so a typo is
 * reported at start-up, not at the first scrape.
 * @throws {InvalidListenerAddressError} / {InvalidListenerPathError} naming the bad entry.
 */
export function parseListenerTargets(list: readonly string[]): ListenerTargets {
  if (!Array.isArray(list)) {
    throw new InvalidArgumentError(
      'listeners must be an array of strings like ["127.0.0.1:8080", "/run/app.sock"]',
      list,
    );
  }
  const out: ListenerTargets = { tcp: [], unix: [] };
  for (const l of list) {
    if (typeof l === 'string' && (l.startsWith('/') || l.startsWith('./') || l.startsWith('@'))) {
      unixListenerQuery(l);
      if (!out.unix.includes(l)) out.unix.push(l);
    } else {
      const key = parseTcpListenerAddress(l).key;
      if (!out.tcp.includes(key)) out.tcp.push(key);
    }
  }
  return out;
}

/**
 * The listener key of a listening `net.Server` (an `http.Server`, `https.Server`
 * or a cluster worker's server, whose address is the primary's shared
 * listener), or undefined when it is not listening.
 */
export function serverListenerKey(server: Server): { key: string; unix: boolean } | undefined {
  let a: AddressInfo | string | null;
  try {
    a = server.address();
  } catch {
    return undefined;
  }
  if (a === null || a === undefined) return undefined;
  if (typeof a === 'string') {
    // Node reports an abstract socket as "\0name" (padding NULs stripped here, as listener stats do)
    if (a.startsWith('\0')) return { key: `@${a.slice(1).replace(/\0+$/, '')}`, unix: true };
    return { key: a, unix: true };
  }
  const v6 = a.family === 'IPv6' || (a.family as unknown) === 6;
  try {
    return {
      key: parseTcpListenerAddress(v6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`).key,
      unix: false,
    };
  } catch {
    return undefined;
  }
}

/** Listener keys of every listening server in `servers`, TCP first, each once, in the order the servers were seen. */
export function targetsOfServers(servers: Iterable<Server>): ListenerTargets {
  const out: ListenerTargets = { tcp: [], unix: [] };
  for (const s of servers) {
    const k = serverListenerKey(s);
    if (!k) continue;
    const list = k.unix ? out.unix : out.tcp;
    if (!list.includes(k.key)) list.push(k.key);
  }
  return out;
}

/**
 * The numbers of `targets`, TCP first then UNIX, in the given order. Every
 * asked listener gets a row, with zeros when nothing listens there (raindrops
 * prints configured listeners the same way), so a scraper sees a stable set.
 */
export async function listenerRows(targets: ListenerTargets): Promise<HttpListenerRow[]> {
  const [tcp, unix] = await Promise.all([
    targets.tcp.length ? tcpListenerStats(targets.tcp) : undefined,
    targets.unix.length ? unixListenerStats(targets.unix) : undefined,
  ]);
  const rows: HttpListenerRow[] = [];
  for (const key of targets.tcp) {
    const s = tcp?.get(key);
    rows.push({
      listener: key,
      family: key.startsWith('[') ? 'inet6' : 'inet',
      active: s?.active ?? 0,
      queued: s?.queued ?? 0,
      backlog: s?.backlog ?? 0,
    });
  }
  for (const key of targets.unix) {
    const s = unix?.get(key);
    rows.push({
      listener: key,
      family: 'unix',
      active: s?.active ?? 0,
      queued: s?.queued ?? 0,
      backlog: s?.backlog ?? 0,
    });
  }
  return rows;
}
