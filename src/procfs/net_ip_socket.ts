/**
 * The common row format of `/proc/net/{tcp,tcp6,udp,udp6}` (kernel `tcp4_seq_show`,
 * `udp4_format_sock`, …). Used by {@link parseNetTCP} and {@link parseNetUDP}.
 *
 * Go procfs: `netIPSocketLine`, `NetIPSocket`, `NetIPSocketSummary`.
 * @module
 */
import { rowsAt } from './rows.js';
import { fail, fields, hex, hostOrderHexIP, lines, uint, type Where } from './system_util.js';

/** One socket row (Go procfs: `netIPSocketLine`). */
export interface NetIPSocketLine {
  /** Slot number in the hash table (`sl`). */
  sl: number;
  /** Local address as text (`local_address`, decoded from host-order hex). */
  localAddr: string;
  /** Local port. */
  localPort: number;
  /** Remote address as text (`rem_address`). */
  remAddr: string;
  /** Remote port. */
  remPort: number;
  /** Socket state (`st`): TCP states 1 ESTABLISHED … 10 LISTEN, 12 NEW_SYN_RECV; UDP 7 (CLOSE) or 1. */
  st: number;
  /** Send queue (`tx_queue`): bytes not yet acknowledged (TCP) or queued to send (UDP). */
  txQueue: number;
  /** Receive queue (`rx_queue`): bytes not yet read; for a TCP listener, the accept queue length. */
  rxQueue: number;
  /** Active timer (`tr`): 0 none, 1 retransmit/probe, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe. */
  timerActive: number;
  /** Time until the timer expires, in clock ticks (`tm->when`, hex, from `jiffies_delta_to_clock_t`). */
  timerWhenTicks: number;
  /** Unrecovered retransmission timeouts or zero-window probes (`retrnsmt`). */
  retransmits: number;
  /** Owner's effective uid (`uid`). */
  uid: number;
  /** Unanswered 0-window probes (`timeout`). */
  timeout: number;
  /** Socket inode number (`inode`): matches `socket:[N]` links under `/proc/<pid>/fd`. */
  inode: number;
  /** Packets dropped on this socket (`drops`; UDP only). */
  drops?: number;
}

/** Rows of one `/proc/net/{tcp,udp}{,6}` file without the header (Go procfs: `NetIPSocket`). */
export type NetIPSocket = NetIPSocketLine[];

/** Totals over the rows of one file (Go procfs: `NetIPSocketSummary`, `NetTCPSummary`, `NetUDPSummary`). */
export interface NetIPSocketSummary {
  /** Sum of `txQueue` over all rows. */
  txQueueLength: number;
  /** Sum of `rxQueue` over all rows. */
  rxQueueLength: number;
  /** Number of rows (sockets). */
  usedSockets: number;
  /** Sum of `drops` over all rows (UDP files only; absent for TCP). As Go procfs `NetUDPSummary.Drops`. */
  drops?: number;
}

/** Options of {@link parseNetIPSocket}. */
export interface NetIPSocketOptions {
  /**
   * The file is `/proc/net/udp{,6}`: rows end with `ref pointer drops` and `drops` is read from the
   * 13th column whatever the header says (some captures and tools abbreviate the header). Without
   * this option drops are read only when the header names them.
   */
  udp?: boolean;
}

function splitAddr(s: string | undefined, w: Where, what: string): [string, number] {
  const c = s?.indexOf(':') ?? -1;
  if (s === undefined || c < 0) fail(w, `${what} is not ADDR:PORT: ${JSON.stringify(s ?? '')}`);
  return [hostOrderHexIP(s.slice(0, c), w, what), hex(s.slice(c + 1), w, `${what} port`)];
}

function parseRow(text: string, w: Where, withDrops: boolean): NetIPSocketLine {
  const f = fields(text);
  if (f.length < 10) fail(w, `expected at least 10 columns, found ${f.length}`);
  if (!f[0]!.endsWith(':')) fail(w, 'first column must be "sl:"');
  const [localAddr, localPort] = splitAddr(f[1], w, 'local_address');
  const [remAddr, remPort] = splitAddr(f[2], w, 'rem_address');
  const q = f[4]!.split(':');
  const t = f[5]!.split(':');
  if (q.length !== 2) fail(w, 'tx_queue:rx_queue expected');
  if (t.length !== 2) fail(w, 'tr:tm->when expected');
  const row: NetIPSocketLine = {
    sl: uint(f[0]!.slice(0, -1), w, 'sl'),
    localAddr,
    localPort,
    remAddr,
    remPort,
    st: hex(f[3], w, 'st'),
    txQueue: hex(q[0], w, 'tx_queue'),
    rxQueue: hex(q[1], w, 'rx_queue'),
    timerActive: hex(t[0], w, 'tr'),
    timerWhenTicks: hex(t[1], w, 'tm->when'),
    retransmits: hex(f[6], w, 'retrnsmt'),
    uid: uint(f[7], w, 'uid'),
    timeout: uint(f[8], w, 'timeout'),
    inode: uint(f[9], w, 'inode'),
  };
  // UDP rows end with "ref pointer drops"
  if (withDrops && f.length >= 13) row.drops = uint(f[12], w, 'drops');
  return row;
}

function header(ls: string[], file: string, options: NetIPSocketOptions): boolean {
  const h = ls[0];
  if (h === undefined || !/^\s*sl\s+local_address/.test(h)) {
    fail({ file, line: 1, text: h ?? '' }, 'missing the "sl local_address …" header');
  }
  return options.udp === true || /\bdrops\b/.test(h);
}

/**
 * Parse the text of `/proc/net/{tcp,tcp6,udp,udp6}` into rows. The `drops` column is read when
 * the header names it (UDP).
 * @throws ParseError on a missing header or a malformed row.
 */
export function parseNetIPSocket(text: string, file: string, options: NetIPSocketOptions = {}): NetIPSocket {
  const ls = lines(text);
  const withDrops = header(ls, file, options);
  const out: NetIPSocketLine[] = [];
  for (const w of rowsAt(ls, file)) out.push(parseRow(w.text, w, withDrops));
  return out;
}

/**
 * Queue totals and row count of `/proc/net/{tcp,tcp6,udp,udp6}` without building the rows.
 * @throws ParseError as {@link parseNetIPSocket}.
 */
export function parseNetIPSocketSummary(
  text: string,
  file: string,
  options: NetIPSocketOptions = {},
): NetIPSocketSummary {
  const ls = lines(text);
  const withDrops = header(ls, file, options);
  const s: NetIPSocketSummary = { txQueueLength: 0, rxQueueLength: 0, usedSockets: 0 };
  if (options.udp) s.drops = 0;
  for (const w of rowsAt(ls, file)) {
    const f = withDrops ? fields(w.text) : w.text.trim().split(/\s+/, 6);
    const q = f[4]?.split(':');
    if (f.length < 6 || !f[0]!.endsWith(':') || q?.length !== 2) fail(w, 'malformed row');
    s.txQueueLength += hex(q[0], w, 'tx_queue');
    s.rxQueueLength += hex(q[1], w, 'rx_queue');
    if (withDrops && f.length >= 13) s.drops = (s.drops ?? 0) + uint(f[12], w, 'drops');
    s.usedSockets++;
  }
  return s;
}
