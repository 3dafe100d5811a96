/**
 * `/proc/net/softnet_stat`: per-CPU packet processing counters of the network receive path
 * (kernel `softnet_seq_show`). One line per online CPU, hex columns; kernels added columns over time.
 *
 * Go procfs: `FS.NetSoftnetStat() []SoftnetStat`.
 * @module
 */
import { fail, fields, hex, lines, type Where } from './system_util.js';

/** One line of `/proc/net/softnet_stat` (Go procfs: `SoftnetStat`). Counters are u32 and wrap. */
export interface SoftnetStat {
  /** Packets processed by the backlog/NAPI (`processed`, column 1). */
  processed: number;
  /** Packets dropped because the backlog queue was full (`dropped`, column 2). */
  dropped: number;
  /** Times net_rx_action ran out of budget or time with work left (`time_squeeze`, column 3). */
  timeSqueezed: number;
  /** Transmit lock collisions (column 9; always 0 on modern kernels). */
  cpuCollision?: number;
  /** Times this CPU was woken by an RPS inter-processor interrupt (`received_rps`, column 10). */
  receivedRps?: number;
  /** Packets dropped by the flow limit (`flow_limit_count`, column 11, Linux 3.11+). */
  flowLimitCount?: number;
  /** Backlog queue length (column 12, Linux 5.10+; 0 in kernels that stopped filling it). */
  softnetBacklogLen?: number;
  /** CPU number this line belongs to (column 13, Linux 5.10+); else use the line index. */
  index?: number;
  /** Packets in the input queue (`input_pkt_queue` length, column 14, Linux 6.x). */
  inputQueueLen?: number;
  /** Packets in the process queue (column 15, Linux 6.x). */
  processQueueLen?: number;
  /** Number of columns on the line (tells which optional fields the kernel printed). */
  width: number;
}

/**
 * Parse the text of `/proc/net/softnet_stat`.
 * @throws ParseError on a line with fewer than 3 columns or a non-hex value.
 */
export function parseNetSoftnetStat(text: string, file = '/proc/net/softnet_stat'): SoftnetStat[] {
  return lines(text).map((text, i) => {
    const w: Where = { file, line: i + 1, text };
    const f = fields(text);
    if (f.length < 3) fail(w, `expected at least 3 columns, found ${f.length}`);
    const v = f.map((x, j) => hex(x, w, `column ${j + 1}`));
    const s: SoftnetStat = { processed: v[0]!, dropped: v[1]!, timeSqueezed: v[2]!, width: f.length };
    if (v.length >= 9) s.cpuCollision = v[8]!;
    if (v.length >= 10) s.receivedRps = v[9]!;
    if (v.length >= 11) s.flowLimitCount = v[10]!;
    if (v.length >= 13) {
      s.softnetBacklogLen = v[11]!;
      s.index = v[12]!;
    }
    if (v.length >= 15) {
      s.inputQueueLen = v[13]!;
      s.processQueueLen = v[14]!;
    }
    return s;
  });
}
