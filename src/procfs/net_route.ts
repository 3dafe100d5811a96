/**
 * `/proc/net/route`: the IPv4 main routing table (kernel `fib_route_seq_show`). Not in Go procfs.
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, hex, hostOrderHexIP, lines, uint } from './system_util.js';

/** One route. */
export interface NetRoute {
  /** Output interface (`Iface`). */
  iface: string;
  /** Destination network (`Destination`, decoded from host-order hex). */
  destination: string;
  /** Gateway (`Gateway`); `0.0.0.0` when directly connected. */
  gateway: string;
  /** Route flags (`Flags`, hex): RTF_UP 0x1, RTF_GATEWAY 0x2, RTF_HOST 0x4, RTF_REJECT 0x200, … */
  flags: number;
  /** Reference count (`RefCnt`, always 0). */
  refCnt: number;
  /** Use count (`Use`, always 0). */
  use: number;
  /** Route metric / priority (`Metric`). */
  metric: number;
  /** Destination netmask (`Mask`). */
  mask: string;
  /** Prefix length of `mask` (number of leading one bits). */
  prefixLength: number;
  /** Advertised MSS, in bytes (`MTU` column; 0 when unset). */
  mtu: number;
  /** TCP window clamp, in bytes (`Window`). */
  window: number;
  /** Initial round-trip time (`IRTT`, in milliseconds). */
  irtt: number;
}

/** `RTF_UP`: route usable. */
export const RTF_UP = 0x1;
/** `RTF_GATEWAY`: destination is reached through a gateway. */
export const RTF_GATEWAY = 0x2;

const COLS = ['Iface', 'Destination', 'Gateway', 'Flags', 'RefCnt', 'Use', 'Metric', 'Mask', 'MTU', 'Window', 'IRTT'];

/**
 * Parse the text of `/proc/net/route`.
 * @throws ParseError on a header lacking a column or a malformed row.
 */
export function parseNetRoute(text: string, file = '/proc/net/route'): NetRoute[] {
  const ls = lines(text);
  const head = fields(ls[0] ?? '');
  const at: Record<string, number> = {};
  for (const c of COLS) {
    const j = head.indexOf(c);
    if (j < 0) fail(firstLineAt(ls, file), `header lacks column ${c}`);
    at[c] = j;
  }
  const out: NetRoute[] = [];
  for (const w of rowsAt(ls, file)) {
    const f = fields(w.text);
    if (f.length < head.length) fail(w, `expected ${head.length} columns, found ${f.length}`);
    const col = (c: string) => f[at[c]!];
    const mask = hostOrderHexIP(col('Mask')!, w, 'Mask');
    out.push({
      iface: col('Iface')!,
      destination: hostOrderHexIP(col('Destination')!, w, 'Destination'),
      gateway: hostOrderHexIP(col('Gateway')!, w, 'Gateway'),
      flags: hex(col('Flags'), w, 'Flags'),
      refCnt: uint(col('RefCnt'), w, 'RefCnt'),
      use: uint(col('Use'), w, 'Use'),
      metric: uint(col('Metric'), w, 'Metric'),
      mask,
      prefixLength: mask.split('.').reduce((n, o) => n + popcount(Number(o)), 0),
      mtu: uint(col('MTU'), w, 'MTU'),
      window: uint(col('Window'), w, 'Window'),
      irtt: uint(col('IRTT'), w, 'IRTT'),
    });
  }
  return out;
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
}
