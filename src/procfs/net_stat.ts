/**
 * `/proc/net/stat/*`: per-CPU statistics tables of the neighbour caches, routing cache, conntrack
 * and synproxy (`arp_cache`, `ndisc_cache`, `rt_cache`, `nf_conntrack`, `synproxy`, …). Each file
 * is a header of column names and one row of hex counters per CPU.
 *
 * Seed (Go procfs): `FS.NetStat() []NetStat`.
 * @module
 */
import { fail, hex, lines, record, type Where } from './system_util.js';

/** One file of `/proc/net/stat/` (seed: `NetStat`). */
export interface NetStat {
  /** File name within `/proc/net/stat/` (seed: `Filename`). */
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
  const head = (ls[0] ?? '').trim().split(/\s+/);
  if (head.length === 0 || head[0] === '') fail({ file, line: 1, text: ls[0] ?? '' }, 'missing header');
  const stats: Record<string, number[]> = record();
  for (const h of head) {
    if (h in stats) fail({ file, line: 1, text: ls[0]! }, `column ${h} repeated`);
    stats[h] = [];
  }
  for (let i = 1; i < ls.length; i++) {
    const t = ls[i]!;
    if (t.trim() === '') continue;
    const w: Where = { file, line: i + 1, text: t };
    const f = t.trim().split(/\s+/);
    if (f.length !== head.length) fail(w, `expected ${head.length} columns, found ${f.length}`);
    f.forEach((v, j) => {
      stats[head[j]!]!.push(hex(v, w, head[j]));
    });
  }
  return { filename, stats };
}
