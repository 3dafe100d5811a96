/**
 * `/proc/net/stat/*`: per-CPU statistics tables of the neighbour caches, routing cache, conntrack
 * and synproxy (`arp_cache`, `ndisc_cache`, `rt_cache`, `nf_conntrack`, `synproxy`, …). Each file
 * is a header of column names and one row of hex counters per CPU.
 *
 * Go procfs: `FS.NetStat() []NetStat`.
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, hex, lines, record } from './system_util.js';

/** One file of `/proc/net/stat/` (Go procfs: `NetStat`). */
export interface NetStat {
  /** File name within `/proc/net/stat/` (Go procfs: `Filename`). */
  filename: string;
  /** Column name → one value per CPU row, in file order (u32 counters, hex in the file). */
  stats: Record<string, number[]>;
}

/**
 * Parse the text of one `/proc/net/stat/<name>` file.
 * @throws ParseError on a row whose column count differs from the header's.
 */
export function parseNetStatFile(text: string, filename: string, file = `/proc/net/stat/${filename}`): NetStat {
  const ls = lines(text);
  const head = fields(ls[0] ?? '');
  if (head.length === 0) fail(firstLineAt(ls, file), 'missing header');
  const stats: Record<string, number[]> = record();
  for (const h of head) {
    if (h in stats) fail(firstLineAt(ls, file), `column ${h} repeated`);
    stats[h] = [];
  }
  for (const w of rowsAt(ls, file)) {
    const f = fields(w.text);
    if (f.length !== head.length) fail(w, `expected ${head.length} columns, found ${f.length}`);
    f.forEach((v, j) => {
      stats[head[j]!]!.push(hex(v, w, head[j]));
    });
  }
  return { filename, stats };
}
