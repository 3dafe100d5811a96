/**
 * `/proc/net/dev` (and `/proc/<pid>/net/dev`): per-interface receive and
 * transmit counters of the reading process's network namespace.
 *
 * Go procfs: `FS.NetDev() NetDev`, `NetDev.Total()`, `NetDevLine`.
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, lines, record, ubig, type Where } from './system_util.js';

/**
 * One interface's counters, a line of `/proc/net/dev` (kernel `dev_seq_printf_stats`,
 * from `struct rtnl_link_stats64`).
 *
 * Every counter is a `bigint`: they are u64 and byte counters of a fast interface pass 2^53
 * within days of uptime.
 */
export interface NetDevLine {
  /** Interface name (`Name`). For {@link netDevTotal} a sorted comma-separated list of names. */
  name: string;
  /** Bytes received (`rx_bytes`). */
  rxBytes: bigint;
  /** Packets received (`rx_packets`). */
  rxPackets: bigint;
  /** Receive errors (`rx_errors`). */
  rxErrors: bigint;
  /** Packets dropped on receive (`rx_dropped` + `rx_missed_errors`, as the kernel sums them). */
  rxDropped: bigint;
  /** Receive FIFO errors (`rx_fifo_errors`). */
  rxFIFO: bigint;
  /** Framing errors (`rx_length_errors` + `rx_over_errors` + `rx_crc_errors` + `rx_frame_errors`). */
  rxFrame: bigint;
  /** Compressed packets received (`rx_compressed`). */
  rxCompressed: bigint;
  /** Multicast packets received (`multicast`). */
  rxMulticast: bigint;
  /** Bytes transmitted (`tx_bytes`). */
  txBytes: bigint;
  /** Packets transmitted (`tx_packets`). */
  txPackets: bigint;
  /** Transmit errors (`tx_errors`). */
  txErrors: bigint;
  /** Packets dropped on transmit (`tx_dropped`). */
  txDropped: bigint;
  /** Transmit FIFO errors (`tx_fifo_errors`). */
  txFIFO: bigint;
  /** Collisions (`collisions`). */
  txCollisions: bigint;
  /** Carrier errors (`tx_carrier_errors` + `tx_aborted_errors` + `tx_window_errors` + `tx_heartbeat_errors`). */
  txCarrier: bigint;
  /** Compressed packets transmitted (`tx_compressed`). */
  txCompressed: bigint;
}

/** `/proc/net/dev` parsed: interface name → counters (Go procfs: `NetDev map[string]NetDevLine`). */
export type NetDev = Record<string, NetDevLine>;

type Counter = Exclude<keyof NetDevLine, 'name'>;

/** Header column name → field, per direction (the header has been stable since Linux 2.6). */
const RX: Record<string, Counter> = {
  bytes: 'rxBytes',
  packets: 'rxPackets',
  errs: 'rxErrors',
  drop: 'rxDropped',
  fifo: 'rxFIFO',
  frame: 'rxFrame',
  compressed: 'rxCompressed',
  multicast: 'rxMulticast',
};
const TX: Record<string, Counter> = {
  bytes: 'txBytes',
  packets: 'txPackets',
  errs: 'txErrors',
  drop: 'txDropped',
  fifo: 'txFIFO',
  colls: 'txCollisions',
  carrier: 'txCarrier',
  compressed: 'txCompressed',
};
const DEFAULT_COLUMNS: Counter[] = [...Object.values(RX), ...Object.values(TX)];

function columnsFromHeader(header: string, w: Where): (Counter | undefined)[] {
  const parts = header.split('|');
  if (parts.length !== 3) fail(w, 'header must have three |-separated parts (face|receive|transmit)');
  const rx = fields(parts[1]!).map((n) => RX[n]);
  const tx = fields(parts[2]!).map((n) => TX[n]);
  const cols = [...rx, ...tx];
  for (const need of DEFAULT_COLUMNS) {
    if (!cols.includes(need)) fail(w, `header lacks the column for ${need}`);
  }
  return cols;
}

function zeroLine(name: string): NetDevLine {
  return {
    name,
    rxBytes: 0n,
    rxPackets: 0n,
    rxErrors: 0n,
    rxDropped: 0n,
    rxFIFO: 0n,
    rxFrame: 0n,
    rxCompressed: 0n,
    rxMulticast: 0n,
    txBytes: 0n,
    txPackets: 0n,
    txErrors: 0n,
    txDropped: 0n,
    txFIFO: 0n,
    txCollisions: 0n,
    txCarrier: 0n,
    txCompressed: 0n,
  };
}

/**
 * Parse the text of `/proc/net/dev` (or `/proc/<pid>/net/dev`). Columns are located by the
 * header names, so an added column is ignored rather than misread.
 * @param file the path named in a {@link ParseError}.
 * @throws ParseError on a malformed header, line or number.
 */
export function parseNetDev(text: string, file = '/proc/net/dev'): NetDev {
  const ls = lines(text);
  if (ls.length < 2 || !ls[0]!.includes('|') || !ls[1]!.includes('|')) {
    fail(firstLineAt(ls, file), 'missing the two header lines (Inter-|Receive|Transmit)');
  }
  const cols = columnsFromHeader(ls[1]!, { file, line: 2, text: ls[1]! });
  const out: NetDev = record();
  for (const w of rowsAt(ls, file, 2)) {
    const text = w.text;
    const colon = text.indexOf(':');
    if (colon < 0) fail(w, 'no "name:" prefix');
    const name = text.slice(0, colon).trim();
    if (name === '') fail(w, 'empty interface name');
    const vals = fields(text.slice(colon + 1));
    if (vals.length !== cols.length) fail(w, `expected ${cols.length} counters, found ${vals.length}`);
    const line = zeroLine(name);
    vals.forEach((v, j) => {
      const key = cols[j];
      const n = ubig(v, w, `column ${j + 1}`);
      if (key) line[key] = n;
    });
    if (name in out) fail(w, `interface ${name} listed twice`);
    out[name] = line;
  }
  return out;
}

/**
 * Sum the counters of every interface (Go procfs: `NetDev.Total()`). The `name` is the sorted,
 * comma-separated list of interface names.
 */
export function netDevTotal(netDev: NetDev): NetDevLine {
  const names = Object.keys(netDev).sort();
  const total = zeroLine(names.join(', '));
  for (const n of names) {
    const l = netDev[n]!;
    for (const k of Object.keys(l) as (keyof NetDevLine)[]) {
      if (k !== 'name') total[k] += l[k];
    }
  }
  return total;
}
